package io.bpfkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes raw BTF blobs word by word for tests: each type is its three header words and the
 * words that follow, unchecked, so a test can write cycles and other things no compiler would.
 */
public final class RawBtf {
    public static final int INT = 1;
    public static final int PTR = 2;
    public static final int ARRAY = 3;
    public static final int STRUCT = 4;
    public static final int UNION = 5;
    public static final int ENUM = 6;
    public static final int FWD = 7;
    public static final int TYPEDEF = 8;
    public static final int VOLATILE = 9;
    public static final int CONST = 10;
    public static final int RESTRICT = 11;
    public static final int FUNC = 12;
    public static final int FUNC_PROTO = 13;
    public static final int VAR = 14;
    public static final int DATASEC = 15;
    public static final int TYPE_TAG = 18;

    private final ByteOrder order;
    private final ByteArrayOutputStream types = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private int next = 1;

    public RawBtf(ByteOrder order) {
        this.order = order;
        strings.write(0);
    }

    /** Adds a string; returns its offset. */
    public int string(String s) {
        int off = strings.size();
        strings.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_8));
        return off;
    }

    /** Adds a type: name offset, kind, vlen, kind_flag, size-or-type, then the words that follow; returns its id. */
    public int type(int nameOff, int kind, int vlen, boolean kflag, int sizeOrType, int... extra) {
        word(nameOff);
        word((kflag ? 1 << 31 : 0) | kind << 24 | (vlen & 0xffff));
        word(sizeOrType);
        for (int w : extra) {
            word(w);
        }
        return next++;
    }

    /** The id the next type will get. */
    public int nextId() {
        return next;
    }

    private void word(int w) {
        byte[] b = new byte[4];
        Bytes.put(b, 0, 4, w, order);
        types.writeBytes(b);
    }

    /** The blob: 24-byte header, types, strings. */
    public byte[] bytes() {
        byte[] t = types.toByteArray();
        byte[] s = strings.toByteArray();
        byte[] out = new byte[24 + t.length + s.length];
        Bytes.put(out, 0, 2, 0xeb9f, order);
        out[2] = 1;
        Bytes.put(out, 4, 4, 24, order);
        Bytes.put(out, 8, 4, 0, order);
        Bytes.put(out, 12, 4, t.length, order);
        Bytes.put(out, 16, 4, t.length, order);
        Bytes.put(out, 20, 4, s.length, order);
        System.arraycopy(t, 0, out, 24, t.length);
        System.arraycopy(s, 0, out, 24 + t.length, s.length);
        return out;
    }
}
