package io.bpfkit.map;

import io.bpfkit.api.map.BpfLpmTrie;
import io.bpfkit.api.map.LpmKey;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.object.MapType;
import java.lang.foreign.ValueLayout;

/** {@code BPF_MAP_TYPE_LPM_TRIE}: keys through an {@link LpmKeyCodec}. */
final class LpmTrieHandle<K, V> extends KeyValueHandle<LpmKey<K>, V> implements BpfLpmTrie<K, V> {
    private final LpmKeyCodec<K> lpm;

    LpmTrieHandle(MapRef ref, LpmKeyCodec<K> keys, Codec<V> values) {
        super(ref, types(MapType.LPM_TRIE), keys, values);
        this.lpm = keys;
    }

    @Override
    public V longestMatch(K address) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            s.key.set(ValueLayout.JAVA_INT, 0, lpm.maxPrefix());
            lpm.data().encode(address, s.key, 4);
            return lookup(s, fd);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public int maxPrefixLength() {
        return lpm.maxPrefix();
    }
}
