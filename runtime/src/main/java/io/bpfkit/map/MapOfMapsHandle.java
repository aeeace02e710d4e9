package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArrayOfMaps;
import io.bpfkit.api.map.BpfHashOfMaps;
import io.bpfkit.api.map.BpfMap;
import io.bpfkit.api.map.BpfMapOfMaps;
import io.bpfkit.object.MapType;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Hash and array of maps: a slot is written with an inner map's descriptor and read back as
 * its id, which {@link #get} opens ({@code BPF_MAP_GET_FD_BY_ID}) into a handle made by the
 * caller's factory; that handle owns the new descriptor.
 */
abstract class MapOfMapsHandle<K, M extends BpfMap> extends MapHandle implements BpfMapOfMaps<K, M> {
    private final FdSlots slots;
    private final Function<MapRef, M> inner;

    MapOfMapsHandle(MapRef ref, Set<MapType> types, Codec<K> keys, Function<MapRef, M> inner) {
        super(ref, types);
        this.slots = new FdSlots(this, keys);
        this.inner = inner;
    }

    @Override
    public M get(K key) {
        OptionalInt id = slots.id(key);
        if (id.isEmpty()) {
            return null;
        }
        MapRef r = MapRef.byId(id.getAsInt());
        try {
            return inner.apply(r);
        } catch (RuntimeException e) {
            r.fd().close();
            throw e;
        }
    }

    @Override
    public OptionalInt innerMapId(K key) {
        return slots.id(key);
    }

    @Override
    public void put(K key, BpfMap map) {
        slots.set(key, map.fileDescriptor());
    }

    @Override
    public boolean delete(K key) {
        return slots.delete(key);
    }

    /** {@code BPF_MAP_TYPE_HASH_OF_MAPS}. */
    static final class Hash<K, M extends BpfMap> extends MapOfMapsHandle<K, M> implements BpfHashOfMaps<K, M> {
        Hash(MapRef ref, Codec<K> keys, Function<MapRef, M> inner) {
            super(ref, types(MapType.HASH_OF_MAPS), keys, inner);
        }
    }

    /** {@code BPF_MAP_TYPE_ARRAY_OF_MAPS}. */
    static final class Array<M extends BpfMap> extends MapOfMapsHandle<Integer, M> implements BpfArrayOfMaps<M> {
        Array(MapRef ref, Function<MapRef, M> inner) {
            super(ref, types(MapType.ARRAY_OF_MAPS), Codecs.int32(), inner);
        }

        @Override
        public int length() {
            return ref.maxEntries();
        }
    }

    /** Either kind, for {@code BpfMapOfMaps}: an array of maps takes keys of its 4-byte index. */
    static final class Either<K, M extends BpfMap> extends MapOfMapsHandle<K, M> {
        Either(MapRef ref, Codec<K> keys, Function<MapRef, M> inner) {
            super(ref, types(MapType.HASH_OF_MAPS, MapType.ARRAY_OF_MAPS), keys, inner);
        }
    }
}
