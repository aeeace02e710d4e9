package io.bpfkit.api.map;

import java.util.Objects;

/**
 * A key of an LPM trie: a prefix length in bits and the address data
 * ({@code struct { __u32 prefixlen; __u8 data[N]; }}).
 *
 * @param prefixLength the number of leading bits of {@code data} that count
 * @param data the address, e.g. a {@code byte[4]} for IPv4 in network order
 */
public record LpmKey<K>(int prefixLength, K data) {
    public LpmKey {
        Objects.requireNonNull(data, "data");
        if (prefixLength < 0) {
            throw new IllegalArgumentException("negative prefix length " + prefixLength);
        }
    }
}
