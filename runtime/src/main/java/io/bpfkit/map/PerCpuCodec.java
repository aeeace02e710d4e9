package io.bpfkit.map;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.PerCpuValues;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of a per-CPU map element as user space sees it: one value per possible CPU, each
 * rounded up to 8 bytes ({@code round_up(value_size, 8) * possible CPUs}, the kernel's
 * layout for lookups, updates and batches). The padding is written as zeros.
 */
final class PerCpuCodec<V> implements Codec<PerCpuValues<V>> {
    private final Codec<V> inner;
    private final int cpus;
    private final long innerSize;
    private final long stride;
    private final MemoryLayout layout;

    PerCpuCodec(Codec<V> inner, int cpus) {
        this.inner = inner;
        this.cpus = cpus;
        this.innerSize = inner.size();
        this.stride = roundUp8(innerSize);
        MemoryLayout slot = stride == innerSize ? inner.layout()
                : MemoryLayout.structLayout(inner.layout(), MemoryLayout.paddingLayout(stride - innerSize));
        this.layout = MemoryLayout.sequenceLayout(cpus, slot);
    }

    static long roundUp8(long n) {
        return (n + 7) & ~7L;
    }

    Codec<V> inner() {
        return inner;
    }

    int cpus() {
        return cpus;
    }

    long stride() {
        return stride;
    }

    @Override
    public MemoryLayout layout() {
        return layout;
    }

    @Override
    public long size() {
        return stride * cpus;
    }

    @Override
    public void encode(PerCpuValues<V> value, MemorySegment target, long offset) {
        if (value.cpus() != cpus) {
            throw new CodecException("per-CPU value has " + value.cpus() + " values; this machine has "
                    + cpus + " possible CPUs");
        }
        for (int c = 0; c < cpus; c++) {
            encodeOne(value.get(c), target, offset + c * stride);
        }
    }

    /** Writes {@code v} into one CPU's slot at {@code at}, zeroing the slot's padding. */
    void encodeOne(V v, MemorySegment target, long at) {
        inner.encode(v, target, at);
        if (stride != innerSize) {
            target.asSlice(at + innerSize, stride - innerSize).fill((byte) 0);
        }
    }

    @Override
    public PerCpuValues<V> decode(MemorySegment source, long offset) {
        List<V> vs = new ArrayList<>(cpus);
        for (int c = 0; c < cpus; c++) {
            vs.add(inner.decode(source, offset + c * stride));
        }
        return new PerCpuValues<>(vs);
    }
}
