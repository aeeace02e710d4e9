package io.bpfkit.bench;

import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The open phase on one object file: ELF, BTF, BTF.ext, programs, maps, relocations, into a
 * {@link BpfObjectSpec}. The libbpf counterparts in {@code open_bench.c} are
 * {@code bpf_object__open_file} + {@code bpf_object__close} ({@link #openFile}) and
 * {@code bpf_object__open_mem} + {@code bpf_object__close} ({@link #openBytes}).
 *
 * <p>{@code object} is a path, relative to the working directory (scripts/bench runs from
 * the repository root and passes {@code -p object=a.bpf.o,b.bpf.o,...}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class OpenBenchmark {
    /** The object to open. */
    @Param("runtime/target/test-bpf/globals.bpf.o")
    public String object;

    private Path path;
    private String fileName;
    private byte[] bytes;

    /**
     * Reads the object once, and opens it once so a refusal fails here, not while timing; then
     * opens it until the JIT is done with the opener ({@link Prewarm}).
     */
    @Setup
    public void setup(BenchmarkParams params) throws IOException {
        path = Path.of(object);
        fileName = path.toString();
        bytes = Files.readAllBytes(path);
        BpfObjects.open(bytes, fileName);
        Prewarm.untilSteady(object, params.getBenchmark().endsWith(".openFile") ? this::openFile : this::openBytes);
    }

    /** Opens from the file: read and parse, as libbpf's {@code bpf_object__open_file}. */
    @Benchmark
    public BpfObjectSpec openFile() {
        return BpfObjects.open(path);
    }

    /** Opens from bytes already in memory, as libbpf's {@code bpf_object__open_mem}. */
    @Benchmark
    public BpfObjectSpec openBytes() {
        return BpfObjects.open(bytes, fileName);
    }
}
