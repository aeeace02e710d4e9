package io.bpfkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** External programs the differential tests compare against: bpftool, gcc with libbpf. */
public final class Tools {
    private Tools() {
    }

    /**
     * Stops a test that needs something this machine lacks (a tool, a header, kernel BTF):
     * skipped with the reason, or failed where tests are required (CI sets
     * {@code BPFKIT_REQUIRE_KERNEL_TESTS=1} / {@code bpfkit.kernelTests=require}), since
     * {@code scripts/env.sh} installs everything the suite needs and a missing tool there
     * means a broken build machine, not a test to leave out.
     *
     * <pre>{@code
     * Tools.assumePresent(bpftool != null, "bpftool is not installed (Debian: apt-get install bpftool)");
     * }</pre>
     */
    public static void assumePresent(boolean present, String missing) {
        if (present) {
            return;
        }
        if (KernelTestExtension.required()) {
            throw new AssertionError(missing + " (tests are required here: bpfkit.kernelTests=require;"
                    + " scripts/test installs what the suite needs)");
        }
        Assumptions.abort(missing);
    }

    /** The first of {@code candidates} that is an executable file, or null. */
    public static Path find(String... candidates) {
        for (String c : candidates) {
            if (c.contains("/")) {
                if (Files.isExecutable(Path.of(c))) {
                    return Path.of(c);
                }
                continue;
            }
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                Path p = Path.of(dir, c);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The result of a finished process. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs a command to completion (at most {@code timeoutSeconds}, then it is killed and this
     * throws), capturing its output. Both streams go to files: reading a pipe would wait for
     * a hung command past any timeout.
     */
    public static Result run(long timeoutSeconds, String... command) {
        try {
            Path out = Files.createTempFile("bpfkit-tool", ".out");
            Path err = Files.createTempFile("bpfkit-tool", ".err");
            try {
                Process p = new ProcessBuilder(List.of(command)).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                            + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code mainClass} in a child JVM on this test's class path with only the
     * capabilities in {@code bounding} (setpriv's syntax, e.g. {@code -all} or
     * {@code -all,+bpf}), to see what a less privileged caller gets.
     */
    public static Result runJavaWithCapabilities(String bounding, Class<?> mainClass, String... args) {
        Path setpriv = find("setpriv", "/usr/bin/setpriv");
        if (setpriv == null) {
            throw new AssertionError("setpriv (util-linux) is needed to drop capabilities");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(setpriv.toString(),
                "--bounding-set=" + bounding, "--inh-caps=-all", "--ambient-caps=-all", "--", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                mainClass.getName()));
        command.addAll(List.of(args));
        return run(120, command.toArray(String[]::new));
    }

    /**
     * The current libbpf the differential tests compare with: the prefix {@code scripts/test}
     * passes as {@code bpfkit.libbpfDir} ({@code scripts/kernel-source --print-libbpf-dir}: libbpf
     * built from the kernel tree, {@code include/} and {@code lib/libbpf.a}), or empty.
     */
    public static java.util.Optional<Path> currentLibbpf() {
        String dir = System.getProperty("bpfkit.libbpfDir", "");
        return dir.isEmpty() || !Files.exists(Path.of(dir, "lib", "libbpf.a"))
                ? java.util.Optional.empty() : java.util.Optional.of(Path.of(dir));
    }

    /**
     * Compiles a C file of the test sources ({@code src/test/c}) against the current libbpf
     * ({@link #currentLibbpf()}, linked statically) into a temporary directory and returns the
     * executable; the test is skipped (failed where tests are required) when gcc or that libbpf
     * is missing. Debian's libbpf-dev (1.1 on bookworm) predates sections, map fields and BTF
     * the tests use, so it is not what bpfkit is compared with.
     */
    public static Path compileAgainstLibbpf(String source, Path outDir) {
        Path gcc = find("gcc", "cc");
        assumePresent(gcc != null, "gcc is not installed (Debian: apt-get install gcc)");
        java.util.Optional<Path> libbpf = currentLibbpf();
        assumePresent(libbpf.isPresent(), "no current libbpf: set bpfkit.libbpfDir to scripts/kernel-source"
                + " --print-libbpf-dir (scripts/test does)");
        Path src = Path.of("src", "test", "c", source);
        Path exe = outDir.resolve(source.replace(".c", ""));
        List<String> cmd = new ArrayList<>(List.of(gcc.toString(), "-O2", "-Wall", "-Werror",
                "-I" + libbpf.get().resolve("include"), "-o", exe.toString(), src.toString(),
                libbpf.get().resolve("lib").resolve("libbpf.a").toString(), "-lelf", "-lz"));
        Result r = run(120, cmd.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("compiling " + src + " failed:\n" + r.stderr());
        }
        return exe;
    }
}
