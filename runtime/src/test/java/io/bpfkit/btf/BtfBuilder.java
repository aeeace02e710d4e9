package io.bpfkit.btf;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds BTF blobs word by word for tests: each type is its three header words plus the words
 * that follow, so tests can also write what no compiler would.
 */
public final class BtfBuilder {
    private final ByteOrder order;
    private final int firstId;
    private final int strBase;
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final List<int[]> types = new ArrayList<>();

    public BtfBuilder() {
        this(ByteOrder.LITTLE_ENDIAN);
    }

    public BtfBuilder(ByteOrder order) {
        this(order, 1, 0);
    }

    private BtfBuilder(ByteOrder order, int firstId, int strBase) {
        this.order = order;
        this.firstId = firstId;
        this.strBase = strBase;
        if (strBase == 0) {
            strings.write(0);
            stringOffsets.put("", 0);
        }
    }

    /** A builder for split BTF over {@code base}: ids and string offsets continue after it. */
    public static BtfBuilder splitOver(Btf base) {
        return new BtfBuilder(base.byteOrder(), base.typeCount(), base.stringsEnd());
    }

    /** Offset of {@code s}, added once; "" is offset 0 (in split BTF, the base's empty string). */
    public int str(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Integer off = stringOffsets.get(s);
        if (off == null) {
            off = strBase + strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            stringOffsets.put(s, off);
        }
        return off;
    }

    static int info(int kind, int vlen, boolean kflag) {
        return (kflag ? 1 << 31 : 0) | kind << 24 | vlen;
    }

    /** Adds a type from raw words; returns its id. */
    public int raw(int nameOff, int info, int sizeOrType, int... rest) {
        int[] words = new int[3 + rest.length];
        words[0] = nameOff;
        words[1] = info;
        words[2] = sizeOrType;
        System.arraycopy(rest, 0, words, 3, rest.length);
        types.add(words);
        return firstId + types.size() - 1;
    }

    public int add(int kind, String name, int vlen, boolean kflag, int sizeOrType, int... rest) {
        return raw(str(name), info(kind, vlen, kflag), sizeOrType, rest);
    }

    public int integer(String name, int size, int encoding, int bitOffset, int bits) {
        return add(Btf.K_INT, name, 0, false, size, encoding << 24 | bitOffset << 16 | bits);
    }

    public int ptr(int type) {
        return add(Btf.K_PTR, "", 0, false, type);
    }

    public int array(int elem, int index, int n) {
        return add(Btf.K_ARRAY, "", 0, false, 0, elem, index, n);
    }

    /** Members as (name, type, offset word) triples. */
    public int composite(int kind, String name, int size, boolean kflag, Object... members) {
        int n = members.length / 3;
        int[] words = new int[n * 3];
        for (int i = 0; i < n; i++) {
            words[3 * i] = str((String) members[3 * i]);
            words[3 * i + 1] = (Integer) members[3 * i + 1];
            words[3 * i + 2] = (Integer) members[3 * i + 2];
        }
        return add(kind, name, n, kflag, size, words);
    }

    /** Enumerators as (name, value) pairs. */
    public int enum32(String name, int size, boolean signed, Object... values) {
        int n = values.length / 2;
        int[] words = new int[n * 2];
        for (int i = 0; i < n; i++) {
            words[2 * i] = str((String) values[2 * i]);
            words[2 * i + 1] = (Integer) values[2 * i + 1];
        }
        return add(Btf.K_ENUM, name, n, signed, size, words);
    }

    /** Enumerators as (name, value) pairs. */
    public int enum64(String name, int size, boolean signed, Object... values) {
        int n = values.length / 2;
        int[] words = new int[n * 3];
        for (int i = 0; i < n; i++) {
            long v = (Long) values[2 * i + 1];
            words[3 * i] = str((String) values[2 * i]);
            words[3 * i + 1] = (int) v;
            words[3 * i + 2] = (int) (v >>> 32);
        }
        return add(Btf.K_ENUM64, name, n, signed, size, words);
    }

    public int ref(int kind, String name, int type) {
        return add(kind, name, 0, false, type);
    }

    public int func(String name, int proto, int linkage) {
        return add(Btf.K_FUNC, name, linkage, false, proto);
    }

    /** Parameters as (name, type) pairs. */
    public int funcProto(int ret, Object... params) {
        int n = params.length / 2;
        int[] words = new int[n * 2];
        for (int i = 0; i < n; i++) {
            words[2 * i] = str((String) params[2 * i]);
            words[2 * i + 1] = (Integer) params[2 * i + 1];
        }
        return add(Btf.K_FUNC_PROTO, "", n, false, ret, words);
    }

    public int var(String name, int type, int linkage) {
        return add(Btf.K_VAR, name, 0, false, type, linkage);
    }

    /** Entries as (type, offset, size) triples. */
    public int datasec(String name, int size, int... entries) {
        return add(Btf.K_DATASEC, name, entries.length / 3, false, size, entries);
    }

    public int fwd(String name, boolean union) {
        return add(Btf.K_FWD, name, 0, union, 0);
    }

    public int floating(String name, int size) {
        return add(Btf.K_FLOAT, name, 0, false, size);
    }

    public int declTag(String name, int type, int component) {
        return add(Btf.K_DECL_TAG, name, 0, false, type, component);
    }

    /** The blob: a 24-byte header, the types, the strings. */
    public byte[] build() {
        int typeLen = 0;
        for (int[] t : types) {
            typeLen += 4 * t.length;
        }
        byte[] strs = strings.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(24 + typeLen + strs.length).order(order);
        b.putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(strs.length);
        for (int[] t : types) {
            for (int w : t) {
                b.putInt(w);
            }
        }
        b.put(strs);
        return b.array();
    }

    public Btf parse() {
        return Btf.parse(MemorySegment.ofArray(build()));
    }

    public Btf parse(Btf base) {
        return Btf.parse(MemorySegment.ofArray(build()), base);
    }

    /** Overwrites the u32 at {@code offset} in the blob's byte order. */
    static byte[] putU32(byte[] blob, int offset, int value) {
        byte[] copy = blob.clone();
        ByteBuffer.wrap(copy).order(orderOf(blob)).putInt(offset, value);
        return copy;
    }

    static ByteOrder orderOf(byte[] blob) {
        return (blob[0] & 0xff) == 0x9f ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }
}
