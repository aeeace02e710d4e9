package io.bpfkit.maven;

import io.bpfkit.api.BpfException;
import io.bpfkit.gen.BindingGenerator;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * {@code bpfkit:generate} (opt-in): writes the {@code @BpfObject} interface of every
 * {@code NAME.bpf.o} that {@code compile-bpf} built, as {@code bpfkit gen} does, into
 * {@code target/generated-sources/bpfkit}, and adds that folder to the compile source roots, for
 * projects that never hand-write an interface. It runs in {@code process-resources}, after
 * {@code compile-bpf}; the interface names its object as a resource beside it (put
 * {@code target/bpf} on the class path under the package's folder). A file is rewritten only when
 * its text changes.
 *
 * <pre>{@code
 * <execution>
 *   <goals><goal>compile-bpf</goal><goal>generate</goal></goals>
 *   <configuration><packageName>com.example.probes</packageName></configuration>
 * </execution>
 * }</pre>
 */
public class GenerateMojo extends AbstractMojo {
    private File objectDirectory;
    private File outputDirectory;
    private String packageName;
    private List<String> compileSourceRoots;
    private boolean skip;
    // Every field above is a parameter that META-INF/maven/plugin.xml describes.

    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("bpfkit: generate skipped");
            return;
        }
        if (packageName == null || !packageName.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new MojoExecutionException("bpfkit: generate needs <packageName>, a Java package for the "
                    + "interfaces (not '" + packageName + "')");
        }
        Path objects = objectDirectory.toPath();
        List<Path> files = List.of();
        if (Files.isDirectory(objects)) {
            try (Stream<Path> s = Files.list(objects)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".bpf.o")).sorted().toList();
            } catch (IOException e) {
                throw new MojoExecutionException("bpfkit: cannot read " + objects + ": " + e.getMessage(), e);
            }
        }
        Path out = outputDirectory.toPath();
        int written = 0;
        for (Path object : files) {
            String name = object.getFileName().toString();
            BindingGenerator.Generated g;
            try {
                g = BindingGenerator.generate(Files.readAllBytes(object), name,
                        new BindingGenerator.Options(packageName, null, name));
            } catch (IOException | BpfException e) {
                throw new MojoExecutionException("bpfkit: cannot generate the interface of " + object + ": "
                        + e.getMessage(), e);
            }
            g.notes().forEach(n -> getLog().warn("bpfkit: " + name + ": " + n));
            Path file = out.resolve(g.relativePath());
            try {
                if (!Files.exists(file) || !Files.readString(file).equals(g.source())) {
                    g.writeTo(out);
                    written++;
                }
            } catch (IOException e) {
                throw new MojoExecutionException("bpfkit: cannot write " + file + ": " + e.getMessage(), e);
            }
        }
        String root = out.toString();
        if (compileSourceRoots != null && !compileSourceRoots.contains(root)) {
            compileSourceRoots.add(root);
        }
        getLog().info("bpfkit: " + files.size() + " interfaces generated (" + written + " rewritten) into " + out);
    }
}
