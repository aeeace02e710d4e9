package io.bpfkit.api.map;

/**
 * The map side of a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}: one slot per CPU for a perf event
 * (a perf buffer or a counter). Opening the events is the events API's job.
 */
public interface BpfPerfEventArrayMap extends BpfMap {

    /** The number of slots (by default the possible CPUs). */
    default int slots() {
        return info().maxEntries();
    }
}
