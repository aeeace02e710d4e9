package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfLruHashMap;
import io.bpfkit.object.MapType;

/** {@code BPF_MAP_TYPE_HASH}. */
class HashHandle<K, V> extends KeyValueHandle<K, V> implements BpfHashMap<K, V> {
    HashHandle(MapRef ref, Codec<K> keys, Codec<V> values) {
        super(ref, types(MapType.HASH), keys, values);
    }

    HashHandle(MapRef ref, MapType type, Codec<K> keys, Codec<V> values) {
        super(ref, types(type), keys, values);
    }

    /** {@code BPF_MAP_TYPE_LRU_HASH}. */
    static final class Lru<K, V> extends HashHandle<K, V> implements BpfLruHashMap<K, V> {
        Lru(MapRef ref, Codec<K> keys, Codec<V> values) {
            super(ref, MapType.LRU_HASH, keys, values);
        }
    }
}
