package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_HASH} (or, through {@link BpfLruHashMap}, an LRU hash).
 *
 * <pre>{@code
 * BpfHashMap<Integer, Stats> stats = BpfMaps.hash(loaded, "stats", Codecs.int32(), RecordCodec.of(Stats.class));
 * Stats s = stats.get(pid);
 * }</pre>
 */
public interface BpfHashMap<K, V> extends BpfKeyValueMap<K, V> {
}
