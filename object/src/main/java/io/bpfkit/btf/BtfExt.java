package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * A parsed {@code .BTF.ext} section: per program section, the function info (which BTF FUNC
 * starts at which instruction), line info (which source line an instruction came from) and
 * CO-RE relocation records clang wrote. Names and strings are resolved through the object's
 * {@link Btf}; type ids are checked against it.
 *
 * <p>Instruction positions are stored in bytes; they are given here as instruction indexes
 * (byte offset / 8) within the section. Records longer than this reader knows (a larger
 * {@code rec_size}) are read for the fields it knows, the rest skipped.
 *
 * <pre>{@code
 * Btf btf = Btf.parse(btfSection);
 * BtfExt ext = BtfExt.parse(btfExtSection, btf);
 * for (BtfExt.LineInfo l : ext.lineInfo("tracepoint/syscalls/sys_enter_openat")) {
 *     System.out.println(l.insnIndex() + ": " + l.fileName() + ":" + l.lineNumber() + " " + l.line());
 * }
 * }</pre>
 */
public final class BtfExt {
    static final String SECTION = ".BTF.ext";
    private static final int MIN_HEADER = 24;
    private static final int CORE_HEADER = 32;
    private static final int INSN_SIZE = 8;
    private static final int FUNC_INFO_MIN = 8;
    private static final int LINE_INFO_MIN = 16;
    private static final int CORE_RELO_MIN = 16;

    /** A BTF FUNC (its {@code typeId}) whose code starts at instruction {@code insnIndex}. */
    public record FuncInfo(int insnIndex, int typeId) {
        /** The same record for code moved {@code by} instructions. */
        public FuncInfo shifted(int by) {
            return new FuncInfo(insnIndex + by, typeId);
        }
    }

    /**
     * The source position of the code from instruction {@code insnIndex} on. Equal, hash code
     * and string form are those of a record of the seven values. The file name and line text
     * of records read from a section are decoded from the BTF strings when first asked for.
     */
    public static final class LineInfo {
        private final int insnIndex;
        private final int lineNumber;
        private final int column;
        private final int fileNameOffset;
        private final int lineOffset;
        /** Where the offsets point; null when the strings were given. */
        private final Btf strings;
        private String fileName;
        private String line;

        /**
         * @param insnIndex the first instruction the position applies to
         * @param fileName the source file name
         * @param line the text of the source line as clang saw it ({@code ""} when not kept)
         * @param lineNumber 1-based line number
         * @param column 1-based column, 0 when unknown
         * @param fileNameOffset the file name's offset in the BTF strings, as the kernel wants it
         * @param lineOffset the line text's offset in the BTF strings
         */
        public LineInfo(int insnIndex, String fileName, String line, int lineNumber, int column,
                        int fileNameOffset, int lineOffset) {
            this(insnIndex, null, Objects.requireNonNull(fileName, "fileName"), Objects.requireNonNull(line, "line"),
                    lineNumber, column, fileNameOffset, lineOffset);
        }

        private LineInfo(int insnIndex, Btf strings, String fileName, String line, int lineNumber, int column,
                         int fileNameOffset, int lineOffset) {
            this.insnIndex = insnIndex;
            this.strings = strings;
            this.fileName = fileName;
            this.line = line;
            this.lineNumber = lineNumber;
            this.column = column;
            this.fileNameOffset = fileNameOffset;
            this.lineOffset = lineOffset;
        }

        /** A record whose strings are decoded from {@code btf} when asked for; the offsets are checked already. */
        static LineInfo lazy(int insnIndex, Btf btf, int lineNumber, int column, int fileNameOffset, int lineOffset) {
            return new LineInfo(insnIndex, btf, null, null, lineNumber, column, fileNameOffset, lineOffset);
        }

        /** The first instruction the position applies to. */
        public int insnIndex() {
            return insnIndex;
        }

        /** The source file name. */
        public String fileName() {
            String f = fileName;
            if (f == null) {
                f = strings.str(fileNameOffset);
                fileName = f;
            }
            return f;
        }

        /** The text of the source line as clang saw it ({@code ""} when not kept). */
        public String line() {
            String l = line;
            if (l == null) {
                l = strings.str(lineOffset);
                line = l;
            }
            return l;
        }

        /** 1-based line number. */
        public int lineNumber() {
            return lineNumber;
        }

        /** 1-based column, 0 when unknown. */
        public int column() {
            return column;
        }

        /** The file name's offset in the BTF strings, as the kernel wants it. */
        public int fileNameOffset() {
            return fileNameOffset;
        }

        /** The line text's offset in the BTF strings. */
        public int lineOffset() {
            return lineOffset;
        }

        /** The same record for code moved {@code by} instructions (when subprograms are appended). */
        public LineInfo shifted(int by) {
            return new LineInfo(insnIndex + by, strings, fileName, line, lineNumber, column, fileNameOffset,
                    lineOffset);
        }

        /** {@code file:line: text}, as a person looks for it in the source. */
        public String describe() {
            String name = fileName();
            String text = line();
            String file = name.substring(name.lastIndexOf('/') + 1);
            return file + ":" + lineNumber + (text.isBlank() ? "" : ": " + text.strip());
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof LineInfo l && insnIndex == l.insnIndex && lineNumber == l.lineNumber
                    && column == l.column && fileNameOffset == l.fileNameOffset && lineOffset == l.lineOffset
                    && fileName().equals(l.fileName()) && line().equals(l.line());
        }

        @Override
        public int hashCode() {
            int h = Integer.hashCode(insnIndex);
            h = 31 * h + fileName().hashCode();
            h = 31 * h + line().hashCode();
            h = 31 * h + Integer.hashCode(lineNumber);
            h = 31 * h + Integer.hashCode(column);
            h = 31 * h + Integer.hashCode(fileNameOffset);
            return 31 * h + Integer.hashCode(lineOffset);
        }

        @Override
        public String toString() {
            return "LineInfo[insnIndex=" + insnIndex + ", fileName=" + fileName() + ", line=" + line()
                    + ", lineNumber=" + lineNumber + ", column=" + column + ", fileNameOffset=" + fileNameOffset
                    + ", lineOffset=" + lineOffset + "]";
        }
    }

    /**
     * A CO-RE relocation: instruction {@code insnIndex} uses a property ({@code kind}) of the
     * local BTF type {@code typeId}, reached through the {@code accessString} path such as
     * {@code "0:1:2"} (first element, field 1, field 2).
     */
    public record CoreRelocation(int insnIndex, int typeId, String accessString, CoreReloKind kind) {
        public CoreRelocation {
            Objects.requireNonNull(accessString, "accessString");
            Objects.requireNonNull(kind, "kind");
            if (!isAccessString(accessString)) {
                throw new IllegalArgumentException("CO-RE access string \"" + accessString
                        + "\" is not a colon-separated list of indexes");
            }
        }

        /** The same record for code moved {@code by} instructions. */
        public CoreRelocation shifted(int by) {
            return new CoreRelocation(insnIndex + by, typeId, accessString, kind);
        }

        /** The access string as numbers: {@code "0:1:2"} gives {@code [0, 1, 2]}. */
        public int[] accessIndexes() {
            int parts = 1;
            for (int i = 0; i < accessString.length(); i++) {
                if (accessString.charAt(i) == ':') {
                    parts++;
                }
            }
            int[] out = new int[parts];
            int n = 0;
            int v = 0;
            for (int i = 0; i < accessString.length(); i++) {
                char c = accessString.charAt(i);
                if (c == ':') {
                    out[n++] = v;
                    v = 0;
                } else {
                    v = v * 10 + (c - '0');
                }
            }
            out[n] = v;
            return out;
        }
    }

    /**
     * The line info records of one block of a {@code .BTF.ext} section, decoded into
     * {@link LineInfo}s when asked for: an object built with {@code -g} has one record per few
     * instructions (tens of thousands in a large program), and the open phase only passes them
     * on to the load. The records were checked when the section was parsed. Immutable; two
     * calls of {@link #get} give equal records, not the same one.
     *
     * <pre>{@code
     * List<BtfExt.LineInfo> lines = ext.lineInfo(".text");
     * if (lines instanceof BtfExt.LineInfoList list) {
     *     int firstInsn = list.insnIndex(0); // without decoding the record
     * }
     * }</pre>
     */
    public static final class LineInfoList extends AbstractList<LineInfo> implements RandomAccess {
        private final MemorySegment data;
        private final boolean bigEndian;
        private final long start;
        private final int recordSize;
        private final int size;
        private final Btf btf;

        private LineInfoList(MemorySegment data, boolean bigEndian, long start, int recordSize, int size, Btf btf) {
            this.data = data;
            this.bigEndian = bigEndian;
            this.start = start;
            this.recordSize = recordSize;
            this.size = size;
            this.btf = btf;
        }

        @Override
        public LineInfo get(int index) {
            long at = start + (long) Objects.checkIndex(index, size) * recordSize;
            int lineCol = Blob.u32(data, bigEndian, at + 12);
            return LineInfo.lazy(Blob.u32(data, bigEndian, at) >>> 3, btf, lineCol >>> 10, lineCol & 0x3ff,
                    Blob.u32(data, bigEndian, at + 4), Blob.u32(data, bigEndian, at + 8));
        }

        /** The instruction index of record {@code index}, without decoding the record. */
        public int insnIndex(int index) {
            return Blob.u32(data, bigEndian, start + (long) Objects.checkIndex(index, size) * recordSize) >>> 3;
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** Digits separated by single colons, each number fitting an int, as libbpf's parser accepts. */
    static boolean isAccessString(String s) {
        long v = 0;
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
                digit = true;
                if (v > Integer.MAX_VALUE) {
                    return false;
                }
            } else if (c == ':' && digit) {
                v = 0;
                digit = false;
            } else {
                return false;
            }
        }
        return digit;
    }

    private final boolean bigEndian;
    private final Map<String, List<FuncInfo>> funcInfo;
    private final Map<String, List<LineInfo>> lineInfo;
    private final Map<String, List<CoreRelocation>> coreRelocations;

    private BtfExt(boolean bigEndian, Map<String, List<FuncInfo>> funcInfo, Map<String, List<LineInfo>> lineInfo,
            Map<String, List<CoreRelocation>> coreRelocations) {
        this.bigEndian = bigEndian;
        this.funcInfo = funcInfo;
        this.lineInfo = lineInfo;
        this.coreRelocations = coreRelocations;
    }

    /**
     * Parses a {@code .BTF.ext} section (either byte order, as its magic says) against the
     * object's BTF. Every record is checked now; line info is decoded from the section when
     * asked for ({@link LineInfoList}), so the segment must stay alive and unchanged as long
     * as the result is used, as {@link Btf}'s blob must.
     *
     * @throws ObjectFormatException when the section is truncated or inconsistent, or refers
     *     to strings or type ids the BTF does not have
     */
    public static BtfExt parse(MemorySegment raw, Btf btf) {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(btf, "btf");
        return new Reader(raw, btf).read();
    }

    /** The byte order of the section. */
    public ByteOrder byteOrder() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Every program section named in any of the three kinds of records, in order of appearance. */
    public Set<String> sections() {
        Set<String> all = new LinkedHashSet<>(funcInfo.keySet());
        all.addAll(lineInfo.keySet());
        all.addAll(coreRelocations.keySet());
        return Collections.unmodifiableSet(all);
    }

    /** Function info of one program section, in stored order; empty when it has none. */
    public List<FuncInfo> funcInfo(String section) {
        return funcInfo.getOrDefault(section, List.of());
    }

    /** Line info of one program section, in stored order; empty when it has none. */
    public List<LineInfo> lineInfo(String section) {
        return lineInfo.getOrDefault(section, List.of());
    }

    /** CO-RE relocations of one program section, in stored order; empty when it has none. */
    public List<CoreRelocation> coreRelocations(String section) {
        return coreRelocations.getOrDefault(section, List.of());
    }

    /** All function info, by program section. */
    public Map<String, List<FuncInfo>> funcInfo() {
        return funcInfo;
    }

    /** All line info, by program section. */
    public Map<String, List<LineInfo>> lineInfo() {
        return lineInfo;
    }

    /** All CO-RE relocations, by program section. */
    public Map<String, List<CoreRelocation>> coreRelocations() {
        return coreRelocations;
    }

    @Override
    public String toString() {
        return "BtfExt[" + sections().size() + " sections, " + count(funcInfo) + " func info, " + count(lineInfo)
                + " line info, " + count(coreRelocations) + " CO-RE relocations]";
    }

    private static int count(Map<String, ? extends List<?>> m) {
        return m.values().stream().mapToInt(List::size).sum();
    }

    /** One parse; holds the blob, its order and a string cache while reading. */
    private static final class Reader {
        private final MemorySegment d;
        private final Btf btf;
        /** Section names decoded so far, by string offset: one per record block. */
        private final StringsByOffset names = new StringsByOffset();
        /** CO-RE access strings decoded and checked so far: relocations share them. */
        private final StringsByOffset accessStrings = new StringsByOffset();
        private boolean be;

        Reader(MemorySegment d, Btf btf) {
            this.d = d;
            this.btf = btf;
        }

        private int u32(long at) {
            return Blob.u32(d, be, at);
        }

        BtfExt read() {
            long size = d.byteSize();
            if (size < 8) {
                throw bad(0, "the BTF.ext header does not fit: the section has " + size + " bytes");
            }
            be = Blob.bigEndianFromMagic(d, SECTION);
            int version = Blob.u8(d, 2);
            if (version != 1) {
                throw bad(2, "BTF.ext version " + version + " is not supported (only version 1 exists)");
            }
            int flags = Blob.u8(d, 3);
            if (flags != 0) {
                throw bad(3, "BTF.ext header flags 0x" + Integer.toHexString(flags) + " are not supported (must be 0)");
            }
            long hdrLen = Btf.ul(u32(4));
            if (hdrLen < MIN_HEADER) {
                throw bad(4, "header length " + hdrLen + " is shorter than the 24-byte BTF.ext header");
            }
            if (hdrLen > size) {
                throw bad(4, "header length " + hdrLen + " runs past the end of the section (" + size + " bytes)");
            }
            Map<String, List<FuncInfo>> funcs = new LinkedHashMap<>();
            Map<String, List<LineInfo>> lines = new LinkedHashMap<>();
            Map<String, List<CoreRelocation>> relos = new LinkedHashMap<>();
            readInfo(hdrLen, 8, "func_info", FUNC_INFO_MIN, funcs, this::funcInfo);
            readLineInfo(hdrLen, lines);
            if (hdrLen >= CORE_HEADER) {
                readInfo(hdrLen, 24, "core_relo", CORE_RELO_MIN, relos, this::coreRelocation);
            }
            return new BtfExt(be, freeze(funcs), freeze(lines), freeze(relos));
        }

        /** Immutable lists, so that a program spanning a whole section shares them as they are. */
        private static <T> Map<String, List<T>> freeze(Map<String, List<T>> m) {
            m.replaceAll((k, v) -> v instanceof LineInfoList ? v : List.copyOf(v));
            return Collections.unmodifiableMap(m);
        }

        private interface RecordReader<T> {
            T read(long at);
        }

        /**
         * One of the three info parts: {@code u32 rec_size}, then per program section
         * {@code u32 sec_name_off, u32 num_info} and num_info records of rec_size bytes.
         */
        private <T> void readInfo(long hdrLen, int fieldAt, String what, int minRecord, Map<String, List<T>> out,
                RecordReader<T> records) {
            long off = Btf.ul(u32(fieldAt));
            long len = Btf.ul(u32(fieldAt + 4));
            if (len == 0) {
                return;
            }
            if ((off & 3) != 0) {
                throw bad(fieldAt, what + " offset " + off + " is not 4-byte aligned");
            }
            long start = hdrLen + off;
            long end = start + len;
            if (end > d.byteSize()) {
                throw bad(fieldAt, what + " (offset " + off + ", length " + len + ", after a " + hdrLen
                        + "-byte header) runs past the end of the section (" + d.byteSize() + " bytes)");
            }
            if (len < 4) {
                throw bad(start, what + " is " + len + " bytes long, too short for its record size");
            }
            long recSize = Btf.ul(u32(start));
            if (recSize < minRecord || (recSize & 3) != 0) {
                throw bad(start, what + " record size " + recSize + " is invalid: it must be a multiple of 4, at least "
                        + minRecord);
            }
            long p = start + 4;
            while (p < end) {
                if (end - p < 8) {
                    throw bad(p, what + " section header is cut off: 8 bytes needed, " + (end - p) + " left");
                }
                String section = string(p, u32(p), what + " section name");
                long n = Btf.ul(u32(p + 4));
                if (n == 0) {
                    throw bad(p + 4, what + " for section " + section + " has no records");
                }
                if (n > (end - p - 8) / recSize) {
                    throw bad(p + 4, what + " for section " + section + " has " + n + " records of " + recSize
                            + " bytes, more than the " + (end - p - 8) + " bytes left");
                }
                p += 8;
                if (records == null) {
                    // line_info: checked here, decoded when asked for (LineInfoList).
                    for (long i = 0; i < n; i++) {
                        checkLineInfo(p + i * recSize);
                    }
                    @SuppressWarnings("unchecked")
                    List<LineInfoList> blocks = (List<LineInfoList>) out.computeIfAbsent(section, k -> new ArrayList<>(1));
                    blocks.add(new LineInfoList(d, be, p, (int) recSize, (int) n, btf));
                    p += n * recSize;
                    continue;
                }
                List<T> list = out.get(section);
                if (list == null) {
                    list = new ArrayList<>((int) n);
                    out.put(section, list);
                }
                for (long i = 0; i < n; i++, p += recSize) {
                    list.add(records.read(p));
                }
            }
        }

        /**
         * The line_info part, laid out as {@link #readInfo} reads: each block's records are
         * checked here and kept as a {@link LineInfoList} over the section, decoded when asked
         * for. A section named by several blocks (not seen from clang) gets its records decoded.
         */
        private void readLineInfo(long hdrLen, Map<String, List<LineInfo>> out) {
            Map<String, List<LineInfoList>> blocks = new LinkedHashMap<>();
            readInfo(hdrLen, 16, "line_info", LINE_INFO_MIN, blocks, null);
            blocks.forEach((section, lists) -> {
                if (lists.size() == 1) {
                    out.put(section, lists.get(0));
                } else {
                    List<LineInfo> all = new ArrayList<>();
                    lists.forEach(all::addAll);
                    out.put(section, all);
                }
            });
        }

        private FuncInfo funcInfo(long at) {
            return new FuncInfo(insnIndex(at), typeId(at + 4, "func_info"));
        }

        /** What {@link LineInfoList#get} relies on: the instruction offset and both string offsets. */
        private void checkLineInfo(long at) {
            insnIndex(at);
            checkString(at + 4, u32(at + 4), "line_info file name");
            checkString(at + 8, u32(at + 8), "line_info line");
        }

        private CoreRelocation coreRelocation(long at) {
            int insn = insnIndex(at);
            int type = typeId(at + 4, "core_relo");
            int accessOff = u32(at + 8);
            String access = accessStrings.get(accessOff);
            if (access == null) {
                checkString(at + 8, accessOff, "core_relo access string");
                access = btf.str(accessOff);
                checkAccessString(at + 8, access);
                accessStrings.put(accessOff, access);
            }
            int kind = u32(at + 12);
            if (kind < 0 || kind >= CoreReloKind.count()) {
                throw bad(at + 12, "core_relo kind " + Integer.toUnsignedString(kind) + " is not one of the "
                        + CoreReloKind.count() + " kinds BTF defines");
            }
            return new CoreRelocation(insn, type, access, CoreReloKind.of(kind));
        }

        private int insnIndex(long at) {
            int bytes = u32(at);
            if ((bytes & (INSN_SIZE - 1)) != 0) {
                throw bad(at, "instruction offset " + Integer.toUnsignedString(bytes)
                        + " is not a multiple of the 8-byte instruction size");
            }
            return bytes >>> 3;
        }

        private int typeId(long at, String what) {
            int id = u32(at);
            if (!btf.hasType(id)) {
                throw bad(at, what + " refers to type id " + Integer.toUnsignedString(id) + ", but the BTF's last is "
                        + (btf.typeCount() - 1));
            }
            return id;
        }

        private String string(long at, int off, String what) {
            String s = names.get(off);
            if (s == null) {
                checkString(at, off, what);
                s = btf.str(off);
                names.put(off, s);
            }
            return s;
        }

        private void checkString(long at, int off, String what) {
            if (Integer.compareUnsigned(off, btf.stringsEnd()) >= 0) {
                throw bad(at, what + " is at string offset " + Integer.toUnsignedString(off)
                        + ", outside the BTF string section (" + btf.stringsEnd() + " bytes)");
            }
        }

        private static void checkAccessString(long at, String s) {
            if (!isAccessString(s)) {
                throw bad(at, "CO-RE access string \"" + s + "\" is not a colon-separated list of indexes");
            }
        }

        private static ObjectFormatException bad(long offset, String problem) {
            return new ObjectFormatException(SECTION, offset, problem);
        }
    }

    /**
     * Strings by their offset in the BTF string section, for one parse: open addressing on the
     * offset, so that a lookup boxes nothing (a {@code HashMap<Integer, String>} did, per record).
     */
    private static final class StringsByOffset {
        private int[] keys = new int[32];
        private String[] values = new String[32];
        private int size;

        /** The string stored for {@code off}, or null. */
        String get(int off) {
            int mask = keys.length - 1;
            for (int i = mix(off) & mask; ; i = (i + 1) & mask) {
                String v = values[i];
                if (v == null || keys[i] == off) {
                    return v;
                }
            }
        }

        /** Stores {@code value} for {@code off}, which is not stored yet. */
        void put(int off, String value) {
            if (2 * (size + 1) > keys.length) {
                int[] oldKeys = keys;
                String[] oldValues = values;
                keys = new int[oldKeys.length * 2];
                values = new String[oldKeys.length * 2];
                size = 0;
                for (int i = 0; i < oldKeys.length; i++) {
                    if (oldValues[i] != null) {
                        put(oldKeys[i], oldValues[i]);
                    }
                }
            }
            int mask = keys.length - 1;
            int i = mix(off) & mask;
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = off;
            values[i] = value;
            size++;
        }

        private static int mix(int key) {
            int h = key * 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }
}
