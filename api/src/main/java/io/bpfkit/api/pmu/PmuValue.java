package io.bpfkit.api.pmu;

/**
 * One reading of one perf counter, as both {@code read(2)} and {@code bpf_perf_event_read_value}
 * report it: the count and the nanoseconds the event was enabled and actually counting. When
 * more events are open than the PMU has counters, the kernel multiplexes them and
 * {@code running < enabled}; {@link #scaled()} estimates the full count.
 *
 * @param counter the raw count
 * @param enabled nanoseconds the event was enabled
 * @param running nanoseconds the event was on the PMU, counting
 */
public record PmuValue(long counter, long enabled, long running) {

    /** No counts, no time. */
    public static final PmuValue ZERO = new PmuValue(0, 0, 0);

    /**
     * The count scaled for multiplexing, {@code counter * enabled / running}, as perf does; 0
     * when the event never ran.
     */
    public double scaled() {
        if (running == 0) {
            return 0;
        }
        return running == enabled ? counter : (double) counter * enabled / running;
    }

    /** The fraction of the enabled time the event was counting (1.0: never multiplexed). */
    public double runningFraction() {
        return enabled == 0 ? 0 : (double) running / enabled;
    }

    /** What happened between {@code earlier} and this reading: all three fields subtracted. */
    public PmuValue minus(PmuValue earlier) {
        return new PmuValue(counter - earlier.counter, enabled - earlier.enabled, running - earlier.running);
    }

    /** The field-wise sum, for totals over CPUs. */
    public PmuValue plus(PmuValue other) {
        return new PmuValue(counter + other.counter, enabled + other.enabled, running + other.running);
    }
}
