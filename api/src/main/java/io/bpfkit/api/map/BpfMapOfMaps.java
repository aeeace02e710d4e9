package io.bpfkit.api.map;

import java.util.OptionalInt;

/**
 * A hash or array of maps: each slot holds another map (the inner map), which programs look
 * up with {@code bpf_map_lookup_elem} and then use.
 *
 * <pre>{@code
 * BpfHashOfMaps<Integer, BpfArray<Long>> outer = BpfMaps.hashOfMaps(loaded, "outer", Codecs.int32(),
 *         inner -> BpfMaps.array(inner, Codecs.int64()));
 * outer.put(1, someArray);
 * try (BpfArray<Long> inner = outer.get(1)) {
 *     long v = inner.get(0);
 * }
 * }</pre>
 *
 * @param <K> the outer key type
 * @param <M> the handle type of the inner maps
 */
public interface BpfMapOfMaps<K, M extends BpfMap> extends BpfMap {

    /**
     * A handle on the inner map at {@code key}, or null when the slot is empty. The handle owns
     * its own descriptor: close it when done.
     */
    M get(K key);

    /** The kernel id of the inner map at {@code key}, or empty. */
    OptionalInt innerMapId(K key);

    /** Puts {@code inner} (any map compatible with the inner map template) at {@code key}. */
    void put(K key, BpfMap inner);

    /**
     * Empties the slot at {@code key}.
     *
     * @return false when it was empty
     */
    boolean delete(K key);
}
