package io.bpfkit.bench;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadOptions;
import io.bpfkit.load.LoadedObject;
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

/**
 * The whole life cycle on one object file: open, load (BTF, maps, programs through the
 * verifier) and close, as libbpf's {@code bpf_object__open_file} + {@code bpf_object__load} +
 * {@code bpf_object__close} in {@code open_bench.c}. Needs root. Pinned maps go under
 * {@code /sys/fs/bpf/bpfkit-bench-<pid>} (the same root as the C side uses, so both reuse the pin).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoadBenchmark {
    /** The object to load. */
    @Param("runtime/target/test-bpf/globals.bpf.o")
    public String object;

    /** Where maps pinned by name go; scripts/bench passes the directory the C side uses. */
    @Param("/sys/fs/bpf/bpfkit-bench")
    public String pinRoot;

    private Path path;
    private LoadOptions options;

    @Setup
    public void setup() throws IOException {
        path = Path.of(object);
        options = LoadOptions.defaults().withPinRoot(Files.createDirectories(Path.of(pinRoot)));
        openLoadClose();
        // The opener and loader need seconds of C2 work before they run at speed.
        Prewarm.untilSteady(object, this::openLoadClose);
    }

    /** Open, load, close. */
    @Benchmark
    public int openLoadClose() {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(path), options)) {
            return obj.programs().size();
        }
    }
}
