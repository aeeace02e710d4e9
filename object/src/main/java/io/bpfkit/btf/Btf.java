package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed BTF blob: the {@code .BTF} section of an eBPF object, or a whole kernel BTF file
 * such as {@code /sys/kernel/btf/vmlinux}. Either byte order is read, as the magic announces.
 *
 * <p>{@link #parse} makes one validating pass over the blob: header, section bounds, every
 * type's kind and length, and the name and type ids in the fixed part of every type, so that
 * lookups by name, {@link #kind}, {@link #resolveSize} and the like can trust what they read.
 * The entries after a type (members, parameters, enumerators, section entries) are checked
 * when first read, by {@link #type} and {@link BtfDump}, or all at once by {@link #validate()}:
 * that halves the cost of parsing vmlinux, where few types are ever decoded. Either way a bad
 * offset or id is an {@link ObjectFormatException}, never an out-of-bounds read.
 *
 * <p>Types are decoded into {@link BtfType} records on first use and kept; the name index is
 * built on the first lookup.
 *
 * <p>The type section is copied once into an array of 32-bit words (a cold JVM reads an
 * array much faster than a memory segment); the strings are read in place: the segment must
 * stay alive and unchanged as long as this object is used. A {@code Btf} is safe to use from several threads.
 *
 * <pre>{@code
 * Btf vmlinux = Btf.parse(MemorySegment.ofArray(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"))));
 * BtfType.Struct task = (BtfType.Struct) vmlinux.find("task_struct", BtfKind.STRUCT).orElseThrow();
 * long size = vmlinux.resolveSize(task.id());
 * int pidType = vmlinux.skipModifiersAndTypedefs(task.members().get(0).type());
 * }</pre>
 */
public final class Btf {
    /** The section name errors are reported against. */
    static final String SECTION = ".BTF";
    static final int HEADER_SIZE = 24;
    static final int TYPE_HEADER_SIZE = 12;
    /** How far typedef/modifier/array chains are followed; libbpf's limit too. */
    public static final int MAX_CHAIN_DEPTH = 32;

    static final int K_VOID = 0;
    static final int K_INT = 1;
    static final int K_PTR = 2;
    static final int K_ARRAY = 3;
    static final int K_STRUCT = 4;
    static final int K_UNION = 5;
    static final int K_ENUM = 6;
    static final int K_FWD = 7;
    static final int K_TYPEDEF = 8;
    static final int K_VOLATILE = 9;
    static final int K_CONST = 10;
    static final int K_RESTRICT = 11;
    static final int K_FUNC = 12;
    static final int K_FUNC_PROTO = 13;
    static final int K_VAR = 14;
    static final int K_DATASEC = 15;
    static final int K_FLOAT = 16;
    static final int K_DECL_TAG = 17;
    static final int K_TYPE_TAG = 18;
    static final int K_ENUM64 = 19;

    private static final long U32_MAX = 0xFFFF_FFFFL;

    private final MemorySegment data;
    private final boolean bigEndian;
    private final Btf base;
    /** The first id stored here: 1, or the base's type count for split BTF. */
    private final int firstId;
    /** Types stored here (not counting void or the base's types). */
    private final int count;
    private final long typeStart;
    /**
     * The type section as 32-bit words in the blob's byte order, copied once: every field of
     * the type section is a 32-bit word at a multiple of 4 from its start, and an array read
     * costs a cold JVM (interpreter, C1) a fraction of a memory-segment read with its checks.
     */
    private final int[] words;
    /** Offset of each type stored here, relative to typeStart; may be longer than count. */
    private final int[] offsets;
    private final int strLen;
    /** String offsets below this are the base's; ours start here. */
    private final int strBase;
    private final MemorySegment strings;
    /** The array behind {@link #strings} when the blob is on the heap, else null; and where in it they start. */
    private final byte[] stringArray;
    private final int stringArrayStart;

    // Caches: filled lazily, racily but safely (the records are immutable, the arrays only
    // ever go from null to a complete value).
    private BtfType[] decoded;
    private NameIndex names;
    private int[] flavored;
    private int pointerSize;

    private Btf(MemorySegment data, Btf base) {
        this.data = data;
        this.base = base;
        this.firstId = base == null ? 1 : base.typeCount();
        this.strBase = base == null ? 0 : base.stringsEnd();

        long size = data.byteSize();
        if (size < HEADER_SIZE) {
            throw bad(0, "the 24-byte BTF header does not fit: the blob has " + size + " bytes");
        }
        boolean be = Blob.bigEndianFromMagic(data, SECTION);
        this.bigEndian = be;
        int version = Blob.u8(data, 2);
        if (version != 1) {
            throw bad(2, "BTF version " + version + " is not supported (only version 1 exists)");
        }
        int flags = Blob.u8(data, 3);
        if (flags != 0) {
            throw bad(3, "BTF header flags 0x" + Integer.toHexString(flags) + " are not supported (must be 0)");
        }
        long hdrLen = ul(Blob.u32(data, be, 4));
        if (hdrLen < HEADER_SIZE) {
            throw bad(4, "header length " + hdrLen + " is shorter than the 24-byte BTF header");
        }
        if (hdrLen > size) {
            throw bad(4, "header length " + hdrLen + " runs past the end of the blob (" + size + " bytes)");
        }
        long typeOff = ul(Blob.u32(data, be, 8));
        long typeLen = ul(Blob.u32(data, be, 12));
        long strOff = ul(Blob.u32(data, be, 16));
        long strLength = ul(Blob.u32(data, be, 20));
        if ((typeOff & 3) != 0) {
            throw bad(8, "type section offset " + typeOff + " is not 4-byte aligned");
        }
        long ts = hdrLen + typeOff;
        if (ts + typeLen > size) {
            throw bad(8, "type section (offset " + typeOff + ", length " + typeLen + ", after a " + hdrLen
                    + "-byte header) runs past the end of the blob (" + size + " bytes)");
        }
        long ss = hdrLen + strOff;
        if (ss + strLength > size) {
            throw bad(16, "string section (offset " + strOff + ", length " + strLength + ", after a " + hdrLen
                    + "-byte header) runs past the end of the blob (" + size + " bytes)");
        }
        if (typeLen > 0 && strLength > 0 && ts < ss + strLength && ss < ts + typeLen) {
            throw bad(16, "string section (offset " + strOff + ", length " + strLength
                    + ") overlaps the type section (offset " + typeOff + ", length " + typeLen + ")");
        }
        if (typeLen > Integer.MAX_VALUE) {
            throw bad(12, "type section length " + typeLen + " is over the 2 GiB this reader supports");
        }
        if (strBase + strLength > Integer.MAX_VALUE) {
            throw bad(20, "string section length " + strLength + " is over BTF's 2 GiB limit");
        }
        if (base == null && strLength == 0) {
            throw bad(20, "the string section is empty; it must hold at least the empty string");
        }
        if (base == null && data.get(ValueLayout.JAVA_BYTE, ss) != 0) {
            throw bad(ss, "the string section does not start with the empty string");
        }
        if (strLength > 0 && data.get(ValueLayout.JAVA_BYTE, ss + strLength - 1) != 0) {
            throw bad(ss + strLength - 1, "the string section does not end with a NUL byte");
        }
        this.typeStart = ts;
        this.strLen = (int) strLength;
        this.strings = data.asSlice(ss, strLength);
        this.stringArray = strings.heapBase().orElse(null) instanceof byte[] a ? a : null;
        this.stringArrayStart = stringArray != null ? (int) strings.address() : 0;

        this.words = new int[(int) (typeLen >>> 2)];
        MemorySegment.copy(data, be ? Blob.INT_BE : Blob.INT_LE, ts, words, 0, words.length);
        Scan scan = scanTypes(words, ts, (int) typeLen, firstId);
        this.offsets = scan.offsets;
        this.count = scan.count;
        if (scan.maxName >= stringsEnd() || scan.maxRef >= typeCount()) {
            throw locateBadReference();
        }
    }

    /**
     * Parses a complete BTF blob.
     *
     * @throws ObjectFormatException when the blob is truncated, inconsistent or not BTF
     */
    public static Btf parse(MemorySegment raw) {
        return new Btf(Objects.requireNonNull(raw, "raw"), null);
    }

    /**
     * Parses split BTF (a kernel module's, from {@code /sys/kernel/btf/MODULE}) on top of its
     * base (vmlinux): its type ids continue after the base's last id and its string offsets
     * after the base's strings. Lookups and {@link #type} see the base's types too.
     *
     * @param base the BTF this blob was split from, or null for a complete blob
     * @throws ObjectFormatException when the blob is truncated, inconsistent or not BTF
     */
    public static Btf parse(MemorySegment raw, Btf base) {
        return new Btf(Objects.requireNonNull(raw, "raw"), base);
    }

    /** Types the scan's inner method reads a call: see {@link #scanTypes}. */
    private static final int SCAN_CHUNK = 16;

    private static final class Scan {
        int[] offsets;
        int count;
        long maxRef;
        long maxName;

        /** Reads up to {@link #SCAN_CHUNK} types from byte {@code pos}; returns where the next one starts. */
        int types(int[] w, long ts, int len, int pos, int first) {
            int[] offs = offsets;
            int n = count;
            long maxRef = this.maxRef;
            long maxName = this.maxName;
            // The error paths are separate methods: the loop body stays small enough to compile well.
            // pos counts bytes from the type section's start (ts in the blob); w is indexed by pos / 4.
            for (int k = 0; k < SCAN_CHUNK && pos < len; k++) {
                if (len - pos < TYPE_HEADER_SIZE) {
                    throw cutOff(ts + pos, first + n, len - pos);
                }
                int i = pos >>> 2;
                int info = w[i + 1];
                int st = w[i + 2];
                maxName = Math.max(maxName, ul(w[i]));
                int kind = (info >>> 24) & 0x1f;
                int vlen = info & 0xffff;
                int extra;
                switch (kind) {
                    case K_INT -> extra = 4;
                    case K_PTR, K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT, K_TYPE_TAG -> {
                        extra = 0;
                        maxRef = Math.max(maxRef, ul(st));
                    }
                    case K_FUNC -> {
                        if (vlen > 2) {
                            throw badLinkage(ts + pos + 4, first + n, "FUNC", vlen);
                        }
                        extra = 0;
                        maxRef = Math.max(maxRef, ul(st));
                    }
                    case K_FWD, K_FLOAT -> extra = 0;
                    case K_ARRAY -> extra = 12;
                    case K_STRUCT, K_UNION, K_ENUM64, K_DATASEC -> extra = 12 * vlen;
                    case K_ENUM -> extra = 8 * vlen;
                    case K_FUNC_PROTO -> {
                        extra = 8 * vlen;
                        maxRef = Math.max(maxRef, ul(st));
                    }
                    case K_VAR, K_DECL_TAG -> {
                        extra = 4;
                        maxRef = Math.max(maxRef, ul(st));
                    }
                    default -> throw unknownKind(ts + pos + 4, first + n, kind);
                }
                if (extra > len - pos - TYPE_HEADER_SIZE) {
                    throw tooLong(ts + pos, first + n, kind, vlen, extra, len - pos);
                }
                // Members, parameters, enumerators and section entries are checked when first read
                // (see checkedName/checkedRef): reading them all here would double the cost of
                // parsing vmlinux, and most of them are never looked at.
                int p = i + 3;
                if (kind == K_ARRAY) {
                    maxRef = Math.max(maxRef, Math.max(ul(w[p]), ul(w[p + 1])));
                } else if (kind == K_VAR) {
                    int linkage = w[p];
                    if (Integer.compareUnsigned(linkage, 2) > 0) {
                        throw badLinkage(ts + pos + TYPE_HEADER_SIZE, first + n, "VAR", linkage);
                    }
                } else if (kind == K_DECL_TAG) {
                    int component = w[p];
                    if (component < -1) {
                        throw badComponent(ts + pos + TYPE_HEADER_SIZE, first + n, component);
                    }
                }
                if (n == offs.length) {
                    offs = Arrays.copyOf(offs, n + (n >> 1) + 16);
                }
                offs[n++] = pos;
                pos += TYPE_HEADER_SIZE + extra;
            }
            offsets = offs;
            count = n;
            this.maxRef = maxRef;
            this.maxName = maxName;
            return pos;
        }
    }

    /**
     * The validating pass: finds every type's offset, checks its kind and its length against
     * the bytes left, and notes the largest name offset and type id in the fixed part of each
     * type. Those two are compared with their limits once, at the end (ids may point forward,
     * so the id limit is only known then anyway); if one is over, a slower second pass finds
     * where.
     *
     * <p>The loop calls a method for every {@link #SCAN_CHUNK} types rather than holding the
     * work itself: a cold JVM compiles a method after a hundred-odd calls, but replaces a
     * running loop with compiled code only after ~60,000 turns, which for vmlinux's 126k types
     * left half the scan to the interpreter.
     */
    private static Scan scanTypes(int[] w, long ts, int len, int first) {
        Scan s = new Scan();
        // A guess from vmlinux's average of ~36 bytes a type; grown if the blob is denser.
        s.offsets = new int[Math.max(16, len / 32)];
        int pos = 0;
        while (pos < len) {
            pos = s.types(w, ts, len, pos, first);
        }
        if ((long) first + s.count > Integer.MAX_VALUE) {
            throw bad(12, "more types than type ids can number");
        }
        return s;
    }

    private static ObjectFormatException cutOff(long at, int id, int left) {
        return bad(at, "type [" + id + "] is cut off: its 12-byte header needs more than the " + left
                + " bytes left in the type section");
    }

    private static ObjectFormatException badLinkage(long at, int id, String kind, int linkage) {
        return bad(at, "type [" + id + "] (" + kind + ") has linkage " + Integer.toUnsignedString(linkage)
                + "; BTF defines 0 (static), 1 (global) and 2 (extern)");
    }

    private static ObjectFormatException badComponent(long at, int id, int component) {
        return bad(at, "type [" + id + "] (DECL_TAG) has component index " + component
                + "; it must be -1 (the type itself) or a member or parameter index");
    }

    private static ObjectFormatException unknownKind(long at, int id, int kind) {
        return bad(at, "type [" + id + "] has kind " + kind + ", which BTF does not define (known kinds are 1 to 19)");
    }

    private static ObjectFormatException tooLong(long at, int id, int kind, int vlen, int extra, int left) {
        return bad(at, "type [" + id + "] (" + BtfKind.of(kind).label() + ", vlen " + vlen + ") needs "
                + (TYPE_HEADER_SIZE + extra) + " bytes, but only " + left + " are left in the type section");
    }

    /** The slow path after the pass found a name offset or type id out of range: say where. */
    private ObjectFormatException locateBadReference() {
        validate();
        return bad(typeStart, "a name offset or type id is out of range");
    }

    /**
     * Checks the name offsets and type ids of every member, parameter, enumerator and section
     * entry, which {@link #parse} leaves to the first {@link #type} or {@link BtfDump} call that
     * reads them. Call it to have a bad blob rejected now rather than when a broken type is
     * first used. For vmlinux it costs about twice what {@code parse} does.
     *
     * @return this
     * @throws ObjectFormatException at the first bad offset or id
     */
    public Btf validate() {
        int total = typeCount();
        int strLimit = stringsEnd();
        for (int i = 0; i < count; i++) {
            int id = firstId + i;
            long at = typeOffset(id);
            int info = u32(at + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            long p = at + TYPE_HEADER_SIZE;
            // The fixed part: parse already checked it, but this is also its slow path for
            // naming the culprit when the pass found something out of range.
            if (Integer.compareUnsigned(u32(at), strLimit) >= 0) {
                throw bad(at, "type [" + id + "] (" + BtfKind.of(kind).label() + ") is named at string offset "
                        + Integer.toUnsignedString(u32(at)) + ", outside the string section (" + strLimit + " bytes)");
            }
            switch (kind) {
                case K_PTR, K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT, K_TYPE_TAG, K_FUNC, K_VAR, K_DECL_TAG,
                     K_FUNC_PROTO -> checkFixedRef(at + 8, id, total);
                case K_ARRAY -> {
                    checkFixedRef(p, id, total);
                    checkFixedRef(p + 4, id, total);
                }
                default -> {
                }
            }
            switch (kind) {
                case K_STRUCT, K_UNION -> {
                    for (int j = 0; j < vlen; j++, p += 12) {
                        checkedName(p, id);
                        checkedRef(p + 4, id);
                    }
                }
                case K_FUNC_PROTO -> {
                    for (int j = 0; j < vlen; j++, p += 8) {
                        checkedName(p, id);
                        checkedRef(p + 4, id);
                    }
                }
                case K_ENUM, K_ENUM64 -> {
                    for (int j = 0; j < vlen; j++, p += kind == K_ENUM ? 8 : 12) {
                        checkedName(p, id);
                    }
                }
                case K_DATASEC -> {
                    for (int j = 0; j < vlen; j++, p += 12) {
                        checkedRef(p, id);
                    }
                }
                default -> {
                }
            }
        }
        return this;
    }

    private void checkFixedRef(long at, int id, int total) {
        int ref = u32(at);
        if (Integer.compareUnsigned(ref, total) >= 0) {
            throw bad(at, "type [" + id + "] (" + BtfKind.of(rawKind(id)).label() + ") refers to type id "
                    + Integer.toUnsignedString(ref) + ", but the last type id is " + (total - 1));
        }
    }

    // ---- basic facts ----

    /** The byte order of the blob. */
    public ByteOrder byteOrder() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** The BTF this one was split from, if any. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /**
     * One more than the largest type id: ids {@code 0 .. typeCount()-1} are valid, including
     * void (0) and, for split BTF, the base's types (as libbpf's {@code btf__type_cnt}).
     */
    public int typeCount() {
        return firstId + count;
    }

    /** The first type id stored in this blob: 1, or the base's {@link #typeCount()} for split BTF. */
    public int firstId() {
        return firstId;
    }

    /** Whether {@code id} names a type (void included). */
    public boolean hasType(int id) {
        return id >= 0 && id < typeCount();
    }

    // ---- types ----

    /**
     * The type with this id, decoded (once; later calls return the same record).
     *
     * @throws ObjectFormatException when there is no such type id (ids usually come from the
     *     object file, so a bad one is a format problem), or when one of the type's members,
     *     parameters, enumerators or section entries has a name offset or type id out of range
     */
    public BtfType type(int id) {
        checkId(id);
        if (id < firstId) {
            return id == 0 ? VOID : base.type(id);
        }
        BtfType[] cache = decoded;
        if (cache == null) {
            cache = new BtfType[count];
            decoded = cache;
        }
        BtfType t = cache[id - firstId];
        if (t == null) {
            t = decode(id);
            cache[id - firstId] = t;
        }
        return t;
    }

    private static final BtfType VOID = new BtfType.Void();
    private static final BtfType.Func.Linkage[] FUNC_LINKAGES = BtfType.Func.Linkage.values();
    private static final BtfType.Var.Linkage[] VAR_LINKAGES = BtfType.Var.Linkage.values();

    /** The kind of a type, without decoding it. */
    public BtfKind kind(int id) {
        checkId(id);
        return BtfKind.of(rawKind(id));
    }

    /** The name of a type ({@code ""} when anonymous), without decoding the rest of it. */
    public String name(int id) {
        checkId(id);
        return id == 0 ? "" : str(nameOffset(id));
    }

    /**
     * The string at {@code offset} in the string section (for split BTF, offsets below the
     * base's string length are the base's strings).
     *
     * @throws ObjectFormatException when the offset is outside the string section
     */
    public String string(int offset) {
        if (Integer.compareUnsigned(offset, stringsEnd()) >= 0) {
            throw bad(-1, "string offset " + Integer.toUnsignedString(offset)
                    + " is outside the string section (" + stringsEnd() + " bytes)");
        }
        return str(offset);
    }

    /** Size of the string sections, base's included: valid offsets are below this. */
    int stringsEnd() {
        return strBase + strLen;
    }

    String str(int offset) {
        if (offset < strBase) {
            return base.str(offset);
        }
        int rel = offset - strBase;
        if (offset == 0) {
            return "";
        }
        byte[] a = stringArray;
        if (a == null || rel < 0 || rel >= strLen) {
            return Blob.cString(strings, rel);
        }
        // Straight from the heap array (a cold JVM reads a segment much more slowly), and as
        // Latin-1, a plain copy, when every byte is ASCII (nearly every BTF name): the UTF-8
        // decoder would scan the bytes once more to find that out. The section ends in NUL.
        int start = stringArrayStart + rel;
        int end = start;
        int bits = 0;
        for (byte b; (b = a[end]) != 0; end++) {
            bits |= b;
        }
        return new String(a, start, end - start, bits >= 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private BtfType decode(int id) {
        long at = typeOffset(id);
        String name = str(u32(at));
        int info = u32(at + 4);
        int st = u32(at + 8);
        int kind = (info >>> 24) & 0x1f;
        int vlen = info & 0xffff;
        boolean kflag = info < 0;
        long p = at + TYPE_HEADER_SIZE;
        return switch (kind) {
            case K_INT -> {
                int v = u32(p);
                yield new BtfType.Int(id, name, ul(st), (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
            }
            case K_PTR -> new BtfType.Ptr(id, name, st);
            case K_ARRAY -> new BtfType.Array(id, name, u32(p), u32(p + 4), ul(u32(p + 8)));
            case K_STRUCT, K_UNION -> {
                BtfType.Member[] ms = new BtfType.Member[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    String n = str(checkedName(p, id));
                    int type = checkedRef(p + 4, id);
                    int off = u32(p + 8);
                    ms[i] = kflag
                            ? new BtfType.Member(n, type, off & 0xffffff, off >>> 24)
                            : new BtfType.Member(n, type, ul(off), 0);
                }
                yield kind == K_STRUCT
                        ? new BtfType.Struct(id, name, ul(st), List.of(ms))
                        : new BtfType.Union(id, name, ul(st), List.of(ms));
            }
            case K_ENUM -> {
                BtfType.EnumValue[] vs = new BtfType.EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 8) {
                    int v = u32(p + 4);
                    vs[i] = new BtfType.EnumValue(str(checkedName(p, id)), kflag ? v : ul(v));
                }
                yield new BtfType.Enum(id, name, ul(st), kflag, List.of(vs));
            }
            case K_ENUM64 -> {
                BtfType.EnumValue[] vs = new BtfType.EnumValue[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    long v = ((long) u32(p + 8) << 32) | ul(u32(p + 4));
                    vs[i] = new BtfType.EnumValue(str(checkedName(p, id)), v);
                }
                yield new BtfType.Enum64(id, name, ul(st), kflag, List.of(vs));
            }
            case K_FWD -> new BtfType.Fwd(id, name, kflag);
            case K_TYPEDEF -> new BtfType.Typedef(id, name, st);
            case K_VOLATILE -> new BtfType.Volatile(id, name, st);
            case K_CONST -> new BtfType.Const(id, name, st);
            case K_RESTRICT -> new BtfType.Restrict(id, name, st);
            case K_FUNC -> new BtfType.Func(id, name, st, FUNC_LINKAGES[vlen]);
            case K_FUNC_PROTO -> {
                BtfType.Param[] ps = new BtfType.Param[vlen];
                for (int i = 0; i < vlen; i++, p += 8) {
                    ps[i] = new BtfType.Param(str(checkedName(p, id)), checkedRef(p + 4, id));
                }
                yield new BtfType.FuncProto(id, name, st, List.of(ps));
            }
            case K_VAR -> new BtfType.Var(id, name, st, VAR_LINKAGES[u32(p)]);
            case K_DATASEC -> {
                BtfType.DatasecEntry[] es = new BtfType.DatasecEntry[vlen];
                for (int i = 0; i < vlen; i++, p += 12) {
                    es[i] = new BtfType.DatasecEntry(checkedRef(p, id), ul(u32(p + 4)), ul(u32(p + 8)));
                }
                yield new BtfType.Datasec(id, name, ul(st), List.of(es));
            }
            case K_FLOAT -> new BtfType.Float(id, name, ul(st));
            case K_DECL_TAG -> new BtfType.DeclTag(id, name, st, u32(p));
            case K_TYPE_TAG -> new BtfType.TypeTag(id, name, st);
            default -> throw new IllegalStateException("kind " + kind + " passed validation");
        };
    }

    // ---- lookup by name ----

    /**
     * The lowest id of a type with this name and kind (the base's types first, for split BTF).
     */
    public OptionalInt findId(String name, BtfKind kind) {
        Objects.requireNonNull(kind, "kind");
        return findId(name, kind.code());
    }

    private OptionalInt findId(String name, int kind) {
        Objects.requireNonNull(name, "name");
        if (base != null) {
            OptionalInt inBase = base.findId(name, kind);
            if (inBase.isPresent()) {
                return inBase;
            }
        }
        if (name.isEmpty()) {
            return OptionalInt.empty();
        }
        int id = nameIndex().first(name.getBytes(StandardCharsets.UTF_8), kind);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The type with this name and kind with the lowest id, decoded.
     *
     * @throws ObjectFormatException when that type cannot be decoded (see {@link #type})
     */
    public Optional<BtfType> find(String name, BtfKind kind) {
        OptionalInt id = findId(name, kind);
        return id.isPresent() ? Optional.of(type(id.getAsInt())) : Optional.empty();
    }

    /**
     * Every type with this name, of any kind, in id order. An empty name finds nothing.
     *
     * @throws ObjectFormatException when one of them cannot be decoded (see {@link #type})
     */
    public List<BtfType> findAll(String name) {
        Objects.requireNonNull(name, "name");
        List<BtfType> out = new ArrayList<>();
        collect(name, out);
        return out;
    }

    private void collect(String name, List<BtfType> out) {
        if (base != null) {
            base.collect(name, out);
        }
        if (!name.isEmpty()) {
            for (int id : nameIndex().all(name.getBytes(StandardCharsets.UTF_8))) {
                out.add(type(id));
            }
        }
    }

    /**
     * The ids of the types stored in this blob (not its base) named exactly {@code name}, in
     * ascending order. Unlike {@link #findAll} nothing is decoded.
     */
    public int[] localIdsNamed(String name) {
        Objects.requireNonNull(name, "name");
        return name.isEmpty() ? new int[0] : nameIndex().all(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * For each of {@code names}, the ids (ascending) of the types stored in this blob (not its
     * base) named exactly so or so followed by {@code "___"}: CO-RE's candidates for a set of
     * local types, which then keeps those whose essential name matches. One pass over the types
     * answers every name, without building the name index, which a process that loads once
     * never asks again. Nothing is decoded; an empty name finds nothing.
     *
     * <pre>{@code
     * int[][] ids = vmlinux.localIdsNamedOrFlavored(List.of("task_struct", "mm_struct"));
     * }</pre>
     */
    public int[][] localIdsNamedOrFlavored(List<String> names) {
        return NameSearch.namedOrFlavored(this, List.copyOf(names));
    }

    /**
     * The data section ({@code DATASEC}) with this name, e.g. {@code ".bss"} or {@code ".maps"}.
     *
     * @throws ObjectFormatException when it cannot be decoded (see {@link #type})
     */
    public Optional<BtfType.Datasec> datasec(String name) {
        OptionalInt id = findId(name, K_DATASEC);
        return id.isPresent() ? Optional.of((BtfType.Datasec) type(id.getAsInt())) : Optional.empty();
    }

    private NameIndex nameIndex() {
        NameIndex idx = names;
        if (idx == null) {
            idx = new NameIndex(this);
            names = idx;
        }
        return idx;
    }

    // ---- following type chains ----

    /**
     * The size in bytes of a type, through typedefs, modifiers, variables, decl tags and arrays
     * (as libbpf's {@code btf__resolve_size}); pointers are {@link #pointerSize()} bytes.
     *
     * @return the size, or -1 for types that have none: void, forward declarations, functions
     *     and function prototypes (or a chain that ends in one)
     * @throws ObjectFormatException when the chain is longer than {@link #MAX_CHAIN_DEPTH}
     *     (a cycle, in practice) or the size does not fit in 32 bits
     */
    public long resolveSize(int id) {
        checkId(id);
        long elements = 1;
        int cur = id;
        for (int depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
            long size;
            switch (rawKind(cur)) {
                case K_INT, K_STRUCT, K_UNION, K_ENUM, K_ENUM64, K_DATASEC, K_FLOAT -> size = ul(sizeOrType(cur));
                case K_PTR -> size = pointerSize();
                case K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT, K_VAR, K_DECL_TAG, K_TYPE_TAG -> {
                    cur = sizeOrType(cur);
                    continue;
                }
                case K_ARRAY -> {
                    long at = typeOffset(cur) + TYPE_HEADER_SIZE;
                    long n = ul(u32(at + 8));
                    // Saturate rather than overflow: anything above U32_MAX is refused below anyway.
                    elements = n != 0 && elements > U32_MAX / n ? U32_MAX + 1 : elements * n;
                    cur = u32(at);
                    continue;
                }
                default -> {
                    return -1;
                }
            }
            if (size != 0 && elements != 0 && (elements > U32_MAX || size > U32_MAX / elements)) {
                throw bad(-1, "type [" + id + "] is larger than 4 GiB (" + elements + " elements of " + size
                        + " bytes), more than BTF can describe");
            }
            return size * elements;
        }
        throw chainTooDeep(id);
    }

    /** Follows {@code const}, {@code volatile}, {@code restrict} and type tags to the type beneath. */
    public int skipModifiers(int id) {
        return skip(id, false);
    }

    /**
     * Follows modifiers and typedefs to the type beneath, as libbpf's
     * {@code skip_mods_and_typedefs} does (CO-RE matching compares types this way).
     */
    public int skipModifiersAndTypedefs(int id) {
        return skip(id, true);
    }

    private int skip(int id, boolean typedefs) {
        checkId(id);
        int cur = id;
        for (int depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
            int k = rawKind(cur);
            if (k == K_CONST || k == K_VOLATILE || k == K_RESTRICT || k == K_TYPE_TAG || (typedefs && k == K_TYPEDEF)) {
                cur = sizeOrType(cur);
            } else {
                return cur;
            }
        }
        throw chainTooDeep(id);
    }

    private ObjectFormatException chainTooDeep(int id) {
        return bad(-1, "type [" + id + "] leads through more than " + MAX_CHAIN_DEPTH
                + " typedefs, modifiers or arrays: the type graph has a cycle");
    }

    /**
     * The size of a pointer: that of the {@code long} integer type when the BTF has one (as
     * libbpf decides), else 8 (eBPF is a 64-bit machine).
     */
    public int pointerSize() {
        int ps = pointerSize;
        if (ps == 0) {
            ps = guessPointerSize();
            pointerSize = ps;
        }
        return ps;
    }

    private int guessPointerSize() {
        if (base != null) {
            return base.pointerSize();
        }
        for (int id = firstId; id < typeCount(); id++) {
            if (rawKind(id) != K_INT) {
                continue;
            }
            String n = str(nameOffset(id));
            switch (n) {
                case "long", "long int", "int long", "unsigned long", "long unsigned", "unsigned long int",
                     "unsigned int long", "long unsigned int", "long int unsigned", "int unsigned long",
                     "int long unsigned" -> {
                    long size = ul(sizeOrType(id));
                    if (size == 4 || size == 8) {
                        return (int) size;
                    }
                }
                default -> {
                }
            }
        }
        return 8;
    }

    // ---- raw access for the dumper and the name index; ids already checked ----

    /** Types stored in this blob, not counting the base's. */
    int localCount() {
        return count;
    }

    boolean isBigEndian() {
        return bigEndian;
    }

    MemorySegment data() {
        return data;
    }

    /** Where each local type starts, relative to {@link #typeStart()}; the first {@link #localCount()} count. */
    int[] typeOffsets() {
        return offsets;
    }

    long typeStart() {
        return typeStart;
    }

    /** The first string offset of this blob's own strings (lower ones are the base's). */
    int stringBase() {
        return strBase;
    }

    /** This blob's own string section. */
    MemorySegment localStrings() {
        return strings;
    }

    /** Absolute offset in {@link #data()} of a type stored here. */
    long typeOffset(int id) {
        return typeStart + offsets[id - firstId];
    }

    /** The type section as words (see {@link #words}); read only. */
    int[] words() {
        return words;
    }

    /** Where type {@code id} (stored here) starts in {@link #words()}. */
    int wordIndex(int id) {
        return offsets[id - firstId] >>> 2;
    }

    /** The 32-bit field at {@code at} (an offset in {@link #data()}) of the type section. */
    int u32(long at) {
        return words[(int) (at - typeStart) >>> 2];
    }

    int rawKind(int id) {
        if (id < firstId) {
            return id == 0 ? K_VOID : base.rawKind(id);
        }
        return (words[(offsets[id - firstId] >>> 2) + 1] >>> 24) & 0x1f;
    }

    int nameOffset(int id) {
        if (id < firstId) {
            return id == 0 ? 0 : base.nameOffset(id);
        }
        return u32(typeOffset(id));
    }

    int sizeOrType(int id) {
        if (id < firstId) {
            return id == 0 ? 0 : base.sizeOrType(id);
        }
        return u32(typeOffset(id) + 8);
    }

    /** The name offset of a member, parameter or enumerator at {@code at}, checked. */
    int checkedName(long at, int id) {
        int off = u32(at);
        if (Integer.compareUnsigned(off, stringsEnd()) >= 0) {
            throw bad(at, "type [" + id + "] (" + BtfKind.of(rawKind(id)).label() + ") has an entry named at string offset "
                    + Integer.toUnsignedString(off) + ", outside the string section (" + stringsEnd() + " bytes)");
        }
        return off;
    }

    /** The type id of a member, parameter or section entry at {@code at}, checked. */
    int checkedRef(long at, int id) {
        int ref = u32(at);
        if (Integer.compareUnsigned(ref, typeCount()) >= 0) {
            throw bad(at, "type [" + id + "] (" + BtfKind.of(rawKind(id)).label() + ") has an entry of type id "
                    + Integer.toUnsignedString(ref) + ", but the last type id is " + (typeCount() - 1));
        }
        return ref;
    }

    /** Where the bytes of the string at {@code offset} live, for byte-level copying and hashing. */
    MemorySegment stringSegment(int offset) {
        return offset < strBase ? base.stringSegment(offset) : strings;
    }

    /** The position of string {@code offset} within {@link #stringSegment(int)}. */
    long stringPosition(int offset) {
        return offset < strBase ? base.stringPosition(offset) : offset - strBase;
    }

    private void checkId(int id) {
        if (id < 0 || id >= typeCount()) {
            throw bad(-1, "there is no type id " + Integer.toUnsignedString(id) + " (the last is "
                    + (typeCount() - 1) + ")");
        }
    }

    static long ul(int v) {
        return v & U32_MAX;
    }

    static ObjectFormatException bad(long offset, String problem) {
        return new ObjectFormatException(SECTION, offset, problem);
    }

    @Override
    public String toString() {
        return "Btf[" + count + " types from id " + firstId + ", " + byteOrder() + (base != null ? ", split" : "") + "]";
    }
}
