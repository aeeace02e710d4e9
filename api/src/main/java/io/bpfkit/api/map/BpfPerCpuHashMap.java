package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_PERCPU_HASH} (or, through {@link BpfLruPerCpuHashMap}, an LRU one):
 * each element has one value per possible CPU. The kernel's rounding of each value to 8 bytes
 * is handled by the handle.
 *
 * <pre>{@code
 * BpfPerCpuHashMap<Integer, Long> m = BpfMaps.perCpuHash(loaded, "per_cpu", Codecs.int32(), Codecs.int64());
 * long total = m.get(key).sum(x -> x);
 * m.putOnEveryCpu(key, 0L);
 * }</pre>
 */
public interface BpfPerCpuHashMap<K, V> extends BpfKeyValueMap<K, PerCpuValues<V>> {

    /** Writes {@code value} as the value on every CPU. */
    void putOnEveryCpu(K key, V value);

    /** The number of values per element: the machine's possible CPUs. */
    int cpus();
}
