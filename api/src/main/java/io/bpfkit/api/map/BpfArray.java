package io.bpfkit.api.map;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A {@code BPF_MAP_TYPE_ARRAY}: {@link #length()} values indexed from 0, all present. When the
 * map was created with {@code BPF_F_MMAPABLE}, reads and writes go through a shared mapping
 * with no system call, and {@link #mapped()} gives the mapping itself. Elements always exist:
 * {@code delete} and {@code deleteAll} throw {@link UnsupportedOperationException}, and
 * {@code clear} writes zeros.
 *
 * <pre>{@code
 * BpfArray<Long> hits = BpfMaps.array(loaded, "hits", Codecs.int64());
 * long h = hits.get(3);
 * hits.set(3, 0L);
 * }</pre>
 */
public interface BpfArray<V> extends BpfKeyValueMap<Integer, V> {

    /** The value at {@code index}. @throws IndexOutOfBoundsException outside {@code [0, length())} */
    V get(int index);

    /** Writes the value at {@code index}. @throws IndexOutOfBoundsException outside {@code [0, length())} */
    void set(int index, V value);

    /** The number of elements ({@code max_entries}). */
    int length();

    /**
     * The map's memory, mapped into this process, when the map is mmap-able: element {@code i}
     * is at {@code i * round_up(value_size, 8)}. Read-only when the kernel refuses a writable
     * mapping: the map is frozen, or its programs may only read it ({@code BPF_F_RDONLY_PROG});
     * {@link #set} then goes through the kernel. Empty when the map is not mmap-able or the
     * handle's descriptor is not open for reading and writing. Valid until this handle is
     * closed or its {@link #freeze()} is called (even one that fails): the map is then mapped
     * again, at another address.
     */
    Optional<MemorySegment> mapped();
}
