package io.bpfkit.map;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfPerCpuArray;
import io.bpfkit.api.map.PerCpuValues;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.ValueLayout;

/** {@code BPF_MAP_TYPE_PERCPU_ARRAY}: values through a {@link PerCpuCodec}. */
final class PerCpuArrayHandle<V> extends KeyValueHandle<Integer, PerCpuValues<V>> implements BpfPerCpuArray<V> {
    private final PerCpuCodec<V> perCpu;
    private final int length;

    PerCpuArrayHandle(MapRef ref, PerCpuCodec<V> values) {
        super(ref, types(MapType.PERCPU_ARRAY), Codecs.int32(), values);
        this.perCpu = values;
        this.length = ref.maxEntries();
    }

    /** Checks {@code index}, then takes scratch memory with it as the key (release it). */
    private Scratch keyed(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " is outside per-CPU array map '" + name()
                    + "' of " + length + " elements");
        }
        Scratch s = scratch.take();
        s.key.set(ValueLayout.JAVA_INT, 0, index);
        return s;
    }

    @Override
    public PerCpuValues<V> get(int index) {
        int fd = fdNumber();
        Scratch s = keyed(index);
        try {
            return lookup(s, fd);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public void set(int index, PerCpuValues<V> values) {
        int fd = fdNumber();
        Scratch s = keyed(index);
        try {
            perCpu.encode(values, s.value, 0);
            update(s, fd, BpfFlags.BPF_ANY);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public void setOnEveryCpu(int index, V value) {
        int fd = fdNumber();
        Scratch s = keyed(index);
        try {
            for (int c = 0; c < perCpu.cpus(); c++) {
                perCpu.encodeOne(value, s.value, c * perCpu.stride());
            }
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
    public int cpus() {
        return perCpu.cpus();
    }

    /** Elements cannot be removed: every value on every CPU is set to zeros. */
    @Override
    public void clear() {
        fdNumber();
        zeroAll(length);
    }
}
