package io.bpfkit.btf;

import io.bpfkit.elf.CStrings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
    // The fixed text of the lines, as bytes: copied with arraycopy, not char by char.
    private static final byte[] OPEN_PAREN = ascii(" (");
    private static final byte[] BITFIELD_SIZE = ascii(" bitfield_size=");
    private static final byte[] BITS_OFFSET = ascii(" bits_offset=");
    private static final byte[] COMPONENT_IDX = ascii(" component_idx=");
    private static final byte[] ENCODING = ascii(" encoding=");
    private static final byte[] INDEX_TYPE_ID = ascii(" index_type_id=");
    private static final byte[] LINKAGE = ascii(" linkage=");
    private static final byte[] NR_BITS = ascii(" nr_bits=");
    private static final byte[] NR_ELEMS = ascii(" nr_elems=");
    private static final byte[] OFFSET = ascii(" offset=");
    private static final byte[] RET_TYPE_ID = ascii(" ret_type_id=");
    private static final byte[] SIZE = ascii(" size=");
    private static final byte[] TYPE_ID = ascii(" type_id=");
    private static final byte[] VAL = ascii(" val=");
    private static final byte[] VLEN = ascii(" vlen=");
    private static final byte[] COMMA_LINKAGE = ascii(", linkage=");
    private static final byte[] LONG_MIN = ascii("-9223372036854775808");
    private static final byte[] LL = ascii("LL");
    private static final byte[] ULL = ascii("ULL");
    private static final byte[] ENTRY = ascii("\n\t");
    private static final byte[] ENTRY_TYPE_ID = ascii("\n\ttype_id=");
    private static final byte[] SIGNED_SIZE = ascii(" encoding=SIGNED size=");
    private static final byte[] UNSIGNED_SIZE = ascii(" encoding=UNSIGNED size=");
    private static final byte[] FWD_UNION = ascii(" fwd_kind=union");
    private static final byte[] FWD_STRUCT = ascii(" fwd_kind=struct");

    /**
     * Room kept free after every {@link #line()} check: more than the fixed text (labels,
     * numbers, punctuation) of any one line, so that writes between two checks need none of
     * their own. Names, the one part of a line without a bound, make room for themselves.
     */
    private static final int SLACK = 512;
    /** Types dumped a call: see {@link #dump(Btf, OutputStream)}. */
    private static final int CHUNK = 16;

    private final Btf btf;
    private final OutputStream target;
    private byte[] buf = new byte[FLUSH_AT + SLACK];
    private int pos;
    /**
     * The string segment names were last read from, its backing array when on the heap, and
     * where in that array the segment starts (asked once: C1 keeps its checks).
     */
    private MemorySegment namesSegment;
    private byte[] namesArray;
    private int namesStart;

    private BtfDump(Btf btf, OutputStream target) {
        this.btf = btf;
        this.target = target;
    }

    /** Writes every type stored in {@code btf} to {@code out} (buffered; {@code out} is not closed). */
    public static void dump(Btf btf, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        BtfDump d = new BtfDump(Objects.requireNonNull(btf, "btf"), out);
        d.types(btf.firstId(), btf.typeCount());
        d.flush();
    }

    /** Every type stored in {@code btf}, as the bytes bpftool prints. */
    public static byte[] dumpBytes(Btf btf) {
        Objects.requireNonNull(btf, "btf");
        BtfDump d = new BtfDump(btf, null);
        try {
            d.types(btf.firstId(), btf.typeCount());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no stream, nothing to fail: never thrown
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
        try {
            d.type(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String(d.buf, 0, d.pos, StandardCharsets.UTF_8);
    }

    /**
     * Types {@code from} to {@code to - 1}, a method call per {@link #CHUNK} of them: a cold JVM
     * compiles a called method after a hundred-odd calls, but a running loop only after some
     * 60,000 turns, which for vmlinux's 126k types left half the dump to the interpreter.
     */
    private void types(int from, int to) throws IOException {
        for (int id = from; id < to; id += CHUNK) {
            chunk(id, Math.min(to, id + CHUNK));
        }
    }

    private void chunk(int from, int to) throws IOException {
        for (int id = from; id < to; id++) {
            type(id);
        }
    }

    private void flush() throws IOException {
        if (target != null) {
            target.write(buf, 0, pos);
            pos = 0;
        }
    }

    /** Before each line: at least {@link #SLACK} bytes free, flushed or grown. */
    private void line() throws IOException {
        if (pos > FLUSH_AT) {
            room(0);
        }
    }

    /** Makes {@code more + SLACK} bytes free: flushes to the stream, or grows the buffer without one. */
    private void room(int more) throws IOException {
        flush();
        if (pos + more + SLACK > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more + SLACK));
        }
    }

    private int u32(long at) {
        return btf.u32(at);
    }

    /**
     * Mirrors bpftool's dump_btf_type() for the plain-text case. The kinds with entries have
     * methods of their own: small methods are compiled sooner than one large one.
     */
    private void type(int id) throws IOException {
        long at = btf.typeOffset(id);
        int info = u32(at + 4);
        int st = u32(at + 8);
        int kind = (info >>> 24) & 0x1f;
        int vlen = info & 0xffff;
        boolean kflag = info < 0;
        long p = at + Btf.TYPE_HEADER_SIZE;

        line();
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
                put(SIZE);
                putU32(st);
                put(BITS_OFFSET);
                putU32((v >>> 16) & 0xff);
                put(NR_BITS);
                putU32(v & 0xff);
                put(ENCODING);
                put(enc < INT_ENCODINGS.length ? INT_ENCODINGS[enc] : UNKN);
            }
            case Btf.K_PTR, Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPEDEF, Btf.K_TYPE_TAG -> {
                put(TYPE_ID);
                putU32(st);
            }
            case Btf.K_ARRAY -> {
                put(TYPE_ID);
                putU32(u32(p));
                put(INDEX_TYPE_ID);
                putU32(u32(p + 4));
                put(NR_ELEMS);
                putU32(u32(p + 8));
            }
            case Btf.K_STRUCT, Btf.K_UNION -> {
                put(SIZE);
                putU32(st);
                put(VLEN);
                putU32(vlen);
                members(id, p, vlen, kflag);
            }
            case Btf.K_ENUM -> {
                put(kflag ? SIGNED_SIZE : UNSIGNED_SIZE);
                putU32(st);
                put(VLEN);
                putU32(vlen);
                enumerators(id, p, vlen, kflag);
            }
            case Btf.K_ENUM64 -> {
                put(kflag ? SIGNED_SIZE : UNSIGNED_SIZE);
                putU32(st);
                put(VLEN);
                putU32(vlen);
                enumerators64(id, p, vlen, kflag);
            }
            case Btf.K_FWD -> put(kflag ? FWD_UNION : FWD_STRUCT);
            case Btf.K_FUNC -> {
                put(TYPE_ID);
                putU32(st);
                put(LINKAGE);
                put(vlen < LINKAGES.length ? LINKAGES[vlen] : UNKNOWN_LINKAGE);
            }
            case Btf.K_FUNC_PROTO -> {
                put(RET_TYPE_ID);
                putU32(st);
                put(VLEN);
                putU32(vlen);
                params(id, p, vlen);
            }
            case Btf.K_VAR -> {
                int linkage = u32(p);
                put(TYPE_ID);
                putU32(st);
                put(COMMA_LINKAGE);
                put(linkage >= 0 && linkage < LINKAGES.length ? LINKAGES[linkage] : UNKNOWN_LINKAGE);
            }
            case Btf.K_DATASEC -> {
                put(SIZE);
                putU32(st);
                put(VLEN);
                putU32(vlen);
                datasecEntries(id, p, vlen);
            }
            case Btf.K_FLOAT -> {
                put(SIZE);
                putU32(st);
            }
            case Btf.K_DECL_TAG -> {
                put(TYPE_ID);
                putU32(st);
                put(COMPONENT_IDX);
                putLong(u32(p));
            }
            default -> {
            }
        }
        put('\n');
    }

    private void members(int id, long p, int vlen, boolean kflag) throws IOException {
        for (int i = 0; i < vlen; i++, p += 12) {
            int off = u32(p + 8);
            line();
            put(ENTRY);
            putName(btf.checkedName(p, id));
            put(TYPE_ID);
            putU32(btf.checkedRef(p + 4, id));
            put(BITS_OFFSET);
            if (kflag) {
                putU32(off & 0xffffff);
                if (off >>> 24 != 0) {
                    put(BITFIELD_SIZE);
                    putU32(off >>> 24);
                }
            } else {
                putU32(off);
            }
        }
    }

    private void enumerators(int id, long p, int vlen, boolean kflag) throws IOException {
        for (int i = 0; i < vlen; i++, p += 8) {
            line();
            put(ENTRY);
            putName(btf.checkedName(p, id));
            put(VAL);
            int v = u32(p + 4);
            if (kflag) {
                putLong(v);
            } else {
                putU32(v);
            }
        }
    }

    private void enumerators64(int id, long p, int vlen, boolean kflag) throws IOException {
        for (int i = 0; i < vlen; i++, p += 12) {
            line();
            put(ENTRY);
            putName(btf.checkedName(p, id));
            put(VAL);
            long v = ((long) u32(p + 8) << 32) | Btf.ul(u32(p + 4));
            if (kflag) {
                putLong(v);
                put(LL);
            } else {
                put(ascii(Long.toUnsignedString(v)));
                put(ULL);
            }
        }
    }

    private void params(int id, long p, int vlen) throws IOException {
        for (int i = 0; i < vlen; i++, p += 8) {
            line();
            put(ENTRY);
            putName(btf.checkedName(p, id));
            put(TYPE_ID);
            putU32(btf.checkedRef(p + 4, id));
        }
    }

    private void datasecEntries(int id, long p, int vlen) throws IOException {
        for (int i = 0; i < vlen; i++, p += 12) {
            int t = btf.checkedRef(p, id);
            line();
            put(ENTRY_TYPE_ID);
            putU32(t);
            put(OFFSET);
            putU32(u32(p + 4));
            put(SIZE);
            putU32(u32(p + 8));
            // checkedRef guarantees t < typeCount, the condition bpftool tests here.
            put(OPEN_PAREN);
            put(KIND_LABELS[btf.rawKind(t)]);
            put(' ');
            putName(btf.nameOffset(t));
            put(')');
        }
    }

    /**
     * A quoted name as bpftool's btf_str() gives it: offset 0 is "(anon)", even where "" is
     * meant. Leaves {@link #SLACK} bytes free after it for the rest of the line.
     */
    private void putName(int off) throws IOException {
        put('\'');
        if (off == 0) {
            put(ANON);
        } else {
            MemorySegment s = btf.stringSegment(off);
            long from = btf.stringPosition(off);
            if (s != namesSegment) {
                namesSegment = s;
                namesArray = s.heapBase().orElse(null) instanceof byte[] a ? a : null;
                namesStart = namesArray != null ? (int) s.address() : 0;
            }
            if (namesArray != null) {
                // A blob read into the heap: the name straight from its array, as cold code
                // (C1) copies an array much faster than it reads a segment.
                int start = namesStart + (int) from;
                int end = start;
                while (namesArray[end] != 0) { // the string section ends in NUL (checked by parse)
                    end++;
                }
                int len = end - start;
                if (pos + len + SLACK > buf.length) {
                    room(len);
                }
                System.arraycopy(namesArray, start, buf, pos, len);
                pos += len;
            } else {
                int len = CStrings.strlen(s, from, s.byteSize());
                if (pos + len + SLACK > buf.length) {
                    room(len);
                }
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, from, buf, pos, len);
                pos += len;
            }
        }
        put('\'');
    }

    private void put(char c) {
        buf[pos++] = (byte) c;
    }

    private void put(byte[] b) {
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void putU32(int v) {
        putLong(Btf.ul(v));
    }

    private void putLong(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                put(LONG_MIN);
                return;
            }
            buf[pos++] = '-';
            v = -v;
        }
        if (v < 10) {
            buf[pos++] = (byte) ('0' + v);
            return;
        }
        if (v <= 0xFFFF_FFFFL) {
            putU32Digits(v);
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

    /**
     * The digits of {@code 10 <= v < 2^32} (nearly every number a dump prints), dividing by ten
     * as a multiply and a shift (exact below 2^32): a cold JVM runs this on C1, which divides
     * by a constant with a division.
     */
    private void putU32Digits(long v) {
        int digits = v < 100 ? 2 : v < 1000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
                : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
        int end = pos + digits;
        for (int i = end - 1; i > pos; i--) {
            long q = (v * 0xCCCC_CCCDL) >>> 35;
            buf[i] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        buf[pos] = (byte) ('0' + v);
        pos = end;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
