package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** .BTF.ext: hand-built sections of both byte orders, bad input, and what clang writes. */
class BtfExtTest {

    private record Fixture(Btf btf, byte[] ext, int prog, int other, int file, int text, int main, int point, int sec2) {
    }

    private static Fixture fixture(ByteOrder order, boolean largeRecords) {
        BtfBuilder b = new BtfBuilder(order);
        int tInt = b.integer("int", 4, 1, 0, 32);
        int proto = b.funcProto(tInt);
        int prog = b.func("prog", proto, 1);
        int other = b.func("other", proto, 0);
        int point = b.composite(Btf.K_STRUCT, "point", 8, false, "x", tInt, 0, "y", tInt, 32);
        int main = b.str("tracepoint/x");
        int sec2 = b.str(".text");
        int file = b.str("/src/prog.bpf.c");
        int text = b.str("    return p->y;");
        int access = b.str("0:1");
        int zero = b.str("0");
        Btf btf = Btf.parse(MemorySegment.ofArray(b.build()));

        BtfExtBuilder e = new BtfExtBuilder(order);
        if (largeRecords) {
            e.func().recSize = 12;
            e.line().recSize = 24;
            e.core().recSize = 20;
        }
        e.func().add(main, 0, prog).add(sec2, 0, other).add(main, 80, other);
        e.line().add(main, 0, file, text, 12 << 10 | 5).add(main, 16, file, 0, 13 << 10).add(sec2, 8, file, text, 1 << 10 | 1023);
        for (CoreReloKind k : CoreReloKind.values()) {
            e.core().add(main, 8 * k.code(), point, k.isFieldBased() ? access : zero, k.code());
        }
        return new Fixture(btf, e.build(), prog, other, file, text, main, point, sec2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN", "LITTLE_ENDIAN+large", "BIG_ENDIAN+large"})
    void readsAllThreeParts(String variant) {
        ByteOrder order = variant.startsWith("BIG") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Fixture f = fixture(order, variant.endsWith("large"));
        BtfExt ext = BtfExt.parse(MemorySegment.ofArray(f.ext), f.btf);
        assertEquals(order, ext.byteOrder());
        assertEquals(Set.of("tracepoint/x", ".text"), ext.sections());
        assertEquals(List.of(new BtfExt.FuncInfo(0, f.prog), new BtfExt.FuncInfo(10, f.other)), ext.funcInfo("tracepoint/x"));
        assertEquals(List.of(new BtfExt.FuncInfo(0, f.other)), ext.funcInfo(".text"));
        assertEquals(List.of(
                new BtfExt.LineInfo(0, "/src/prog.bpf.c", "    return p->y;", 12, 5, f.file, f.text),
                new BtfExt.LineInfo(2, "/src/prog.bpf.c", "", 13, 0, f.file, 0)), ext.lineInfo("tracepoint/x"));
        assertEquals(List.of(new BtfExt.LineInfo(1, "/src/prog.bpf.c", "    return p->y;", 1, 1023, f.file, f.text)),
                ext.lineInfo(".text"));
        List<BtfExt.CoreRelocation> relos = ext.coreRelocations("tracepoint/x");
        assertEquals(13, relos.size());
        for (CoreReloKind k : CoreReloKind.values()) {
            BtfExt.CoreRelocation r = relos.get(k.code());
            assertEquals(k, r.kind());
            assertEquals(k.code(), r.insnIndex());
            assertEquals(f.point, r.typeId());
            assertEquals(k.isFieldBased() ? "0:1" : "0", r.accessString());
        }
        assertArrayEquals(new int[] {0, 1}, relos.get(0).accessIndexes());
        assertEquals(List.of(), ext.coreRelocations(".text"));
        assertEquals(List.of(), ext.funcInfo("nope"));
        assertEquals(2, ext.funcInfo().size());
        assertThrows(UnsupportedOperationException.class, () -> ext.funcInfo().clear());
        assertThrows(UnsupportedOperationException.class, () -> ext.funcInfo(".text").clear());
    }

    @Test
    void kindNumbersAreTheKernels() {
        String[] names = {"FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS", "FIELD_SIGNED", "FIELD_LSHIFT_U64",
            "FIELD_RSHIFT_U64", "TYPE_ID_LOCAL", "TYPE_ID_TARGET", "TYPE_EXISTS", "TYPE_SIZE", "ENUMVAL_EXISTS",
            "ENUMVAL_VALUE", "TYPE_MATCHES"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(names[i], CoreReloKind.of(i).name());
            assertEquals(i, CoreReloKind.valueOf(names[i]).code());
        }
        assertThrows(IllegalArgumentException.class, () -> CoreReloKind.of(13));
        assertEquals(19, BtfKind.ENUM64.code());
        assertEquals(BtfKind.DECL_TAG, BtfKind.of(17));
    }

    @Test
    void headerWithoutCoreRelocations() {
        Fixture f = fixture(ByteOrder.LITTLE_ENDIAN, false);
        BtfExtBuilder e = new BtfExtBuilder(ByteOrder.LITTLE_ENDIAN).withoutCoreHeader();
        e.func().add(f.main, 0, f.prog);
        BtfExt ext = BtfExt.parse(MemorySegment.ofArray(e.build()), f.btf);
        assertEquals(1, ext.funcInfo("tracepoint/x").size());
        assertTrue(ext.coreRelocations().isEmpty());
        assertTrue(ext.lineInfo().isEmpty());
    }

    @Test
    void accessStrings() {
        assertTrue(BtfExt.isAccessString("0"));
        assertTrue(BtfExt.isAccessString("0:12:3"));
        assertTrue(BtfExt.isAccessString("2147483647"));
        for (String bad : new String[] {"", ":", "0:", ":0", "1::2", "a", "0:x", "2147483648", "-1", " 0"}) {
            assertTrue(!BtfExt.isAccessString(bad), bad);
            assertThrows(IllegalArgumentException.class,
                    () -> new BtfExt.CoreRelocation(0, 1, bad, CoreReloKind.FIELD_EXISTS), bad);
        }
        assertArrayEquals(new int[] {10, 0, 7}, new BtfExt.CoreRelocation(0, 1, "10:0:7", CoreReloKind.FIELD_EXISTS)
                .accessIndexes());
    }

    private static void assertBad(byte[] ext, Btf btf, String messagePart) {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BtfExt.parse(MemorySegment.ofArray(ext), btf));
        assertEquals(".BTF.ext", e.section());
        assertTrue(e.getMessage().contains(messagePart), "message \"" + e.getMessage() + "\" should mention " + messagePart);
    }

    @Test
    void truncatedAtEveryLength() {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Fixture f = fixture(order, true);
            for (int len = 0; len < f.ext.length; len++) {
                int n = len;
                assertThrows(ObjectFormatException.class,
                        () -> BtfExt.parse(MemorySegment.ofArray(f.ext).asSlice(0, n), f.btf), "truncated to " + len);
            }
        }
    }

    /** Offset of the first record of a part: header, rec_size, one section header. */
    private static int firstRecord(byte[] ext, int lengthField) {
        ByteBuffer b = ByteBuffer.wrap(ext).order(BtfBuilder.orderOf(ext));
        return 32 + b.getInt(lengthField - 4) + 4 + 8;
    }

    @Test
    void badHeadersAndRecords() {
        Fixture f = fixture(ByteOrder.LITTLE_ENDIAN, false);
        byte[] ext = f.ext;
        Btf btf = f.btf;
        assertBad(BtfBuilder.putU32(ext, 0, 0x1234), btf, "magic");
        byte[] v = ext.clone();
        v[2] = 7;
        assertBad(v, btf, "version");
        byte[] fl = ext.clone();
        fl[3] = 1;
        assertBad(fl, btf, "flags");
        assertBad(BtfBuilder.putU32(ext, 4, 8), btf, "header length");
        assertBad(BtfBuilder.putU32(ext, 4, ext.length + 4), btf, "header length");
        assertBad(BtfBuilder.putU32(ext, 8, 2), btf, "aligned");
        assertBad(BtfBuilder.putU32(ext, 12, -4), btf, "past the end");
        assertBad(BtfBuilder.putU32(ext, 16, ext.length), btf, "past the end");
        assertBad(BtfBuilder.putU32(ext, 28, 2), btf, "too short");
        int funcStart = 32;
        assertBad(BtfBuilder.putU32(ext, funcStart, 4), btf, "record size");
        assertBad(BtfBuilder.putU32(ext, funcStart, 10), btf, "record size");
        assertBad(BtfBuilder.putU32(ext, funcStart, -4), btf, "records of");
        assertBad(BtfBuilder.putU32(ext, funcStart + 4, 99999), btf, "section name");
        assertBad(BtfBuilder.putU32(ext, funcStart + 8, 0), btf, "no records");
        assertBad(BtfBuilder.putU32(ext, funcStart + 8, -1), btf, "records of");
        int func = firstRecord(ext, 12);
        assertBad(BtfBuilder.putU32(ext, func, 4), btf, "multiple of the 8-byte");
        assertBad(BtfBuilder.putU32(ext, func + 4, 99), btf, "type id");
        int line = firstRecord(ext, 20);
        assertBad(BtfBuilder.putU32(ext, line + 4, -7), btf, "file name");
        assertBad(BtfBuilder.putU32(ext, line + 8, 1 << 20), btf, "line");
        int core = firstRecord(ext, 28);
        assertBad(BtfBuilder.putU32(ext, core + 4, btf.typeCount()), btf, "type id");
        assertBad(BtfBuilder.putU32(ext, core + 8, 123456), btf, "access string");
        assertBad(BtfBuilder.putU32(ext, core + 8, f.file), btf, "access string");
        assertBad(BtfBuilder.putU32(ext, core + 12, 13), btf, "kind 13");
        assertBad(BtfBuilder.putU32(ext, core + 12, -1), btf, "kind");
    }

    @Test
    void randomCorruptionGivesOnlyFormatErrors() {
        Fixture f = fixture(ByteOrder.LITTLE_ENDIAN, true);
        Random random = new Random(0xE87);
        for (int run = 0; run < 5_000; run++) {
            byte[] m = f.ext.clone();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                int at = random.nextInt(m.length);
                if (random.nextBoolean()) {
                    m[at] = (byte) random.nextInt();
                } else {
                    int[] interesting = {0, 1, -1, 4, 8, 0x7fffffff, m.length, random.nextInt(40)};
                    int word = at & ~3;
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.min(word, m.length - 4),
                            interesting[random.nextInt(interesting.length)]);
                }
            }
            try {
                BtfExt ext = BtfExt.parse(MemorySegment.ofArray(m), f.btf);
                ext.coreRelocations().values().forEach(l -> l.forEach(BtfExt.CoreRelocation::accessIndexes));
                ext.toString();
            } catch (ObjectFormatException e) {
                assertEquals(".BTF.ext", e.section());
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                fail("mutant " + run + " threw " + e, e);
            }
        }
    }

    @Test
    void whatClangWrites() throws Exception {
        for (String target : List.of("bpfel", "bpfeb")) {
            Path allKinds = TestTools.compiled("all_kinds", TestSnippets.ALL_KINDS, target);
            BtfExt all = ext(allKinds);
            Btf btf = btfOf(allKinds);
            String tp = "tracepoint/syscalls/sys_enter_openat";
            assertEquals(Set.of(tp, "xdp", ".text"), all.sections());
            BtfExt.FuncInfo first = all.funcInfo(tp).get(0);
            assertEquals(0, first.insnIndex());
            assertEquals("prog1", btf.name(first.typeId()));
            assertEquals("global_fn", btf.name(all.funcInfo(".text").get(0).typeId()));
            assertEquals("prog2", btf.name(all.funcInfo("xdp").get(0).typeId()));
            BtfExt.LineInfo l = all.lineInfo(tp).get(0);
            assertTrue(l.fileName().endsWith("all_kinds.c"), l.fileName());
            assertTrue(l.lineNumber() > 0, l.toString());
            assertTrue(all.lineInfo(tp).stream().anyMatch(x -> x.line().contains("BPF_CORE_READ(t, pid)")),
                    all.lineInfo(tp).toString());
            Set<CoreReloKind> kinds = EnumSet.noneOf(CoreReloKind.class);
            all.coreRelocations(tp).forEach(r -> kinds.add(r.kind()));
            assertEquals(EnumSet.of(CoreReloKind.FIELD_BYTE_OFFSET, CoreReloKind.FIELD_EXISTS, CoreReloKind.TYPE_EXISTS,
                    CoreReloKind.TYPE_SIZE, CoreReloKind.ENUMVAL_EXISTS, CoreReloKind.ENUMVAL_VALUE), kinds);
            for (BtfExt.CoreRelocation r : all.coreRelocations(tp)) {
                BtfType t = btf.type(r.typeId());
                assertTrue(t.name().equals("task_struct") || t.name().equals("small"), t.toString());
            }

            BtfExt more = ext(TestTools.compiled("more", TestSnippets.MORE, target));
            kinds.clear();
            more.coreRelocations("socket").forEach(r -> kinds.add(r.kind()));
            assertTrue(kinds.containsAll(EnumSet.of(CoreReloKind.FIELD_BYTE_SIZE, CoreReloKind.FIELD_LSHIFT_U64,
                    CoreReloKind.FIELD_RSHIFT_U64, CoreReloKind.FIELD_SIGNED, CoreReloKind.TYPE_MATCHES,
                    CoreReloKind.TYPE_ID_LOCAL)), kinds.toString());
        }
    }

    @Test
    void buildTestObjectsParse() throws Exception {
        List<Path> objects = TestTools.testObjects();
        int checked = 0;
        for (Path o : objects) {
            byte[] elf = Files.readAllBytes(o);
            Optional<MemorySegment> btfSec = TestTools.elfSection(elf, ".BTF");
            Optional<MemorySegment> extSec = TestTools.elfSection(elf, ".BTF.ext");
            // the build compiles every object with -g: each has both sections
            assertTrue(btfSec.isPresent() && extSec.isPresent(), o + " lacks .BTF or .BTF.ext");
            Btf btf = Btf.parse(btfSec.get());
            BtfExt ext = BtfExt.parse(extSec.get(), btf);
            int funcs = 0;
            int lines = 0;
            for (List<BtfExt.FuncInfo> infos : ext.funcInfo().values()) {
                for (BtfExt.FuncInfo fi : infos) {
                    assertEquals(BtfKind.FUNC, btf.kind(fi.typeId()), o + ": " + fi);
                    funcs++;
                }
            }
            for (List<BtfExt.LineInfo> infos : ext.lineInfo().values()) {
                for (BtfExt.LineInfo li : infos) {
                    assertTrue(li.fileName().endsWith(".c") || li.fileName().endsWith(".h"), o + ": " + li);
                    lines++;
                }
            }
            // every object has at least one program, so at least one function and its lines
            assertTrue(funcs > 0 && lines >= funcs, o + ": " + funcs + " func_info, " + lines + " line_info records");
            checked++;
        }
        assertEquals(objects.size(), checked);
        assertTrue(checked >= 25, "the build makes at least 25 test objects, checked " + checked);
    }

    private static Btf btfOf(Path object) throws Exception {
        return Btf.parse(TestTools.elfSection(Files.readAllBytes(object), ".BTF").orElseThrow());
    }

    private static BtfExt ext(Path object) throws Exception {
        byte[] elf = Files.readAllBytes(object);
        Btf btf = Btf.parse(TestTools.elfSection(elf, ".BTF").orElseThrow());
        return BtfExt.parse(TestTools.elfSection(elf, ".BTF.ext").orElseThrow(), btf);
    }
}
