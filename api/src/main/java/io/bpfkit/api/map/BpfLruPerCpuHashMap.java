package io.bpfkit.api.map;

/** A {@code BPF_MAP_TYPE_LRU_PERCPU_HASH}: per-CPU values, least recently used evicted when full. */
public interface BpfLruPerCpuHashMap<K, V> extends BpfPerCpuHashMap<K, V> {
}
