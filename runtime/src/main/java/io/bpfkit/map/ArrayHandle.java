package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Syscalls;
import java.lang.foreign.Arena;
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
    private final Arena mappingArena;
    private final MemorySegment mapping;

    ArrayHandle(MapRef ref, Codec<V> values) {
        super(ref, types(MapType.ARRAY), Codecs.int32(), values);
        this.length = ref.maxEntries();
        this.stride = PerCpuCodec.roundUp8(valueSize);
        if ((ref.info().mapFlags() & Bpf.BPF_F_MMAPABLE) != 0) {
            boolean readOnly = (ref.info().mapFlags() & Bpf.BPF_F_RDONLY) != 0 || frozen(ref);
            long bytes = stride * length;
            long page = Syscalls.pageSize();
            this.mappingArena = Arena.ofShared();
            try {
                this.mapping = Syscalls.mmap(fd.get(), (bytes + page - 1) / page * page,
                        readOnly ? Syscalls.PROT_READ : Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED,
                        0L, mappingArena, "mmap of map '" + ref.name() + "'").asSlice(0, bytes);
            } catch (RuntimeException e) {
                mappingArena.close();
                throw e;
            }
        } else {
            this.mappingArena = null;
            this.mapping = null;
        }
    }

    /** Frozen maps (e.g. {@code .rodata}) can only be mapped read-only. */
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
        if (mapping != null) {
            checkOpen();
            return values.decode(mapping, off);
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
        if (mapping != null && !mapping.isReadOnly()) {
            checkOpen();
            values.encode(value, mapping, off);
            return;
        }
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            s.key.set(ValueLayout.JAVA_INT, 0, index);
            encodeValue(value, s);
            update(s, fd, Bpf.BPF_ANY);
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
        return Optional.ofNullable(mapping);
    }

    /** Array elements cannot be removed: every element is set to zeros. */
    @Override
    public void clear() {
        fdNumber();
        if (mapping != null && !mapping.isReadOnly()) {
            mapping.fill((byte) 0);
            return;
        }
        zeroAll(length);
    }

    @Override
    void releaseResources() {
        if (mappingArena != null) {
            mappingArena.close();
        }
    }

    /** Whether an element can be read without a system call; for tests and benchmarks. */
    boolean isMapped() {
        return mapping != null;
    }
}
