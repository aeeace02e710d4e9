package io.bpfkit.btf;

import io.bpfkit.elf.CStrings;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes BTF as text, byte for byte what {@code bpftool btf dump file FILE} prints (its default
 * "raw" format, bpftool v7.1): one line per type, {@code [id] KIND 'name' details}, and one
 * tab-indented line per member, parameter, enumerator or section variable.
 *
 * <p>Names are copied as the raw bytes of the string section, as bpftool's {@code printf}
 * does, so the bytes match even for names that are not valid UTF-8. For split BTF only the
 * split part's types are written, as bpftool does. A member, parameter, enumerator or section
 * entry with a name offset or type id out of range (see {@link Btf#validate()}) stops the dump
 * with an {@link io.bpfkit.api.ObjectFormatException} (a stream then holds an incomplete dump).
 *
 * <pre>{@code
 * Btf btf = Btf.parse(raw);
 * try (OutputStream out = Files.newOutputStream(Path.of("types.txt"))) {
 *     BtfDump.dump(btf, out);
 * }
 * System.out.print(BtfDump.dumpType(btf, 1)); // "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
 * }</pre>
 */
public final class BtfDump {
    private static final int FLUSH_AT = 1 << 16;

    private static final byte[][] KIND_LABELS = new byte[BtfKind.count()][];

    static {
        for (BtfKind k : BtfKind.values()) {
            KIND_LABELS[k.code()] = ascii(k.label());
        }
    }

    private static final byte[] ANON = ascii("(anon)");
    private static final byte[][] INT_ENCODINGS = {
        ascii("(none)"), ascii("SIGNED"), ascii("CHAR"), ascii("UNKN"), ascii("BOOL"),
    };
    private static final byte[] UNKN = ascii("UNKN");
    private static final byte[][] LINKAGES = {ascii("static"), ascii("global"), ascii("extern")};
    private static final byte[] UNKNOWN_LINKAGE = ascii("(unknown)");

    private final Btf btf;
    private final MemorySegment data;
    private final boolean be;
    private final OutputStream target;
    private byte[] buf = new byte[FLUSH_AT + 4096];
    private int pos;

    private BtfDump(Btf btf, OutputStream target) {
        this.btf = btf;
        this.data = btf.data();
        this.be = btf.isBigEndian();
        this.target = target;
    }

    /** Writes every type stored in {@code btf} to {@code out} (buffered; {@code out} is not closed). */
    public static void dump(Btf btf, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        BtfDump d = new BtfDump(Objects.requireNonNull(btf, "btf"), out);
        for (int id = btf.firstId(), end = btf.typeCount(); id < end; id++) {
            d.type(id);
            if (d.pos >= FLUSH_AT) {
                d.flush();
            }
        }
        d.flush();
    }

    /** Every type stored in {@code btf}, as the bytes bpftool prints. */
    public static byte[] dumpBytes(Btf btf) {
        Objects.requireNonNull(btf, "btf");
        BtfDump d = new BtfDump(btf, null);
        for (int id = btf.firstId(), end = btf.typeCount(); id < end; id++) {
            d.type(id);
        }
        return Arrays.copyOf(d.buf, d.pos);
    }

    /** Every type stored in {@code btf}, as text (names decoded as UTF-8). */
    public static String dump(Btf btf) {
        return new String(dumpBytes(btf), StandardCharsets.UTF_8);
    }

    /**
     * One type, as bpftool prints it for {@code bpftool btf dump ... root_id} style output:
     * its line and its member lines, each ending in a newline.
     *
     * @throws io.bpfkit.api.ObjectFormatException when there is no such type (void included:
     *     bpftool never prints type 0)
     */
    public static String dumpType(Btf btf, int id) {
        Objects.requireNonNull(btf, "btf");
        if (id <= 0 || id >= btf.typeCount()) {
            throw Btf.bad(-1, "there is no type [" + id + "] to dump (ids run from 1 to " + (btf.typeCount() - 1) + ")");
        }
        Btf owner = btf;
        while (id < owner.firstId()) {
            owner = owner.base().orElseThrow();
        }
        BtfDump d = new BtfDump(owner, null);
        d.type(id);
        return new String(d.buf, 0, d.pos, StandardCharsets.UTF_8);
    }

    private void flush() throws IOException {
        if (target != null) {
            target.write(buf, 0, pos);
            pos = 0;
        }
    }

    private int u32(long at) {
        return Blob.u32(data, be, at);
    }

    /** Mirrors bpftool's dump_btf_type() for the plain-text case. */
    private void type(int id) {
        long at = btf.typeOffset(id);
        int info = u32(at + 4);
        int st = u32(at + 8);
        int kind = (info >>> 24) & 0x1f;
        int vlen = info & 0xffff;
        boolean kflag = info < 0;
        long p = at + Btf.TYPE_HEADER_SIZE;

        put('[');
        putU32(id);
        put(']');
        put(' ');
        put(KIND_LABELS[kind]);
        put(' ');
        putName(u32(at));
        switch (kind) {
            case Btf.K_INT -> {
                int v = u32(p);
                int enc = (v >>> 24) & 0x0f;
                put(" size=");
                putU32(st);
                put(" bits_offset=");
                putU32((v >>> 16) & 0xff);
                put(" nr_bits=");
                putU32(v & 0xff);
                put(" encoding=");
                put(enc < INT_ENCODINGS.length ? INT_ENCODINGS[enc] : UNKN);
            }
            case Btf.K_PTR, Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPEDEF, Btf.K_TYPE_TAG -> {
                put(" type_id=");
                putU32(st);
            }
            case Btf.K_ARRAY -> {
                put(" type_id=");
                putU32(u32(p));
                put(" index_type_id=");
                putU32(u32(p + 4));
                put(" nr_elems=");
                putU32(u32(p + 8));
            }
            case Btf.K_STRUCT, Btf.K_UNION -> {
                put(" size=");
                putU32(st);
                put(" vlen=");
                putU32(vlen);
                for (int i = 0; i < vlen; i++, p += 12) {
                    int off = u32(p + 8);
                    put("\n\t");
                    putName(btf.checkedName(p, id));
                    put(" type_id=");
                    putU32(btf.checkedRef(p + 4, id));
                    put(" bits_offset=");
                    if (kflag) {
                        putU32(off & 0xffffff);
                        if (off >>> 24 != 0) {
                            put(" bitfield_size=");
                            putU32(off >>> 24);
                        }
                    } else {
                        putU32(off);
                    }
                }
            }
            case Btf.K_ENUM -> {
                put(kflag ? " encoding=SIGNED size=" : " encoding=UNSIGNED size=");
                putU32(st);
                put(" vlen=");
                putU32(vlen);
                for (int i = 0; i < vlen; i++, p += 8) {
                    put("\n\t");
                    putName(btf.checkedName(p, id));
                    put(" val=");
                    int v = u32(p + 4);
                    if (kflag) {
                        putLong(v);
                    } else {
                        putU32(v);
                    }
                }
            }
            case Btf.K_ENUM64 -> {
                put(kflag ? " encoding=SIGNED size=" : " encoding=UNSIGNED size=");
                putU32(st);
                put(" vlen=");
                putU32(vlen);
                for (int i = 0; i < vlen; i++, p += 12) {
                    put("\n\t");
                    putName(btf.checkedName(p, id));
                    put(" val=");
                    long v = ((long) u32(p + 8) << 32) | Btf.ul(u32(p + 4));
                    if (kflag) {
                        putLong(v);
                        put("LL");
                    } else {
                        put(ascii(Long.toUnsignedString(v)));
                        put("ULL");
                    }
                }
            }
            case Btf.K_FWD -> put(kflag ? " fwd_kind=union" : " fwd_kind=struct");
            case Btf.K_FUNC -> {
                put(" type_id=");
                putU32(st);
                put(" linkage=");
                put(vlen < LINKAGES.length ? LINKAGES[vlen] : UNKNOWN_LINKAGE);
            }
            case Btf.K_FUNC_PROTO -> {
                put(" ret_type_id=");
                putU32(st);
                put(" vlen=");
                putU32(vlen);
                for (int i = 0; i < vlen; i++, p += 8) {
                    put("\n\t");
                    putName(btf.checkedName(p, id));
                    put(" type_id=");
                    putU32(btf.checkedRef(p + 4, id));
                }
            }
            case Btf.K_VAR -> {
                int linkage = u32(p);
                put(" type_id=");
                putU32(st);
                put(", linkage=");
                put(linkage >= 0 && linkage < LINKAGES.length ? LINKAGES[linkage] : UNKNOWN_LINKAGE);
            }
            case Btf.K_DATASEC -> {
                put(" size=");
                putU32(st);
                put(" vlen=");
                putU32(vlen);
                for (int i = 0; i < vlen; i++, p += 12) {
                    int t = btf.checkedRef(p, id);
                    put("\n\ttype_id=");
                    putU32(t);
                    put(" offset=");
                    putU32(u32(p + 4));
                    put(" size=");
                    putU32(u32(p + 8));
                    // checkedRef guarantees t < typeCount, the condition bpftool tests here.
                    put(" (");
                    put(KIND_LABELS[btf.rawKind(t)]);
                    put(' ');
                    putName(btf.nameOffset(t));
                    put(')');
                }
            }
            case Btf.K_FLOAT -> {
                put(" size=");
                putU32(st);
            }
            case Btf.K_DECL_TAG -> {
                put(" type_id=");
                putU32(st);
                put(" component_idx=");
                putLong(u32(p));
            }
            default -> {
            }
        }
        put('\n');
    }

    /** A quoted name as bpftool's btf_str() gives it: offset 0 is "(anon)", even where "" is meant. */
    private void putName(int off) {
        put('\'');
        if (off == 0) {
            put(ANON);
        } else {
            MemorySegment s = btf.stringSegment(off);
            long from = btf.stringPosition(off);
            int len = CStrings.strlen(s, from, s.byteSize());
            ensure(len + 1);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, from, buf, pos, len);
            pos += len;
        }
        put('\'');
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    private void put(char c) {
        ensure(1);
        buf[pos++] = (byte) c;
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** An ASCII literal. */
    private void put(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
    }

    private void putU32(int v) {
        putLong(Btf.ul(v));
    }

    private void putLong(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                put("-9223372036854775808");
                return;
            }
            buf[pos++] = '-';
            v = -v;
        }
        if (v < 10) {
            buf[pos++] = (byte) ('0' + v);
            return;
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        int end = pos + digits;
        for (int i = end - 1; i >= pos; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        pos = end;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
