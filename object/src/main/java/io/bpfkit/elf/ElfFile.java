package io.bpfkit.elf;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of an ELF64 file held in a {@link MemorySegment}: header, sections,
 * symbols and {@code SHT_REL} relocations, in either byte order. Every offset and count read
 * from the file is checked against the segment before use, so a truncated or hostile file
 * gives an {@link ObjectFormatException} naming the section and offset, never an
 * out-of-bounds access.
 *
 * <pre>{@code
 * ElfFile elf = ElfFile.parse(MemorySegment.ofArray(Files.readAllBytes(path)));
 * elf.section(".BTF").ifPresent(s -> System.out.println(s.size()));
 * }</pre>
 */
public final class ElfFile {
    public static final int EM_BPF = 247;
    public static final int ET_REL = 1;

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final int SHT_DYNSYM = 11;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;

    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;

    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int PT_LOAD = 1;

    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;
    private static final int PHDR_SIZE = 56;

    private final MemorySegment data;
    private final ByteOrder order;
    private final int type;
    private final int machine;
    private final List<ElfSection> sections;
    private final Map<String, ElfSection> sectionsByName;
    private List<ElfSymbol> symbols;
    private final ElfSection symtab;
    private List<ElfSegment> segments;

    private ElfFile(MemorySegment data, ByteOrder order, int type, int machine, List<ElfSection> sections) {
        this.data = data;
        this.order = order;
        this.type = type;
        this.machine = machine;
        this.sections = Collections.unmodifiableList(sections);
        Map<String, ElfSection> byName = HashMap.newHashMap(sections.size());
        ElfSection tab = null;
        for (ElfSection s : sections) {
            byName.putIfAbsent(s.name(), s);
            if (s.type() == SHT_SYMTAB && tab == null) {
                tab = s;
            }
        }
        this.sectionsByName = byName;
        this.symtab = tab;
    }

    /** True when the bytes start with the ELF magic. */
    public static boolean isElf(MemorySegment data) {
        return data.byteSize() >= 4
                && data.get(ValueLayout.JAVA_BYTE, 0) == 0x7f
                && data.get(ValueLayout.JAVA_BYTE, 1) == 'E'
                && data.get(ValueLayout.JAVA_BYTE, 2) == 'L'
                && data.get(ValueLayout.JAVA_BYTE, 3) == 'F';
    }

    /**
     * Reads the header and the section table. Symbols are read on first use.
     *
     * @throws ObjectFormatException when the bytes are not a well-formed ELF64 file
     */
    public static ElfFile parse(MemorySegment data) {
        if (data.byteSize() < EHDR_SIZE) {
            throw new ObjectFormatException(null, 0, "file is " + data.byteSize()
                    + " bytes, too short for an ELF64 header (64 bytes)");
        }
        if (!isElf(data)) {
            throw new ObjectFormatException(null, 0, "not an ELF file (bad magic)");
        }
        int elfClass = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, 4));
        if (elfClass != 2) {
            throw new ObjectFormatException(null, 4, "not a 64-bit ELF file (EI_CLASS " + elfClass
                    + "); eBPF objects are ELF64");
        }
        ByteOrder order = switch (Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, 5))) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new ObjectFormatException(null, 5, "unknown ELF data encoding "
                    + Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, 5)));
        };
        Reader r = new Reader(data, order, null);
        int type = r.u16(16);
        int machine = r.u16(18);
        long shoff = r.u64(40);
        int shentsize = r.u16(58);
        int shnum = r.u16(60);
        int shstrndx = r.u16(62);
        if (shnum == 0 && shoff != 0) {
            // More than 0xff00 sections: the count lives in section 0's sh_size.
            r.checkRange(shoff, SHDR_SIZE, "section header 0");
            long n = r.u64(shoff + 32);
            if (n > Integer.MAX_VALUE) {
                throw new ObjectFormatException(null, shoff + 32, "section count " + n + " is too large");
            }
            shnum = (int) n;
        }
        if (shstrndx == 0xffff && shoff != 0) {
            r.checkRange(shoff, SHDR_SIZE, "section header 0");
            shstrndx = r.u32i(shoff + 40, "shstrndx");
        }
        if (shnum == 0) {
            return new ElfFile(data, order, type, machine, List.of());
        }
        if (shentsize != SHDR_SIZE) {
            throw new ObjectFormatException(null, 58, "section header size " + shentsize + ", expected 64");
        }
        r.checkRange(shoff, (long) shnum * SHDR_SIZE, "section header table (" + shnum + " entries)");
        if (shstrndx >= shnum) {
            throw new ObjectFormatException(null, 62, "section name table index " + shstrndx
                    + " is out of range (" + shnum + " sections)");
        }
        long[] nameOffsets = new long[shnum];
        List<ElfSection> sections = new ArrayList<>(shnum);
        MemorySegment shstrtab = null;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < shnum; i++) {
                long h = shoff + (long) i * SHDR_SIZE;
                if (pass == 0) {
                    nameOffsets[i] = r.u32(h);
                    if (i == shstrndx) {
                        shstrtab = sectionData(r, h, "section name table");
                    }
                    continue;
                }
                String name = i == 0 ? "" : cString(shstrtab, nameOffsets[i], null, order);
                int shType = r.u32i(h + 4, "sh_type");
                long flags = r.u64(h + 8);
                long addr = r.u64(h + 16);
                long offset = r.u64(h + 24);
                long size = r.u64(h + 32);
                int link = r.u32i(h + 40, "sh_link");
                int info = r.u32i(h + 44, "sh_info");
                long align = r.u64(h + 48);
                long entsize = r.u64(h + 56);
                String label = name.isEmpty() ? "section #" + i : name;
                MemorySegment bytes = i == 0 || shType == SHT_NOBITS || shType == SHT_NULL
                        ? EMPTY : sectionData(r, h, label);
                sections.add(new ElfSection(i, name, shType, flags, addr, offset, size, link, info,
                        align, entsize, bytes, order));
            }
        }
        return new ElfFile(data, order, type, machine, sections);
    }

    private static MemorySegment sectionData(Reader r, long header, String label) {
        int shType = r.u32i(header + 4, "sh_type");
        if (shType == SHT_NOBITS) {
            return EMPTY;
        }
        long offset = r.u64(header + 24);
        long size = r.u64(header + 32);
        if (offset < 0 || size < 0 || offset > r.data.byteSize() || size > r.data.byteSize() - offset) {
            throw new ObjectFormatException(label, -1, "section data [0x" + Long.toHexString(offset)
                    + ", +0x" + Long.toHexString(size) + ") lies outside the file (" + r.data.byteSize()
                    + " bytes)");
        }
        return r.data.asSlice(offset, size);
    }

    /** Reads a NUL-terminated string at {@code offset} in a string table. */
    static String cString(MemorySegment table, long offset, String section, ByteOrder order) {
        if (table == null) {
            throw new ObjectFormatException(section, offset, "no string table");
        }
        long size = table.byteSize();
        if (offset < 0 || offset >= size) {
            if (offset == 0 && size == 0) {
                return "";
            }
            throw new ObjectFormatException(section, offset, "string offset " + offset
                    + " is outside the string table (" + size + " bytes)");
        }
        int len = CStrings.strlen(table, offset, size);
        if (offset + len == size) {
            throw new ObjectFormatException(section, offset, "string is not NUL-terminated");
        }
        return CStrings.decode(table, offset, len);
    }

    public ByteOrder order() {
        return order;
    }

    /** {@code e_type}: {@link #ET_REL} for objects clang writes. */
    public int type() {
        return type;
    }

    /** {@code e_machine}: {@link #EM_BPF} for eBPF objects. */
    public int machine() {
        return machine;
    }

    /** The whole file. */
    public MemorySegment data() {
        return data;
    }

    /** All sections, index 0 (the null section) included, in table order. */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The section at a section-header index. */
    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new ObjectFormatException(null, -1, "section index " + index + " is out of range ("
                    + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** The first section with that name. */
    public Optional<ElfSection> section(String name) {
        return Optional.ofNullable(sectionsByName.get(name));
    }

    /** The symbol table ({@code SHT_SYMTAB}), symbol 0 included; empty when the file has none. */
    public List<ElfSymbol> symbols() {
        if (symbols == null) {
            symbols = readSymbols();
        }
        return symbols;
    }

    private List<ElfSymbol> readSymbols() {
        return symtab == null ? List.of() : symbols(symtab);
    }

    /**
     * The symbols of a symbol table section: {@code SHT_SYMTAB}, or {@code SHT_DYNSYM} of a
     * shared library or executable (what is left when it is stripped).
     */
    public List<ElfSymbol> symbols(ElfSection symtab) {
        if (symtab.type() != SHT_SYMTAB && symtab.type() != SHT_DYNSYM) {
            throw new IllegalArgumentException(symtab.name() + " is not a symbol table");
        }
        String label = symtab.name();
        if (symtab.entrySize() != SYM_SIZE) {
            throw new ObjectFormatException(label, -1, "symbol entry size " + symtab.entrySize() + ", expected 24");
        }
        ElfSection strtab = section(symtab.link());
        if (strtab.type() != SHT_STRTAB) {
            throw new ObjectFormatException(label, -1, "sh_link " + symtab.link() + " is not a string table");
        }
        MemorySegment d = symtab.data();
        if (d.byteSize() % SYM_SIZE != 0) {
            throw new ObjectFormatException(label, d.byteSize(), "size " + d.byteSize()
                    + " is not a multiple of the symbol size (24)");
        }
        Reader r = new Reader(d, order, label);
        int n = (int) (d.byteSize() / SYM_SIZE);
        List<ElfSymbol> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = (long) i * SYM_SIZE;
            long nameOff = r.u32(o);
            int info = r.u8(o + 4);
            int other = r.u8(o + 5);
            int shndx = r.u16(o + 6);
            long value = r.u64(o + 8);
            long size = r.u64(o + 16);
            String name = cString(strtab.data(), nameOff, strtab.name(), order);
            list.add(new ElfSymbol(i, name, value, size, info >>> 4, info & 0xf, other & 0x3, shndx));
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * The program headers (empty for a relocatable object such as a BPF object), read on first
     * use: how an executable's or a shared library's file offsets map to virtual addresses.
     *
     * @throws ObjectFormatException when the table lies outside the file or has another entry size
     */
    public List<ElfSegment> segments() {
        if (segments == null) {
            segments = readSegments();
        }
        return segments;
    }

    /** The loaded segment ({@code PT_LOAD}) whose file range holds {@code offset}, if any. */
    public Optional<ElfSegment> segmentAtOffset(long offset) {
        for (ElfSegment s : segments()) {
            if (s.isLoad() && s.containsFileOffset(offset)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private List<ElfSegment> readSegments() {
        Reader r = new Reader(data, order, null);
        long phoff = r.u64(32);
        int phentsize = r.u16(54);
        int phnum = r.u16(56);
        if (phnum == 0 || phoff == 0) {
            return List.of();
        }
        if (phentsize != PHDR_SIZE) {
            throw new ObjectFormatException(null, 54, "program header size " + phentsize + ", expected 56");
        }
        r.checkRange(phoff, (long) phnum * PHDR_SIZE, "program header table (" + phnum + " entries)");
        List<ElfSegment> list = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            long h = phoff + (long) i * PHDR_SIZE;
            list.add(new ElfSegment((int) r.u32(h), (int) r.u32(h + 4), r.u64(h + 8), r.u64(h + 16),
                    r.u64(h + 32), r.u64(h + 40), r.u64(h + 48)));
        }
        return Collections.unmodifiableList(list);
    }

    /** The entries of a {@code SHT_REL} section. */
    public List<ElfRelocation> relocations(ElfSection rel) {
        if (rel.type() != SHT_REL) {
            throw new ObjectFormatException(rel.name(), -1, "not a SHT_REL section (type " + rel.type() + ")");
        }
        MemorySegment d = rel.data();
        if (rel.entrySize() != 0 && rel.entrySize() != REL_SIZE) {
            throw new ObjectFormatException(rel.name(), -1, "relocation entry size " + rel.entrySize() + ", expected 16");
        }
        if (d.byteSize() % REL_SIZE != 0) {
            throw new ObjectFormatException(rel.name(), d.byteSize(), "size " + d.byteSize()
                    + " is not a multiple of the relocation size (16)");
        }
        int symbolCount = symbols().size();
        Reader r = new Reader(d, order, rel.name());
        int n = (int) (d.byteSize() / REL_SIZE);
        List<ElfRelocation> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = (long) i * REL_SIZE;
            long offset = r.u64(o);
            long info = r.u64(o + 8);
            long sym = info >>> 32;
            if (sym >= symbolCount) {
                throw new ObjectFormatException(rel.name(), o + 8, "relocation names symbol " + sym
                        + ", but the symbol table has " + symbolCount);
            }
            list.add(new ElfRelocation(offset, (int) sym, (int) info));
        }
        return list;
    }

    /** Bounds-checked reads in one byte order. */
    static final class Reader {
        private static final ValueLayout.OfShort U16_LE =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort U16_BE =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        private static final ValueLayout.OfInt U32_LE =
                ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfInt U32_BE =
                ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        private static final ValueLayout.OfLong U64_LE =
                ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong U64_BE =
                ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

        final MemorySegment data;
        private final long size;
        private final boolean bigEndian;
        private final String section;

        Reader(MemorySegment data, ByteOrder order, String section) {
            this.data = data;
            this.size = data.byteSize();
            this.section = section;
            this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        }

        void checkRange(long offset, long length, String what) {
            if (offset < 0 || length < 0 || offset > size || length > size - offset) {
                throw new ObjectFormatException(section, offset, what + " [0x" + Long.toHexString(offset)
                        + ", +0x" + Long.toHexString(length) + ") lies outside the data ("
                        + data.byteSize() + " bytes)");
            }
        }

        int u8(long offset) {
            checkRange(offset, 1, "byte");
            return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
        }

        int u16(long offset) {
            checkRange(offset, 2, "u16");
            return Short.toUnsignedInt(bigEndian ? data.get(U16_BE, offset) : data.get(U16_LE, offset));
        }

        long u32(long offset) {
            checkRange(offset, 4, "u32");
            return Integer.toUnsignedLong(bigEndian ? data.get(U32_BE, offset) : data.get(U32_LE, offset));
        }

        /** A u32 that must fit a non-negative int (indexes, types). */
        int u32i(long offset, String what) {
            long v = u32(offset);
            if (v > Integer.MAX_VALUE) {
                throw new ObjectFormatException(section, offset, what + " " + v + " is out of range");
            }
            return (int) v;
        }

        long u64(long offset) {
            checkRange(offset, 8, "u64");
            return bigEndian ? data.get(U64_BE, offset) : data.get(U64_LE, offset);
        }
    }
}
