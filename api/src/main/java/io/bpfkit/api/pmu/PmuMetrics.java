package io.bpfkit.api.pmu;

/**
 * The derived figures {@code perf stat} prints, from readings (usually deltas) of the counters
 * they are made of. Each returns {@link Double#NaN} when the denominator is zero.
 *
 * <pre>{@code
 * double ipc = PmuMetrics.instructionsPerCycle(insns.read().minus(i0), cycles.read().minus(c0));
 * }</pre>
 */
public final class PmuMetrics {
    private PmuMetrics() {
    }

    /** IPC: instructions / cycles. */
    public static double instructionsPerCycle(PmuReading instructions, PmuReading cycles) {
        return ratio(instructions.scaled(), cycles.scaled());
    }

    /**
     * A miss rate in percent: misses / accesses × 100 (branch-misses / branches, cache-misses /
     * cache-references, L1-dcache-load-misses / L1-dcache-loads, ...).
     */
    public static double missPercent(PmuReading misses, PmuReading accesses) {
        return 100 * ratio(misses.scaled(), accesses.scaled());
    }

    /** Stalled cycles per instruction: max(frontend, backend) / instructions. */
    public static double stalledCyclesPerInstruction(PmuReading frontend, PmuReading backend,
                                                     PmuReading instructions) {
        return ratio(Math.max(frontend.scaled(), backend.scaled()), instructions.scaled());
    }

    /** Clock rate in GHz: cycles / task-clock nanoseconds. */
    public static double gigahertz(PmuReading cycles, PmuReading taskClockNanos) {
        return ratio(cycles.scaled(), taskClockNanos.scaled());
    }

    /** CPUs utilised: task-clock nanoseconds / elapsed nanoseconds. */
    public static double cpusUtilized(PmuReading taskClockNanos, long elapsedNanos) {
        return ratio(taskClockNanos.scaled(), elapsedNanos);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
