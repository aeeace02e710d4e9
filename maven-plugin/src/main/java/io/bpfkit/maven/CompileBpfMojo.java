package io.bpfkit.maven;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.bpfkit.api.BpfException;
import io.bpfkit.btf.BtfCHeader;
import io.bpfkit.btf.BtfFiles;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * {@code bpfkit:compile-bpf}: compiles {@code src/main/bpf/NAME.bpf.c} into
 * {@code target/bpf/NAME.bpf.o} with the flags eBPF projects use
 * ({@code -g -O2 -target bpf -D__TARGET_ARCH_x86}, the source folder, the multiarch system
 * headers, any {@code includeDirectories}, bpfkit's own headers ({@code bpfkit/pmu.h}, shipped in
 * this plugin's jar and unpacked beside the generated {@code vmlinux.h}) and, for sources that
 * include {@code vmlinux.h}, one made from the kernel's BTF by bpfkit itself), before javac runs, so the
 * annotation processor can check bindings against the objects. An object newer than its source
 * and every header of the source folder is left alone. A clang failure fails the build with
 * clang's diagnostics. {@code <links>} ({@link Link}) then links several of the objects into one,
 * as {@code bpftool gen object} does.
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>io.bpfkit</groupId>
 *   <artifactId>bpfkit-maven-plugin</artifactId>
 *   <executions><execution><goals><goal>compile-bpf</goal></goals></execution></executions>
 * </plugin>
 * <!-- and target/bpf as a resource, to ship the objects on the class path -->
 * }</pre>
 */
public class CompileBpfMojo extends AbstractMojo {
    private static final Pattern BPFKIT_INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s*[<\"]bpfkit/");
    private static final Pattern VMLINUX_INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s*[<\"]vmlinux\\.h[>\"]");

    private File sourceDirectory;
    private File outputDirectory;
    private File[] includeDirectories;
    private String clang;
    private String targetArch;
    private String[] extraFlags;
    private String vmlinuxBtf;
    private File generatedIncludeDirectory;
    private boolean skip;
    private Link[] links;
    // Every instance field above is a parameter that META-INF/maven/plugin.xml describes (a test
    // holds the two together): state of one run lives in locals, not fields.

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("bpfkit: compile-bpf skipped");
            return;
        }
        Path src = sourceDirectory.toPath();
        if (!Files.isDirectory(src)) {
            getLog().info("bpfkit: no BPF sources (" + src + " is not a folder)");
            return;
        }
        List<Path> sources;
        long newestHeader;
        Path generated;
        try (Stream<Path> files = Files.list(src)) {
            List<Path> all = files.sorted().toList();
            sources = all.stream().filter(p -> p.getFileName().toString().endsWith(".bpf.c")).toList();
            newestHeader = 0;
            for (Path p : all) {
                if (p.getFileName().toString().endsWith(".h")) {
                    newestHeader = Math.max(newestHeader, Files.getLastModifiedTime(p).toMillis());
                }
            }
            Files.createDirectories(outputDirectory.toPath());
            long ours = unpackHeaders();
            if (includesOurs(all)) {
                newestHeader = Math.max(newestHeader, ours);
            }
            generated = vmlinuxHeader(all);
            if (generated != null) {
                newestHeader = Math.max(newestHeader, Files.getLastModifiedTime(generated).toMillis());
            }
        } catch (IOException e) {
            throw new MojoExecutionException("bpfkit: cannot read " + src + ": " + e.getMessage(), e);
        }
        // bpfkit's headers are in the same folder as vmlinux.h, which is written only when a source wants it
        Path vmlinuxInclude = generatedIncludeDirectory.toPath();
        String compiler = findClang();
        int built = 0;
        for (Path c : sources) {
            String name = c.getFileName().toString();
            Path obj = outputDirectory.toPath().resolve(name.substring(0, name.length() - ".c".length()) + ".o");
            if (upToDate(c, obj, newestHeader)) {
                continue;
            }
            compile(compiler, c, obj, vmlinuxInclude);
            built++;
        }
        getLog().info("bpfkit: " + built + " of " + sources.size() + " BPF objects compiled into " + outputDirectory);
        if (links != null) {
            for (Link link : links) {
                link(link, sources);
            }
        }
    }

    /** Links one {@code <link>}'s objects into {@code NAME.bpf.o}, unless it is newer than all of them. */
    private void link(Link link, List<Path> sources) throws MojoExecutionException, MojoFailureException {
        String name = link.getName();
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new MojoExecutionException("bpfkit: a <link> needs a <name> (letters, digits, _ . -), not '"
                    + name + "'");
        }
        if (link.getSources().length == 0) {
            throw new MojoExecutionException("bpfkit: <link> " + name + " has no <sources>");
        }
        Path out = outputDirectory.toPath().resolve(name + ".bpf.o");
        List<io.bpfkit.linker.BpfLinker.Input> inputs = new ArrayList<>();
        boolean upToDate = Files.exists(out);
        try {
            for (String source : link.getSources()) {
                Path c = sourceDirectory.toPath().resolve(source);
                if (!source.endsWith(".bpf.c") || !sources.contains(c)) {
                    throw new MojoExecutionException("bpfkit: <link> " + name + ": source " + source
                            + " is not a .bpf.c file of " + sourceDirectory);
                }
                Path obj = outputDirectory.toPath().resolve(source.substring(0, source.length() - ".c".length()) + ".o");
                if (obj.equals(out)) {
                    throw new MojoExecutionException("bpfkit: <link> " + name + " would overwrite its own input " + obj);
                }
                upToDate = upToDate && Files.getLastModifiedTime(out).toMillis() > Files.getLastModifiedTime(obj).toMillis();
                inputs.add(new io.bpfkit.linker.BpfLinker.Input(obj.getFileName().toString(), Files.readAllBytes(obj)));
            }
            if (upToDate) {
                return;
            }
            Files.write(out, io.bpfkit.linker.BpfLinker.link(inputs));
        } catch (IOException e) {
            throw new MojoExecutionException("bpfkit: <link> " + name + ": " + e.getMessage(), e);
        } catch (BpfException e) {
            throw new MojoFailureException("bpfkit: cannot link " + name + ".bpf.o: " + e.getMessage(), e);
        }
        getLog().info("bpfkit: linked " + out + " from " + String.join(", ", link.getSources()));
    }

    /**
     * Writes {@code generatedIncludeDirectory/vmlinux.h} from the kernel's BTF with bpfkit's own
     * C header writer (no bpftool) when a source or header includes {@code vmlinux.h}; rewrites
     * it only when the text changed, so objects are not rebuilt for nothing.
     *
     * @return the header, or null when no source wants one
     */
    private Path vmlinuxHeader(List<Path> files) throws IOException, MojoExecutionException {
        Path user = null;
        for (Path f : files) {
            String name = f.getFileName().toString();
            if ((name.endsWith(".bpf.c") || name.endsWith(".h")) && VMLINUX_INCLUDE.matcher(Files.readString(f)).find()) {
                user = f;
                break;
            }
        }
        if (user == null) {
            return null;
        }
        String env = System.getenv("BPFKIT_VMLINUX_BTF");
        Path btf = Path.of(vmlinuxBtf != null && !vmlinuxBtf.isBlank() ? vmlinuxBtf
                : env != null && !env.isBlank() ? env : "/sys/kernel/btf/vmlinux");
        if (!Files.isReadable(btf)) {
            throw new MojoExecutionException("bpfkit: cannot make vmlinux.h, which " + user.getFileName()
                    + " includes: " + btf + " cannot be read" + (btf.startsWith("/sys/kernel/btf")
                    ? " (this kernel has no BTF; it needs CONFIG_DEBUG_INFO_BTF=y)" : "")
                    + ". Build on a kernel with BTF, or set BPFKIT_VMLINUX_BTF (or -Dbpfkit.vmlinuxBtf) to a BTF "
                    + "file of the target kernel (raw BTF, e.g. from BTFHub, or a vmlinux ELF with .BTF)");
        }
        String text;
        try {
            text = BtfCHeader.of(BtfFiles.read(btf)).text();
        } catch (BpfException e) {
            throw new MojoExecutionException("bpfkit: cannot make vmlinux.h from " + btf + ": " + e.getMessage(), e);
        }
        Path folder = generatedIncludeDirectory.toPath();
        Files.createDirectories(folder);
        Path header = folder.resolve("vmlinux.h");
        if (!Files.exists(header) || !Files.readString(header).equals(text)) {
            Files.writeString(header, text);
            getLog().info("bpfkit: wrote " + header + " from " + btf);
        }
        return header;
    }

    /** Where this plugin's jar keeps bpfkit's headers (bpfkit/pmu.h, ...). */
    static final String HEADERS = "io/bpfkit/maven/include/";

    /**
     * Unpacks bpfkit's headers from this plugin's jar (or classes folder) into
     * {@code generatedIncludeDirectory}, rewriting a file only when its text changed, so users
     * never point {@code includeDirectories} into bpfkit's sources.
     *
     * @return the newest modification time among them, 0 when there are none
     */
    private long unpackHeaders() throws IOException, MojoExecutionException {
        Path folder = generatedIncludeDirectory.toPath();
        java.util.Map<String, byte[]> headers = new java.util.TreeMap<>();
        java.net.URL base = CompileBpfMojo.class.getProtectionDomain().getCodeSource().getLocation();
        try {
            Path location = Path.of(base.toURI());
            if (Files.isDirectory(location)) {
                Path root = location.resolve(HEADERS);
                if (Files.isDirectory(root)) {
                    try (Stream<Path> walk = Files.walk(root)) {
                        for (Path p : walk.filter(Files::isRegularFile).toList()) {
                            headers.put(root.relativize(p).toString(), Files.readAllBytes(p));
                        }
                    }
                }
            } else {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(location.toFile())) {
                    for (var e : java.util.Collections.list(jar.entries())) {
                        if (!e.isDirectory() && e.getName().startsWith(HEADERS)) {
                            try (var in = jar.getInputStream(e)) {
                                headers.put(e.getName().substring(HEADERS.length()), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new MojoExecutionException("bpfkit: cannot read bpfkit's headers from " + base + ": " + e, e);
        }
        if (headers.isEmpty()) {
            throw new MojoExecutionException("bpfkit: the plugin at " + base + " holds no headers under " + HEADERS
                    + " (a broken build of bpfkit-maven-plugin)");
        }
        long newest = 0;
        for (var h : headers.entrySet()) {
            Path target = folder.resolve(h.getKey());
            Files.createDirectories(target.getParent());
            if (!Files.exists(target) || !java.util.Arrays.equals(Files.readAllBytes(target), h.getValue())) {
                Files.write(target, h.getValue());
            }
            newest = Math.max(newest, Files.getLastModifiedTime(target).toMillis());
        }
        return newest;
    }

    /** Whether a source or header of the folder includes one of bpfkit's headers: their changes rebuild only those. */
    private static boolean includesOurs(List<Path> files) throws IOException {
        for (Path f : files) {
            String name = f.getFileName().toString();
            if ((name.endsWith(".bpf.c") || name.endsWith(".h")) && BPFKIT_INCLUDE.matcher(Files.readString(f)).find()) {
                return true;
            }
        }
        return false;
    }

    private static boolean upToDate(Path source, Path obj, long newestHeader) {
        try {
            if (!Files.exists(obj)) {
                return false;
            }
            long o = Files.getLastModifiedTime(obj).toMillis();
            return o > Files.getLastModifiedTime(source).toMillis() && o > newestHeader;
        } catch (IOException e) {
            return false;
        }
    }

    private void compile(String compiler, Path source, Path obj, Path vmlinuxInclude)
            throws MojoExecutionException, MojoFailureException {
        List<String> cmd = new ArrayList<>(List.of(compiler, "-g", "-O2", "-target", "bpf",
                "-D__TARGET_ARCH_" + targetArch, "-I" + sourceDirectory, "-I/usr/include/" + multiarch()));
        if (includeDirectories != null) {
            for (File i : includeDirectories) {
                cmd.add("-I" + i);
            }
        }
        if (vmlinuxInclude != null) {
            cmd.add("-I" + vmlinuxInclude);
        }
        if (extraFlags != null) {
            cmd.addAll(List.of(extraFlags));
        }
        cmd.addAll(List.of("-c", source.toString(), "-o", obj.toString()));
        getLog().debug("bpfkit: " + String.join(" ", cmd));
        String output;
        int exit;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            exit = p.waitFor();
        } catch (IOException e) {
            throw new MojoExecutionException("bpfkit: cannot run " + compiler + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("bpfkit: interrupted while compiling " + source, e);
        }
        if (exit != 0) {
            try {
                Files.deleteIfExists(obj);
            } catch (IOException e) {
                // a stale object is rebuilt next time anyway: it is older than the source
            }
            throw new MojoFailureException("bpfkit: clang failed on " + source + " (exit " + exit + "):\n" + output);
        }
        if (!output.isBlank()) {
            getLog().warn(output.strip());
        }
    }

    private String findClang() throws MojoExecutionException {
        if (clang != null && !clang.isBlank()) {
            return clang;
        }
        String path = System.getenv("PATH");
        for (String candidate : List.of("clang-19", "clang")) {
            for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, candidate))) {
                    return candidate;
                }
            }
        }
        throw new MojoExecutionException("bpfkit: clang is needed to build BPF C (" + sourceDirectory
                + "): install clang (Debian: apt-get install clang-19) or set -Dbpfkit.clang=PATH");
    }

    /** Debian's multiarch folder of asm/ headers: x86_64-linux-gnu, aarch64-linux-gnu, ... */
    private static String multiarch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> arch + "-linux-gnu";
        };
    }
}
