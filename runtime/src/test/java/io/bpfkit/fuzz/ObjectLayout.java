package io.bpfkit.fuzz;

import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the fields that matter sit in one well-formed eBPF object: ELF header, section
 * headers, symbols, relocations and the instructions they patch, legacy map definitions, and
 * inside {@code .BTF} and {@code .BTF.ext} every header field, type record and info record.
 * The mutator overwrites these fields with values chosen for their role, so that mutants get
 * past the first checks and into the deep code.
 */
public final class ObjectLayout {

    /** What a field holds; the mutator picks its values by role. */
    public enum Role {
        PLAIN, OFFSET, SIZE, COUNT, SECTION_INDEX, SYMBOL_INDEX, TYPE_ID, STRING_OFFSET, BTF_INFO, ENTSIZE,
        FLAGS, KIND, OPCODE, REGS
    }

    /**
     * One field.
     *
     * @param region the part of the file ("elf header", "section headers", ".BTF types", ...)
     * @param name a readable name, e.g. {@code shdr[5 .BTF].sh_size} or {@code btf[12 STRUCT].member[1].type}
     * @param offset file offset
     * @param width 1, 2, 4 or 8 bytes
     * @param context for BTF type ids inside a type: the id of that type (to make cycles); else -1
     */
    public record Field(String region, String name, int offset, int width, Role role, long context) {
    }

    /** A byte range of the file: a section's bytes or a string table. */
    public record Span(String name, int offset, int length, int headerOffset) {
    }

    private static final int BTF_MAGIC = 0xeb9f;
    private static final String[] KIND_NAMES = {
        "UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
        "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
    };

    private final String name;
    private final byte[] bytes;
    private final ByteOrder order;
    private final Map<String, List<Field>> regions = new LinkedHashMap<>();
    private final List<Span> sections = new ArrayList<>();
    private final List<Span> stringTables = new ArrayList<>();
    private final Set<Long> numbers = new LinkedHashSet<>();
    private final Set<String> dictionary = new LinkedHashSet<>();
    private final List<Field> btfTypeRefs = new ArrayList<>();
    private int sectionCount;
    private int symbolCount;
    private int btfTypeCount;

    private ObjectLayout(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(bytes));
        this.order = elf.order();
        read(elf);
    }

    /** Finds the fields of a well-formed object (it must parse as ELF). */
    public static ObjectLayout of(String name, byte[] bytes) {
        return new ObjectLayout(name, bytes.clone());
    }

    public String name() {
        return name;
    }

    /** The original bytes (do not modify). */
    public byte[] bytes() {
        return bytes;
    }

    public ByteOrder order() {
        return order;
    }

    /** The fields, by region; no region is empty. */
    public Map<String, List<Field>> regions() {
        return regions;
    }

    /** All fields of one role. */
    public List<Field> fields(Role role) {
        List<Field> out = new ArrayList<>();
        for (List<Field> fs : regions.values()) {
            for (Field f : fs) {
                if (f.role() == role) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** The BTF type-id fields that belong to a type ({@link Field#context()} is its id). */
    public List<Field> btfTypeRefs() {
        return btfTypeRefs;
    }

    /** Sections that have bytes in the file, with the offset of their header. */
    public List<Span> sections() {
        return sections;
    }

    /** The ELF string tables and the BTF string section. */
    public List<Span> stringTables() {
        return stringTables;
    }

    /** Sizes, counts and offsets of this object: good values for fields. */
    public long[] numbers() {
        return numbers.stream().mapToLong(Long::longValue).toArray();
    }

    /** Names found in the object plus names the opener gives meaning to. */
    public List<String> dictionary() {
        return List.copyOf(dictionary);
    }

    public int sectionCount() {
        return sectionCount;
    }

    public int symbolCount() {
        return symbolCount;
    }

    /** One past the largest BTF type id, 0 without BTF. */
    public int btfTypeCount() {
        return btfTypeCount;
    }

    /** The first section with that name, or null. */
    public Span section(String sectionName) {
        for (Span s : sections) {
            if (s.name().equals(sectionName)) {
                return s;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- reading

    private void add(String region, String fieldName, long offset, int width, Role role) {
        add(region, fieldName, offset, width, role, -1);
    }

    private Field add(String region, String fieldName, long offset, int width, Role role, long context) {
        if (!Bytes.fits(bytes, offset, width)) {
            return null;
        }
        Field f = new Field(region, fieldName, (int) offset, width, role, context);
        regions.computeIfAbsent(region, k -> new ArrayList<>()).add(f);
        return f;
    }

    private long u32(long off) {
        return Bytes.fits(bytes, off, 4) ? Bytes.u32(bytes, (int) off, order) : 0;
    }

    private void read(ElfFile elf) {
        numbers.add((long) bytes.length);
        String h = "elf header";
        add(h, "e_ident[EI_CLASS]", 4, 1, Role.KIND);
        add(h, "e_ident[EI_DATA]", 5, 1, Role.KIND);
        add(h, "e_ident[EI_VERSION]", 6, 1, Role.PLAIN);
        add(h, "e_type", 16, 2, Role.KIND);
        add(h, "e_machine", 18, 2, Role.KIND);
        add(h, "e_version", 20, 4, Role.PLAIN);
        add(h, "e_phoff", 32, 8, Role.OFFSET);
        add(h, "e_shoff", 40, 8, Role.OFFSET);
        add(h, "e_flags", 48, 4, Role.FLAGS);
        add(h, "e_ehsize", 52, 2, Role.SIZE);
        add(h, "e_shentsize", 58, 2, Role.ENTSIZE);
        add(h, "e_shnum", 60, 2, Role.COUNT);
        add(h, "e_shstrndx", 62, 2, Role.SECTION_INDEX);

        long shoff = Bytes.u64(bytes, 40, order);
        sectionCount = elf.sections().size();
        numbers.add(shoff);
        numbers.add((long) sectionCount);
        for (ElfSection s : elf.sections()) {
            long base = shoff + 64L * s.index();
            String p = "shdr[" + s.index() + (s.name().isEmpty() ? "" : " " + s.name()) + "].";
            String r = "section headers";
            add(r, p + "sh_name", base, 4, Role.STRING_OFFSET);
            add(r, p + "sh_type", base + 4, 4, Role.KIND);
            add(r, p + "sh_flags", base + 8, 8, Role.FLAGS);
            add(r, p + "sh_offset", base + 24, 8, Role.OFFSET);
            add(r, p + "sh_size", base + 32, 8, Role.SIZE);
            add(r, p + "sh_link", base + 40, 4, Role.SECTION_INDEX);
            add(r, p + "sh_info", base + 44, 4, Role.SECTION_INDEX);
            add(r, p + "sh_addralign", base + 48, 8, Role.SIZE);
            add(r, p + "sh_entsize", base + 56, 8, Role.ENTSIZE);
            numbers.add(s.size());
            numbers.add(s.fileOffset());
            if (!s.name().isEmpty()) {
                dictionary.add(s.name());
            }
            if (s.index() != 0 && !s.isNoBits() && s.type() != ElfFile.SHT_NULL) {
                sections.add(new Span(s.name(), (int) s.fileOffset(), (int) s.size(), (int) base));
                if (s.type() == ElfFile.SHT_STRTAB) {
                    stringTables.add(new Span(s.name(), (int) s.fileOffset(), (int) s.size(), (int) base));
                }
            }
        }
        readSymbols(elf);
        readRelocations(elf);
        elf.section("maps").ifPresent(s -> {
            for (long o = 0; o + 4 <= s.size() && o < 4096; o += 4) {
                add("legacy maps", "maps+" + o, s.fileOffset() + o, 4, o % 4 == 0 ? Role.SIZE : Role.PLAIN);
            }
        });
        elf.section("version").ifPresent(s -> add("misc", "version", s.fileOffset(), 4, Role.PLAIN));
        elf.section(".BTF").ifPresent(s -> readBtf(s.fileOffset(), s.size()));
        elf.section(".BTF.ext").ifPresent(s -> readBtfExt(s.fileOffset(), s.size()));
        for (String n : List.of(".BTF", ".BTF.ext", ".maps", "maps", ".text", ".data", ".bss", ".rodata",
                ".data.x", ".rodata.y", ".kconfig", ".ksyms", "license", "version", ".symtab", ".strtab",
                ".rel.text", ".rel.maps", ".relsocket", "socket", "xdp", "tc", "kprobe/x", "tp/a/b", "uprobe",
                "raw_tp/x", "syscall", "type", "key", "value", "key_size", "value_size", "max_entries",
                "map_flags", "values", "pinning", "numa_node", "map_extra", "")) {
            dictionary.add(n);
        }
    }

    private void readSymbols(ElfFile elf) {
        ElfSection symtab = null;
        for (ElfSection s : elf.sections()) {
            if (s.type() == ElfFile.SHT_SYMTAB) {
                symtab = s;
                break;
            }
        }
        if (symtab == null) {
            return;
        }
        List<ElfSymbol> syms = elf.symbols();
        symbolCount = syms.size();
        numbers.add((long) symbolCount);
        for (ElfSymbol sym : syms) {
            long base = symtab.fileOffset() + 24L * sym.index();
            String p = "sym[" + sym.index() + (sym.name().isEmpty() ? "" : " " + sym.name()) + "].";
            String r = "symbols";
            add(r, p + "st_name", base, 4, Role.STRING_OFFSET);
            add(r, p + "st_info", base + 4, 1, Role.KIND);
            add(r, p + "st_other", base + 5, 1, Role.KIND);
            add(r, p + "st_shndx", base + 6, 2, Role.SECTION_INDEX);
            add(r, p + "st_value", base + 8, 8, Role.OFFSET);
            add(r, p + "st_size", base + 16, 8, Role.SIZE);
            numbers.add(sym.value());
            numbers.add(sym.size());
            if (!sym.name().isEmpty()) {
                dictionary.add(sym.name());
            }
        }
    }

    private void readRelocations(ElfFile elf) {
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        for (ElfSection rel : elf.sections()) {
            if (rel.type() != ElfFile.SHT_REL || rel.size() % 16 != 0) {
                continue;
            }
            ElfSection target = rel.info() < elf.sections().size() ? elf.section(rel.info()) : null;
            for (long i = 0; i < rel.size() / 16; i++) {
                long base = rel.fileOffset() + 16 * i;
                String p = rel.name() + "[" + i + "].";
                add("relocations", p + "r_offset", base, 8, Role.OFFSET);
                add("relocations", p + "r_info", base + 8, 8, Role.PLAIN);
                add("relocations", p + "r_info.sym", base + (le ? 12 : 8), 4, Role.SYMBOL_INDEX);
                add("relocations", p + "r_info.type", base + (le ? 8 : 12), 4, Role.KIND);
                if (target != null && !target.isNoBits()) {
                    long at = target.fileOffset() + Bytes.u64(bytes, (int) base, order);
                    String q = target.name() + "+" + (at - target.fileOffset()) + ".";
                    add("instructions", q + "opcode", at, 1, Role.OPCODE);
                    add("instructions", q + "regs", at + 1, 1, Role.REGS);
                    add("instructions", q + "imm", at + 4, 4, Role.PLAIN);
                }
            }
        }
    }

    // ---------------------------------------------------------------- BTF

    private ByteOrder btfOrder(long base) {
        int m = (bytes[(int) base] & 0xff) | (bytes[(int) base + 1] & 0xff) << 8;
        return m == BTF_MAGIC ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    private void readBtf(long base, long size) {
        if (size < 24) {
            return;
        }
        String r = ".BTF header";
        add(r, "btf.magic", base, 2, Role.PLAIN);
        add(r, "btf.version", base + 2, 1, Role.KIND);
        add(r, "btf.flags", base + 3, 1, Role.FLAGS);
        add(r, "btf.hdr_len", base + 4, 4, Role.SIZE);
        add(r, "btf.type_off", base + 8, 4, Role.OFFSET);
        add(r, "btf.type_len", base + 12, 4, Role.SIZE);
        add(r, "btf.str_off", base + 16, 4, Role.OFFSET);
        add(r, "btf.str_len", base + 20, 4, Role.SIZE);
        long hdrLen = u32(base + 4);
        long typeStart = base + hdrLen + u32(base + 8);
        long typeEnd = Math.min(typeStart + u32(base + 12), base + size);
        long strStart = base + hdrLen + u32(base + 16);
        long strLen = u32(base + 20);
        numbers.add(u32(base + 12));
        numbers.add(strLen);
        if (strStart + strLen <= bytes.length) {
            stringTables.add(new Span(".BTF strings", (int) strStart, (int) strLen, -1));
            int n = 0;
            for (long p = strStart; p < strStart + strLen && n < 400; n++) {
                long e = p;
                while (e < strStart + strLen && bytes[(int) e] != 0) {
                    e++;
                }
                if (e > p) {
                    dictionary.add(new String(bytes, (int) p, (int) (e - p), StandardCharsets.UTF_8));
                }
                p = e + 1;
            }
        }
        ByteOrder bo = btfOrder(base);
        long p = typeStart;
        int id = 1;
        String t = ".BTF types";
        while (p + 12 <= typeEnd) {
            long info = Bytes.u32(bytes, (int) p + 4, bo);
            int kind = (int) (info >>> 24) & 0x1f;
            int vlen = (int) (info & 0xffff);
            String kn = kind < KIND_NAMES.length ? KIND_NAMES[kind] : "kind" + kind;
            String q = "btf[" + id + " " + kn + "].";
            add(t, q + "name_off", p, 4, Role.STRING_OFFSET);
            add(t, q + "info", p + 4, 4, Role.BTF_INFO);
            boolean ref = switch (kind) {
                case 2, 8, 9, 10, 11, 12, 13, 14, 17, 18 -> true;
                default -> false;
            };
            typeRef(t, q + (ref ? "type" : "size"), p + 8, ref ? Role.TYPE_ID : Role.SIZE, id);
            long x = p + 12;
            int extra;
            switch (kind) {
                case 1 -> {
                    add(t, q + "int_data", x, 4, Role.PLAIN);
                    extra = 4;
                }
                case 3 -> {
                    typeRef(t, q + "elem_type", x, Role.TYPE_ID, id);
                    typeRef(t, q + "index_type", x + 4, Role.TYPE_ID, id);
                    add(t, q + "nelems", x + 8, 4, Role.COUNT);
                    extra = 12;
                }
                case 4, 5 -> {
                    for (int i = 0; i < vlen; i++, x += 12) {
                        add(t, q + "member[" + i + "].name_off", x, 4, Role.STRING_OFFSET);
                        typeRef(t, q + "member[" + i + "].type", x + 4, Role.TYPE_ID, id);
                        add(t, q + "member[" + i + "].offset", x + 8, 4, Role.OFFSET);
                    }
                    extra = 12 * vlen;
                }
                case 6 -> {
                    for (int i = 0; i < vlen; i++, x += 8) {
                        add(t, q + "enum[" + i + "].name_off", x, 4, Role.STRING_OFFSET);
                        add(t, q + "enum[" + i + "].val", x + 4, 4, Role.PLAIN);
                    }
                    extra = 8 * vlen;
                }
                case 19 -> {
                    for (int i = 0; i < vlen; i++, x += 12) {
                        add(t, q + "enum64[" + i + "].name_off", x, 4, Role.STRING_OFFSET);
                        add(t, q + "enum64[" + i + "].val_hi", x + 8, 4, Role.PLAIN);
                    }
                    extra = 12 * vlen;
                }
                case 13 -> {
                    for (int i = 0; i < vlen; i++, x += 8) {
                        add(t, q + "param[" + i + "].name_off", x, 4, Role.STRING_OFFSET);
                        typeRef(t, q + "param[" + i + "].type", x + 4, Role.TYPE_ID, id);
                    }
                    extra = 8 * vlen;
                }
                case 14 -> {
                    add(t, q + "linkage", x, 4, Role.KIND);
                    extra = 4;
                }
                case 15 -> {
                    for (int i = 0; i < vlen; i++, x += 12) {
                        typeRef(t, q + "var[" + i + "].type", x, Role.TYPE_ID, id);
                        add(t, q + "var[" + i + "].offset", x + 4, 4, Role.OFFSET);
                        add(t, q + "var[" + i + "].size", x + 8, 4, Role.SIZE);
                    }
                    extra = 12 * vlen;
                }
                case 17 -> {
                    add(t, q + "component_idx", x, 4, Role.COUNT);
                    extra = 4;
                }
                case 7, 16, 2, 8, 9, 10, 11, 12, 18 -> extra = 0;
                default -> extra = -1;
            }
            if (extra < 0) {
                break;
            }
            p += 12 + extra;
            id++;
        }
        btfTypeCount = id;
        numbers.add((long) id);
    }

    private void typeRef(String region, String fieldName, long offset, Role role, int owner) {
        Field f = add(region, fieldName, offset, 4, role, role == Role.TYPE_ID ? owner : -1);
        if (f != null && role == Role.TYPE_ID) {
            btfTypeRefs.add(f);
        }
    }

    private void readBtfExt(long base, long size) {
        if (size < 24) {
            return;
        }
        ByteOrder bo = btfOrder(base);
        String r = ".BTF.ext header";
        add(r, "ext.magic", base, 2, Role.PLAIN);
        add(r, "ext.version", base + 2, 1, Role.KIND);
        add(r, "ext.flags", base + 3, 1, Role.FLAGS);
        add(r, "ext.hdr_len", base + 4, 4, Role.SIZE);
        long hdrLen = Bytes.u32(bytes, (int) base + 4, bo);
        String[] parts = {"func_info", "line_info", "core_relo"};
        for (int k = 0; k < 3; k++) {
            int at = 8 + 8 * k;
            if (at + 8 > hdrLen) {
                break;
            }
            add(r, "ext." + parts[k] + "_off", base + at, 4, Role.OFFSET);
            add(r, "ext." + parts[k] + "_len", base + at + 4, 4, Role.SIZE);
            long off = Bytes.u32(bytes, (int) (base + at), bo);
            long len = Bytes.u32(bytes, (int) (base + at + 4), bo);
            long start = base + hdrLen + off;
            long end = Math.min(start + len, base + size);
            if (len < 4 || start + 4 > end) {
                continue;
            }
            String region = ".BTF.ext " + parts[k];
            add(region, parts[k] + ".rec_size", start, 4, Role.SIZE);
            long recSize = Bytes.u32(bytes, (int) start, bo);
            if (recSize < 4) {
                continue;
            }
            long p = start + 4;
            int sec = 0;
            while (p + 8 <= end) {
                String q = parts[k] + "[sec " + sec + "].";
                add(region, q + "sec_name_off", p, 4, Role.STRING_OFFSET);
                add(region, q + "num_info", p + 4, 4, Role.COUNT);
                long n = Bytes.u32(bytes, (int) p + 4, bo);
                p += 8;
                for (long i = 0; i < n && p + recSize <= end; i++, p += recSize) {
                    String rq = q + "rec[" + i + "].";
                    add(region, rq + "insn_off", p, 4, Role.OFFSET);
                    switch (k) {
                        case 0 -> add(region, rq + "type_id", p + 4, 4, Role.TYPE_ID);
                        case 1 -> {
                            add(region, rq + "file_name_off", p + 4, 4, Role.STRING_OFFSET);
                            add(region, rq + "line_off", p + 8, 4, Role.STRING_OFFSET);
                            add(region, rq + "line_col", p + 12, 4, Role.PLAIN);
                        }
                        default -> {
                            add(region, rq + "type_id", p + 4, 4, Role.TYPE_ID);
                            add(region, rq + "access_str_off", p + 8, 4, Role.STRING_OFFSET);
                            add(region, rq + "kind", p + 12, 4, Role.KIND);
                        }
                    }
                }
                sec++;
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(": ");
        regions.forEach((k, v) -> sb.append(k).append('=').append(v.size()).append(' '));
        return sb.toString().trim();
    }
}
