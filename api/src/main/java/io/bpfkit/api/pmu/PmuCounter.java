package io.bpfkit.api.pmu;

/**
 * A perf counter open on every online CPU, owned by the loaded object whose PERF_EVENT_ARRAY map
 * holds it. BPF programs read it with {@code bpf_perf_event_read_value}; Java reads the same
 * counters here, without a BPF program.
 *
 * <pre>{@code
 * PmuCounter cycles = sc.cycles();
 * if (cycles.isFallback()) {
 *     System.err.println("no hardware PMU: counting " + cycles.event());
 * }
 * PmuReading start = cycles.read();
 * ...
 * double spent = cycles.read().minus(start).scaled();
 * }</pre>
 *
 * <p>Safe to share between threads. After its owner closes, every method but the names throws
 * {@link IllegalStateException}.
 */
public interface PmuCounter {

    /** The map that holds the counter. */
    String map();

    /** Which counter of the map (0 for a map with one counter). */
    int index();

    /** The event asked for, as written. */
    String requestedEvent();

    /** The event actually counted: {@link #requestedEvent()}, or its fallback. */
    String event();

    /** True when the requested event had no PMU here and the fallback is counted instead. */
    default boolean isFallback() {
        return !event().equals(requestedEvent());
    }

    /** Reads every CPU's counter now. */
    PmuReading read();

    /** Starts counting on every CPU (counters start enabled). */
    void enable();

    /** Stops counting on every CPU; the values stay readable. */
    void disable();

    /** Sets the counts of every CPU to zero (enabled and running times keep going). */
    void reset();
}
