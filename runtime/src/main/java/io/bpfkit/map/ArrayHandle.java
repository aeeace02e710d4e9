package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * {@code BPF_MAP_TYPE_ARRAY}. When the map is mmap-able ({@code BPF_F_MMAPABLE}) the handle
 * maps it once and reads and writes elements in memory: element {@code i} is at
 * {@code i * round_up(value_size, 8)}, as the kernel lays the array out.
 */
final class ArrayHandle<V> extends KeyValueHandle<Integer, V> implements BpfArray<V> {
    /**
     * {@link #memory} read as a plain field on the element paths: a mapped read is a few
     * instructions, and a volatile read in it would keep the JIT from hoisting the mapping's
     * loads out of a caller's loop. A stale mapping is safe to read through: a replaced or
     * released one is closed first, so an access through it throws and {@link #retry} reads the
     * field again under the lock (a closed handle then says so).
     */
    private static final VarHandle MEMORY;
    /** {@link #primitive}: a value codec with no fast path. */
    private static final int CODEC = 0;
    /** {@link #primitive}: {@link Codecs#int64()} or {@link Codecs#uint64()}, a {@code long}. */
    private static final int LONG = 1;
    /** {@link #primitive}: {@link Codecs#int32()}, an {@code int}. */
    private static final int INT = 2;

    static {
        try {
            MEMORY = MethodHandles.lookup().findVarHandle(ArrayHandle.class, "memory", MapMemory.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int length;
    private final long stride;
    /**
     * How mapped elements are read: one of bpfkit's scalar codecs is read directly, with no
     * call through the {@link Codec} interface (which a program with many codecs makes
     * megamorphic: no inlining, a boxed value per read).
     */
    private final int primitive;
    /**
     * Null when the map is not mmap-able or this descriptor is read-only; replaced by a
     * read-only mapping when this handle freezes the map.
     */
    @SuppressWarnings("unused") // also through MEMORY
    private volatile MapMemory memory;
    /**
     * The mapped segment when the values are {@code long}s ({@link #LONG}), else null: the
     * fastest {@link #get(int)}, one plain field read before the access. Set with
     * {@link #memory}; a stale one is closed, and an access through it takes the general path.
     */
    private MemorySegment mappedLongs;
    /** Held while the mapping is replaced, and to read the replacement after a stale access. */
    private final Object remapLock = new Object();

    ArrayHandle(MapRef ref, Codec<V> values) {
        super(ref, types(MapType.ARRAY), Codecs.int32(), values);
        this.length = ref.maxEntries();
        this.stride = PerCpuCodec.roundUp8(valueSize);
        this.primitive = values == Codecs.int64() || values == Codecs.uint64() ? LONG
                : values == Codecs.int32() ? INT : CODEC;
        setMemory((ref.info().mapFlags() & BpfFlags.BPF_F_MMAPABLE) != 0 ? map(!frozen(ref)) : null);
    }

    private void setMemory(MapMemory m) {
        memory = m;
        mappedLongs = m != null && primitive == LONG ? m.segment() : null;
    }

    /** The mapping as a plain read (see {@link #MEMORY}). */
    private MapMemory plainMemory() {
        return (MapMemory) MEMORY.get(this);
    }

    private MapMemory map(boolean writable) {
        return MapMemory.map(ref, stride * length, writable, "map '" + ref.name() + "'");
    }

    /**
     * Maps known to be frozen ({@code .rodata}, frozen by the loader) are mapped read-only
     * without asking for more; others frozen later are found by the kernel's refusal.
     */
    static boolean frozen(MapRef ref) {
        return ref.spec() != null && ref.spec().isReadOnlyData();
    }

    private long at(int index) {
        if (Integer.compareUnsigned(index, length) >= 0) { // one compare for both ends
            throw new IndexOutOfBoundsException("index " + index + " is outside array map '" + name() + "' of "
                    + length + " elements");
        }
        return index * stride;
    }

    @Override
    @SuppressWarnings("unchecked") // primitive says which type V is
    public V get(int index) {
        MemorySegment longs = mappedLongs;
        if (longs != null) {
            // The segment is exactly the array (stride 8), so its own bounds check is the only
            // one. This method stays small so that callers inline it and the box goes away.
            long value;
            try {
                value = longs.get(ValueLayout.JAVA_LONG, (long) index << 3);
            } catch (IndexOutOfBoundsException | IllegalStateException outsideOrUnmapped) {
                // the general path names the map, reads the new mapping, or says the handle is closed
                return getGeneral(index);
            }
            return (V) (Long) value; // boxed outside the try: escape analysis removes it in a caller
        }
        return getGeneral(index);
    }

    private V getGeneral(int index) {
        long off = at(index);
        MapMemory m = plainMemory();
        if (m != null) {
            // No check that the handle is open: closing it unmaps the memory, and the access
            // then throws into retry, which says the handle is closed.
            while (true) {
                try {
                    return decodeMapped(m.segment(), off);
                } catch (IllegalStateException unmapped) {
                    m = retry(m, unmapped);
                }
            }
        }
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            s.key.set(ValueLayout.JAVA_INT, 0, index);
            return lookup(s, fd);
        } finally {
            scratch.release(s);
        }
    }

    @SuppressWarnings("unchecked") // primitive says which type V is
    private V decodeMapped(MemorySegment mapped, long off) {
        return switch (primitive) {
            case LONG -> (V) (Long) mapped.get(ValueLayout.JAVA_LONG, off);
            case INT -> (V) (Integer) mapped.get(ValueLayout.JAVA_INT, off);
            default -> values.decode(mapped, off);
        };
    }

    @Override
    public void copyTo(int fromIndex, int count, MemorySegment destination) {
        checkRange(fromIndex, count);
        long bytes = count * stride;
        if (destination.byteSize() < bytes) {
            throw new IllegalArgumentException("copyTo of " + count + " elements of array map '" + name() + "' needs "
                    + bytes + " bytes (" + stride + " per element), the destination has " + destination.byteSize());
        }
        MapMemory m = plainMemory();
        while (m != null) {
            try {
                MemorySegment.copy(m.segment(), fromIndex * stride, destination, 0, bytes);
                return;
            } catch (IllegalStateException unmapped) {
                m = retry(m, unmapped);
            }
        }
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            for (int i = 0; i < count; i++) {
                s.key.set(ValueLayout.JAVA_INT, 0, fromIndex + i);
                if (!calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress)) {
                    throw new IllegalStateException("array map '" + name() + "' has no element " + (fromIndex + i));
                }
                MemorySegment.copy(s.value, 0, destination, i * stride, valueSize);
                destination.asSlice(i * stride + valueSize, stride - valueSize).fill((byte) 0);
            }
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public void getLongs(int fromIndex, long[] destination, int offset, int count) {
        if (valueSize != 8) {
            throw new UnsupportedOperationException("getLongs reads 8-byte values; the values of array map '" + name()
                    + "' are " + valueSize + " bytes: use copyTo");
        }
        checkRange(fromIndex, count);
        if (offset < 0 || count > destination.length - offset) {
            throw new IndexOutOfBoundsException("getLongs of " + count + " elements into a long[" + destination.length
                    + "] at " + offset + ": the array is too short");
        }
        MapMemory m = plainMemory();
        while (m != null) {
            try {
                MemorySegment.copy(m.segment(), ValueLayout.JAVA_LONG, fromIndex * 8L, destination, offset, count);
                return;
            } catch (IllegalStateException unmapped) {
                m = retry(m, unmapped);
            }
        }
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            for (int i = 0; i < count; i++) {
                s.key.set(ValueLayout.JAVA_INT, 0, fromIndex + i);
                if (!calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress)) {
                    throw new IllegalStateException("array map '" + name() + "' has no element " + (fromIndex + i));
                }
                destination[offset + i] = s.value.get(ValueLayout.JAVA_LONG, 0);
            }
        } finally {
            scratch.release(s);
        }
    }

    private void checkRange(int fromIndex, int count) {
        if (fromIndex < 0 || count < 0 || count > length - fromIndex) {
            throw new IndexOutOfBoundsException("elements " + fromIndex + " .. " + ((long) fromIndex + count - 1)
                    + " are outside array map '" + name() + "' of " + length + " elements");
        }
    }

    @Override
    public V get(Integer key) {
        return key == null || key < 0 || key >= length ? null : get(key.intValue());
    }

    @Override
    public boolean contains(Integer key) {
        fdNumber();
        return key != null && key >= 0 && key < length;
    }

    @Override
    public void set(int index, V value) {
        long off = at(index);
        MapMemory m = plainMemory();
        while (m != null && m.writable()) {
            try {
                values.encode(value, m.segment(), off);
                return;
            } catch (IllegalStateException unmapped) {
                m = retry(m, unmapped); // when frozen meanwhile, the system call below says so
            }
        }
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            s.key.set(ValueLayout.JAVA_INT, 0, index);
            encodeValue(value, s);
            update(s, fd, BpfFlags.BPF_ANY);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public boolean delete(Integer key) {
        throw noDelete();
    }

    @Override
    public int deleteAll(java.util.Collection<? extends Integer> keys) {
        throw noDelete();
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public Optional<MemorySegment> mapped() {
        fdNumber();
        MapMemory m = memory;
        return m == null ? Optional.empty() : Optional.of(m.segment());
    }

    /** Array elements cannot be removed: every element is set to zeros. */
    @Override
    public void clear() {
        fdNumber();
        MapMemory m = memory;
        while (m != null && m.writable()) {
            try {
                m.segment().fill((byte) 0);
                return;
            } catch (IllegalStateException unmapped) {
                m = retry(m, unmapped);
            }
        }
        zeroAll(length);
    }

    /**
     * The kernel refuses to freeze a map that is mapped writable, so a mapped array is mapped
     * again read-only first (the segment {@link #mapped()} gave before is closed); when the
     * freeze fails, it is mapped writable again (at another address). A write through the
     * mapping on another thread at that moment may land before the freeze and still be
     * reported as refused.
     */
    @Override
    public void freeze() {
        synchronized (remapLock) {
            fdNumber();
            MapMemory writable = memory;
            if (writable == null || !writable.writable()) {
                super.freeze();
                return;
            }
            replace(writable, map(false));
            try {
                super.freeze();
            } catch (RuntimeException e) {
                try {
                    replace(memory, map(true));
                } catch (RuntimeException remap) {
                    e.addSuppressed(remap); // the handle keeps working through the read-only mapping
                }
                throw e;
            }
        }
    }

    /**
     * Puts {@code next} in place of {@code current} and unmaps {@code current}; when a native
     * call holds {@code current}'s memory (it cannot be unmapped), {@code current} stays.
     */
    private void replace(MapMemory current, MapMemory next) {
        setMemory(next);
        try {
            current.close();
        } catch (IllegalStateException inUse) {
            setMemory(current);
            next.close();
            throw new IllegalStateException("the mapping of map '" + name() + "' cannot be replaced: a native call "
                    + "is using it (" + inUse.getMessage() + ")", inUse);
        }
    }

    /**
     * After an access to {@code stale} threw: the mapping now in place when {@link #freeze()}
     * replaced (and unmapped) the stale one; otherwise rethrows (the handle closed, or the
     * exception came from elsewhere).
     */
    private MapMemory retry(MapMemory stale, IllegalStateException unmapped) {
        checkOpen();
        MapMemory now;
        synchronized (remapLock) {
            now = memory;
        }
        if (now == stale || stale.arena().scope().isAlive()) {
            throw unmapped;
        }
        return now;
    }

    @Override
    void releaseResources() {
        synchronized (remapLock) {
            MapMemory m = memory;
            if (m != null) {
                m.close();
            }
        }
    }

    /** Whether an element can be read without a system call; for tests and benchmarks. */
    boolean isMapped() {
        return memory != null;
    }
}
