package io.bpfkit.btf;

import io.bpfkit.elf.StringTable;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A copy of a raw BTF blob with edits: what a loader gives the kernel after fixing what clang
 * leaves undone (DATASEC sizes and variable offsets of 0, extern variables and functions the
 * kernel does not accept) and after rewriting kinds an older kernel does not know. Existing
 * types keep their ids and their size in bytes; new types and strings go after the old ones,
 * so every id and string offset of the original stays valid.
 *
 * <pre>{@code
 * BtfPatch patch = new BtfPatch(btf).datasec(dataSecId, 48, sortedEntries);
 * int dummy = patch.addType(patch.addString("dummy_ksym"), BtfKind.VAR, 0, false, intId, 1);
 * MemorySegment forKernel = arena.allocate(patch.size());
 * patch.writeTo(forKernel);
 * }</pre>
 */
public final class BtfPatch {
    private final Btf btf;
    private final boolean bigEndian;
    /** The original type section: where it starts in the blob and its length. */
    private final long typeStart;
    private final long typeLength;
    private final long stringStart;
    private final long stringLength;
    /** New values of 32-bit words of the type section, by absolute offset in the original blob. */
    private final Map<Long, Integer> words = new TreeMap<>();
    private final List<int[]> addedTypes = new ArrayList<>();
    private long addedTypeBytes;
    private final StringTable addedStrings;

    public BtfPatch(Btf btf) {
        if (btf.firstId() != 1) {
            throw new IllegalArgumentException("patching split BTF is not supported");
        }
        this.btf = btf;
        this.bigEndian = btf.byteOrder() == ByteOrder.BIG_ENDIAN;
        MemorySegment d = btf.data();
        long hdrLen = Btf.ul(Blob.u32(d, bigEndian, 4));
        this.typeStart = hdrLen + Btf.ul(Blob.u32(d, bigEndian, 8));
        this.typeLength = Btf.ul(Blob.u32(d, bigEndian, 12));
        this.stringStart = hdrLen + Btf.ul(Blob.u32(d, bigEndian, 16));
        this.stringLength = Btf.ul(Blob.u32(d, bigEndian, 20));
        this.addedStrings = StringTable.after(stringLength);
    }

    /** The BTF being patched. */
    public Btf btf() {
        return btf;
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
        sizeOrType(id, (int) size);
        for (int i = 0; i < entries.size(); i++) {
            BtfType.DatasecEntry entry = entries.get(i);
            word(id, 3 * i, entry.type());
            word(id, 3 * i + 1, (int) entry.offset());
            word(id, 3 * i + 2, (int) entry.size());
        }
        return this;
    }

    /** Gives type {@code id} a new kind, {@code vlen} and kind flag (its info word). */
    public BtfPatch info(int id, BtfKind kind, int vlen, boolean kindFlag) {
        return set(btf.typeOffset(checked(id)) + 4, infoWord(kind, vlen, kindFlag));
    }

    /** Gives type {@code id} a new name (a string offset). */
    public BtfPatch name(int id, int nameOffset) {
        return set(btf.typeOffset(checked(id)), nameOffset);
    }

    /** Gives type {@code id} a new size or referenced type (the third word of its header). */
    public BtfPatch sizeOrType(int id, int value) {
        return set(btf.typeOffset(checked(id)) + 8, value);
    }

    /**
     * Sets word {@code index} of the data that follows type {@code id}'s header (a member is
     * three words, a parameter two, a VAR's linkage one, ...).
     *
     * @throws IllegalArgumentException when the type has no such word
     */
    public BtfPatch word(int id, int index, int value) {
        long at = btf.typeOffset(checked(id)) + Btf.TYPE_HEADER_SIZE + 4L * index;
        long end = id + 1 < btf.typeCount() ? btf.typeOffset(id + 1) : typeStart + typeLength;
        if (index < 0 || at + 4 > end) {
            throw new IllegalArgumentException("type [" + id + "] (" + btf.kind(id) + ") has no word " + index);
        }
        return set(at, value);
    }

    /** Type {@code id}'s name as a string offset: an added type's, or the original's (not a patched name). */
    public int nameOffset(int id) {
        int added = id - btf.typeCount();
        if (added >= 0 && added < addedTypes.size()) {
            return addedTypes.get(added)[0];
        }
        return btf.nameOffset(checked(id));
    }

    /** Word {@code index} after type {@code id}'s header as patched so far, or empty where unpatched. */
    public OptionalInt patchedWord(int id, int index) {
        Integer v = words.get(btf.typeOffset(checked(id)) + Btf.TYPE_HEADER_SIZE + 4L * index);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** The offset of {@code s} in the patched string section, adding it once if it is new. */
    public int addString(String s) {
        return addedStrings.add(s);
    }

    /**
     * Appends a type: its header and the words that follow it. Returns its id, which follows
     * every id of the original and of types added before.
     */
    public int addType(int nameOffset, BtfKind kind, int vlen, boolean kindFlag, int sizeOrType, int... data) {
        int[] t = new int[3 + data.length];
        t[0] = nameOffset;
        t[1] = infoWord(kind, vlen, kindFlag);
        t[2] = sizeOrType;
        System.arraycopy(data, 0, t, 3, data.length);
        addedTypes.add(t);
        addedTypeBytes += 4L * t.length;
        return btf.typeCount() + addedTypes.size() - 1;
    }

    /** The patched blob's size in bytes: a 24-byte header, the types, the strings. */
    public long size() {
        return Btf.HEADER_SIZE + typeLength + addedTypeBytes + stringLength + addedStrings.size();
    }

    /**
     * Writes the patched blob to the start of {@code dst} (at least {@link #size()} bytes), in
     * the original byte order: for a loader that hands it to the kernel, with no array between.
     * The header is the 24-byte one every kernel with BTF reads; fields a newer format appends
     * to it are not carried over.
     */
    public void writeTo(MemorySegment dst) {
        MemorySegment src = btf.data();
        MemorySegment.copy(src, 0, dst, 0, 4); // magic, version, flags
        long types = typeLength + addedTypeBytes;
        long strings = stringLength + addedStrings.size();
        Blob.putU32(dst, bigEndian, 4, Btf.HEADER_SIZE);
        Blob.putU32(dst, bigEndian, 8, 0);
        Blob.putU32(dst, bigEndian, 12, (int) types);
        Blob.putU32(dst, bigEndian, 16, (int) types);
        Blob.putU32(dst, bigEndian, 20, (int) strings);
        long out = Btf.HEADER_SIZE;
        MemorySegment.copy(src, typeStart, dst, out, typeLength);
        for (Map.Entry<Long, Integer> w : words.entrySet()) {
            Blob.putU32(dst, bigEndian, out + w.getKey() - typeStart, w.getValue());
        }
        out += typeLength;
        for (int[] t : addedTypes) {
            for (int v : t) {
                Blob.putU32(dst, bigEndian, out, v);
                out += 4;
            }
        }
        MemorySegment.copy(src, stringStart, dst, out, stringLength);
        out += stringLength;
        byte[] more = addedStrings.bytes();
        MemorySegment.copy(MemorySegment.ofArray(more), 0, dst, out, more.length);
    }

    private BtfPatch set(long at, int value) {
        words.put(at, value);
        return this;
    }

    private int checked(int id) {
        if (id < 1 || id >= btf.typeCount()) {
            throw new IllegalArgumentException("there is no type [" + id + "] to patch (the last is "
                    + (btf.typeCount() - 1) + ")");
        }
        return id;
    }

    private static int infoWord(BtfKind kind, int vlen, boolean kindFlag) {
        if (vlen < 0 || vlen > 0xffff) {
            throw new IllegalArgumentException("vlen " + vlen + " does not fit in 16 bits");
        }
        return (kindFlag ? 1 << 31 : 0) | kind.code() << 24 | vlen;
    }
}
