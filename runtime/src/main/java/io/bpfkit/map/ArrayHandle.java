package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * {@code BPF_MAP_TYPE_ARRAY}. When the map is mmap-able ({@code BPF_F_MMAPABLE}) the handle
 * maps it once and reads and writes elements in memory: element {@code i} is at
 * {@code i * round_up(value_size, 8)}, as the kernel lays the array out.
 */
final class ArrayHandle<V> extends KeyValueHandle<Integer, V> implements BpfArray<V> {
    private final int length;
    private final long stride;
    /**
     * Null when the map is not mmap-able or this descriptor is read-only; replaced by a
     * read-only mapping when this handle freezes the map.
     */
    private volatile MapMemory memory;
    /** Held while the mapping is replaced, and to read the replacement after a stale access. */
    private final Object remapLock = new Object();

    ArrayHandle(MapRef ref, Codec<V> values) {
        super(ref, types(MapType.ARRAY), Codecs.int32(), values);
        this.length = ref.maxEntries();
        this.stride = PerCpuCodec.roundUp8(valueSize);
        this.memory = (ref.info().mapFlags() & BpfFlags.BPF_F_MMAPABLE) != 0 ? map(!frozen(ref)) : null;
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
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " is outside array map '" + name() + "' of "
                    + length + " elements");
        }
        return index * stride;
    }

    @Override
    public V get(int index) {
        long off = at(index);
        MapMemory m = memory;
        if (m != null) {
            checkOpen();
            while (true) {
                try {
                    return values.decode(m.segment(), off);
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
        MapMemory m = memory;
        while (m != null && m.writable()) {
            checkOpen();
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
        memory = next;
        try {
            current.close();
        } catch (IllegalStateException inUse) {
            memory = current;
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
