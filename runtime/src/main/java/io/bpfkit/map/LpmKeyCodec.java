package io.bpfkit.map;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.LpmKey;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An LPM trie key: {@code struct { __u32 prefixlen; data }} with no padding between, as
 * {@code struct bpf_lpm_trie_key_u8} lays it out.
 */
final class LpmKeyCodec<K> implements Codec<LpmKey<K>> {
    private final Codec<K> data;
    private final int maxPrefix;
    private final MemoryLayout layout;

    LpmKeyCodec(Codec<K> data) {
        this.data = data;
        this.maxPrefix = Math.toIntExact(data.size() * 8);
        this.layout = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("prefixlen"),
                MemoryLayout.sequenceLayout(data.size(), ValueLayout.JAVA_BYTE).withName("data"));
    }

    int maxPrefix() {
        return maxPrefix;
    }

    Codec<K> data() {
        return data;
    }

    @Override
    public MemoryLayout layout() {
        return layout;
    }

    @Override
    public void encode(LpmKey<K> key, MemorySegment target, long offset) {
        if (key.prefixLength() > maxPrefix) {
            throw new CodecException("prefix length " + key.prefixLength() + " is longer than the "
                    + maxPrefix + " bits of the key data");
        }
        target.set(ValueLayout.JAVA_INT_UNALIGNED, offset, key.prefixLength());
        data.encode(key.data(), target, offset + 4);
    }

    @Override
    public LpmKey<K> decode(MemorySegment source, long offset) {
        return new LpmKey<>(source.get(ValueLayout.JAVA_INT_UNALIGNED, offset), data.decode(source, offset + 4));
    }
}
