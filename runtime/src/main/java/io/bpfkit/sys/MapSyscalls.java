package io.bpfkit.sys;

import io.bpfkit.uapi.BpfCmd;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfMapType;
import java.lang.foreign.MemorySegment;

/**
 * The seam between {@link MapCalls} and the kernel: the map element and batch commands of
 * {@code bpf(2)} as plain numbers, each returning the kernel's result or minus the errno. The
 * kernel's own implementation ({@link #kernel()}) is the default; a test installs another (per
 * map, through the {@link MapCalls} it makes) to drive the errno paths (map full, key exists,
 * EPERM, EINTR, batch commands missing) without a kernel.
 *
 * <p>Keys and values are raw addresses of native memory the caller keeps alive for the call;
 * {@code 0} means none (queue, stack and bloom filter maps have no key). An implementation reads
 * and writes as many bytes there as the map's key and value size.
 *
 * <pre>{@code
 * MapSyscalls full = new MapSyscalls() {
 *     public long elem(int cmd, long attr, MemorySegment callState, int fd, long key, long value, long flags) {
 *         return cmd == BPF_MAP_UPDATE_ELEM ? -Errno.E2BIG : -Errno.ENOENT;
 *     }
 *     public long batch(int cmd, MemorySegment attr, int fd, long inBatch, long outBatch, long keys,
 *             long values, int count, long elemFlags) {
 *         return -Errno.EINVAL;
 *     }
 * };
 * MapCalls calls = MapCalls.of(fd, "counts", 1024, full);   // every update: "the map is full"
 * }</pre>
 */
public interface MapSyscalls {
    /**
     * One of {@code BPF_MAP_LOOKUP_ELEM}, {@code _UPDATE_ELEM}, {@code _DELETE_ELEM},
     * {@code _GET_NEXT_KEY} ({@code value} receives the next key), {@code _LOOKUP_AND_DELETE_ELEM}
     * or {@code _FREEZE}.
     *
     * @param attr address of at least {@link MapCalls#MAP_ELEM_SIZE} bytes of 8-aligned scratch
     *        for the {@code bpf_attr}, which the caller owns
     * @param callState errno capture memory of {@link MapCalls#CALL_STATE_SIZE} bytes
     * @return 0 or more, or minus the errno
     */
    long elem(int cmd, long attr, MemorySegment callState, int fd, long key, long value, long flags);

    /**
     * {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}: the kernel's implementation skips the
     * errno capture unless the call fails (an update that creates or replaces rarely does).
     */
    default long updateAny(long attr, MemorySegment callState, int fd, long key, long value) {
        return elem(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, callState, fd, key, value, BpfFlags.BPF_ANY);
    }

    /**
     * One of the {@code BPF_MAP_*_BATCH} commands on packed arrays of keys and values. Whatever
     * the result, the count of elements processed is left in {@code attr} (the kernel writes it
     * there; an implementation of its own calls {@link #reportBatchCount}), where
     * {@link MapCalls#batchCount} reads it.
     *
     * @param attr the {@code bpf_attr} scratch ({@link Bpf#newScratch})
     * @return 0, or minus the errno (ENOENT from a lookup batch: the end of the map; from a
     *         delete batch: a key that is absent)
     */
    long batch(int cmd, MemorySegment attr, int fd, long inBatch, long outBatch, long keys, long values, int count,
            long elemFlags);

    /** Leaves {@code count} in {@code attr} as the kernel leaves a batch command's count there. */
    static void reportBatchCount(MemorySegment attr, int count) {
        MapCalls.setBatchCount(attr, count);
    }

    /**
     * {@link #elem} for a lookup, update, delete, get-next-key or lookup-and-delete on a map whose
     * element operations never sleep ({@link #nonBlockingElements}): the kernel's implementation
     * makes it through a critical downcall (no thread-state transition, a few ns less per call).
     */
    default long elemNonBlocking(int cmd, long attr, MemorySegment callState, int fd, long key, long value,
            long flags) {
        return elem(cmd, attr, callState, fd, key, value, flags);
    }

    /** {@link #updateAny} on a map whose element operations never sleep, as {@link #elemNonBlocking}. */
    default long updateAnyNonBlocking(long attr, MemorySegment callState, int fd, long key, long value) {
        return updateAny(attr, callState, fd, key, value);
    }

    /** The real thing: {@code bpf(2)} through FFM. */
    static MapSyscalls kernel() {
        return MapCalls.KERNEL;
    }

    /**
     * Whether the kernel's lookup, update, delete, get-next-key and lookup-and-delete of a map of
     * type {@code mapType} take no sleeping lock and wait for nothing: hash, array, their per-CPU
     * and LRU kinds, LPM trie, queue, stack and bloom filter. Maps of descriptors (program
     * arrays, map-in-map, socket and device maps, perf event arrays, cgroup arrays) are not:
     * their updates may take mutexes or wait for an RCU grace period.
     */
    static boolean nonBlockingElements(int mapType) {
        return switch (mapType) {
            case BpfMapType.BPF_MAP_TYPE_HASH, BpfMapType.BPF_MAP_TYPE_ARRAY, BpfMapType.BPF_MAP_TYPE_PERCPU_HASH,
                    BpfMapType.BPF_MAP_TYPE_PERCPU_ARRAY, BpfMapType.BPF_MAP_TYPE_LRU_HASH,
                    BpfMapType.BPF_MAP_TYPE_LRU_PERCPU_HASH, BpfMapType.BPF_MAP_TYPE_LPM_TRIE,
                    BpfMapType.BPF_MAP_TYPE_QUEUE, BpfMapType.BPF_MAP_TYPE_STACK,
                    BpfMapType.BPF_MAP_TYPE_BLOOM_FILTER -> true;
            default -> false;
        };
    }
}
