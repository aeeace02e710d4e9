package io.bpfkit.map;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfPerCpuArray;
import io.bpfkit.api.map.PerCpuValues;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.object.MapType;
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

    private Scratch keyed(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " is outside per-CPU array map '" + name()
                    + "' of " + length + " elements");
        }
        Scratch s = scratch();
        s.key.set(ValueLayout.JAVA_INT, 0, index);
        return s;
    }

    @Override
    public PerCpuValues<V> get(int index) {
        int fd = fdNumber();
        return lookup(keyed(index), fd);
    }

    @Override
    public void set(int index, PerCpuValues<V> values) {
        int fd = fdNumber();
        Scratch s = keyed(index);
        perCpu.encode(values, s.value, 0);
        update(s, fd, UpdateFlag.ANY);
    }

    @Override
    public void setOnEveryCpu(int index, V value) {
        int fd = fdNumber();
        Scratch s = keyed(index);
        for (int c = 0; c < perCpu.cpus(); c++) {
            perCpu.encodeOne(value, s.value, c * perCpu.stride());
        }
        update(s, fd, UpdateFlag.ANY);
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
