package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C header from hand-built BTF: every kind and the layouts C finds hard (bitfields, packed
 * structs, holes, over-aligned structs, anonymous members, sized enums, function pointers,
 * multi-dimensional arrays, type tags, forward declarations, pointer cycles, name clashes).
 * Each header is checked three ways: the declarations we expect are in it; clang compiles it
 * for BPF with a {@link CLayoutProbe} of BTF's sizes and offsets; and bpftool, given the same
 * raw BTF, prints the same header. Malformed BTF is an {@link ObjectFormatException}.
 */
class BtfCHeaderTest {
    @TempDir
    Path dir;

    /** A BTF with one of each kind and the hard layouts. */
    private static Btf everything() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        int u32 = b.integer("unsigned int", 4, 0, 0, 32);
        int chr = b.integer("char", 1, 1, 0, 8);
        int i64 = b.integer("long int", 8, 1, 0, 64);
        b.integer("_Bool", 1, 4, 0, 8);
        int flt = b.floating("float", 4);
        int dbl = b.floating("double", 8);

        // struct packed_s { char c; int x; } __attribute__((packed)): x at byte 1, size 5
        b.composite(Btf.K_STRUCT, "packed_s", 5, false, "c", chr, 0, "x", i32, 8);
        // struct bits { int a:3; unsigned int b:5; long int c; }
        b.composite(Btf.K_STRUCT, "bits", 16, true, "a", i32, 3 << 24, "b", u32, 5 << 24 | 3, "c", i64, 64);
        // struct gap { char c; long int l; } with l at byte 16: a hole C does not make by itself
        b.composite(Btf.K_STRUCT, "gap", 24, false, "c", chr, 0, "l", i64, 128);
        // struct cacheline { int x; } __attribute__((aligned(64)))
        b.composite(Btf.K_STRUCT, "cacheline", 64, false, "x", i32, 0);
        // struct outer { union { int i; float f; }; struct { int a; int b; } named; double d; }
        int anonUnion = b.composite(Btf.K_UNION, "", 4, false, "i", i32, 0, "f", flt, 0);
        int anonStruct = b.composite(Btf.K_STRUCT, "", 8, false, "a", i32, 0, "b", i32, 32);
        b.composite(Btf.K_STRUCT, "outer", 24, false, "", anonUnion, 0, "named", anonStruct, 32, "d", dbl, 128);
        // union wide { int i; } of 8 bytes (members dropped, as pahole writes some kernel unions)
        b.composite(Btf.K_UNION, "wide", 8, false, "i", i32, 0);

        // enums: signed, 64-bit, one byte, anonymous and unreferenced (a constant list), empty
        int sign = b.enum32("sign", 4, true, "NEG", -1, "POS", 1);
        int big = b.enum64("big", 8, false, "HUGE", 0xff_ffff_ffffL, "SMALL", 1L);
        int tiny = b.enum32("tiny", 1, false, "T0", 0, "T1", 1);
        b.enum32("", 4, false, "CONST_A", 1, "CONST_B", 2);
        b.composite(Btf.K_STRUCT, "enums", 16, false, "s", sign, 0, "t", tiny, 32, "b", big, 64);

        // typedefs, a varargs prototype, function pointers, qualifiers
        int myint = b.ref(Btf.K_TYPEDEF, "myint", i32);
        int varargs = b.funcProto(i32, "fmt", b.ptr(b.ref(Btf.K_CONST, "", chr)), "", 0);
        int fnT = b.ref(Btf.K_TYPEDEF, "printf_fn", varargs);
        int opsFwd = b.fwd("ops", false);
        int cb = b.ptr(b.funcProto(myint, "self", b.ptr(opsFwd), "n", i64));
        int noArgs = b.ptr(b.funcProto(0));
        int cvInt = b.ref(Btf.K_CONST, "", b.ref(Btf.K_VOLATILE, "", i32));
        int restrictPtr = b.ref(Btf.K_RESTRICT, "", b.ptr(cvInt));
        b.composite(Btf.K_STRUCT, "ops", 32, false, "cb", cb, 0, "none", noArgs, 64, "printer", b.ptr(fnT), 128,
                "p", restrictPtr, 192);

        // arrays: int m[2][3]; char s[16]; a flexible array member
        int row = b.array(i32, u32, 3);
        int matrix = b.array(row, u32, 2);
        b.composite(Btf.K_STRUCT, "arrays", 40, false, "m", matrix, 0, "s", b.array(chr, u32, 16), 192,
                "tail", b.array(i64, u32, 0), 320);

        // int __attribute__((btf_type_tag("user"))) *up; and a decl tag (not written in C)
        int tagged = b.add(Btf.K_TYPE_TAG, "user", 0, false, i32);
        int tt = b.composite(Btf.K_STRUCT, "tags", 8, false, "up", b.ptr(tagged), 0);
        b.declTag("a_decl_tag", tt, -1);

        // forward declaration only; a cycle through pointers; a struct embedding one in the cycle
        int fwdOnly = b.fwd("fwd_only", false);
        b.composite(Btf.K_STRUCT, "uses_fwd", 8, false, "p", b.ptr(fwdOnly), 0);
        int nodePtrSlot = b.raw(0, BtfBuilder.info(Btf.K_PTR, 0, false), 0); // patched below
        int list = b.composite(Btf.K_STRUCT, "list", 16, false, "head", nodePtrSlot, 0, "n", i64, 64);
        int node = b.composite(Btf.K_STRUCT, "node", 16, false, "next", nodePtrSlot, 0, "owner", b.ptr(list), 64);
        b.composite(Btf.K_STRUCT, "holder", 16, false, "n", node, 0);

        // two different structs called "dup": the second is dup___2
        int dup1 = b.composite(Btf.K_STRUCT, "dup", 4, false, "x", i32, 0);
        int dup2 = b.composite(Btf.K_STRUCT, "dup", 8, false, "y", i64, 0);
        b.composite(Btf.K_STRUCT, "dups", 16, false, "one", dup1, 0, "two", dup2, 64);

        // things a header does not declare
        int fn = b.func("some_func", varargs, 1);
        int someVar = b.var("some_var", i32, 1);
        b.datasec(".data", 4, someVar, 0, 4);
        b.declTag("on_param", fn, 0);
        byte[] blob = b.build();
        // The pointer slot was added before "node" had an id: point it there now.
        Btf probe = Btf.parse(MemorySegment.ofArray(blob));
        blob = BtfBuilder.putU32(blob, (int) probe.typeOffset(nodePtrSlot) + 8, node);
        return Btf.parse(MemorySegment.ofArray(blob));
    }

    @Test
    void declaresEachKindAndLayout() {
        String h = BtfCHeader.generate(everything());
        assertTrue(h.startsWith("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n"), h);
        assertTrue(h.contains("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)"));
        assertTrue(h.endsWith("#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n"));
        assertContains(h, "struct packed_s {\n\tchar c;\n\tint x;\n} __attribute__((packed));");
        assertContains(h, "struct bits {\n\tint a: 3;\n\tunsigned int b: 5;\n\tlong int c;\n};");
        assertContains(h, "struct gap {\n\tchar c;\n\tlong: 64;\n\tlong int l;\n};");
        // The first long: 64 starts at bit 64 by itself: a long bitfield does not straddle a long.
        assertContains(h, "struct cacheline {\n\tint x;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n"
                + "\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n};");
        assertContains(h, "struct outer {\n\tunion {\n\t\tint i;\n\t\tfloat f;\n\t};\n\tstruct {\n\t\tint a;\n"
                + "\t\tint b;\n\t} named;\n\tdouble d;\n};");
        assertContains(h, "union wide {\n\tint i;\n\tlong: 64;\n};");
        assertContains(h, "enum sign {\n\tNEG = -1,\n\tPOS = 1,\n};");
        assertContains(h, "enum big {\n\tHUGE = 1099511627775ULL,\n\tSMALL = 1ULL,\n};");
        assertContains(h, "enum tiny {\n\tT0 = 0,\n\tT1 = 1,\n} __attribute__((mode(byte)));");
        assertContains(h, "enum {\n\tCONST_A = 1,\n\tCONST_B = 2,\n};");
        assertContains(h, "typedef int myint;");
        assertContains(h, "typedef int printf_fn(const char *fmt, ...);");
        // Qualifiers in BTF's order (const over volatile), as bpftool writes them.
        assertContains(h, "struct ops {\n\tmyint (*cb)(struct ops *self, long int n);\n\tvoid (*none)(void);\n"
                + "\tprintf_fn *printer;\n\tvolatile const int * restrict p;\n};");
        assertContains(h, "struct arrays {\n\tint m[2][3];\n\tchar s[16];\n\tlong int tail[0];\n};");
        assertContains(h, "struct tags {\n\tint __attribute__((btf_type_tag(\"user\"))) *up;\n};");
        assertContains(h, "struct fwd_only;\n\nstruct uses_fwd {\n\tstruct fwd_only *p;\n};");
        assertContains(h, "struct node;\n\nstruct list {\n\tstruct node *head;\n\tlong int n;\n};\n\n"
                + "struct node {\n\tstruct node *next;\n\tstruct list *owner;\n};");
        assertContains(h, "struct dup {\n\tint x;\n};\n\nstruct dup___2 {\n\tlong int y;\n};");
        assertTrue(!h.contains("some_func") && !h.contains("some_var") && !h.contains("a_decl_tag"), h);
    }

    @Test
    void compilesWithTheLayoutsOfItsBtf() throws Exception {
        Btf btf = everything();
        BtfCHeader header = BtfCHeader.of(btf);
        assertEquals(Optional.of("struct dup___2"), header.declaredName(btf.findAll("dup").get(1).id()));
        assertEquals(Optional.of("myint"), header.declaredName(btf.findId("myint", BtfKind.TYPEDEF).orElseThrow()));
        assertEquals(Optional.empty(), header.declaredName(btf.findId("int", BtfKind.INT).orElseThrow()));
        CLayoutProbe.Probe probe = CLayoutProbe.of(btf, header, "vmlinux.h");
        Files.writeString(dir.resolve("vmlinux.h"), header.text());
        Files.writeString(dir.resolve("probe.c"), probe.source());
        Path clang = TestTools.requireClang();
        Tools.Result r = Tools.run(120, clang.toString(), "-target", "bpf", "-fsyntax-only", "-Wall", "-Werror",
                "-ferror-limit=0", "-I" + dir, dir.resolve("probe.c").toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(probe.assertions() > 40, "assertions: " + probe.assertions());
    }

    @Test
    void bpftoolPrintsTheSameHeaderButForOurLayoutFixes() throws Exception {
        Path bpftool = TestTools.requireBpftool();
        Btf btf = everything();
        Path raw = dir.resolve("everything.btf");
        byte[] blob = new byte[(int) btf.data().byteSize()];
        MemorySegment.copy(btf.data(), 0, MemorySegment.ofArray(blob), 0, blob.length);
        Files.write(raw, blob);
        String theirs = TestTools.bpftoolHeader(bpftool, List.of(), raw);
        // bpftool leaves out the union padding, and 7.1 the enum mode too; everything else is the same.
        String ours = TestTools.asPrintedBy(bpftool, BtfCHeader.generate(btf))
                .replace("union wide {\n\tint i;\n\tlong: 64;\n};", "union wide {\n\tint i;\n};");
        if (!TestTools.bpftoolHasKfuncPrototypes(bpftool)) {
            ours = ours.replace(" __attribute__((mode(byte)))", "");
        }
        assertEquals(theirs, ours);
    }

    @Test
    void splitBtfIncludesItsBase() {
        BtfBuilder base = new BtfBuilder();
        int i32 = base.integer("int", 4, 1, 0, 32);
        base.composite(Btf.K_STRUCT, "in_base", 4, false, "x", i32, 0);
        Btf b = base.parse();
        BtfBuilder split = BtfBuilder.splitOver(b);
        split.composite(Btf.K_STRUCT, "in_module", 8, false, "y", i32, 0, "z", i32, 32);
        String h = BtfCHeader.generate(split.parse(b));
        assertContains(h, "struct in_base {\n\tint x;\n};\n\nstruct in_module {\n\tint y;\n\tint z;\n};");
    }

    /** {@code bpfkit btf dump SPLIT --base BASE}, both formats, against {@code bpftool --base-btf BASE}. */
    @Test
    void splitBtfOnTheCommandLineIsBpftools() throws Exception {
        BtfBuilder base = new BtfBuilder();
        int i32 = base.integer("int", 4, 1, 0, 32);
        int shared = base.composite(Btf.K_STRUCT, "shared", 4, false, "x", i32, 0);
        Btf b = base.parse();
        BtfBuilder split = BtfBuilder.splitOver(b);
        split.composite(Btf.K_STRUCT, "module_type", 16, false, "s", shared, 0, "p", split.ptr(shared), 64);
        split.composite(Btf.K_STRUCT, "shared", 8, false, "y", i32, 0, "z", i32, 32);
        Path baseFile = dir.resolve("vmlinux.btf");
        Path splitFile = dir.resolve("module.btf");
        Files.write(baseFile, base.build());
        Files.write(splitFile, split.build());
        Path bpftool = TestTools.requireBpftool();
        for (String format : List.of("raw", "c")) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            Btf splitBtf = BtfFiles.read(splitFile, BtfFiles.read(baseFile));
            if (format.equals("c")) {
                BtfCHeader.of(splitBtf).write(out);
            } else {
                BtfDump.dump(splitBtf, out);
            }
            if (format.equals("c")) {
                assertEquals(TestTools.bpftoolHeader(bpftool, List.of("--base-btf", baseFile.toString()), splitFile),
                        TestTools.asPrintedBy(bpftool, out.toString()), format);
            } else {
                byte[] theirs = TestTools.run(List.of(bpftool.toString(), "--base-btf", baseFile.toString(), "btf", "dump",
                        "file", splitFile.toString(), "format", format));
                assertEquals(new String(theirs), out.toString(), format);
            }
        }
    }

    // ---- bad BTF ----

    @Test
    void structContainingItselfIsRefused() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        b.composite(Btf.K_STRUCT, "self", 8, false, "x", i32, 0, "me", 2, 32);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertContains(e.getMessage(), "type [2] contains itself by value");
    }

    @Test
    void modifierCycleIsRefused() {
        BtfBuilder b = new BtfBuilder();
        b.ref(Btf.K_CONST, "", 2);
        b.ref(Btf.K_VOLATILE, "", 1);
        b.composite(Btf.K_STRUCT, "s", 4, false, "x", 1, 0);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertContains(e.getMessage(), "refers back to itself");
    }

    @Test
    void functionAsMemberTypeIsRefused() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        int fn = b.func("f", b.funcProto(i32), 1);
        b.composite(Btf.K_STRUCT, "s", 4, false, "x", fn, 0);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertContains(e.getMessage(), "(FUNC) is used as the type of a declaration");
        assertContains(e.getMessage(), ".BTF");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        // Pointer [i] points to [i + 1], so ordering [1] walks the whole chain at once.
        BtfBuilder b = new BtfBuilder();
        for (int id = 1; id <= 5000; id++) {
            b.ptr(id + 1);
        }
        int i32 = b.integer("int", 4, 1, 0, 32);
        b.composite(Btf.K_STRUCT, "s", 8, false, "p", 1, 0);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertContains(e.getMessage(), "nested more than");
        assertEquals(5001, i32);
    }

    @Test
    void hugeHoleIsRefusedNotGigabytesOfPadding() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        b.composite(Btf.K_STRUCT, "huge", 0x4000_0000, false, "x", i32, 0);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertContains(e.getMessage(), "gap of");
    }

    /**
     * Random words written over the type sections of compiled BTF: whatever parses must give a
     * header or an ObjectFormatException, never another exception or error.
     */
    @Test
    void mutatedBtfGivesAHeaderOrAFormatError() throws Exception {
        List<byte[]> seeds = List.of(everything().data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                btfOf(TestTools.compiled("all_kinds", TestSnippets.ALL_KINDS, "bpfel")),
                btfOf(TestTools.compiled("more", TestSnippets.MORE, "bpfel")));
        SplittableRandom rnd = new SplittableRandom(4);
        int headers = 0;
        int refused = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] blob = seeds.get(round % seeds.size()).clone();
            int words = (blob.length - 24) / 4;
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                int at = 24 + 4 * rnd.nextInt(words);
                int v = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(64);
                    case 1 -> rnd.nextInt();
                    case 2 -> BtfBuilder.info(1 + rnd.nextInt(19), rnd.nextInt(4), rnd.nextBoolean());
                    default -> 1 << rnd.nextInt(32);
                };
                blob = BtfBuilder.putU32(blob, at, v);
            }
            Btf btf;
            try {
                btf = Btf.parse(MemorySegment.ofArray(blob));
            } catch (ObjectFormatException e) {
                continue;
            }
            try {
                BtfCHeader.of(btf);
                headers++;
            } catch (ObjectFormatException e) {
                refused++;
            } catch (Throwable t) {
                fail("round " + round + ": " + t, t);
            }
        }
        assertTrue(headers > 100 && refused > 10, headers + " headers, " + refused + " refusals");
    }

    private static byte[] btfOf(Path object) throws IOException {
        return TestTools.elfSection(Files.readAllBytes(object), ".BTF").orElseThrow()
                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static void assertContains(String text, String part) {
        if (!text.contains(part)) {
            fail("expected to find\n" + part + "\nin\n" + text);
        }
    }
}
