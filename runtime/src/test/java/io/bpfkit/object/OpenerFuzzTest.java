package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.fuzz.Bytes;
import io.bpfkit.fuzz.ContractViolation;
import io.bpfkit.fuzz.FuzzLoop;
import io.bpfkit.fuzz.Mutator;
import io.bpfkit.fuzz.ObjectLayout;
import io.bpfkit.fuzz.Oracle;
import io.bpfkit.fuzz.RawBtf;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never escapes the opener as anything but an {@link ObjectFormatException}: a seeded
 * mutation fuzzer over every test object, bounded in time, and fixed regression cases.
 *
 * <p>System properties: {@code bpfkit.fuzzSeconds} (total budget, default 30; 0 skips the
 * loop), {@code bpfkit.fuzzSeed} (default a fixed seed, so a build is repeatable),
 * {@code bpfkit.fuzzReplay=OBJECT:ITERATION[,...]} (runs only those cases, printing their
 * mutations), {@code bpfkit.fuzzFailures} (where failing inputs go, default
 * {@code target/fuzz-failures}). The contract itself is {@link Oracle}'s.
 */
class OpenerFuzzTest {
    private static final long DEFAULT_SEED = 0xb9f_f022L;
    /** What counts as a hang (an endless loop), not a speed limit: speed is for benchmarks. */
    private static final Duration HANG_LIMIT = Duration.ofSeconds(60);

    private static List<FuzzLoop.Seed> seeds() throws IOException {
        List<FuzzLoop.Seed> seeds = new ArrayList<>();
        for (Path p : TestObjects.all()) {
            seeds.add(new FuzzLoop.Seed(p.getFileName().toString(), Files.readAllBytes(p)));
        }
        assertTrue(seeds.size() >= 25, "expected the 25 test objects in " + TestObjects.dir() + ": " + seeds.size());
        long bigEndian = seeds.stream().filter(s -> s.name().endsWith(".bpfeb.o")).count();
        assertEquals(bigEndianSources(), bigEndian, "a big-endian seed for every source marked 'also-bpfeb'");
        return seeds;
    }

    /** The test sources scripts/build-bpf.sh also builds big-endian: at least one, or the fuzzer has no such seed. */
    private static long bigEndianSources() throws IOException {
        try (var sources = Files.list(Path.of("src", "test", "bpf"))) {
            long n = 0;
            for (Path c : sources.filter(p -> p.toString().endsWith(".bpf.c")).toList()) {
                n += Files.readAllLines(c).stream().anyMatch(l -> l.startsWith("// bpfkit: also-bpfeb")) ? 1 : 0;
            }
            assertTrue(n >= 1, "no source in src/test/bpf is marked '// bpfkit: also-bpfeb'");
            return n;
        }
    }

    private static long seed() {
        String s = System.getProperty("bpfkit.fuzzSeed", "");
        return s.isBlank() ? DEFAULT_SEED : Long.decode(s.trim());
    }

    private static Path failureDir() {
        return Path.of(System.getProperty("bpfkit.fuzzFailures", "target/fuzz-failures"));
    }

    private static FuzzLoop.Config config(Duration budget) {
        return new FuzzLoop.Config(seed(), budget, HANG_LIMIT, failureDir(), 25, System.out);
    }

    // ---------------------------------------------------------------- the loop

    @Test
    void seedObjectsKeepTheContract() throws IOException {
        for (FuzzLoop.Seed s : seeds()) {
            Oracle.Outcome o = Oracle.check(s.bytes());
            assertTrue(o.opened(), s.name() + " should open: " + o.label());
        }
    }

    @Test
    void mutationsAreReproducible() throws IOException {
        FuzzLoop loop = new FuzzLoop(seeds(), config(Duration.ZERO));
        for (ObjectLayout l : loop.layouts()) {
            for (long i = 0; i < 20; i++) {
                Mutator.Mutant a = loop.mutant(l.name(), i);
                Mutator.Mutant b = loop.mutant(l.name(), i);
                assertTrue(Arrays.equals(a.bytes(), b.bytes()) && a.steps().equals(b.steps()),
                        l.name() + " case " + i + " is not reproducible");
                assertTrue(!a.steps().isEmpty() || Arrays.equals(a.bytes(), l.bytes()));
            }
        }
    }

    @Test
    void layoutsReachTheDeepParts() throws IOException {
        FuzzLoop loop = new FuzzLoop(seeds(), config(Duration.ZERO));
        ObjectLayout maps = loop.layouts().stream().filter(l -> l.name().equals("maps_btf.bpf.o")).findFirst()
                .orElseThrow();
        for (String region : List.of("elf header", "section headers", "symbols", "relocations", "instructions",
                ".BTF header", ".BTF types", ".BTF.ext header", ".BTF.ext func_info", ".BTF.ext line_info")) {
            assertTrue(maps.regions().containsKey(region), "no fields found in " + region + ": " + maps);
        }
        assertTrue(maps.btfTypeCount() > 20, maps.toString());
        assertTrue(!maps.btfTypeRefs().isEmpty());
        ObjectLayout core = loop.layouts().stream().filter(l -> l.name().equals("core.bpf.o")).findFirst()
                .orElseThrow();
        assertTrue(core.regions().containsKey(".BTF.ext core_relo"), core.toString());
    }

    @Test
    void fuzzEveryTestObject() throws IOException {
        List<FuzzLoop.Seed> seeds = seeds();
        String replay = System.getProperty("bpfkit.fuzzReplay", "");
        if (!replay.isBlank()) {
            replay(seeds, replay);
            return;
        }
        long seconds = Long.parseLong(System.getProperty("bpfkit.fuzzSeconds", "30").trim());
        Assumptions.assumeTrue(seconds > 0, "bpfkit.fuzzSeconds=0: fuzzing skipped");
        FuzzLoop loop = new FuzzLoop(seeds, config(Duration.ofSeconds(seconds)));
        System.out.printf("OpenerFuzzTest: seed %d (0x%x), %d s over %d objects; replay a case with"
                + " -Dbpfkit.fuzzSeed=%d -Dbpfkit.fuzzReplay=OBJECT:ITERATION%n", seed(), seed(), seconds,
                seeds.size(), seed());
        FuzzLoop.Report report = loop.run();
        String summary = FuzzLoop.summary(report);
        System.out.print(summary);
        if (!report.failures().isEmpty()) {
            StringBuilder details = new StringBuilder(summary);
            for (FuzzLoop.Failure f : report.failures()) {
                details.append("\n==== ").append(f.signature()).append('\n').append(f.error());
            }
            fail(details.toString());
        }
        // The loop did real work, judged by what it did rather than how fast (a rate floor failed
        // whenever other builds shared the machine): at least ten cases per object on average,
        // every seed mutated, and mutants both opened and refused. A loop stuck on one object, or
        // whose mutants all break the ELF header, fails.
        assertTrue(report.iterations() >= 10L * seeds.size(), "fuzzing ran only " + report.iterations()
                + " cases over " + seeds.size() + " objects\n" + summary);
        for (FuzzLoop.Seed s : seeds) {
            assertTrue(report.perObject().getOrDefault(s.name(), 0L) > 0, s.name() + " was never mutated\n" + summary);
        }
        long opened = report.outcomes().getOrDefault("opened", 0L);
        assertTrue(opened >= report.iterations() / 20 && opened <= report.iterations() * 19 / 20,
                "mutants both opened and refused\n" + summary);
    }

    private static void replay(List<FuzzLoop.Seed> seeds, String cases) {
        FuzzLoop loop = new FuzzLoop(seeds, config(Duration.ZERO));
        List<String> broken = new ArrayList<>();
        for (String c : cases.split(",")) {
            int colon = c.lastIndexOf(':');
            String object = c.substring(0, colon).trim();
            long iteration = Long.parseLong(c.substring(colon + 1).trim());
            Mutator.Mutant m = loop.mutant(object, iteration);
            System.out.println("replay " + object + ":" + iteration + " (seed " + seed() + "): " + m.description());
            try {
                Path out = failureDir().resolve("replay-" + object + "-iter" + iteration + ".bin");
                Files.createDirectories(out.getParent());
                Files.write(out, m.bytes());
                System.out.println("  input written to " + out);
                Oracle.Outcome o = assertTimeoutPreemptively(HANG_LIMIT, () -> Oracle.check(m.bytes()));
                System.out.println("  kept the contract: " + o.label());
            } catch (ContractViolation v) {
                System.out.println("  VIOLATION: " + FuzzLoop.stackTrace(v));
                broken.add(c + ": " + v.getMessage());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    // ---------------------------------------------------------------- fixed cases

    /** The input must keep the contract and be refused; returns the exception. */
    private static ObjectFormatException refused(byte[] data) {
        Oracle.Outcome o = assertTimeoutPreemptively(HANG_LIMIT, () -> Oracle.check(data));
        assertTrue(!o.opened(), "expected the input to be refused");
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BpfObjects.open(data, "bad.bpf.o"));
        assertNull(e.getCause(), () -> "an internal error was wrapped: " + FuzzLoop.stackTrace(e));
        assertEquals("bad.bpf.o", e.file());
        return e;
    }

    /** The input must keep the contract, refused or not. */
    private static void keepsContract(String what, byte[] data) {
        try {
            assertTimeoutPreemptively(HANG_LIMIT, () -> Oracle.check(data), what);
        } catch (ContractViolation v) {
            throw new AssertionError(what + ": " + v.getMessage(), v);
        }
    }

    private static void assertMessage(ObjectFormatException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "expected \"" + p + "\" in: " + e.getMessage());
        }
    }

    private static byte[] object(String name) {
        return TestObjects.bytes(name);
    }

    private static ElfFile elf(byte[] b) {
        return ElfFile.parse(MemorySegment.ofArray(b));
    }

    private static int header(byte[] b, int index) {
        return (int) Bytes.u64(b, 40, Bytes.elfOrder(b)) + 64 * index;
    }

    private static ElfSection section(byte[] b, String name) {
        return elf(b).section(name).orElseThrow(() -> new AssertionError("no section " + name));
    }

    @Test
    void emptyFile() {
        assertMessage(refused(new byte[0]), "0 bytes", "too short");
    }

    @Test
    void oneByteFile() {
        assertMessage(refused(new byte[] {0x7f}), "1 bytes", "too short");
    }

    @Test
    void elfHeaderOnly() {
        byte[] header = Arrays.copyOf(object("programs.bpf.o"), 64);
        ObjectFormatException e = refused(header);
        assertMessage(e, "section header table", "outside");
        // The same header claiming no sections at all: nothing to read, and no symbol table.
        Bytes.put(header, 40, 8, 0, ByteOrder.LITTLE_ENDIAN);
        Bytes.put(header, 60, 2, 0, ByteOrder.LITTLE_ENDIAN);
        Bytes.put(header, 62, 2, 0, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(header), "no symbol table");
    }

    @Test
    void notElf() {
        byte[] b = object("programs.bpf.o");
        b[1] = 'X';
        assertMessage(refused(b), "not an ELF file");
        assertMessage(refused("just some text that is longer than sixty-four bytes, to pass the size check"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)), "not an ELF file");
    }

    @Test
    void wrongClass() {
        byte[] b = object("programs.bpf.o");
        b[4] = 1; // ELFCLASS32
        ObjectFormatException e = refused(b);
        assertMessage(e, "64-bit");
        assertEquals(4, e.offset());
    }

    @Test
    void wrongByteOrderByte() {
        byte[] b = object("programs.bpf.o");
        b[5] = 3;
        assertMessage(refused(b), "data encoding 3");
        // Claiming the other byte order makes every field nonsense; still only a format error.
        b[5] = 2;
        refused(b);
    }

    @Test
    void wrongMachinePatched() {
        byte[] b = object("programs.bpf.o");
        Bytes.put(b, 18, 2, 62, ByteOrder.LITTLE_ENDIAN);
        ObjectFormatException e = refused(b);
        assertMessage(e, "e_machine is 62", "x86-64");
        assertEquals(18, e.offset());
    }

    @Test
    void notRelocatable() {
        byte[] b = object("programs.bpf.o");
        Bytes.put(b, 16, 2, 2, ByteOrder.LITTLE_ENDIAN); // ET_EXEC
        assertMessage(refused(b), "e_type is 2");
    }

    @Test
    void x86ObjectFromGcc(@TempDir Path dir) throws Exception {
        Path c = dir.resolve("tiny.c");
        Files.writeString(c, "int tiny(int x) { return x + 1; }\nint counter = 7;\n");
        Path o = dir.resolve("tiny.o");
        Tools.assumePresent(Tools.find("gcc") != null, "gcc is not installed (Debian: apt-get install gcc)");
        Tools.Result gcc = Tools.run(60, "gcc", "-c", "-O1", c.toString(), "-o", o.toString());
        assertEquals(0, gcc.exitCode(), "gcc failed: " + gcc.out() + gcc.stderr());
        byte[] b = Files.readAllBytes(o);
        ElfFile elf = elf(b);
        // the machine gcc targets here, by the name the opener gives it
        String machine = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "e_machine is 62 (x86-64)";
            case "aarch64" -> "e_machine is 183 (AArch64)";
            case "riscv64" -> "e_machine is 243 (RISC-V)";
            default -> "e_machine is " + elf.machine();
        };
        ObjectFormatException e = refused(b);
        assertMessage(e, "not an eBPF object", machine, "EM_BPF");
        ObjectFormatException fromPath = assertThrows(ObjectFormatException.class, () -> BpfObjects.open(o));
        assertEquals(o.toString(), fromPath.file());
        // The mutator's layout reader and the fuzz contract cope with a foreign object too.
        keepsContract("gcc object", b);
        FuzzLoop loop = new FuzzLoop(List.of(new FuzzLoop.Seed("tiny.o", b)), config(Duration.ZERO));
        for (long i = 0; i < 300; i++) {
            keepsContract("gcc object mutant " + i, loop.mutant("tiny.o", i).bytes());
        }
    }

    @Test
    void bigSectionCounts() {
        byte[] base = object("maps_btf.bpf.o");
        byte[] b = base.clone();
        Bytes.put(b, 60, 2, 0xffff, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(b), "section header table", "65535 entries");

        // e_shnum 0: the count is in section 0's sh_size (the extended numbering for > 0xff00 sections).
        for (long count : new long[] {0x7fff_ffffL, 0x8000_0000L, 1L << 40, -1L, 0x1_0000}) {
            byte[] x = base.clone();
            Bytes.put(x, 60, 2, 0, ByteOrder.LITTLE_ENDIAN);
            Bytes.put(x, header(x, 0) + 32, 8, count, ByteOrder.LITTLE_ENDIAN);
            ObjectFormatException e = refused(x);
            assertTrue(e.getMessage().contains("too large") || e.getMessage().contains("outside"), e.getMessage());
        }
        // e_shstrndx 0xffff: the index is in section 0's sh_link.
        for (long index : new long[] {0xffff_ffffL, 0x7fff_ffffL, 0x1_0000}) {
            byte[] x = base.clone();
            Bytes.put(x, 62, 2, 0xffff, ByteOrder.LITTLE_ENDIAN);
            Bytes.put(x, header(x, 0) + 40, 4, index, ByteOrder.LITTLE_ENDIAN);
            refused(x);
        }
    }

    @Test
    void sectionsPointingPastTheEnd() {
        byte[] base = object("maps_btf.bpf.o");
        List<ElfSection> sections = elf(base).sections();
        for (ElfSection s : sections) {
            if (s.index() == 0) {
                continue;
            }
            for (long[] offSize : new long[][] {
                {base.length + 1L, s.size()}, {base.length, 1}, {s.fileOffset(), base.length},
                {s.fileOffset(), Long.MIN_VALUE}, {-1, 16}, {s.fileOffset(), 0x7fff_ffff_ffff_fff0L},
            }) {
                byte[] x = base.clone();
                Bytes.put(x, header(x, s.index()) + 24, 8, offSize[0], ByteOrder.LITTLE_ENDIAN);
                Bytes.put(x, header(x, s.index()) + 32, 8, offSize[1], ByteOrder.LITTLE_ENDIAN);
                keepsContract(s.name() + " at " + offSize[0] + " size " + offSize[1], x);
            }
        }
        byte[] x = base.clone();
        int btf = section(base, ".BTF").index();
        Bytes.put(x, header(x, btf) + 24, 8, base.length + 100L, ByteOrder.LITTLE_ENDIAN);
        ObjectFormatException e = refused(x);
        assertEquals(".BTF", e.section());
        assertMessage(e, "outside the file");
    }

    @Test
    void symbolTableWithEntrySizeZero() {
        byte[] b = object("programs.bpf.o");
        int symtab = section(b, ".symtab").index();
        Bytes.put(b, header(b, symtab) + 56, 8, 0, ByteOrder.LITTLE_ENDIAN);
        ObjectFormatException e = refused(b);
        assertMessage(e, "symbol entry size 0");
        assertEquals(".symtab", e.section());
    }

    @Test
    void symbolTableProblems() {
        byte[] base = object("programs.bpf.o");
        ElfSection symtab = section(base, ".symtab");
        int h = header(base, symtab.index());
        byte[] x = base.clone();
        Bytes.put(x, h + 32, 8, symtab.size() - 1, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(x), "not a multiple of the symbol size");
        x = base.clone();
        Bytes.put(x, h + 40, 4, 0x7fff_fff0L, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(x), "out of range");
        x = base.clone();
        Bytes.put(x, h + 40, 4, symtab.index(), ByteOrder.LITTLE_ENDIAN); // linked to itself
        assertMessage(refused(x), "not a string table");
        // A symbol whose name lies past its string table.
        x = base.clone();
        Bytes.put(x, (int) symtab.fileOffset() + 24 * 3, 4, 0xffff_fff0L, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(x), "outside the string table");
    }

    @Test
    void relocationProblems() {
        byte[] base = object("programs.bpf.o");
        ElfFile elf = elf(base);
        ElfSection rel = elf.sections().stream().filter(s -> s.type() == ElfFile.SHT_REL
                && elf.section(s.info()).isExecutable()).findFirst().orElseThrow();
        int at = (int) rel.fileOffset();
        byte[] x = base.clone();
        Bytes.put(x, at + 12, 4, 0xffff, ByteOrder.LITTLE_ENDIAN); // symbol index
        assertMessage(refused(x), "relocation names symbol 65535");
        x = base.clone();
        Bytes.put(x, at, 8, 0x7fff_ffff_ffff_fff8L, ByteOrder.LITTLE_ENDIAN); // r_offset
        assertMessage(refused(x), "not inside any program");
        x = base.clone();
        Bytes.put(x, at, 8, Bytes.u64(x, at, ByteOrder.LITTLE_ENDIAN) + 4, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(x), "instruction boundary");
        x = base.clone();
        Bytes.put(x, header(x, rel.index()) + 56, 8, 24, ByteOrder.LITTLE_ENDIAN);
        assertMessage(refused(x), "relocation entry size 24");
    }

    @Test
    void btfWithHugeTypeCount() {
        // The header claims far more type bytes than there are.
        byte[] base = object("maps_btf.bpf.o");
        ElfSection btf = section(base, ".BTF");
        for (long len : new long[] {0xffff_ffffL, 0x7fff_ffffL, 0x8000_0000L, btf.size()}) {
            byte[] x = base.clone();
            Bytes.put(x, (int) btf.fileOffset() + 12, 4, len, ByteOrder.LITTLE_ENDIAN);
            ObjectFormatException e = refused(x);
            assertEquals(".BTF", e.section());
        }
        // A real blob of 100,000 types, each a typedef or const of the one before: parse, look up,
        // dump, and refuse the 100,000-deep chains without hanging.
        RawBtf raw = new RawBtf(ByteOrder.LITTLE_ENDIAN);
        int intType = raw.type(raw.string("int"), RawBtf.INT, 0, false, 4, 0x0100_0020);
        for (int i = 0; i < 100_000; i++) {
            raw.type(0, i % 2 == 0 ? RawBtf.TYPEDEF : RawBtf.CONST, 0, false, raw.nextId() - 1);
        }
        byte[] blob = raw.bytes();
        assertTimeoutPreemptively(HANG_LIMIT, () -> Oracle.checkBtf(blob));
        Btf parsed = Btf.parse(MemorySegment.ofArray(blob));
        assertEquals(100_002, parsed.typeCount());
        assertEquals(4, parsed.resolveSize(intType + 10));
        ObjectFormatException deep = assertThrows(ObjectFormatException.class,
                () -> parsed.resolveSize(parsed.typeCount() - 1));
        assertMessage(deep, "cycle");
        // The same blob as the .BTF of an object.
        keepsContract("object with a 100,000-type .BTF", replaceSection(object("programs.bpf.o"), ".BTF", blob));
        // A struct claiming 65535 members in a type section too short for them.
        RawBtf s = new RawBtf(ByteOrder.LITTLE_ENDIAN);
        s.type(s.string("big"), RawBtf.STRUCT, 0xffff, false, 8);
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> Btf.parse(MemorySegment.ofArray(s.bytes())));
        assertMessage(e, "vlen 65535");
        Oracle.checkBtf(s.bytes());
    }

    @Test
    void btfTypeCyclesInRawBtf() {
        RawBtf raw = new RawBtf(ByteOrder.LITTLE_ENDIAN);
        int a = raw.nextId();
        raw.type(raw.string("loop_a"), RawBtf.TYPEDEF, 0, false, a + 1);
        raw.type(0, RawBtf.CONST, 0, false, a);                                  // a -> a+1 -> a
        int self = raw.type(0, RawBtf.VOLATILE, 0, false, a + 2);                // itself
        int arr = raw.type(0, RawBtf.ARRAY, 0, false, 0, a + 3, a + 3, 4);       // array of itself
        int ptr = raw.type(0, RawBtf.PTR, 0, false, a + 4);                      // pointer to itself
        int st = raw.nextId();
        raw.type(raw.string("node"), RawBtf.STRUCT, 1, false, 8, raw.string("next"), ptr, 0);
        raw.type(raw.string("v"), RawBtf.VAR, 0, false, a + 6, 1);              // var of itself
        raw.type(raw.string("tag"), RawBtf.TYPE_TAG, 0, false, a + 7);            // tag of itself
        raw.type(raw.string("f"), RawBtf.FUNC, 0, false, a + 8);                 // func of itself
        byte[] blob = raw.bytes();
        Oracle.checkBtf(blob);
        Btf btf = Btf.parse(MemorySegment.ofArray(blob));
        for (int id : new int[] {a, a + 1, self, arr}) {
            assertMessage(assertThrows(ObjectFormatException.class, () -> btf.resolveSize(id)), "cycle");
        }
        assertEquals(8, btf.resolveSize(ptr));
        assertEquals(8, btf.resolveSize(st));
        assertThrows(ObjectFormatException.class, () -> btf.skipModifiersAndTypedefs(a));
    }

    @Test
    void btfTypeCyclesInEveryObject() throws IOException {
        // Every type reference of every object's BTF, pointed at its own type.
        int cases = 0;
        for (FuzzLoop.Seed s : seeds()) {
            ObjectLayout l = ObjectLayout.of(s.name(), s.bytes());
            for (ObjectLayout.Field f : l.btfTypeRefs()) {
                byte[] x = s.bytes().clone();
                Bytes.put(x, f.offset(), 4, f.context(), l.order());
                keepsContract(s.name() + ": " + f.name() + " -> " + f.context(), x);
                cases++;
            }
        }
        assertTrue(cases > 100, cases + " cases");
    }

    @Test
    void btfExtWithHugeCountsAndSizes() {
        byte[] base = object("core.bpf.o");
        ElfSection ext = section(base, ".BTF.ext");
        Btf btf = Btf.parse(section(base, ".BTF").data());
        byte[] raw = ext.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int hdrLen = (int) Bytes.u32(raw, 4, ByteOrder.LITTLE_ENDIAN);
        List<String> cases = new ArrayList<>();
        for (int part = 0; part < 3; part++) {
            int start = hdrLen + (int) Bytes.u32(raw, 8 + 8 * part, ByteOrder.LITTLE_ENDIAN);
            for (long[] field : new long[][] {
                {start, 0xffff_fffcL}, {start, 4}, {start, 0}, {start + 8, 0xffff_ffffL}, {start + 8, 0x7fff_ffffL},
                {start + 4, 0xffff_ffffL}, {8 + 8 * part, 0xffff_fffcL}, {12 + 8 * part, 0xffff_ffffL},
            }) {
                byte[] x = raw.clone();
                if (field[0] + 4 > x.length) {
                    continue;
                }
                Bytes.put(x, (int) field[0], 4, field[1], ByteOrder.LITTLE_ENDIAN);
                cases.add("part " + part + " @" + field[0] + " = 0x" + Long.toHexString(field[1]));
                assertTimeoutPreemptively(HANG_LIMIT, () -> Oracle.checkBtfExt(x, btf), cases.getLast());
                keepsContract(cases.getLast(), replaceSection(base, ".BTF.ext", x));
            }
        }
        assertTrue(cases.size() >= 20, cases.toString());
    }

    @Test
    void legacyMapAtNegativeOffset() {
        byte[] b = object("maps_legacy.bpf.o");
        ElfFile elf = elf(b);
        int maps = elf.section("maps").orElseThrow().index();
        ElfSection symtab = section(b, ".symtab");
        var sym = elf.symbols().stream().filter(s -> s.sectionIndex() == maps && s.value() > 0).findFirst()
                .orElseThrow();
        long defSize = sym.value(); // the second definition starts one definition in
        int at = (int) symtab.fileOffset() + 24 * sym.index() + 8;
        Bytes.put(b, at, 8, -defSize, ByteOrder.LITTLE_ENDIAN);
        refused(b);
    }

    @Test
    void globalVariableAtAHugeOffset() {
        // clang leaves DATASEC offsets of globals at 0; they come from the ELF symbols. A symbol
        // value near 2^63 must not pass the bounds check by overflowing offset + size.
        byte[] base = object("core.bpf.o");
        ElfFile elf = elf(base);
        ElfSection symtab = section(base, ".symtab");
        List<String> broken = new ArrayList<>();
        int cases = 0;
        for (var sym : elf.symbols()) {
            if (sym.type() != ElfFile.STT_OBJECT || !sym.isGlobal() || sym.sectionIndex() >= elf.sections().size()
                    || !ObjectOpener.isDataSection(elf.section(sym.sectionIndex()).name())) {
                continue;
            }
            for (long value : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - sym.size() + 1, -1L, 1L << 40}) {
                byte[] x = base.clone();
                Bytes.put(x, (int) symtab.fileOffset() + 24 * sym.index() + 8, 8, value, ByteOrder.LITTLE_ENDIAN);
                cases++;
                try {
                    keepsContract(sym.name() + " at 0x" + Long.toHexString(value), x);
                } catch (AssertionError e) {
                    broken.add(e.getMessage());
                }
            }
        }
        assertTrue(cases >= 8, cases + " cases");
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void kconfigExternsLargerThanAMapValue() {
        // externs.bpf.o has "extern char CONFIG_LOCALVERSION[16] __kconfig": make the array
        // 0xffffffff long, and the .kconfig map (all kconfig externs laid out) passes 4 GiB.
        byte[] base = object("externs.bpf.o");
        ObjectLayout l = ObjectLayout.of("externs.bpf.o", base);
        List<ObjectLayout.Field> arrays = l.fields(ObjectLayout.Role.COUNT).stream()
                .filter(f -> f.name().endsWith("ARRAY].nelems") && Bytes.u32(base, f.offset(), l.order()) == 16)
                .toList();
        assertTrue(!arrays.isEmpty(), "no char[16] in the BTF of externs.bpf.o");
        List<String> broken = new ArrayList<>();
        for (ObjectLayout.Field f : arrays) {
            for (long n : new long[] {0xffff_ffffL, 0xffff_fff0L, 0x8000_0000L}) {
                byte[] x = base.clone();
                Bytes.put(x, f.offset(), 4, n, l.order());
                try {
                    keepsContract(f.name() + " = 0x" + Long.toHexString(n), x);
                } catch (AssertionError e) {
                    broken.add(e.getMessage());
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void hugeOrNegativeBssSize() {
        // A .bss is SHT_NOBITS: its size costs the file nothing. A few kilobytes must not make the
        // opener allocate hundreds of megabytes (at 2 GiB the JVM runs out of memory or takes
        // seconds), and a size past 2^63 is a format error like any other.
        byte[] b = object("globals.bpf.o");
        int bss = section(b, ".bss").index();
        List<String> broken = new ArrayList<>();
        for (long size : new long[] {0x1000_0000L, 0x8000_0000_0000_0000L, -8L}) {
            byte[] x = b.clone();
            Bytes.put(x, header(x, bss) + 32, 8, size, ByteOrder.LITTLE_ENDIAN);
            try {
                keepsContract(".bss of 0x" + Long.toHexString(size) + " bytes", x);
            } catch (AssertionError e) {
                broken.add(e.getMessage());
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void bigEndianObjectsToo() throws IOException {
        int checked = 0;
        for (FuzzLoop.Seed s : seeds()) {
            if (!s.name().contains("bpfeb")) {
                continue;
            }
            checked++;
            FuzzLoop loop = new FuzzLoop(List.of(s), config(Duration.ZERO));
            ObjectLayout l = loop.layouts().get(0);
            assertEquals(ByteOrder.BIG_ENDIAN, l.order());
            assertTrue(l.regions().containsKey(".BTF types"), l.toString());
            for (long i = 0; i < 200; i++) {
                keepsContract(s.name() + " mutant " + i, loop.mutant(s.name(), i).bytes());
            }
        }
        assertEquals(bigEndianSources(), checked, "every big-endian seed checked");
    }

    /** Appends {@code data} to the file and points section {@code name} at it. */
    static byte[] replaceSection(byte[] file, String name, byte[] data) {
        ElfSection s = section(file, name);
        int at = (file.length + 7) & ~7;
        byte[] out = Arrays.copyOf(file, at + data.length);
        System.arraycopy(data, 0, out, at, data.length);
        ByteOrder order = Bytes.elfOrder(file);
        Bytes.put(out, header(file, s.index()) + 24, 8, at, order);
        Bytes.put(out, header(file, s.index()) + 32, 8, data.length, order);
        assertNotNull(elf(out).section(name).orElse(null));
        return out;
    }
}
