package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.testing.Tools;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kfunc prototypes of the C header, from hand-built BTF: one {@code extern ... __weak
 * __ksym;} line per FUNC that a whole-function {@code bpf_kfunc} decl tag marks, in the order of
 * the tags, inside {@code #ifndef BPF_NO_KFUNC_PROTOTYPES}, as bpftool 7.5 writes them. The
 * prototypes are checked as text, then as C: a BPF program calling every kfunc compiles against
 * the header with clang, its object declares each one as an extern function in {@code .ksyms},
 * and with {@code BPF_NO_KFUNC_PROTOTYPES} defined the prototypes are gone.
 */
class KfuncPrototypesTest {
    @TempDir
    Path dir;

    /** The kfunc block of {@code kfuncs()}'s header, as bpftool 7.5 writes it for that BTF. */
    private static final String EXPECTED_BLOCK = """

            /* BPF kfuncs */
            #ifndef BPF_NO_KFUNC_PROTOTYPES
            extern void kf_release(struct task_struct *p) __weak __ksym;
            extern struct task_struct *kf_acquire(struct task_struct *p) __weak __ksym;
            extern int kf_loop(u32 nr, int (*callback_fn)(u32, void *), void *ctx, u64 flags) __weak __ksym;
            extern long int kf_each(struct task_struct *task, long int (*fn)(struct task_struct *t, u32 idx)) __weak __ksym;
            extern enum task_state kf_state(const struct task_struct *task, enum task_state want) __weak __ksym;
            extern int kf_printk(const char *fmt, u32 fmt__sz, ...) __weak __ksym;
            extern void kf_none(void) __weak __ksym;
            extern void *kf_cast(void *obj) __weak __ksym;
            extern u64 kf_only_here(struct only_in_kfunc *o, const void * const *slots, char (*buf)[16]) __weak __ksym;
            extern int kf_unnamed(int, void *) __weak __ksym;
            extern u32 kf_typedef_ret(u64 *out) __weak __ksym;
            #endif

            """;

    /**
     * Kfuncs of every shape, plus FUNCs that are not kfuncs although they carry decl tags: a
     * tag on a parameter, another tag name, a near-miss name, and {@code bpf_kfunc} on a struct.
     * The tags come in another order than the functions (kf_release's tag first).
     */
    static BtfBuilder kfuncs() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        int u32raw = b.integer("unsigned int", 4, 0, 0, 32);
        int u64raw = b.integer("long long unsigned int", 8, 0, 0, 64);
        int i64 = b.integer("long int", 8, 1, 0, 64);
        int chr = b.integer("char", 1, 1, 0, 8);
        int u32 = b.ref(Btf.K_TYPEDEF, "u32", u32raw);
        int u64 = b.ref(Btf.K_TYPEDEF, "u64", u64raw);
        int voidPtr = b.ptr(0);
        int task = b.composite(Btf.K_STRUCT, "task_struct", 16, false, "pid", i32, 0, "state", i64, 64);
        int taskPtr = b.ptr(task);
        int state = b.enum32("task_state", 4, false, "TASK_RUNNING", 0, "TASK_STOPPED", 4);
        // A struct nothing but a kfunc's prototype refers to.
        int onlyHere = b.composite(Btf.K_STRUCT, "only_in_kfunc", 8, false, "x", i64, 0);
        int constChar = b.ref(Btf.K_CONST, "", chr);

        int acquire = b.func("kf_acquire", b.funcProto(taskPtr, "p", taskPtr), 1);
        int release = b.func("kf_release", b.funcProto(0, "p", taskPtr), 1);
        // A callback as clang writes it (parameters without names) and one with names.
        int callback = b.ptr(b.funcProto(i32, "", u32, "", voidPtr));
        int loop = b.func("kf_loop", b.funcProto(i32, "nr", u32, "callback_fn", callback, "ctx", voidPtr,
                "flags", u64), 1);
        int namedCallback = b.ptr(b.funcProto(i64, "t", taskPtr, "idx", u32));
        int each = b.func("kf_each", b.funcProto(i64, "task", taskPtr, "fn", namedCallback), 1);
        int stateFn = b.func("kf_state", b.funcProto(state, "task", b.ptr(b.ref(Btf.K_CONST, "", task)),
                "want", state), 1);
        int printk = b.func("kf_printk", b.funcProto(i32, "fmt", b.ptr(constChar), "fmt__sz", u32, "", 0), 1);
        int none = b.func("kf_none", b.funcProto(0), 1);
        int cast = b.func("kf_cast", b.funcProto(voidPtr, "obj", voidPtr), 1);
        int constVoidPtrConst = b.ref(Btf.K_CONST, "", b.ptr(b.ref(Btf.K_CONST, "", 0)));
        int only = b.func("kf_only_here", b.funcProto(u64, "o", b.ptr(onlyHere), "slots", b.ptr(constVoidPtrConst),
                "buf", b.ptr(b.array(chr, u32raw, 16))), 1);
        int unnamed = b.func("kf_unnamed", b.funcProto(i32, "", i32, "", voidPtr), 1);
        int typedefRet = b.func("kf_typedef_ret", b.funcProto(u32, "out", b.ptr(u64)), 1);

        int plain = b.func("not_a_kfunc", b.funcProto(i32, "x", i32), 1);
        int paramTagged = b.func("param_tagged", b.funcProto(i32, "x", i32), 1);
        int fastcall = b.func("fastcall_only", b.funcProto(i32, "x", i32), 1);
        int nearMiss = b.func("near_miss", b.funcProto(i32, "x", i32), 1);

        b.declTag(BtfCHeader.KFUNC_TAG, release, -1);
        b.declTag(BtfCHeader.KFUNC_TAG, acquire, -1);
        b.declTag(BtfCHeader.KFUNC_TAG, paramTagged, 0); // a tag on parameter 0, not on the function
        b.declTag("bpf_fastcall", fastcall, -1);
        b.declTag("bpf_kfuncs", nearMiss, -1);
        b.declTag(BtfCHeader.KFUNC_TAG, task, -1); // not a FUNC
        for (int f : new int[] {loop, each, stateFn, printk, none, cast, only, unnamed, typedefRet}) {
            b.declTag(BtfCHeader.KFUNC_TAG, f, -1);
        }
        b.declTag("bpf_fastcall", cast, -1); // a second tag on a kfunc changes nothing
        assertTrue(plain > 0);
        return b;
    }

    private static String kfuncBlock(String header) {
        int start = header.indexOf("\n/* BPF kfuncs */\n");
        int end = header.indexOf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop");
        assertTrue(start > 0 && end > start, header);
        return header.substring(start, end);
    }

    @Test
    void prototypesFollowTheFunctionsPrototypesInTheOrderOfTheirTags() {
        String h = BtfCHeader.generate(kfuncs().parse());
        assertEquals(EXPECTED_BLOCK, kfuncBlock(h));
        // The block closes the header, after every type, before the closing of the pragma.
        assertTrue(h.endsWith(EXPECTED_BLOCK + "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n"
                + "#endif\n\n#endif /* __VMLINUX_H__ */\n"), h);
        // The struct only a prototype uses is defined, before the prototypes.
        assertTrue(h.indexOf("struct only_in_kfunc {\n\tlong int x;\n};") < h.indexOf("/* BPF kfuncs */"), h);
        for (String notKfunc : List.of("not_a_kfunc", "param_tagged", "fastcall_only", "near_miss")) {
            assertFalse(h.contains(notKfunc), notKfunc);
        }
    }

    @Test
    void sameBtfSameText() {
        assertEquals(BtfCHeader.generate(kfuncs().parse()), BtfCHeader.generate(kfuncs().parse()));
    }

    @Test
    void headerDefinesKsymAndWeakUnlessTheIncluderDid() {
        String h = BtfCHeader.generate(kfuncs().parse());
        int at = h.indexOf(TestTools.KSYM_DEFINES);
        assertTrue(at > 0 && at < h.indexOf("typedef unsigned int u32;"), h);
        assertTrue(at > h.indexOf("#pragma clang attribute push"), "after the pragma, as bpftool writes them");
    }

    @Test
    void btfWithoutKfuncsGetsAnEmptyBlock() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        b.func("f", b.funcProto(i32), 1);
        assertEquals("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n#endif\n\n",
                kfuncBlock(BtfCHeader.generate(b.parse())));
    }

    /** A module's header (split BTF) declares vmlinux's kfuncs too, as it declares its types. */
    @Test
    void splitBtfDeclaresTheKfuncsOfBaseAndSplit() {
        BtfBuilder base = new BtfBuilder();
        int i32 = base.integer("int", 4, 1, 0, 32);
        int inBase = base.func("base_kfunc", base.funcProto(i32, "x", i32), 1);
        base.declTag(BtfCHeader.KFUNC_TAG, inBase, -1);
        Btf b = base.parse();
        BtfBuilder split = BtfBuilder.splitOver(b);
        int modStruct = split.composite(Btf.K_STRUCT, "mod_ctx", 4, false, "v", i32, 0);
        int inSplit = split.func("module_kfunc", split.funcProto(0, "ctx", split.ptr(modStruct)), 1);
        split.declTag(BtfCHeader.KFUNC_TAG, inSplit, -1);
        assertEquals("""

                /* BPF kfuncs */
                #ifndef BPF_NO_KFUNC_PROTOTYPES
                extern int base_kfunc(int x) __weak __ksym;
                extern void module_kfunc(struct mod_ctx *ctx) __weak __ksym;
                #endif

                """, kfuncBlock(BtfCHeader.generate(split.parse(b))));
    }

    @Test
    void kfuncWhoseTypeIsNotAPrototypeIsAFormatError() {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        int bad = b.func("broken", i32, 1);
        b.declTag(BtfCHeader.KFUNC_TAG, bad, -1);
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> BtfCHeader.of(b.parse()));
        assertTrue(e.getMessage().contains("type [2] (FUNC 'broken') is tagged bpf_kfunc, but its type [1] is INT,"
                + " not a FUNC_PROTO"), e.getMessage());
    }

    // ---- as C ----

    /** Calls every kfunc of {@link #kfuncs()} once, with arguments of the prototypes' types. */
    private static final String CALLER = """
            #include "vmlinux.h"
            #define SEC(name) __attribute__((section(name), used))

            static int cb(u32 idx, void *ctx) { return 0; }
            static long int each_cb(struct task_struct *t, u32 idx) { return idx; }

            SEC("syscall")
            int call_all(void *ctx)
            {
            	struct task_struct *t = kf_acquire((struct task_struct *)ctx);
            	const void *slots[2] = {};
            	char buf[16] = {};
            	u64 out = 0;
            	long r = 0;

            	if (!t)
            		return 0;
            	r += kf_loop(4, cb, ctx, 0);
            	r += kf_each(t, each_cb);
            	r += kf_state(t, TASK_RUNNING);
            	r += kf_printk("%d", 3, r);
            	kf_none();
            	r += (long)kf_cast(ctx);
            	r += kf_only_here((struct only_in_kfunc *)ctx, slots, &buf);
            	r += kf_unnamed(1, ctx);
            	r += kf_typedef_ret(&out);
            	kf_release(t);
            	return r + out;
            }
            char LICENSE[] SEC("license") = "GPL";
            """;

    private Path writeHeader(Btf btf) throws Exception {
        Files.writeString(dir.resolve("vmlinux.h"), BtfCHeader.generate(btf));
        return dir.resolve("vmlinux.h");
    }

    private Tools.Result clang(String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestTools.requireClang().toString(), "-target", "bpf", "-O2", "-g",
                "-Wall", "-Werror", "-I" + dir));
        cmd.addAll(List.of(args));
        return Tools.run(120, cmd.toArray(String[]::new));
    }

    @Test
    void programCallingEveryKfuncCompilesAndItsObjectDeclaresThemAsKsyms() throws Exception {
        Btf btf = kfuncs().parse();
        writeHeader(btf);
        Path c = dir.resolve("call_all.bpf.c");
        Files.writeString(c, CALLER);
        Path o = dir.resolve("call_all.bpf.o");
        Tools.Result r = clang("-c", c.toString(), "-o", o.toString());
        assertEquals(0, r.exitCode(), r.stderr());

        // Each call is an extern function of .ksyms whose prototype has the kernel BTF's parameters.
        Btf object = Btf.parse(TestTools.elfSection(Files.readAllBytes(o), ".BTF").orElseThrow());
        BtfType.Datasec ksyms = object.datasec(".ksyms").orElseThrow(() -> new AssertionError("no .ksyms in " + o));
        Map<String, String> declared = new TreeMap<>();
        for (BtfType.DatasecEntry e : ksyms.entries()) {
            BtfType.Func f = (BtfType.Func) object.type(e.type());
            assertEquals(BtfType.Func.Linkage.EXTERN, f.linkage(), f.name());
            declared.put(f.name(), TestTools.signature(object, f));
        }
        Map<String, String> expected = new TreeMap<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Func f && f.name().startsWith("kf_")) {
                expected.put(f.name(), TestTools.signature(btf, f));
            }
        }
        assertEquals(expected, declared);
    }

    @Test
    void noKfuncPrototypesDefinedTakesThemOut() throws Exception {
        writeHeader(kfuncs().parse());
        Path c = dir.resolve("only_header.c");
        Files.writeString(c, "#include \"vmlinux.h\"\n");
        Tools.Result with = clang("-E", "-P", c.toString());
        Tools.Result without = clang("-E", "-P", "-DBPF_NO_KFUNC_PROTOTYPES", c.toString());
        assertEquals(0, with.exitCode(), with.stderr());
        assertEquals(0, without.exitCode(), without.stderr());
        assertEquals(11, count(with.out(), "__attribute__((weak)) __attribute__((section(\".ksyms\")));"), with.out());
        assertEquals(0, count(without.out(), "kf_"), without.out());
        assertTrue(without.out().contains("struct only_in_kfunc {"), "the types stay");

        // A program with its own, different declaration of a kfunc compiles only without ours.
        Path own = dir.resolve("own_decl.bpf.c");
        Files.writeString(own, """
                #include "vmlinux.h"
                extern int kf_loop(u32 nr, void *callback_fn, void *ctx, u64 flags) __ksym;
                __attribute__((section("syscall"), used)) int p(void *ctx) { return kf_loop(1, 0, ctx, 0); }
                """);
        Tools.Result conflicting = clang("-c", own.toString(), "-o", dir.resolve("own1.o").toString());
        assertNotEquals(0, conflicting.exitCode());
        assertTrue(conflicting.stderr().contains("conflicting types for 'kf_loop'"), conflicting.stderr());
        Tools.Result switchedOff = clang("-DBPF_NO_KFUNC_PROTOTYPES", "-c", own.toString(), "-o",
                dir.resolve("own2.o").toString());
        assertEquals(0, switchedOff.exitCode(), switchedOff.stderr());
    }

    @Test
    void includersOwnKsymAndWeakWin() throws Exception {
        writeHeader(kfuncs().parse());
        Path c = dir.resolve("own_macros.c");
        Files.writeString(c, """
                #define __ksym __attribute__((section(".my_ksyms")))
                #define __weak
                #include "vmlinux.h"
                """);
        Tools.Result r = clang("-E", "-P", c.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(11, count(r.out(), " __attribute__((section(\".my_ksyms\")));"), r.out());
        assertEquals(0, count(r.out(), "weak"), r.out());
    }

    /**
     * The kernel's arena kfuncs take and return {@code address_space(1)} pointers (a type tag
     * with the kind flag set): the prototype uses that attribute, so a program that declares
     * the kfunc itself as the kernel's selftests do still compiles.
     */
    @Test
    void addressSpaceTagsAreTheAttributeProgramsDeclareWith() throws Exception {
        BtfBuilder b = new BtfBuilder();
        int i32 = b.integer("int", 4, 1, 0, 32);
        b.composite(Btf.K_STRUCT, "bpf_arena", 4, false, "id", i32, 0); // a record, for the pragma to apply to
        int arenaVoid = b.add(Btf.K_TYPE_TAG, "address_space(1)", 0, true, 0);
        int arenaPtr = b.ptr(arenaVoid);
        int alloc = b.func("kf_arena_alloc", b.funcProto(arenaPtr, "p__map", b.ptr(0), "addr__ign", arenaPtr,
                "page_cnt", i32), 1);
        b.declTag(BtfCHeader.KFUNC_TAG, alloc, -1);
        Btf btf = b.parse();
        assertTrue(kfuncBlock(BtfCHeader.generate(btf)).contains("extern void __attribute__((address_space(1))) *kf_arena_alloc("
                + "void *p__map, void __attribute__((address_space(1))) *addr__ign, int page_cnt) __weak __ksym;"));
        writeHeader(btf);
        Path c = dir.resolve("arena.bpf.c");
        Files.writeString(c, """
                #include "vmlinux.h"
                #define __arena __attribute__((address_space(1)))
                void __arena *kf_arena_alloc(void *map, void __arena *addr, int page_cnt) __ksym __weak;
                __attribute__((section("syscall"), used)) int p(void *ctx) { return kf_arena_alloc(ctx, 0, 1) != 0; }
                """);
        Tools.Result r = clang("-c", c.toString(), "-o", dir.resolve("arena.bpf.o").toString());
        assertEquals(0, r.exitCode(), r.stderr());
    }

    /** What bpftool (Debian's 7.1, which writes no prototypes) prints is ours without them. */
    @Test
    void bpftoolPrintsTheSameHeader() throws Exception {
        Path bpftool = TestTools.requireBpftool();
        Btf btf = kfuncs().parse();
        Path raw = dir.resolve("kfuncs.btf");
        Files.write(raw, btf.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals(TestTools.bpftoolHeader(bpftool, List.of(), raw),
                TestTools.asPrintedBy(bpftool, BtfCHeader.generate(Btf.parse(MemorySegment.ofArray(Files.readAllBytes(raw))))));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }
}
