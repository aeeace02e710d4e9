package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_PERCPU_ARRAY}: {@link #length()} elements, each with one value per
 * possible CPU.
 *
 * <pre>{@code
 * BpfPerCpuArray<Long> a = BpfMaps.perCpuArray(loaded, "per_cpu_counts", Codecs.int64());
 * long total = a.get(0).sum(x -> x);
 * }</pre>
 */
public interface BpfPerCpuArray<V> extends BpfKeyValueMap<Integer, PerCpuValues<V>> {

    /** The values of element {@code index}. */
    PerCpuValues<V> get(int index);

    /** Writes the values of element {@code index}. */
    void set(int index, PerCpuValues<V> values);

    /** Writes {@code value} on every CPU of element {@code index}. */
    void setOnEveryCpu(int index, V value);

    /** The number of elements. */
    int length();

    /** The number of values per element: the machine's possible CPUs. */
    int cpus();
}
