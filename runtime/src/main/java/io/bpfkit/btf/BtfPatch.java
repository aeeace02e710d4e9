package io.bpfkit.btf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of a raw BTF blob with some DATASECs rewritten: what a loader gives the kernel after
 * fixing what clang leaves undone (DATASEC sizes and variable offsets of 0, entries out of
 * offset order). Types keep their ids; nothing else changes.
 *
 * <pre>{@code
 * BtfPatch patch = new BtfPatch(btf).datasec(dataSecId, 48, sortedEntries);
 * MemorySegment forKernel = arena.allocate(patch.size());
 * patch.writeTo(forKernel);
 * }</pre>
 */
public final class BtfPatch {
    private final Btf btf;
    private final Map<Integer, Datasec> datasecs = new HashMap<>();

    private record Datasec(long size, List<BtfType.DatasecEntry> entries) {
    }

    public BtfPatch(Btf btf) {
        if (btf.firstId() != 1) {
            throw new IllegalArgumentException("patching split BTF is not supported");
        }
        this.btf = btf;
    }

    /**
     * Gives DATASEC {@code id} a new size and entries (as many as it has, in the new order).
     *
     * @throws IllegalArgumentException when {@code id} is not a DATASEC or the count differs
     */
    public BtfPatch datasec(int id, long size, List<BtfType.DatasecEntry> entries) {
        if (!(btf.type(id) instanceof BtfType.Datasec ds)) {
            throw new IllegalArgumentException("type [" + id + "] is a " + btf.kind(id) + ", not a DATASEC");
        }
        if (ds.entries().size() != entries.size()) {
            throw new IllegalArgumentException("DATASEC '" + ds.name() + "' has " + ds.entries().size()
                    + " entries; " + entries.size() + " given");
        }
        datasecs.put(id, new Datasec(size, List.copyOf(entries)));
        return this;
    }

    /** The size of the patched blob in bytes: the original's. */
    public long size() {
        return btf.data().byteSize();
    }

    /**
     * Writes the patched blob to the start of {@code dst} (at least {@link #size()} bytes), in
     * the original byte order: for a loader that hands it to the kernel, with no array between.
     */
    public void writeTo(MemorySegment dst) {
        MemorySegment.copy(btf.data(), 0, dst, 0, size());
        boolean bigEndian = btf.byteOrder() == ByteOrder.BIG_ENDIAN;
        for (Map.Entry<Integer, Datasec> d : datasecs.entrySet()) {
            long at = btf.typeOffset(d.getKey());
            Blob.putU32(dst, bigEndian, at + 8, (int) d.getValue().size());
            long e = at + Btf.TYPE_HEADER_SIZE;
            for (BtfType.DatasecEntry entry : d.getValue().entries()) {
                Blob.putU32(dst, bigEndian, e, entry.type());
                Blob.putU32(dst, bigEndian, e + 4, (int) entry.offset());
                Blob.putU32(dst, bigEndian, e + 8, (int) entry.size());
                e += 12;
            }
        }
    }
}
