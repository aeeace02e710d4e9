package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_LRU_HASH}: a hash map that evicts the least recently used element
 * when full instead of refusing the update.
 */
public interface BpfLruHashMap<K, V> extends BpfHashMap<K, V> {
}
