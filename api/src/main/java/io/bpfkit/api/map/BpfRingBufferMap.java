package io.bpfkit.api.map;

/**
 * The map side of a {@code BPF_MAP_TYPE_RINGBUF}: name, descriptor and info. Reading records
 * is the events API's job; it starts from this handle.
 */
public interface BpfRingBufferMap extends BpfMap {

    /** The ring's size in bytes ({@code max_entries}, a power of two times the page size). */
    default long ringSize() {
        return Integer.toUnsignedLong(info().maxEntries());
    }
}
