package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfLruPerCpuHashMap;
import io.bpfkit.api.map.BpfPerCpuHashMap;
import io.bpfkit.api.map.PerCpuValues;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;

/** {@code BPF_MAP_TYPE_PERCPU_HASH}: values through a {@link PerCpuCodec}. */
class PerCpuHashHandle<K, V> extends KeyValueHandle<K, PerCpuValues<V>> implements BpfPerCpuHashMap<K, V> {
    private final PerCpuCodec<V> perCpu;

    PerCpuHashHandle(MapRef ref, MapType type, Codec<K> keys, PerCpuCodec<V> values) {
        super(ref, types(type), keys, values);
        this.perCpu = values;
    }

    @Override
    public void putOnEveryCpu(K key, V value) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            encodeKey(key, s);
            for (int c = 0; c < perCpu.cpus(); c++) {
                perCpu.encodeOne(value, s.value, c * perCpu.stride());
            }
            update(s, fd, BpfFlags.BPF_ANY);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public int cpus() {
        return perCpu.cpus();
    }

    /** {@code BPF_MAP_TYPE_LRU_PERCPU_HASH}. */
    static final class Lru<K, V> extends PerCpuHashHandle<K, V> implements BpfLruPerCpuHashMap<K, V> {
        Lru(MapRef ref, Codec<K> keys, PerCpuCodec<V> values) {
            super(ref, MapType.LRU_PERCPU_HASH, keys, values);
        }
    }
}
