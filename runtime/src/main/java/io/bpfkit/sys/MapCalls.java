package io.bpfkit.sys;

import static io.bpfkit.uapi.BpfLayouts.MAP_BATCH;
import static io.bpfkit.uapi.BpfLayouts.MAP_ELEM;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.uapi.BpfCmd;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The one way bpfkit calls the map element and batch commands of {@code bpf(2)}, for one map.
 * Each method answers with what the caller asked: whether the key was there, whether the update
 * was made (false when {@code BPF_NOEXIST} met an existing key or {@code BPF_EXIST} an absent
 * one), whether a queue had room, how a batch ended. Every other errno becomes, here and only
 * here, a {@link KernelException} naming the command, the map, the errno and what to do about
 * it. The system calls go through a {@link MapSyscalls} seam: the kernel by default, a fake in
 * unit tests.
 *
 * <p>Two sets of methods. The typed map handles use the ones taking raw addresses and their own
 * {@code bpf_attr} and errno scratch ({@link #MAP_ELEM_SIZE}, {@link #CALL_STATE_SIZE}): no
 * allocation, no segment checks, so a lookup stays small enough for the JIT to inline. Everyone
 * else (the loader, attach code, tests, tools) uses the ones taking {@link MemorySegment}s
 * (native, at least as large as the map's key and value; per-CPU values are
 * {@code round_up(value_size, 8)} times {@link Cpus#possibleCount()} bytes), which use scratch
 * memory of the calling thread and allocate nothing either.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined();
 *      OwnedFd fd = Bpf.mapCreate(MapCreateAttr.builder(1, 4, 8, 1024).name("counts").build())) {
 *     MapCalls counts = MapCalls.of(fd);
 *     MemorySegment key = arena.allocate(4), value = arena.allocate(8);
 *     key.set(ValueLayout.JAVA_INT, 0, 7);
 *     value.set(ValueLayout.JAVA_LONG, 0, 42);
 *     counts.update(key, value, BpfFlags.BPF_ANY);
 *     boolean added = counts.update(key, value, BpfFlags.BPF_NOEXIST);   // false: key 7 exists
 *     boolean found = counts.lookup(key, value);                     // true, value holds 42
 * }
 * }</pre>
 */
public class MapCalls {
    /** Bytes of the {@code bpf_attr} the element commands use. */
    public static final long MAP_ELEM_SIZE = MAP_ELEM.byteSize();
    /** Bytes of the errno capture memory the raw-address methods take (8-aligned, one per thread). */
    public static final long CALL_STATE_SIZE = Syscalls.callStateSize();

    /** A batch command processed what it was given; a lookup batch has more to read. */
    public static final int BATCH_DONE = 0;
    /** A lookup batch reached the end of the map (the count says how many it returned last). */
    public static final int BATCH_END = 1;
    /** A delete batch stopped at a key that is absent; the count says how many it deleted before it. */
    public static final int BATCH_ABSENT_KEY = 2;
    /** A lookup batch found a hash bucket with more elements than its count: call again with more room. */
    public static final int BATCH_NO_ROOM = 3;
    /** The kernel has no batch commands for this map (nothing was done): use single-element calls. */
    public static final int BATCH_UNSUPPORTED = 4;

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

    static final MapSyscalls KERNEL = new Kernel();

    /** The {@code bpf_attr} of the segment methods, one per thread. */
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BpfLayouts.MAX_ATTR_SIZE, 8));

    private final MapSyscalls sys;
    private final OwnedFd fd;
    /** The map's name for errors, or null: the descriptor's label. */
    private final String name;
    private final int maxEntries;
    private final String invalidHint;

    private MapCalls(MapSyscalls sys, OwnedFd fd, String name, int maxEntries, String invalidHint) {
        this.sys = Objects.requireNonNull(sys, "sys");
        this.fd = Objects.requireNonNull(fd, "fd");
        this.name = name;
        this.maxEntries = maxEntries;
        this.invalidHint = invalidHint;
    }

    /** The calls on {@code map} through the kernel, named in errors as the descriptor is labelled. */
    public static MapCalls of(OwnedFd map) {
        return new MapCalls(KERNEL, map, null, 0, null);
    }

    /**
     * The calls on {@code map} through {@code sys}.
     *
     * @param name the map's name for errors
     * @param maxEntries its size, for the error of a full map (0: unknown)
     */
    public static MapCalls of(OwnedFd map, String name, int maxEntries, MapSyscalls sys) {
        return new MapCalls(sys, map, Objects.requireNonNull(name, "name"), maxEntries, null);
    }

    /**
     * As {@link #of(OwnedFd, String, int, MapSyscalls)} for a map of type {@code mapType}: when
     * that type's element operations never sleep ({@link MapSyscalls#nonBlockingElements}), the
     * raw-address element methods go through {@link MapSyscalls#elemNonBlocking} (critical
     * downcalls). They are a subclass's, not a branch, so that each compiled call site holds one
     * downcall: a branch shared by every map would compile both into every caller, and the
     * larger code stops a typed lookup from being inlined (a boxed value per call, measured).
     */
    public static MapCalls of(OwnedFd map, String name, int maxEntries, MapSyscalls sys, int mapType) {
        Objects.requireNonNull(name, "name");
        return MapSyscalls.nonBlockingElements(mapType) ? new NonBlocking(sys, map, name, maxEntries, null)
                : new MapCalls(sys, map, name, maxEntries, null);
    }

    /** The same calls with {@code hint} as what an EINVAL from an update means (e.g. for maps whose values are descriptors). */
    public MapCalls withInvalidHint(String hint) {
        return this instanceof NonBlocking ? new NonBlocking(sys, fd, name, maxEntries, hint)
                : new MapCalls(sys, fd, name, maxEntries, hint);
    }

    /** Whether the element calls go through critical downcalls (see {@link #of(OwnedFd, String, int, MapSyscalls, int)}). */
    public boolean nonBlocking() {
        return false;
    }

    /** The element methods through {@link MapSyscalls#elemNonBlocking} and {@link MapSyscalls#updateAnyNonBlocking}. */
    private static final class NonBlocking extends MapCalls {
        NonBlocking(MapSyscalls sys, OwnedFd fd, String name, int maxEntries, String invalidHint) {
            super(sys, fd, name, maxEntries, invalidHint);
        }

        @Override
        public boolean nonBlocking() {
            return true;
        }

        @Override
        public boolean lookup(long attr, MemorySegment callState, int fd, long key, long value) {
            return found(BpfCmd.BPF_MAP_LOOKUP_ELEM,
                    sys().elemNonBlocking(BpfCmd.BPF_MAP_LOOKUP_ELEM, attr, callState, fd, key, value, 0L));
        }

        @Override
        public boolean lookupAndDelete(long attr, MemorySegment callState, int fd, long key, long value) {
            int cmd = BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM;
            return found(cmd, sys().elemNonBlocking(cmd, attr, callState, fd, key, value, 0L));
        }

        @Override
        public boolean delete(long attr, MemorySegment callState, int fd, long key) {
            return found(BpfCmd.BPF_MAP_DELETE_ELEM,
                    sys().elemNonBlocking(BpfCmd.BPF_MAP_DELETE_ELEM, attr, callState, fd, key, 0L, 0L));
        }

        @Override
        public boolean nextKey(long attr, MemorySegment callState, int fd, long key, long nextKey) {
            int cmd = BpfCmd.BPF_MAP_GET_NEXT_KEY;
            return found(cmd, sys().elemNonBlocking(cmd, attr, callState, fd, key, nextKey, 0L));
        }

        @Override
        public boolean update(long attr, MemorySegment callState, int fd, long key, long value, long flags) {
            long r = flags == BpfFlags.BPF_ANY ? sys().updateAnyNonBlocking(attr, callState, fd, key, value)
                    : sys().elemNonBlocking(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, callState, fd, key, value, flags);
            return updated(r, flags);
        }

        @Override
        public boolean push(long attr, MemorySegment callState, int fd, long value, long flags) {
            return pushed(sys().elemNonBlocking(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, callState, fd, 0L, value, flags),
                    flags);
        }
    }

    final MapSyscalls sys() {
        return sys;
    }

    private static VarHandle vh(StructLayout l, String name) {
        return l.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    private static long offset(StructLayout l, String name) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    // ---- raw addresses, the caller's scratch: the typed handles -------------------------

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}: copies the value of the key at {@code key} (0: none, as for a
     * queue's peek or a bloom filter's test, whose value is then read) to {@code value}.
     *
     * @param attr {@link #MAP_ELEM_SIZE} bytes of 8-aligned scratch the caller owns
     * @param callState {@link #CALL_STATE_SIZE} bytes for errno, the caller's
     * @return false when the key is absent (or the queue empty, or the bloom filter says no)
     */
    public boolean lookup(long attr, MemorySegment callState, int fd, long key, long value) {
        return found(BpfCmd.BPF_MAP_LOOKUP_ELEM, sys.elem(BpfCmd.BPF_MAP_LOOKUP_ELEM, attr, callState, fd, key, value, 0L));
    }

    /**
     * {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: a queue's or stack's pop ({@code key} 0), a hash
     * map's lookup then delete.
     *
     * @return false when the key is absent or the queue empty
     */
    public boolean lookupAndDelete(long attr, MemorySegment callState, int fd, long key, long value) {
        int cmd = BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM;
        return found(cmd, sys.elem(cmd, attr, callState, fd, key, value, 0L));
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM}.
     *
     * @return false when the key was absent
     */
    public boolean delete(long attr, MemorySegment callState, int fd, long key) {
        return found(BpfCmd.BPF_MAP_DELETE_ELEM, sys.elem(BpfCmd.BPF_MAP_DELETE_ELEM, attr, callState, fd, key, 0L, 0L));
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: the key after the one at {@code key} (the first when
     * {@code key} is 0 or absent) into {@code nextKey}.
     *
     * @return false when {@code key} was the last
     */
    public boolean nextKey(long attr, MemorySegment callState, int fd, long key, long nextKey) {
        int cmd = BpfCmd.BPF_MAP_GET_NEXT_KEY;
        return found(cmd, sys.elem(cmd, attr, callState, fd, key, nextKey, 0L));
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} with {@link BpfFlags#BPF_ANY}, {@link BpfFlags#BPF_NOEXIST} or
     * {@link BpfFlags#BPF_EXIST}.
     *
     * @return false when the flag's condition does not hold: the key exists ({@code BPF_NOEXIST})
     *         or is absent ({@code BPF_EXIST}); a full map throws (E2BIG)
     */
    public boolean update(long attr, MemorySegment callState, int fd, long key, long value, long flags) {
        long r = flags == BpfFlags.BPF_ANY ? sys.updateAny(attr, callState, fd, key, value)
                : sys.elem(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, callState, fd, key, value, flags);
        return updated(r, flags);
    }

    /** An update's answer: see {@link #update(long, MemorySegment, int, long, long, long)}. */
    final boolean updated(long r, long flags) {
        if (r >= 0) {
            return true;
        }
        if ((r == -Errno.EEXIST && flags == BpfFlags.BPF_NOEXIST) || (r == -Errno.ENOENT && flags == BpfFlags.BPF_EXIST)) {
            return false;
        }
        throw failure(BpfCmd.BPF_MAP_UPDATE_ELEM, r, flags, -1, -1);
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} without a key: a queue's or stack's push ({@link BpfFlags#BPF_EXIST}:
     * dropping the oldest element when full), a bloom filter's add.
     *
     * @return false when the queue or stack is full (E2BIG, {@code BPF_ANY} only)
     */
    public boolean push(long attr, MemorySegment callState, int fd, long value, long flags) {
        return pushed(sys.elem(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, callState, fd, 0L, value, flags), flags);
    }

    /** A push's answer: see {@link #push(long, MemorySegment, int, long, long)}. */
    final boolean pushed(long r, long flags) {
        if (r >= 0) {
            return true;
        }
        if (r == -Errno.E2BIG && flags == BpfFlags.BPF_ANY) {
            return false;
        }
        throw failure(BpfCmd.BPF_MAP_UPDATE_ELEM, r, flags, -1, -1);
    }

    /** The answer of a command for which ENOENT means "absent": true for found. */
    final boolean found(int cmd, long r) {
        if (r >= 0) {
            return true;
        }
        if (r == -Errno.ENOENT) {
            return false;
        }
        throw failure(cmd, r, 0L, -1, -1);
    }

    /**
     * {@code BPF_MAP_LOOKUP_BATCH} or {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}: up to {@code count}
     * keys and values into the packed arrays at {@code keys} and {@code values}, from where the
     * token at {@code inBatch} left off (0: from the start); the token to continue from goes to
     * {@code outBatch} (at least {@code max(key_size, 4)} bytes). How many came: {@link #batchCount}.
     *
     * @param firstCall whether nothing was read yet, so that a kernel without the command may
     *        answer {@link #BATCH_UNSUPPORTED} instead of throwing
     * @return {@link #BATCH_DONE}, {@link #BATCH_END}, {@link #BATCH_NO_ROOM} or
     *         {@link #BATCH_UNSUPPORTED}
     */
    public int lookupBatch(MemorySegment attr, int cmd, int fd, long inBatch, long outBatch, long keys, long values,
            int count, long elemFlags, boolean firstCall) {
        long r = sys.batch(cmd, attr, fd, inBatch, outBatch, keys, values, count, elemFlags);
        if (r >= 0) {
            return BATCH_DONE;
        }
        if (r == -Errno.ENOENT) {
            return BATCH_END;
        }
        if (r == -Errno.ENOSPC) {
            return BATCH_NO_ROOM;
        }
        if (firstCall && unsupported(r)) {
            return BATCH_UNSUPPORTED;
        }
        throw failure(cmd, r, elemFlags, -1, count);
    }

    /**
     * {@code BPF_MAP_UPDATE_BATCH}: {@code count} packed keys and values.
     *
     * @param mayBeUnsupported whether a kernel without the command may answer
     *        {@link #BATCH_UNSUPPORTED} (when it did nothing) instead of throwing
     * @return {@link #BATCH_DONE} or {@link #BATCH_UNSUPPORTED}
     */
    public int updateBatch(MemorySegment attr, int fd, long keys, long values, int count, long elemFlags,
            boolean mayBeUnsupported) {
        long r = sys.batch(BpfCmd.BPF_MAP_UPDATE_BATCH, attr, fd, 0L, 0L, keys, values, count, elemFlags);
        if (r >= 0) {
            return BATCH_DONE;
        }
        if (mayBeUnsupported && batchCount(attr) == 0 && unsupported(r)) {
            return BATCH_UNSUPPORTED;
        }
        throw failure(BpfCmd.BPF_MAP_UPDATE_BATCH, r, elemFlags, batchCount(attr), count);
    }

    /**
     * {@code BPF_MAP_DELETE_BATCH}: {@code count} packed keys.
     *
     * @return {@link #BATCH_DONE}, {@link #BATCH_ABSENT_KEY} (the key after the
     *         {@link #batchCount} deleted ones is absent; the kernel stopped there) or
     *         {@link #BATCH_UNSUPPORTED} (when allowed and nothing was done)
     */
    public int deleteBatch(MemorySegment attr, int fd, long keys, int count, long elemFlags,
            boolean mayBeUnsupported) {
        long r = sys.batch(BpfCmd.BPF_MAP_DELETE_BATCH, attr, fd, 0L, 0L, keys, 0L, count, elemFlags);
        if (r >= 0) {
            return BATCH_DONE;
        }
        if (r == -Errno.ENOENT) {
            return BATCH_ABSENT_KEY;
        }
        if (mayBeUnsupported && batchCount(attr) == 0 && unsupported(r)) {
            return BATCH_UNSUPPORTED;
        }
        throw failure(BpfCmd.BPF_MAP_DELETE_BATCH, r, elemFlags, batchCount(attr), count);
    }

    /** Whether a batch command's errno says the kernel lacks it for this map. */
    private static boolean unsupported(long r) {
        return r == -Errno.ENOTSUPP || r == -Errno.EOPNOTSUPP || r == -Errno.EINVAL || r == -Errno.ENOSYS;
    }

    /** The {@code count} field after a batch command: how many elements it processed. */
    public static int batchCount(MemorySegment attr) {
        return (int) MB_COUNT.get(attr, 0L);
    }

    static void setBatchCount(MemorySegment attr, int count) {
        MB_COUNT.set(attr, 0L, count);
    }

    // ---- segments, this thread's scratch: the loader, attach code, tools ----------------

    /** {@link #lookup(long, MemorySegment, int, long, long)} of {@code key} ({@code null}: none) into {@code value}. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        return lookup(scratch(), Syscalls.captureState(), fd.get(), Bpf.addr(key, "key"), Bpf.addr(value, "value"));
    }

    /** {@link #update(long, MemorySegment, int, long, long, long)}; {@code key} null for a queue, stack or bloom filter. */
    public boolean update(MemorySegment key, MemorySegment value, long flags) {
        long k = Bpf.addr(key, "key");
        long v = Bpf.addr(value, "value");
        if (key != null) {
            return update(scratch(), Syscalls.captureState(), fd.get(), k, v, flags);
        }
        if (!push(scratch(), Syscalls.captureState(), fd.get(), v, flags)) { // only a handle takes "full" as an answer
            throw failure(BpfCmd.BPF_MAP_UPDATE_ELEM, -Errno.E2BIG, flags, -1, -1);
        }
        return true;
    }

    /** {@link #delete(long, MemorySegment, int, long)} of {@code key}. */
    public boolean delete(MemorySegment key) {
        return delete(scratch(), Syscalls.captureState(), fd.get(), Bpf.addr(key, "key"));
    }

    /** {@link #nextKey(long, MemorySegment, int, long, long)}: the key after {@code key} (null: the first). */
    public boolean nextKey(MemorySegment key, MemorySegment nextKey) {
        return nextKey(scratch(), Syscalls.captureState(), fd.get(), Bpf.addr(key, "key"), Bpf.addr(nextKey, "nextKey"));
    }

    /** {@link #lookupAndDelete(long, MemorySegment, int, long, long)}; {@code key} null for a pop. */
    public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
        return lookupAndDelete(scratch(), Syscalls.captureState(), fd.get(), Bpf.addr(key, "key"), Bpf.addr(value, "value"));
    }

    /** {@code BPF_MAP_FREEZE}: user space can no longer write the map (programs still can). */
    public void freeze() {
        long r = sys.elem(BpfCmd.BPF_MAP_FREEZE, scratch(), Syscalls.captureState(), fd.get(), 0L, 0L, 0L);
        if (r < 0) {
            throw failure(BpfCmd.BPF_MAP_FREEZE, r, 0L, -1, -1);
        }
    }

    /**
     * {@link #lookupBatch(MemorySegment, int, int, long, long, long, long, int, long, boolean)}
     * with {@code BPF_MAP_LOOKUP_BATCH}; {@code inBatch} null: from the start.
     *
     * @return how many were filled in, and whether the end of the map was reached
     * @throws KernelException (ENOSPC) when a hash bucket holds more than {@code count}
     */
    public BatchResult lookupBatch(MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
            MemorySegment values, int count, long elemFlags) {
        return lookupBatch(BpfCmd.BPF_MAP_LOOKUP_BATCH, inBatch, outBatch, keys, values, count, elemFlags);
    }

    /** As {@link #lookupBatch(MemorySegment, MemorySegment, MemorySegment, MemorySegment, int, long)}, deleting what it returns. */
    public BatchResult lookupAndDeleteBatch(MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
            MemorySegment values, int count, long elemFlags) {
        return lookupBatch(BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH, inBatch, outBatch, keys, values, count, elemFlags);
    }

    private BatchResult lookupBatch(int cmd, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
            MemorySegment values, int count, long elemFlags) {
        MemorySegment attr = SCRATCH.get();
        int status = lookupBatch(attr, cmd, fd.get(), Bpf.addr(inBatch, "in_batch"), Bpf.addr(outBatch, "out_batch"),
                Bpf.addr(keys, "keys"), Bpf.addr(values, "values"), count, elemFlags, false);
        if (status == BATCH_NO_ROOM) {
            throw failure(cmd, -Errno.ENOSPC, elemFlags, -1, count);
        }
        return new BatchResult(batchCount(attr), status == BATCH_END);
    }

    /**
     * {@link #updateBatch(MemorySegment, int, long, long, int, long, boolean)} of {@code count}
     * packed keys and values.
     *
     * @return the count updated; {@code done} is true when all were
     */
    public BatchResult updateBatch(MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        MemorySegment attr = SCRATCH.get();
        updateBatch(attr, fd.get(), Bpf.addr(keys, "keys"), Bpf.addr(values, "values"), count, elemFlags, false);
        int n = batchCount(attr);
        return new BatchResult(n, n == count);
    }

    /**
     * {@link #deleteBatch(MemorySegment, int, long, int, long, boolean)} of {@code count} packed
     * keys: stops at the first absent key, which is not an error; {@code done} is then false and
     * the count says how many were deleted before it.
     */
    public BatchResult deleteBatch(MemorySegment keys, int count, long elemFlags) {
        MemorySegment attr = SCRATCH.get();
        int status = deleteBatch(attr, fd.get(), Bpf.addr(keys, "keys"), count, elemFlags, false);
        int n = batchCount(attr);
        return new BatchResult(n, status == BATCH_DONE && n == count);
    }

    private static long scratch() {
        return SCRATCH.get().address();
    }

    // ---- errors -------------------------------------------------------------------------

    /**
     * The exception for every errno no method above answers with a result.
     *
     * @param done for a batch command that stopped part way, how many it processed, else -1
     * @param of for a batch command, how many it was given, else -1
     */
    private KernelException failure(int cmd, long r, long flags, int done, int of) {
        int errno = (int) -r;
        String command = commandName(cmd) + (done >= 0 ? " (" + done + " of " + of + " done)" : "");
        String what = name != null ? "map '" + name + "'"
                : fd.name() != null && !fd.name().isEmpty() ? fd.kind() + " '" + fd.name() + "'" : fd.toString();
        return Syscalls.error(command + " of " + what, errno, hint(cmd, errno, flags, of));
    }

    private String hint(int cmd, int errno, long flags, int count) {
        boolean update = cmd == BpfCmd.BPF_MAP_UPDATE_ELEM || cmd == BpfCmd.BPF_MAP_UPDATE_BATCH;
        if (cmd == BpfCmd.BPF_MAP_FREEZE) {
            return switch (errno) {
                case Errno.EBUSY -> "the map is already frozen, mapped writable (by a handle on a mapped array or "
                        + "global data section, or another process) or being updated";
                case Errno.EPERM -> "the map is already frozen or not writable from user space, or this needs root "
                        + "/ CAP_BPF";
                default -> null;
            };
        }
        return switch (errno) {
            case Errno.E2BIG -> "the map is full (max_entries " + (maxEntries > 0
                    ? Integer.toUnsignedString(maxEntries) + " " : "") + "reached)";
            case Errno.EEXIST -> "the key exists already" + (flags == BpfFlags.BPF_NOEXIST ? " (BPF_NOEXIST)" : "");
            case Errno.ENOENT -> update && flags == BpfFlags.BPF_EXIST ? "the key does not exist (BPF_EXIST)"
                    : "no such element";
            case Errno.EPERM -> "the map is frozen or read-only for user space, or this needs root / CAP_BPF";
            case Errno.EINVAL -> update && invalidHint != null ? invalidHint
                    : "a key, value or flag this map type does not accept" + (update ? " (" + flagName(flags) + ")"
                            : "");
            case Errno.EBUSY -> "the element is in use by a program on this CPU, or the map is busy";
            case Errno.ENOSPC -> cmd == BpfCmd.BPF_MAP_LOOKUP_BATCH || cmd == BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH
                    ? "count (" + count + ") is smaller than one hash bucket; retry with more room" : null;
            case Errno.EINTR -> "interrupted by a signal; the call may be repeated";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "this map type does not support the operation";
            default -> null;
        };
    }

    private static String flagName(long flags) {
        long lock = flags & BpfFlags.BPF_F_LOCK;
        String base = switch ((int) (flags & ~BpfFlags.BPF_F_LOCK)) {
            case (int) BpfFlags.BPF_ANY -> "BPF_ANY";
            case (int) BpfFlags.BPF_NOEXIST -> "BPF_NOEXIST";
            case (int) BpfFlags.BPF_EXIST -> "BPF_EXIST";
            default -> "flags " + flags;
        };
        return lock != 0 ? base + " | BPF_F_LOCK" : base;
    }

    /** The name of a map command, as errors print it. */
    static String commandName(int cmd) {
        return switch (cmd) {
            case BpfCmd.BPF_MAP_LOOKUP_ELEM -> "BPF_MAP_LOOKUP_ELEM";
            case BpfCmd.BPF_MAP_UPDATE_ELEM -> "BPF_MAP_UPDATE_ELEM";
            case BpfCmd.BPF_MAP_DELETE_ELEM -> "BPF_MAP_DELETE_ELEM";
            case BpfCmd.BPF_MAP_GET_NEXT_KEY -> "BPF_MAP_GET_NEXT_KEY";
            case BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM -> "BPF_MAP_LOOKUP_AND_DELETE_ELEM";
            case BpfCmd.BPF_MAP_FREEZE -> "BPF_MAP_FREEZE";
            case BpfCmd.BPF_MAP_LOOKUP_BATCH -> "BPF_MAP_LOOKUP_BATCH";
            case BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH -> "BPF_MAP_LOOKUP_AND_DELETE_BATCH";
            case BpfCmd.BPF_MAP_UPDATE_BATCH -> "BPF_MAP_UPDATE_BATCH";
            case BpfCmd.BPF_MAP_DELETE_BATCH -> "BPF_MAP_DELETE_BATCH";
            default -> "bpf command " + cmd;
        };
    }

    // ---- the kernel ---------------------------------------------------------------------

    /** {@link MapSyscalls} through {@code bpf(2)}. */
    private static final class Kernel implements MapSyscalls {
        @Override
        public long elem(int cmd, long attr, MemorySegment callState, int fd, long key, long value, long flags) {
            fill(attr, fd, key, value, flags);
            return Syscalls.bpfRaw(cmd, attr, MAP_ELEM_SIZE, callState);
        }

        @Override
        public long elemNonBlocking(int cmd, long attr, MemorySegment callState, int fd, long key, long value,
                long flags) {
            fill(attr, fd, key, value, flags);
            return Syscalls.bpfRawNonBlocking(cmd, attr, MAP_ELEM_SIZE, callState);
        }

        @Override
        public long updateAnyNonBlocking(long attr, MemorySegment callState, int fd, long key, long value) {
            fill(attr, fd, key, value, BpfFlags.BPF_ANY);
            return Syscalls.bpfRawNonBlockingUsuallySucceeding(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, MAP_ELEM_SIZE,
                    callState);
        }

        /**
         * An update that creates or replaces fails only on real errors (map full, no memory, bad
         * descriptor), and a failed one changes nothing, so it goes without the errno capture and
         * runs again with it only when it fails ({@link Syscalls#bpfRawUsuallySucceeding}).
         */
        @Override
        public long updateAny(long attr, MemorySegment callState, int fd, long key, long value) {
            fill(attr, fd, key, value, BpfFlags.BPF_ANY);
            return Syscalls.bpfRawUsuallySucceeding(BpfCmd.BPF_MAP_UPDATE_ELEM, attr, MAP_ELEM_SIZE, callState);
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

        @Override
        public long batch(int cmd, MemorySegment attr, int fd, long inBatch, long outBatch, long keys, long values,
                int count, long elemFlags) {
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
    }
}
