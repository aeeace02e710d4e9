package io.bpfkit.bench;

import io.bpfkit.btf.Btf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Parsing a raw BTF blob, the kernel's by default. The libbpf counterparts in
 * {@code open_bench.c} are {@code btf__parse(path, NULL)} + {@code btf__free}
 * ({@link #parseFile}) and {@code btf__new(data, size)} + {@code btf__free}
 * ({@link #parseSegment}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class BtfBenchmark {
    /** The raw BTF file. */
    @Param("/sys/kernel/btf/vmlinux")
    public String btf;

    private Path path;
    private Arena arena;
    private MemorySegment raw;

    /**
     * Reads the blob once into native memory, and parses it once so a refusal fails here; then
     * runs the benchmark's operation until the JIT is done with it ({@link Prewarm}).
     */
    @Setup
    public void setup(BenchmarkParams params) throws IOException {
        path = Path.of(btf);
        byte[] bytes = Files.readAllBytes(path);
        arena = Arena.ofShared();
        raw = arena.allocate(bytes.length, 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, raw, 0, bytes.length);
        Btf.parse(raw);
        if (params.getBenchmark().endsWith(".parseFile")) {
            Prewarm.untilSteady(btf, () -> {
                try {
                    return parseFile();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } else {
            Prewarm.untilSteady(btf, this::parseSegment);
        }
    }

    /** Frees the blob. */
    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Reads the file into native memory and parses it, as libbpf's {@code btf__parse}. */
    @Benchmark
    public int parseFile() throws IOException {
        try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(path)) {
            MemorySegment seg = readFully(a, ch);
            return Btf.parse(seg).typeCount();
        }
    }

    /** Parses the blob already in memory, as libbpf's {@code btf__new}. */
    @Benchmark
    public int parseSegment() {
        return Btf.parse(raw).typeCount();
    }

    /** The whole file; sysfs reports the size of a BTF file, so one allocation is enough. */
    static MemorySegment readFully(Arena a, FileChannel ch) throws IOException {
        long size = ch.size();
        MemorySegment seg = a.allocate(size, 8);
        ByteBuffer buf = seg.asByteBuffer();
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                return seg.asSlice(0, buf.position());
            }
        }
        return seg;
    }
}
