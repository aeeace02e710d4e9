package io.bpfkit.testing;

import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The BPF objects the build compiles from {@code runtime/src/test/bpf} for tests. */
public final class TestObjects {
    private TestObjects() {
    }

    /** The directory of compiled test objects ({@code runtime/target/test-bpf}). */
    public static Path dir() {
        String d = System.getProperty("bpfkit.testObjects");
        Path p = d != null ? Path.of(d) : Path.of("target", "test-bpf");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("test objects not built: " + p.toAbsolutePath()
                    + " is missing (run the build: generate-test-resources compiles runtime/src/test/bpf)");
        }
        return p;
    }

    /** One compiled object, e.g. {@code path("maps_btf.bpf.o")}. */
    public static Path path(String name) {
        Path p = dir().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test object " + p + " was not built");
        }
        return p;
    }

    /**
     * One compiled object opened with its {@code .rodata} variable {@code target_tgid} set to
     * this process, for programs that count only what this test does.
     */
    public static BpfObjectSpec openForThisProcess(String name) {
        BpfObjectSpec spec = BpfObjects.open(path(name));
        byte[] pid = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(Syscalls.getpid()).array();
        spec.dataMap(".rodata").orElseThrow().setVariable("target_tgid", pid);
        return spec;
    }

    /** Every compiled object, sorted by name. */
    public static List<Path> all() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(f -> f.getFileName().toString().endsWith(".o")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of one compiled object. */
    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
