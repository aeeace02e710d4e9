package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfBloomFilter;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;

/**
 * {@code BPF_MAP_TYPE_BLOOM_FILTER}: add is an update without key; a test is a lookup without
 * key whose value buffer carries the value to test (the kernel reads it, then answers 0 or
 * ENOENT).
 */
final class BloomFilterHandle<V> extends MapHandle implements BpfBloomFilter<V> {
    private final Codec<V> values;
    private final ScratchPool scratch;

    BloomFilterHandle(MapRef ref, Codec<V> values) {
        super(ref, types(MapType.BLOOM_FILTER));
        this.values = values;
        this.scratch = new ScratchPool(0, values.size());
    }

    @Override
    public void add(V value) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            values.encode(value, s.value, 0);
            calls.update(s.attrAddress, s.callState, fd, 0L, s.valueAddress, BpfFlags.BPF_ANY);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public boolean mightContain(V value) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            values.encode(value, s.value, 0);
            return calls.lookup(s.attrAddress, s.callState, fd, 0L, s.valueAddress);
        } finally {
            scratch.release(s);
        }
    }
}
