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
     * Copies elements {@code fromIndex .. fromIndex + count - 1} into {@code destination} as the
     * kernel lays them out: element {@code i} at {@code (i - fromIndex) * round_up(value_size, 8)}.
     * From a mapped array this is one memory copy, with no system call; otherwise one lookup per
     * element (padding bytes written as zeros).
     *
     * <pre>{@code
     * try (Arena arena = Arena.ofConfined()) {
     *     MemorySegment all = arena.allocate(hits.length() * 8L, 8);
     *     hits.copyTo(0, hits.length(), all);                 // a u64 array: 8 bytes per element
     * }
     * }</pre>
     *
     * @throws IndexOutOfBoundsException when the range is not within {@code [0, length())}
     * @throws IllegalArgumentException when {@code destination} is smaller than the range
     */
    void copyTo(int fromIndex, int count, MemorySegment destination);

    /**
     * Reads {@code count} 8-byte values from {@code fromIndex} into {@code destination} from
     * {@code offset} on, as {@code long}s (a {@code __u64} is its 64 bits). From a mapped array
     * this is one memory copy, with no system call and no allocation; otherwise one lookup per
     * element.
     *
     * <pre>{@code
     * long[] counts = new long[hits.length()];
     * hits.getLongs(0, counts, 0, counts.length);
     * }</pre>
     *
     * @throws UnsupportedOperationException when the values are not 8 bytes long
     * @throws IndexOutOfBoundsException when the range is not within {@code [0, length())} or
     *         does not fit in {@code destination}
     */
    void getLongs(int fromIndex, long[] destination, int offset, int count);

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
