package io.bpfkit.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler ({@code -prof io.bpfkit.bench.CpuTimeProfiler}) reporting the CPU time the
 * whole benchmark process spent per operation ({@code cpu.time.norm}, ns/op): the benchmark
 * thread, and also GC and JIT threads, so allocation is paid for as libbpf pays for malloc.
 * Unlike wall time it barely moves when other processes share the CPUs. It reads
 * {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)} (Linux), the clock open_bench uses, because
 * {@code OperatingSystemMXBean.getProcessCpuTime} counts in 10 ms ticks there. Needs
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
@SuppressWarnings("restricted") // one downcall to clock_gettime with a 16-byte buffer we own
public final class CpuTimeProfiler implements InternalProfiler {
    /** The result label {@link JmhRunner} reads. */
    public static final String LABEL = "cpu.time.norm";

    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** struct timespec { long tv_sec; long tv_nsec; } on 64-bit Linux. */
    private final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);
    private long start;

    /** JMH makes one per fork. */
    public CpuTimeProfiler() {
    }

    @Override
    public String getDescription() {
        return "process CPU time per operation (all threads: benchmark, GC, JIT)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        start = processCpuNanos();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long cpu = processCpuNanos() - start;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0 || start < 0 || cpu < 0) {
            return List.of();
        }
        return List.of(new ScalarResult(LABEL, (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }

    /** The process's CPU time in nanoseconds, or -1 if the clock cannot be read. */
    private long processCpuNanos() {
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, timespec);
        } catch (Throwable t) {
            return -1;
        }
        if (rc != 0) {
            return -1;
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }
}
