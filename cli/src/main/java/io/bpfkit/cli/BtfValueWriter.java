package io.bpfkit.cli;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Map keys and values decoded by their BTF type, as {@code bpftool map dump} decodes them
 * (its BTF dumper): structs and unions by member, arrays as lists (char arrays holding a
 * printable, terminated string as that string), enums by enumerator name (the number when
 * none matches), bools, chars, bit fields and 128-bit integers as hex, typedefs and modifiers
 * looked through, datasecs as {@code {"SECTION":[{"VAR":value},...]}}. Pointers are numbers in
 * JSON and {@code "0x..."} strings in plain text, as bpftool prints them; a function pointer's
 * program name is not looked up.
 *
 * <pre>{@code
 * JsonWriter w = new JsonWriter(false);
 * new BtfValueWriter(btf, w, false).write(valueTypeId, valueBytes, 0);
 * }</pre>
 */
final class BtfValueWriter {
    private final Btf btf;
    private final JsonWriter w;
    private final boolean plain;

    /**
     * @param plain bpftool's plain-text variant: unquoted hex for bit fields and non-printable
     *     chars, quoted hex for pointers
     */
    BtfValueWriter(Btf btf, JsonWriter w, boolean plain) {
        this.btf = btf;
        this.w = w;
        this.plain = plain;
    }

    /** Writes the value of type {@code typeId} that starts at {@code data[offset]}. */
    void write(int typeId, byte[] data, int offset) {
        write(typeId, data, offset, 0);
    }

    private void write(int typeId, byte[] data, int offset, int bitOffset) {
        BtfType t = btf.type(typeId);
        switch (t) {
            case BtfType.Int i -> integer(i, data, offset, bitOffset);
            case BtfType.Struct s -> members(s.members(), data, offset);
            case BtfType.Union u -> members(u.members(), data, offset);
            case BtfType.Array a -> array(a, data, offset);
            case BtfType.Enum e -> enumeration(e.values(), signedValue(data, offset, (int) e.size()));
            case BtfType.Enum64 e -> enumeration(e.values(), signedValue(data, offset, 8));
            case BtfType.Ptr p -> {
                long v = signedValue(data, offset, btf.pointerSize());
                if (plain) {
                    w.raw(v == 0 ? "\"(nil)\"" : "\"0x" + Long.toHexString(v) + "\"");
                } else {
                    w.unsigned(v);
                }
            }
            case BtfType.Typedef r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Const r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Volatile r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Restrict r -> write(r.type(), data, offset, bitOffset);
            case BtfType.Var v -> {
                w.beginObject().name(v.name());
                write(v.type(), data, offset, bitOffset);
                w.endObject();
            }
            case BtfType.Datasec d -> {
                w.beginObject().name(d.name()).beginArray();
                for (BtfType.DatasecEntry e : d.entries()) {
                    write(e.type(), data, offset + (int) e.offset(), 0);
                }
                w.endArray().endObject();
            }
            case BtfType.Void v -> w.raw("(unknown)");
            default -> throw new IllegalArgumentException("BTF type [" + typeId + "] (" + t.kind()
                    + ") cannot be a map key or value");
        }
    }

    private void members(java.util.List<BtfType.Member> members, byte[] data, int offset) {
        w.beginObject();
        for (BtfType.Member m : members) {
            w.name(m.name());
            int byteOffset = offset + (int) (m.bitOffset() / 8);
            int bits = (int) (m.bitOffset() % 8);
            if (m.bitfieldSize() != 0) {
                bitfield(m.bitfieldSize(), bits, data, byteOffset);
            } else {
                write(m.type(), data, byteOffset, bits);
            }
        }
        w.endObject();
    }

    private void array(BtfType.Array a, byte[] data, int offset) {
        if (isString(a, data, offset)) {
            int end = offset;
            while (data[end] != 0) {
                end++;
            }
            w.string(new String(data, offset, end - offset, java.nio.charset.StandardCharsets.ISO_8859_1));
            return;
        }
        long elementSize = btf.resolveSize(a.type());
        w.beginArray();
        for (long i = 0; i < a.elements(); i++) {
            write(a.type(), data, (int) (offset + i * elementSize), 0);
        }
        w.endArray();
    }

    /** A char array (not a typedef of char) holding printable characters up to a terminating zero. */
    private boolean isString(BtfType.Array a, byte[] data, int offset) {
        if (a.elements() == 0) {
            return false;
        }
        int element = btf.skipModifiers(a.type());
        if (!(btf.type(element) instanceof BtfType.Int i) || i.size() != 1
                || !(i.isChar() || i.name().equals("char"))) {
            return false;
        }
        for (long k = 0; k < a.elements(); k++) {
            byte b = data[(int) (offset + k)];
            if (b == 0) {
                return true;
            }
            if (b <= 0x1f || b >= 0x7f) {
                return false;
            }
        }
        return false;
    }

    private void integer(BtfType.Int t, byte[] data, int offset, int bitOffset) {
        if (bitOffset != 0 || t.bitOffset() != 0 || t.bits() % 8 != 0) {
            int total = bitOffset + t.bitOffset();
            bitfield(t.bits(), total % 8, data, offset + total / 8);
            return;
        }
        if (t.bits() == 128) {
            int128(unsignedBits(data, offset, 16, 0, 128));
            return;
        }
        if (t.isBool()) {
            w.bool(data[offset] != 0);
        } else if (t.isChar()) {
            byte c = data[offset];
            if (c >= 0x20 && c < 0x7f) {
                w.string(Character.toString((char) c));
            } else {
                w.raw(plain ? "0x" + Integer.toHexString(c & 0xff) : String.format("\"\\u00%02x\"", c & 0xff));
            }
        } else if (t.isSigned()) {
            switch (t.bits()) {
                case 8, 16, 32, 64 -> w.number(signedValue(data, offset, t.bits() / 8));
                default -> bitfield(t.bits(), 0, data, offset);
            }
        } else {
            switch (t.bits()) {
                case 8, 16, 32 -> w.number(signedValue(data, offset, t.bits() / 8) & (-1L >>> (64 - t.bits())));
                case 64 -> w.unsigned(signedValue(data, offset, 8));
                default -> bitfield(t.bits(), 0, data, offset);
            }
        }
    }

    /** {@code bits} bits starting {@code bitOffset} (0..7) bits into {@code data[offset]}, as hex. */
    private void bitfield(int bits, int bitOffset, byte[] data, int offset) {
        int bytes = (bitOffset + bits + 7) / 8;
        int128(unsignedBits(data, offset, bytes, bitOffset, bits));
    }

    private static BigInteger unsignedBits(byte[] data, int offset, int bytes, int bitOffset, int bits) {
        byte[] bigEndian = new byte[bytes + 1];
        for (int i = 0; i < bytes; i++) {
            bigEndian[bytes - i] = data[offset + i];
        }
        BigInteger v = new BigInteger(bigEndian).shiftRight(bitOffset);
        return v.and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
    }

    private void int128(BigInteger v) {
        String hex = "0x" + v.toString(16);
        w.raw(plain ? hex : "\"" + hex + "\"");
    }

    private void enumeration(java.util.List<BtfType.EnumValue> values, long value) {
        for (BtfType.EnumValue e : values) {
            if (e.value() == value) {
                w.string(e.name());
                return;
            }
        }
        w.number(value);
    }

    /** A little- or big-endian integer of {@code size} bytes (1, 2, 4 or 8), sign-extended. */
    private long signedValue(byte[] data, int offset, int size) {
        ByteBuffer b = ByteBuffer.wrap(data, offset, size).order(btf.byteOrder());
        return switch (size) {
            case 1 -> b.get();
            case 2 -> b.getShort();
            case 4 -> b.getInt();
            case 8 -> b.getLong();
            default -> throw new IllegalArgumentException("an integer of " + size + " bytes");
        };
    }
}
