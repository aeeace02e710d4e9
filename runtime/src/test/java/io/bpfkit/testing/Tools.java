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
     * Compiles a C file of the test sources ({@code src/test/c}) against libbpf into a temporary
     * directory and returns the executable, or null when gcc or libbpf is missing.
     */
    public static Path compileAgainstLibbpf(String source, Path outDir) {
        Path gcc = find("gcc", "cc");
        if (gcc == null || !Files.exists(Path.of("/usr/include/bpf/libbpf.h"))) {
            return null;
        }
        Path src = Path.of("src", "test", "c", source);
        Path exe = outDir.resolve(source.replace(".c", ""));
        List<String> cmd = new ArrayList<>(List.of(gcc.toString(), "-O2", "-Wall", "-Werror", "-o", exe.toString(),
                src.toString(), "-lbpf"));
        Result r = run(120, cmd.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("compiling " + src + " failed:\n" + r.stderr());
        }
        return exe;
    }
}
