package io.bpfkit.api.events;

import java.lang.foreign.MemorySegment;

/**
 * Receives the records of a perf buffer (a {@code PERF_EVENT_ARRAY} map written with
 * {@code bpf_perf_event_output}) with the CPU they came from, and the count of records the
 * kernel dropped because a CPU's ring was full.
 *
 * <pre>{@code
 * PerfRecordHandler h = new PerfRecordHandler() {
 *     public void onRecord(int cpu, MemorySegment data, long offset, int length) { ... }
 *     public void onLost(int cpu, long count) { lost += count; }
 * };
 * }</pre>
 */
public interface PerfRecordHandler {

    /** One record, a view valid only during the call (see {@link RecordHandler}). */
    void onRecord(int cpu, MemorySegment data, long offset, int length);

    /** The kernel dropped {@code count} records on {@code cpu}; by default ignored. */
    default void onLost(int cpu, long count) {
    }
}
