package io.bpfkit.bench;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.pmu.PmuCounter;
import io.bpfkit.api.pmu.PmuReading;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
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

/**
 * Reading a PMU counter set from Java: one {@code read(2)} per CPU of the counter that
 * pmu.bpf.o's {@code clocks} map holds (cpu-clock, on every CPU). The BPF side: a
 * {@code BPF_PROG_TEST_RUN} of a raw_tp program that reads three counters with
 * {@code bpf_perf_event_read_value}, against the same program without the reads (raw_tp test
 * runs take no repeat count, so both include one bpf(2) call; the difference is the reads).
 * Needs root. Run by scripts/bench-pmu.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PmuBenchmark {
    @Param("runtime/target/test-bpf/pmu.bpf.o")
    public String object;

    private LoadedObject loaded;
    private PmuCounter counter;
    private OwnedFd withReads;
    private OwnedFd withoutReads;

    @Setup
    public void setup() {
        loaded = BpfLoader.load(BpfObjects.open(Path.of(object)));
        counter = loaded.pmuCounter("clocks", 0);
        withReads = loaded.program("read_counters").orElseThrow().fd();
        withoutReads = loaded.program("read_nothing").orElseThrow().fd();
    }

    @TearDown
    public void tearDown() {
        loaded.close();
    }

    /** All CPUs of one counter, as {@code PmuCounter.read()} returns them. */
    @Benchmark
    public PmuReading readCounterSet() {
        return counter.read();
    }

    /** BPF_PROG_TEST_RUN of read_counters: three bpf_perf_event_read_value calls. */
    @Benchmark
    public int testRunWithThreeReads() {
        return Bpf.progTestRun(withReads, TestRunAttr.NONE).retval();
    }

    /** The same program without the reads: subtract it to get the reads' cost. */
    @Benchmark
    public int testRunWithoutReads() {
        return Bpf.progTestRun(withoutReads, TestRunAttr.NONE).retval();
    }
}
