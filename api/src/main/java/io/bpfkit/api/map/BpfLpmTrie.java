package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_LPM_TRIE}: prefixes to values; a lookup of a full-length key finds the
 * longest stored prefix that matches it.
 *
 * <pre>{@code
 * BpfLpmTrie<byte[], Integer> routes = BpfMaps.lpmTrie(loaded, "routes", Codecs.bytes(4), Codecs.int32());
 * routes.put(new LpmKey<>(8, new byte[] {10, 0, 0, 0}), 1);
 * Integer r = routes.longestMatch(new byte[] {10, 1, 2, 3});   // 1
 * }</pre>
 */
public interface BpfLpmTrie<K, V> extends BpfKeyValueMap<LpmKey<K>, V> {

    /** The value of the longest stored prefix that matches all of {@code address}, or null. */
    V longestMatch(K address);

    /** The full prefix length in bits: 8 times the data size. */
    int maxPrefixLength();
}
