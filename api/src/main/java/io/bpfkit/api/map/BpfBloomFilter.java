package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_BLOOM_FILTER}: values can be added and tested, never listed or removed;
 * a test can say yes for a value never added (false positive), never no for one that was.
 *
 * <pre>{@code
 * BpfBloomFilter<Integer> seen = BpfMaps.bloomFilter(loaded, "seen", Codecs.int32());
 * seen.add(42);
 * seen.mightContain(42);   // true
 * }</pre>
 */
public interface BpfBloomFilter<V> extends BpfMap {

    /** Adds {@code value}. */
    void add(V value);

    /** False when {@code value} was certainly never added. */
    boolean mightContain(V value);
}
