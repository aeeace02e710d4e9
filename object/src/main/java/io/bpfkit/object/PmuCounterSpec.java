package io.bpfkit.object;

import java.util.Objects;

/**
 * One perf counter a PERF_EVENT_ARRAY map holds: the event the loader opens on every online CPU,
 * and the event it opens instead when this machine has no PMU for the first. Declared in the
 * object with {@code bpfkit/pmu.h} (or by a binding's {@code @HwPmu}), adjustable before load.
 *
 * <pre>{@code
 * spec.map("cycles").orElseThrow().pmuCounter(0).event("instructions").fallback(null);
 * }</pre>
 */
public final class PmuCounterSpec {
    /** The BTF decl tag prefix of a declaration: {@code bpfkit.pmu.<counter>[.fallback]=<event>}. */
    public static final String TAG_PREFIX = "bpfkit.pmu.";

    private final int index;
    private String event;
    private String fallback;

    /**
     * @param index which counter of the map (its slots are {@code index * cpus + cpu})
     * @param event the event, as {@code perf stat -e} takes it
     * @param fallback the event to open when {@code event} has no PMU here, or null for none
     */
    public PmuCounterSpec(int index, String event, String fallback) {
        if (index < 0) {
            throw new IllegalArgumentException("PMU counter index must be >= 0: " + index);
        }
        this.index = index;
        event(event);
        fallback(fallback);
    }

    public int index() {
        return index;
    }

    /** The event to count, in {@code perf stat -e} syntax. */
    public String event() {
        return event;
    }

    public PmuCounterSpec event(String event) {
        Objects.requireNonNull(event, "event");
        if (event.isBlank()) {
            throw new IllegalArgumentException("PMU counter " + index + ": empty event");
        }
        this.event = event.strip();
        return this;
    }

    /** The event opened when {@link #event()} has no PMU here; null: the load fails instead. */
    public String fallback() {
        return fallback;
    }

    public PmuCounterSpec fallback(String fallback) {
        this.fallback = fallback == null || fallback.isBlank() ? null : fallback.strip();
        return this;
    }

    PmuCounterSpec copy() {
        return new PmuCounterSpec(index, event, fallback);
    }

    @Override
    public String toString() {
        return "counter " + index + ": " + event + (fallback == null ? "" : " (fallback " + fallback + ")");
    }
}
