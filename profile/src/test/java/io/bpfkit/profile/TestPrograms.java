package io.bpfkit.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Builds and starts the processes the profiler's tests look at: hot.c with cc, Hot.java with this JVM. */
final class TestPrograms {
    private TestPrograms() {
    }

    /** Copies test resource {@code name} into {@code dir}. */
    static Path resource(Path dir, String name) throws IOException {
        Path to = dir.resolve(name);
        try (InputStream in = TestPrograms.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name + " next to " + TestPrograms.class.getName());
            }
            Files.copy(in, to);
        }
        return to;
    }

    /** hot.c built with frame pointers into {@code dir/name}; {@code extra} flags appended (e.g. -s). */
    static Path buildHot(Path dir, String name, String... extra) throws IOException, InterruptedException {
        Path src = Files.exists(dir.resolve("hot.c")) ? dir.resolve("hot.c") : resource(dir, "hot.c");
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("cc", "-O0", "-g", "-fno-omit-frame-pointer", "-o", out.toString(),
                src.toString()));
        cmd.addAll(List.of(extra));
        run(cmd);
        return out;
    }

    /** Runs a command to its end; its output on failure. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Starts {@code cmd} and waits for its first line ("ready"). */
    static Process startReady(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not start: " + line);
        }
        return p;
    }

    /** The java launcher of the JVM running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Open descriptors of this process. */
    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
