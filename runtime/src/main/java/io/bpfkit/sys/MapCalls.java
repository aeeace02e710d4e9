package io.bpfkit.sys;

import static io.bpfkit.uapi.BpfLayouts.MAP_BATCH;
import static io.bpfkit.uapi.BpfLayouts.MAP_ELEM;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The map element and batch commands without exceptions: each returns the kernel's result or
 * minus the errno, so a caller for whom "exists already", "not found" or "not supported" are
 * ordinary answers (typed map handles) decides what they mean without the cost of an
 * exception. No allocation: the caller passes its own {@code bpf_attr} scratch
 * ({@link Bpf#newScratch}), and raw addresses.
 *
 * <pre>{@code
 * long r = MapCalls.elem(attr, Bpf.BPF_MAP_UPDATE_ELEM, fd, key.address(), value.address(), Bpf.BPF_NOEXIST);
 * if (r == -Errno.EEXIST) { ... }
 * }</pre>
 */
public final class MapCalls {
    /** Bytes of the {@code bpf_attr} the element commands use. */
    public static final long MAP_ELEM_SIZE = MAP_ELEM.byteSize();
    private static final long ME_MAP_FD_OFFSET = offset(MAP_ELEM, "map_fd");
    private static final long ME_KEY_OFFSET = offset(MAP_ELEM, "key");
    private static final long ME_VALUE_OFFSET = offset(MAP_ELEM, "value");
    private static final long ME_FLAGS_OFFSET = offset(MAP_ELEM, "flags");

    private static final VarHandle MB_IN_BATCH = vh(MAP_BATCH, "in_batch");
    private static final VarHandle MB_OUT_BATCH = vh(MAP_BATCH, "out_batch");
    private static final VarHandle MB_KEYS = vh(MAP_BATCH, "keys");
    private static final VarHandle MB_VALUES = vh(MAP_BATCH, "values");
    private static final VarHandle MB_COUNT = vh(MAP_BATCH, "count");
    private static final VarHandle MB_MAP_FD = vh(MAP_BATCH, "map_fd");
    private static final VarHandle MB_ELEM_FLAGS = vh(MAP_BATCH, "elem_flags");
    private static final VarHandle MB_FLAGS = vh(MAP_BATCH, "flags");
    private static final long MAP_BATCH_SIZE = MAP_BATCH.byteSize();

    /** Bytes of the errno capture memory {@link #elem(MemorySegment, MemorySegment, int, int, long, long, long)} takes (8-aligned). */
    public static final long CALL_STATE_SIZE = Syscalls.callStateSize();

    private MapCalls() {
    }

    private static VarHandle vh(java.lang.foreign.StructLayout l, String name) {
        return l.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    private static long offset(java.lang.foreign.StructLayout l, String name) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    /**
     * One of {@code BPF_MAP_LOOKUP_ELEM}, {@code _UPDATE_ELEM}, {@code _DELETE_ELEM},
     * {@code _GET_NEXT_KEY} ({@code value} is the next key) or {@code _LOOKUP_AND_DELETE_ELEM}.
     *
     * @param key address of the key, 0 for none (queue, stack, bloom filter)
     * @param value address of the value, 0 for none
     * @return 0, or minus the errno
     */
    public static long elem(MemorySegment attr, int cmd, int fd, long key, long value, long flags) {
        return elem(attr, Syscalls.captureState(), cmd, fd, key, value, flags);
    }

    /**
     * As {@link #elem(MemorySegment, int, int, long, long, long)}, with the errno captured into
     * {@code callState} ({@link #CALL_STATE_SIZE} bytes, 8-aligned, one per thread), which a hot
     * caller keeps beside its other scratch memory: one thread-local lookup and one page fewer
     * per call.
     */
    public static long elem(MemorySegment attr, MemorySegment callState, int cmd, int fd, long key, long value,
            long flags) {
        attr.set(ValueLayout.JAVA_INT, ME_MAP_FD_OFFSET, fd);
        attr.set(ValueLayout.JAVA_INT, ME_MAP_FD_OFFSET + 4, 0); // padding
        attr.set(ValueLayout.JAVA_LONG, ME_KEY_OFFSET, key);
        attr.set(ValueLayout.JAVA_LONG, ME_VALUE_OFFSET, value);
        attr.set(ValueLayout.JAVA_LONG, ME_FLAGS_OFFSET, flags);
        return Syscalls.bpfRaw(cmd, attr, MAP_ELEM_SIZE, callState);
    }

    /**
     * As {@link #elem(MemorySegment, MemorySegment, int, int, long, long, long)} with the
     * {@code bpf_attr} at address {@code attr}: at least {@link #MAP_ELEM_SIZE} bytes, 8-aligned,
     * of scratch memory the caller owns and keeps alive, written with no bounds or liveness
     * checks. For the hottest callers (typed map handles): the attribute goes to the kernel
     * without a segment to check and unwrap, which shows on a call of ~1.7 µs.
     */
    public static long elem(long attr, MemorySegment callState, int cmd, int fd, long key, long value, long flags) {
        fill(attr, fd, key, value, flags);
        return Syscalls.bpfRaw(cmd, attr, MAP_ELEM_SIZE, callState);
    }

    private static void fill(long attr, int fd, long key, long value, long flags) {
        // attr is 8-aligned; the unaligned layouts only spare the JIT an alignment check (and a
        // deoptimization stub) per store in every compiled caller, whose size decides whether
        // its own callers may inline it.
        MemorySegment memory = Syscalls.UNSCOPED_MEMORY;
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, attr + ME_MAP_FD_OFFSET, fd);
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, attr + ME_MAP_FD_OFFSET + 4, 0); // padding
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, attr + ME_KEY_OFFSET, key);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, attr + ME_VALUE_OFFSET, value);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, attr + ME_FLAGS_OFFSET, flags);
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}, as
     * {@link #elem(long, MemorySegment, int, int, long, long, long)}: an update that creates or
     * replaces fails only on real errors (map full, no memory, bad descriptor), and a failed one
     * changes nothing, so it goes without the errno capture and runs again with it only when it
     * fails ({@link Syscalls#bpfRawUsuallySucceeding}).
     */
    public static long updateAny(long attr, MemorySegment callState, int fd, long key, long value) {
        fill(attr, fd, key, value, Bpf.BPF_ANY);
        return Syscalls.bpfRawUsuallySucceeding(Bpf.BPF_MAP_UPDATE_ELEM, attr, MAP_ELEM_SIZE, callState);
    }

    /**
     * One of the {@code BPF_MAP_*_BATCH} commands; the count the kernel processed is then in
     * {@link #batchCount(MemorySegment)}, whatever the result.
     *
     * @return 0, or minus the errno (ENOENT from a lookup batch: the end of the map)
     */
    public static long batch(MemorySegment attr, int cmd, int fd, long inBatch, long outBatch, long keys,
            long values, int count, long elemFlags) {
        MB_IN_BATCH.set(attr, 0L, inBatch);
        MB_OUT_BATCH.set(attr, 0L, outBatch);
        MB_KEYS.set(attr, 0L, keys);
        MB_VALUES.set(attr, 0L, values);
        MB_COUNT.set(attr, 0L, count);
        MB_MAP_FD.set(attr, 0L, fd);
        MB_ELEM_FLAGS.set(attr, 0L, elemFlags);
        MB_FLAGS.set(attr, 0L, 0L);
        return Syscalls.bpfRaw(cmd, attr, MAP_BATCH_SIZE);
    }

    /** The {@code count} field after a batch command: how many elements it processed. */
    public static int batchCount(MemorySegment attr) {
        return (int) MB_COUNT.get(attr, 0L);
    }
}
