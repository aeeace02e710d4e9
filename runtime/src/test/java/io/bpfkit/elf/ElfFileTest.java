package io.bpfkit.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.fuzz.Bytes;
import io.bpfkit.fuzz.ElfBuilder;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ElfFile} on the compiled test objects (both byte orders, and against binutils'
 * {@code readelf} where it is installed) and on hand-made files, good and bad: every problem is
 * an {@link ObjectFormatException} that says what is wrong and where.
 */
class ElfFileTest {

    /** Byte orders, for the parameterized hand-made cases. */
    enum Order {
        LITTLE(ByteOrder.LITTLE_ENDIAN), BIG(ByteOrder.BIG_ENDIAN);

        final ByteOrder order;

        Order(ByteOrder order) {
            this.order = order;
        }
    }

    private static ElfFile parse(byte[] b) {
        return ElfFile.parse(MemorySegment.ofArray(b));
    }

    private static ObjectFormatException bad(byte[] b) {
        return assertThrows(ObjectFormatException.class, () -> parse(b));
    }

    private static void assertMessage(ObjectFormatException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "expected \"" + p + "\" in: " + e.getMessage());
        }
        assertNull(e.getCause(), "a format problem has no cause");
    }

    private static ElfSymbol symbol(ElfFile elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + name));
    }

    private static ElfSection section(ElfFile elf, String name) {
        return elf.section(name).orElseThrow(() -> new AssertionError("no section " + name));
    }

    // ---------------------------------------------------------------- real objects

    @Test
    void readsAClangObject() {
        ElfFile elf = parse(TestObjects.bytes("programs.bpf.o"));
        assertEquals(ByteOrder.LITTLE_ENDIAN, elf.order());
        assertEquals(ElfFile.EM_BPF, elf.machine());
        assertEquals(ElfFile.ET_REL, elf.type());
        List<ElfSection> sections = elf.sections();
        assertTrue(sections.size() > 40, sections.size() + " sections");
        for (int i = 0; i < sections.size(); i++) {
            assertEquals(i, sections.get(i).index());
            assertEquals(sections.get(i), elf.section(i));
            ElfSection s = sections.get(i);
            if (!s.isNoBits() && s.type() != ElfFile.SHT_NULL) {
                assertEquals(s.size(), s.data().byteSize(), s.name());
            }
        }
        ElfSection zero = elf.section(0);
        assertEquals(ElfFile.SHT_NULL, zero.type());
        assertEquals("", zero.name());

        ElfSection text = section(elf, ".text");
        assertEquals(ElfFile.SHT_PROGBITS, text.type());
        assertTrue(text.isExecutable() && text.isAllocated() && !text.isWritable());
        assertEquals(0, text.size() % 8);
        ElfSection socket = section(elf, "socket");
        assertTrue(socket.isExecutable());
        assertTrue(elf.section("tp/syscalls/sys_enter_getpid").isPresent());
        assertTrue(elf.section("uprobe//proc/self/exe:bpfkit_uprobe_target").isPresent());
        assertTrue(elf.section(".BTF").isPresent() && elf.section(".BTF.ext").isPresent());
        assertTrue(elf.section("no such section").isEmpty());

        ElfSection bss = section(elf, ".bss");
        assertTrue(bss.isNoBits() && bss.isWritable());
        assertEquals(0x88, bss.size()); // u64 hits[16] and u64 loop_mix
        assertEquals(0, bss.data().byteSize());
        assertEquals("GPL", new String(section(elf, "license").data().toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII).replace("\0", ""));
        assertEquals(0x060c00, section(elf, "version").data()
                .get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(elf.order()), 0));

        List<ElfSymbol> symbols = elf.symbols();
        assertEquals(0, symbols.get(0).index());
        assertEquals("", symbols.get(0).name());
        assertTrue(symbols.get(0).isUndefined());
        for (int i = 0; i < symbols.size(); i++) {
            assertEquals(i, symbols.get(i).index());
        }
        ElfSymbol sockA = symbol(elf, "sock_a");
        assertEquals(ElfFile.STT_FUNC, sockA.type());
        assertEquals(ElfFile.STB_GLOBAL, sockA.binding());
        assertTrue(sockA.isGlobal() && !sockA.isWeak() && !sockA.isUndefined());
        assertEquals(socket.index(), sockA.sectionIndex());
        assertEquals(0, sockA.value());
        ElfSymbol sockB = symbol(elf, "sock_b");
        assertEquals(socket.index(), sockB.sectionIndex());
        assertEquals(sockA.size(), sockB.value(), "sock_b follows sock_a");
        ElfSymbol mix = symbol(elf, "mix_step");
        assertEquals(ElfFile.STB_LOCAL, mix.binding());
        assertEquals(text.index(), mix.sectionIndex());
        ElfSymbol hits = symbol(elf, "hits");
        assertEquals(ElfFile.STT_OBJECT, hits.type());
        assertEquals(bss.index(), hits.sectionIndex());
        assertEquals(128, hits.size());

        // .relsocket: sock_a and sock_b each call count_hit (R_BPF_INSN_DISP32 = 10).
        ElfSection relSocket = section(elf, ".relsocket");
        assertEquals(ElfFile.SHT_REL, relSocket.type());
        assertEquals(socket.index(), relSocket.info());
        assertEquals(elf.sections().stream().filter(s -> s.type() == ElfFile.SHT_SYMTAB).findFirst().orElseThrow()
                .index(), relSocket.link());
        List<ElfRelocation> rels = elf.relocations(relSocket);
        assertEquals(2, rels.size());
        for (ElfRelocation r : rels) {
            assertEquals("count_hit", symbols.get(r.symbolIndex()).name());
            assertEquals(10, r.type());
            assertTrue(r.offset() >= 0 && r.offset() < socket.size() && r.offset() % 8 == 0);
        }
        ElfSection relText = section(elf, ".rel.text");
        ElfRelocation toHits = elf.relocations(relText).get(0);
        assertEquals("hits", symbols.get(toHits.symbolIndex()).name());
        assertEquals(1, toHits.type()); // R_BPF_INSN_64: an ld_imm64
        assertEquals(0x18, text.data().get(ValueLayout.JAVA_BYTE, toHits.offset()));

        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> elf.relocations(text));
        assertMessage(e, "not a SHT_REL section (type 1)");
        assertEquals(".text", e.section());
    }

    @Test
    void bigEndianObjectReadsTheSameAsLittleEndian() {
        for (String name : List.of("programs", "globals")) {
            ElfFile le = parse(TestObjects.bytes(name + ".bpf.o"));
            ElfFile be = parse(TestObjects.bytes(name + ".bpfeb.o"));
            assertEquals(ByteOrder.LITTLE_ENDIAN, le.order());
            assertEquals(ByteOrder.BIG_ENDIAN, be.order());
            assertEquals(ElfFile.EM_BPF, be.machine());
            assertEquals(ElfFile.ET_REL, be.type());
            assertEquals(names(le), names(be));
            for (int i = 0; i < le.sections().size(); i++) {
                ElfSection a = le.section(i);
                ElfSection b = be.section(i);
                assertEquals(a.type(), b.type(), a.name());
                assertEquals(a.flags(), b.flags(), a.name());
                assertEquals(a.link(), b.link(), a.name());
                assertEquals(a.info(), b.info(), a.name());
                assertEquals(a.entrySize(), b.entrySize(), a.name());
                assertEquals(ByteOrder.BIG_ENDIAN, b.order());
                if (a.isExecutable() || a.name().equals("license")) {
                    assertEquals(a.size(), b.size(), a.name());
                }
            }
            assertEquals(le.symbols().size(), be.symbols().size());
            for (int i = 0; i < le.symbols().size(); i++) {
                ElfSymbol a = le.symbols().get(i);
                ElfSymbol b = be.symbols().get(i);
                assertEquals(a.name(), b.name());
                assertEquals(a.sectionIndex(), b.sectionIndex(), a.name());
                assertEquals(a.type(), b.type(), a.name());
                assertEquals(a.binding(), b.binding(), a.name());
                if (a.type() == ElfFile.STT_FUNC || a.type() == ElfFile.STT_OBJECT) {
                    assertEquals(a.value(), b.value(), a.name());
                    assertEquals(a.size(), b.size(), a.name());
                }
            }
            for (ElfSection rel : le.sections()) {
                if (rel.type() == ElfFile.SHT_REL && le.section(rel.info()).isExecutable()) {
                    List<ElfRelocation> a = le.relocations(rel);
                    List<ElfRelocation> b = be.relocations(be.section(rel.index()));
                    assertEquals(a, b, rel.name());
                }
            }
        }
        ElfFile be = parse(TestObjects.bytes("programs.bpfeb.o"));
        assertEquals(0x060c00, section(be, "version").data().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(
                ByteOrder.BIG_ENDIAN), 0));
    }

    private static List<String> names(ElfFile elf) {
        return elf.sections().stream().map(ElfSection::name).toList();
    }

    // ---------------------------------------------------------------- against readelf

    private static final Pattern SECTION_LINE = Pattern.compile(
            "^\\s*\\[\\s*(\\d+)]\\s+(\\S*)\\s+(\\S+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)"
                    + "\\s+(\\S*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
    private static final Pattern SYMBOL_LINE = Pattern.compile(
            "^\\s*(\\d+):\\s+([0-9a-f]+)\\s+(\\d+|0x[0-9a-f]+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s?(.*)$");
    private static final Pattern REL_HEADER = Pattern.compile("^Relocation section '([^']*)' at offset");
    private static final Pattern REL_LINE = Pattern.compile("^([0-9a-f]{16})\\s+([0-9a-f]{16})\\s+.*$");

    private static String readelf(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("readelf");
        cmd.addAll(List.of(args));
        Tools.assumePresent(Tools.find("readelf") != null, "binutils' readelf is not installed (Debian: apt-get "
                + "install binutils)");
        Tools.Result r = Tools.run(60, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), "readelf " + String.join(" ", args) + ": " + r.stderr());
        return r.out();
    }

    @Test
    void agreesWithReadelfOnEveryTestObject() throws Exception {
        Map<String, Integer> types = Map.of("NULL", 0, "PROGBITS", 1, "SYMTAB", 2, "STRTAB", 3, "RELA", 4,
                "NOBITS", 8, "REL", 9);
        for (Path path : TestObjects.all()) {
            String file = path.toString();
            ElfFile elf = parse(TestObjects.bytes(path.getFileName().toString()));
            int sectionsSeen = 0;
            for (String line : readelf("-S", "-W", file).split("\n")) {
                Matcher m = SECTION_LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                sectionsSeen++;
                ElfSection s = elf.section(Integer.parseInt(m.group(1)));
                String where = file + " [" + s.index() + "]";
                assertEquals(m.group(2), s.name(), where);
                Integer type = types.get(m.group(3));
                if (type != null) {
                    assertEquals(type.intValue(), s.type(), where);
                }
                assertEquals(Long.parseLong(m.group(5), 16), s.fileOffset(), where);
                assertEquals(Long.parseLong(m.group(6), 16), s.size(), where);
                assertEquals(Long.parseLong(m.group(7), 16), s.entrySize(), where);
                assertEquals(Integer.parseInt(m.group(9)), s.link(), where);
                assertEquals(Integer.parseInt(m.group(10)), s.info(), where);
                assertEquals(Long.parseLong(m.group(11)), s.alignment(), where);
            }
            assertEquals(elf.sections().size(), sectionsSeen, file);

            int symbolsSeen = 0;
            for (String line : readelf("-s", "-W", file).split("\n")) {
                Matcher m = SYMBOL_LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                symbolsSeen++;
                ElfSymbol s = elf.symbols().get(Integer.parseInt(m.group(1)));
                String where = file + " symbol " + s.index();
                assertEquals(Long.parseUnsignedLong(m.group(2), 16), s.value(), where);
                assertEquals(Long.decode(m.group(3)).longValue(), s.size(), where);
                String ndx = m.group(7);
                int shndx = switch (ndx) {
                    case "UND" -> ElfFile.SHN_UNDEF;
                    case "ABS" -> ElfFile.SHN_ABS;
                    case "COM" -> ElfFile.SHN_COMMON;
                    default -> Integer.parseInt(ndx);
                };
                assertEquals(shndx, s.sectionIndex(), where);
                if (!m.group(4).equals("SECTION")) { // readelf shows a section symbol by its section's name
                    assertEquals(m.group(8).trim(), s.name(), where);
                }
                assertEquals(switch (m.group(5)) {
                    case "LOCAL" -> ElfFile.STB_LOCAL;
                    case "GLOBAL" -> ElfFile.STB_GLOBAL;
                    case "WEAK" -> ElfFile.STB_WEAK;
                    default -> -1;
                }, s.binding(), where);
            }
            assertEquals(elf.symbols().size(), symbolsSeen, file);

            Map<String, List<long[]>> relocs = new HashMap<>();
            List<long[]> current = null;
            for (String line : readelf("-r", "-W", file).split("\n")) {
                Matcher h = REL_HEADER.matcher(line);
                if (h.find()) {
                    current = new ArrayList<>();
                    relocs.put(h.group(1), current);
                    continue;
                }
                Matcher m = REL_LINE.matcher(line);
                if (m.matches() && current != null) {
                    current.add(new long[] {Long.parseUnsignedLong(m.group(1), 16),
                        Long.parseUnsignedLong(m.group(2), 16)});
                }
            }
            for (ElfSection rel : elf.sections()) {
                if (rel.type() != ElfFile.SHT_REL) {
                    continue;
                }
                List<long[]> expected = relocs.get(rel.name());
                List<ElfRelocation> actual = elf.relocations(rel);
                assertEquals(expected == null ? 0 : expected.size(), actual.size(), file + " " + rel.name());
                for (int i = 0; i < actual.size(); i++) {
                    long[] x = expected.get(i);
                    assertEquals(x[0], actual.get(i).offset(), file + " " + rel.name() + "[" + i + "]");
                    assertEquals(x[1] >>> 32, actual.get(i).symbolIndex(), file + " " + rel.name() + "[" + i + "]");
                    assertEquals((int) x[1], actual.get(i).type(), file + " " + rel.name() + "[" + i + "]");
                }
            }
        }
    }

    // ---------------------------------------------------------------- hand-made files

    /** .text (two instructions), .strtab, .symtab (null, prog, data_var), .rel.text, .bss; returns the file. */
    private static ElfBuilder.Built sample(ByteOrder order) {
        ElfBuilder b = new ElfBuilder(order);
        byte[] code = new byte[24];
        code[0] = 0x18; // ld_imm64 (two slots), then exit
        code[16] = (byte) 0x95;
        int text = b.add(".text", ElfBuilder.SHT_PROGBITS, ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_EXECINSTR, code);
        int bss = b.addNoBits(".bss", ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_WRITE, 4096);
        ElfBuilder.Symbols syms = new ElfBuilder.Symbols(order);
        syms.add("prog", ElfBuilder.STB_GLOBAL, ElfBuilder.STT_FUNC, text, 0, 24);
        int var = syms.add("data_var", ElfBuilder.STB_WEAK, ElfBuilder.STT_OBJECT, 2, bss, 8, 4);
        int strtab = b.add(".strtab", ElfBuilder.SHT_STRTAB, 0, syms.strtab());
        int symtab = b.add(".symtab", ElfBuilder.SHT_SYMTAB, 0, syms.symtab(), strtab, 1, 24);
        b.add(".rel.text", ElfBuilder.SHT_REL, 0, ElfBuilder.rel(order, 0, var, 1), symtab, text, 16);
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void readsAHandMadeFile(Order o) {
        ElfBuilder.Built built = sample(o.order);
        ElfFile elf = parse(built.bytes());
        assertEquals(o.order, elf.order());
        assertEquals(List.of("", ".text", ".bss", ".strtab", ".symtab", ".rel.text", ".shstrtab"), names(elf));
        ElfSection text = section(elf, ".text");
        assertEquals(24, text.size());
        assertEquals(0x18, text.data().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(built.dataOffsets()[1], text.fileOffset());
        ElfSection bss = section(elf, ".bss");
        assertEquals(4096, bss.size());
        assertEquals(0, bss.data().byteSize());
        List<ElfSymbol> syms = elf.symbols();
        assertEquals(3, syms.size());
        assertEquals(new ElfSymbol(1, "prog", 0, 24, ElfFile.STB_GLOBAL, ElfFile.STT_FUNC, 0, 1), syms.get(1));
        assertEquals(new ElfSymbol(2, "data_var", 8, 4, ElfFile.STB_WEAK, ElfFile.STT_OBJECT, 2, 2), syms.get(2));
        assertTrue(syms.get(2).isWeak() && syms.get(2).isGlobal());
        assertEquals(List.of(new ElfRelocation(0, 2, 1)), elf.relocations(section(elf, ".rel.text")));
        assertTrue(ElfFile.isElf(MemorySegment.ofArray(built.bytes())));
    }

    @Test
    void aFileWithoutSectionsOrSymbols() {
        byte[] b = new byte[64];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, b, 0, 7);
        Bytes.put(b, 18, 2, 247, ByteOrder.LITTLE_ENDIAN);
        ElfFile elf = parse(b);
        assertTrue(elf.sections().isEmpty());
        assertTrue(elf.symbols().isEmpty());
        assertTrue(elf.section(".text").isEmpty());
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> elf.section(0));
        assertMessage(e, "section index 0 is out of range (0 sections)");
    }

    @Test
    void extendedSectionNumbering() {
        // More than 0xff00 sections: e_shnum 0 and the count in section 0's sh_size;
        // e_shstrndx SHN_XINDEX (0xffff) and the index in section 0's sh_link.
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        byte[] b = built.bytes();
        int shnum = (int) Bytes.u16(b, 60, ByteOrder.LITTLE_ENDIAN);
        int shstrndx = (int) Bytes.u16(b, 62, ByteOrder.LITTLE_ENDIAN);
        built.patch(60, 2, 0).patchHeader(0, 32, 8, shnum);
        built.patch(62, 2, 0xffff).patchHeader(0, 40, 4, shstrndx);
        ElfFile elf = parse(b);
        assertEquals(shnum, elf.sections().size());
        assertEquals(".shstrtab", elf.section(shstrndx).name());
        assertEquals(3, elf.symbols().size());
    }

    // ---------------------------------------------------------------- bad files: the header

    @Test
    void tooShort() {
        ObjectFormatException e = bad(new byte[10]);
        assertMessage(e, "file is 10 bytes, too short for an ELF64 header (64 bytes)");
        assertEquals(0, e.offset());
        assertNull(e.section());
        assertMessage(bad(new byte[0]), "file is 0 bytes");
        assertMessage(bad(new byte[63]), "file is 63 bytes");
    }

    @Test
    void badMagic() {
        byte[] b = sample(ByteOrder.LITTLE_ENDIAN).bytes();
        b[0] = 0x7e;
        ObjectFormatException e = bad(b);
        assertMessage(e, "not an ELF file (bad magic)");
        assertEquals(0, e.offset());
        assertFalse(ElfFile.isElf(MemorySegment.ofArray(b)));
        assertFalse(ElfFile.isElf(MemorySegment.ofArray(new byte[] {0x7f, 'E', 'L'})));
    }

    @Test
    void elf32IsRefused() {
        byte[] b = sample(ByteOrder.LITTLE_ENDIAN).bytes();
        b[4] = 1;
        ObjectFormatException e = bad(b);
        assertMessage(e, "not a 64-bit ELF file (EI_CLASS 1)", "ELF64");
        assertEquals(4, e.offset());
        b[4] = 0;
        assertMessage(bad(b), "EI_CLASS 0");
    }

    @Test
    void unknownDataEncoding() {
        byte[] b = sample(ByteOrder.LITTLE_ENDIAN).bytes();
        for (int enc : new int[] {0, 3, 255}) {
            b[5] = (byte) enc;
            ObjectFormatException e = bad(b);
            assertMessage(e, "unknown ELF data encoding " + enc);
            assertEquals(5, e.offset());
        }
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void wrongSectionHeaderSize(Order o) {
        ElfBuilder.Built built = sample(o.order).patch(58, 2, 40);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "section header size 40, expected 64");
        assertEquals(58, e.offset());
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void sectionHeaderTablePastTheEnd(Order o) {
        ElfBuilder.Built built = sample(o.order);
        long shoff = built.bytes().length - 100;
        built.patch(40, 8, shoff);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "section header table (7 entries)", "lies outside the data (" + built.bytes().length
                + " bytes)");
        assertEquals(shoff, e.offset());

        ElfBuilder.Built many = sample(o.order).patch(60, 2, 0xff00);
        assertMessage(bad(many.bytes()), "section header table (65280 entries)");

        ElfBuilder.Built negative = sample(o.order).patch(40, 8, Long.MIN_VALUE);
        assertMessage(bad(negative.bytes()), "section header table", "outside");
    }

    @Test
    void sectionNameTableIndexOutOfRange() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN).patch(62, 2, 7);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "section name table index 7 is out of range (7 sections)");
        assertEquals(62, e.offset());
    }

    @Test
    void extendedNumberingProblems() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN).patch(60, 2, 0).patchHeader(0, 32, 8, 1L << 31);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "section count 2147483648 is too large");
        assertEquals(built.shoff() + 32, e.offset());

        built = sample(ByteOrder.LITTLE_ENDIAN).patch(60, 2, 0).patchHeader(0, 32, 8, 1 << 20);
        assertMessage(bad(built.bytes()), "section header table (1048576 entries)", "outside");

        // e_shnum 0 with the header table itself outside the file.
        built = sample(ByteOrder.LITTLE_ENDIAN).patch(60, 2, 0).patch(40, 8, 1L << 40);
        e = bad(built.bytes());
        assertMessage(e, "section header 0", "outside");
        assertEquals(1L << 40, e.offset());

        built = sample(ByteOrder.LITTLE_ENDIAN).patch(62, 2, 0xffff).patchHeader(0, 40, 4, 0xffff_ffffL);
        e = bad(built.bytes());
        assertMessage(e, "shstrndx 4294967295 is out of range");
        assertEquals(built.shoff() + 40, e.offset());
    }

    // ---------------------------------------------------------------- bad files: sections

    @ParameterizedTest
    @EnumSource(Order.class)
    void sectionDataOutsideTheFile(Order o) {
        ElfBuilder.Built built = sample(o.order);
        int len = built.bytes().length;
        int text = built.index(".text");
        built.patchHeader(text, 24, 8, len - 8);
        ObjectFormatException e = bad(built.bytes());
        assertEquals(".text", e.section());
        assertMessage(e, "section data [0x" + Long.toHexString(len - 8) + ", +0x18) lies outside the file (" + len
                + " bytes)");

        built = sample(o.order).patchHeader(text, 32, 8, -1);
        assertMessage(bad(built.bytes()), "lies outside the file");
        built = sample(o.order).patchHeader(text, 24, 8, Long.MIN_VALUE);
        assertMessage(bad(built.bytes()), "lies outside the file");

        // The section name table is read before any name is known.
        int shstrtab = built.index(".shstrtab");
        built = sample(o.order).patchHeader(shstrtab, 32, 8, 1L << 40);
        e = bad(built.bytes());
        assertEquals("section name table", e.section());
        assertMessage(e, "lies outside the file");
    }

    @Test
    void noBitsSectionsHaveNoBytesToCheck() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        int bss = built.index(".bss");
        built.patchHeader(bss, 24, 8, 1L << 50).patchHeader(bss, 32, 8, 1L << 40);
        ElfSection s = section(parse(built.bytes()), ".bss");
        assertEquals(1L << 40, s.size());
        assertEquals(0, s.data().byteSize());
    }

    @Test
    void sectionNameOutsideTheNameTable() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        int text = built.index(".text");
        built.patchHeader(text, 0, 4, 0x7000_0000L);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "string offset 1879048192 is outside the string table");
        assertEquals(0x7000_0000L, e.offset());
    }

    @Test
    void unterminatedSectionName() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        byte[] b = built.bytes();
        int shstrtab = built.index(".shstrtab");
        long end = built.dataOffsets()[shstrtab] + Bytes.u64(b, built.header(shstrtab) + 32, ByteOrder.LITTLE_ENDIAN);
        b[(int) end - 1] = 'x'; // ".shstrtab" loses its NUL, the last in the table
        ObjectFormatException e = bad(b);
        assertMessage(e, "string is not NUL-terminated");
    }

    @Test
    void sectionTypeThatDoesNotFitAnInt() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        int text = built.index(".text");
        built.patchHeader(text, 4, 4, 0xffff_ffffL);
        ObjectFormatException e = bad(built.bytes());
        assertMessage(e, "sh_type 4294967295 is out of range");
        assertEquals(built.header(text) + 4, e.offset());
    }

    @Test
    void sectionIndexOutOfRange() {
        ElfFile elf = parse(sample(ByteOrder.LITTLE_ENDIAN).bytes());
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> elf.section(7));
        assertMessage(e, "section index 7 is out of range (7 sections)");
        assertMessage(assertThrows(ObjectFormatException.class, () -> elf.section(-1)), "section index -1");
    }

    // ---------------------------------------------------------------- bad files: symbols

    private static ObjectFormatException badSymbols(ElfBuilder.Built built) {
        ElfFile elf = parse(built.bytes()); // the sections are fine: symbols are read on first use
        return assertThrows(ObjectFormatException.class, elf::symbols);
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void symbolEntrySize(Order o) {
        for (long size : new long[] {0, 16, 25, 1L << 40}) {
            ElfBuilder.Built built = sample(o.order);
            built.patchHeader(built.index(".symtab"), 56, 8, size);
            ObjectFormatException e = badSymbols(built);
            assertMessage(e, "symbol entry size " + size + ", expected 24");
            assertEquals(".symtab", e.section());
        }
    }

    @Test
    void symbolTableSizeNotAMultipleOfTheEntrySize() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(built.index(".symtab"), 32, 8, 3 * 24 - 5);
        ObjectFormatException e = badSymbols(built);
        assertMessage(e, "size 67 is not a multiple of the symbol size (24)");
        assertEquals(67, e.offset());
        assertEquals(".symtab", e.section());
    }

    @Test
    void symbolStringTableLink() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        int symtab = built.index(".symtab");
        built.patchHeader(symtab, 40, 4, 99);
        assertMessage(badSymbols(built), "section index 99 is out of range (7 sections)");

        built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(symtab, 40, 4, built.index(".text"));
        ObjectFormatException e = badSymbols(built);
        assertMessage(e, "sh_link 1 is not a string table");
        assertEquals(".symtab", e.section());
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void symbolNameOutsideTheStringTable(Order o) {
        ElfBuilder.Built built = sample(o.order);
        int symtab = built.index(".symtab");
        long at = built.dataOffsets()[symtab] + 24 * 2; // data_var's st_name
        Bytes.put(built.bytes(), (int) at, 4, 500, o.order);
        ObjectFormatException e = badSymbols(built);
        assertMessage(e, "string offset 500 is outside the string table (15 bytes)");
        assertEquals(".strtab", e.section());
        assertEquals(500, e.offset());
    }

    @Test
    void noSymbolTable() {
        ElfBuilder b = new ElfBuilder(ByteOrder.LITTLE_ENDIAN);
        b.add(".text", ElfBuilder.SHT_PROGBITS, ElfBuilder.SHF_EXECINSTR, new byte[8]);
        ElfFile elf = parse(b.build().bytes());
        assertTrue(elf.symbols().isEmpty());
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> elf.relocations(section(elf, ".text")));
        assertMessage(e, "not a SHT_REL section");
    }

    // ---------------------------------------------------------------- bad files: relocations

    private static ObjectFormatException badRelocations(ElfBuilder.Built built) {
        ElfFile elf = parse(built.bytes());
        return assertThrows(ObjectFormatException.class, () -> elf.relocations(section(elf, ".rel.text")));
    }

    @Test
    void relocationEntrySize() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(built.index(".rel.text"), 56, 8, 24);
        ObjectFormatException e = badRelocations(built);
        assertMessage(e, "relocation entry size 24, expected 16");
        assertEquals(".rel.text", e.section());
        // 0 means "not given" and is accepted.
        built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(built.index(".rel.text"), 56, 8, 0);
        ElfFile elf = parse(built.bytes());
        assertEquals(1, elf.relocations(section(elf, ".rel.text")).size());
    }

    @Test
    void relocationSectionSize() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(built.index(".rel.text"), 32, 8, 12);
        ObjectFormatException e = badRelocations(built);
        assertMessage(e, "size 12 is not a multiple of the relocation size (16)");
        assertEquals(12, e.offset());
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void relocationOfAMissingSymbol(Order o) {
        ElfBuilder.Built built = sample(o.order);
        int rel = built.index(".rel.text");
        long at = built.dataOffsets()[rel] + 8;
        Bytes.put(built.bytes(), (int) at, 8, 7L << 32 | 1, o.order);
        ObjectFormatException e = badRelocations(built);
        assertMessage(e, "relocation names symbol 7, but the symbol table has 3");
        assertEquals(".rel.text", e.section());
        assertEquals(8, e.offset());

        Bytes.put(built.bytes(), (int) at, 8, 0xffff_ffffL << 32, o.order);
        assertMessage(badRelocations(built), "relocation names symbol 4294967295");
    }

    @Test
    void relocationsNeedAWellFormedSymbolTable() {
        ElfBuilder.Built built = sample(ByteOrder.LITTLE_ENDIAN);
        built.patchHeader(built.index(".symtab"), 56, 8, 0);
        assertMessage(badRelocations(built), "symbol entry size 0");
    }

    @Test
    void everyProblemNamesTheFileWhenOpenedThroughBpfObjects() {
        byte[] b = sample(ByteOrder.LITTLE_ENDIAN).patch(58, 2, 40).bytes();
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> io.bpfkit.object.BpfObjects.open(b, "hand.bpf.o"));
        assertEquals("hand.bpf.o", e.file());
        assertEquals(58, e.offset());
        assertTrue(e.getMessage().startsWith("hand.bpf.o: at offset 0x3a: section header size 40"), e.getMessage());
    }
}
