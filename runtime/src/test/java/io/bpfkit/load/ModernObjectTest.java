package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfPatch;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.run.TestRun;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.bpfkit.testing.KernelProbes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel's own selftests use, loaded and run: kfuncs, a kptr in a map, task local
 * storage, bpf_obj_new, a spin lock in a {@code .bss.A} section (modern.bpf.c). Each needs the
 * object's BTF in the kernel, which needs the extern rewrite libbpf does; and a BTF the kernel
 * refuses fails the load with the kernel's reason instead of loading without it.
 */
@KernelTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModernObjectTest {
    private static final byte[] PACKET = new byte[64];

    private static long bssLong(LoadedObject obj, String map, String variable) {
        try (Arena arena = Arena.ofConfined()) {
            return LoaderTest.value(obj, map, 0, arena).get(ValueLayout.JAVA_LONG_UNALIGNED,
                    LoaderTest.offset(obj, map, variable));
        }
    }

    private static int run(LoadedObject obj, String program) {
        return TestRun.of(obj.program(program).orElseThrow()).run().returnValue();
    }

    /** modern.bpf.o's newest kfunc: bpf_throw (Linux 6.7); bpf_task_acquire and bpf_obj_new came in 6.2. */
    private static KernelProbes.Probe modernKfuncs() {
        return KernelProbes.kernelBtfFunction("bpf_throw");
    }

    /** Where the kernel lacks a kfunc the object calls, the load is refused naming it. */
    private static void refusedForAMissingKfunc(String object) {
        LoadException e = assertThrows(LoadException.class,
                () -> BpfLoader.load(BpfObjects.open(TestObjects.path(object))).close());
        assertTrue(e.getMessage().contains("is not a kfunc in the kernel's BTF"), e.getMessage());
    }

    @TestFactory
    DynamicTest kfuncsKptrsLocalStorageAndPrivateSectionsLoadWithTheirBtfAndRun() {
        return KernelProbes.branch("kfuncs, a kptr, task storage, bpf_obj_new, .bss.A and bpf_throw run",
                modernKfuncs(), ModernObjectTest::modernObjectRuns, () -> refusedForAMissingKfunc("modern.bpf.o"));
    }

    private static void modernObjectRuns() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("modern.bpf.o"));
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertTrue(obj.btf().isPresent(), "the object's BTF is in the kernel");
            assertEquals(java.util.List.of(), obj.warnings());

            // A kptr: the stash holds a reference to this thread's task; pid and tgid beside it.
            assertEquals(0, run(obj, "stash_current"));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment stash = LoaderTest.value(obj, "stashes", 0, arena);
                assertEquals(ProcessHandle.current().pid(), stash.get(ValueLayout.JAVA_INT, 12), "tgid");
                assertEquals(Syscalls.gettid(), stash.get(ValueLayout.JAVA_INT, 8), "pid (the thread)");
            }
            assertEquals(0, run(obj, "stash_current"), "a second stash releases the first reference");

            // Task local storage: two runs on this thread count to 2.
            assertEquals(0, run(obj, "count_runs"));
            assertEquals(0, run(obj, "count_runs"));
            assertEquals(2, bssLong(obj, "modern.bss", "storage_runs"));

            // bpf_obj_new (a kfunc taking a local type id) and bpf_obj_drop.
            assertEquals(0, run(obj, "new_object"));
            assertEquals(42, bssLong(obj, "modern.bss", "obj_value"));

            // .bss.A: its own map, a spin lock guarding a counter.
            TestRun.Result r = TestRun.of(obj.program("locked_add").orElseThrow()).data(PACKET).repeat(3).run();
            assertEquals(0, r.returnValue());
            assertEquals(3, bssLong(obj, ".bss.A", "locked_count"));

            // bpf_throw: the exception callback, appended though nothing calls it, gives the result.
            assertEquals(164, TestRun.of(obj.program("throwing").orElseThrow()).data(PACKET).run().returnValue(),
                    "on_throw(64) = 164");
        }
    }

    /** The kernel refuses extern linkage and out-of-order DATASECs: .kconfig and .ksyms are rewritten. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"externs.bpf.o", "kconfig_types.bpf.o", "ksyms_typed.bpf.o"})
    void objectsWithExternsKeepTheirBtf(String object) {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(object));
        for (var p : spec.programs()) {
            if (!p.isSubprogram()) {
                p.autoload(false); // ksyms_typed needs KALLSYMS_ALL: BTF is what is tested here
            }
        }
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertTrue(obj.btf().isPresent(), object);
            assertEquals(java.util.List.of(), obj.warnings());
        }
    }

    /**
     * kfunc_protos.bpf.c calls kfuncs through the prototypes of bpfkit's own vmlinux.h (weak
     * externs): loaded by bpfkit, they run as they do under libbpf (VmlinuxKfuncPrototypesKernelTest).
     */
    @TestFactory
    DynamicTest kfuncsDeclaredByTheGeneratedHeaderLoadAndRun() {
        // bpf_obj_new_impl and bpf_task_acquire: Linux 6.2; the header declares them weak, so an
        // older kernel refuses the program at the poisoned call instead.
        return KernelProbes.branch("kfuncs declared by bpfkit's vmlinux.h run",
                KernelProbes.kernelBtfFunction("bpf_obj_new_impl"), ModernObjectTest::generatedHeaderKfuncsRun,
                () -> assertThrows(io.bpfkit.api.BpfException.class,
                        () -> BpfLoader.load(BpfObjects.open(TestObjects.path("kfunc_protos.bpf.o"))).close()));
    }

    private static void generatedHeaderKfuncsRun() {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("kfunc_protos.bpf.o")))) {
            assertTrue(obj.btf().isPresent());
            assertEquals(0, TestRun.of(obj.program("kern_ctx").orElseThrow()).data(new byte[96]).run().returnValue());
            assertEquals(0, run(obj, "obj_new"));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = LoaderTest.value(obj, "kfunc_pr.bss", 0, arena);
                assertEquals(96, out.get(ValueLayout.JAVA_LONG, 8), "skb_len");
                assertEquals(42, out.get(ValueLayout.JAVA_LONG, 16), "obj_value");
            }
        }
    }

    /** libbpf's __ulong(): a 64-bit map field declared as an enum of one value (map_extra.bpf.c). */
    @Test
    void mapExtraDeclaredAsAnEnumReachesTheKernel() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("map_extra.bpf.o"));
        assertEquals(3, spec.map("hashes_by_enum").orElseThrow().mapExtra());
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertEquals(3, io.bpfkit.sys.Bpf.mapInfo(obj.map("hashes_by_enum").orElseThrow().fd()).mapExtra());
            assertEquals(0, TestRun.of(obj.program("check_bloom").orElseThrow()).data(PACKET).run().returnValue());
        }
    }

    /** {@code object} with its VAR {@code variable} given extern linkage, which the kernel's BTF check refuses. */
    static Path withRefusedBtf(Path dir, String object, String variable) throws IOException {
        byte[] file = Files.readAllBytes(TestObjects.path(object));
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(file));
        ElfSection section = elf.section(".BTF").orElseThrow();
        Btf btf = Btf.parse(section.data());
        BtfType var = btf.find(variable, BtfKind.VAR).orElseThrow();
        BtfPatch patch = new BtfPatch(btf).word(var.id(), 0, 2 /* BTF_VAR_GLOBAL_EXTERN */);
        assertEquals(section.data().byteSize(), patch.size(), "clang's BTF layout is the patch's");
        MemorySegment patched = MemorySegment.ofArray(new byte[(int) patch.size()]);
        patch.writeTo(patched);
        MemorySegment.copy(patched, 0, MemorySegment.ofArray(file), section.fileOffset(), patch.size());
        Path out = dir.resolve("refused-" + object);
        Files.write(out, file);
        return out;
    }

    @Test
    void aBtfTheKernelRefusesFailsTheLoadWithTheKernelsReason(@TempDir Path dir) throws IOException {
        BpfObjectSpec spec = BpfObjects.open(withRefusedBtf(dir, "globals.bpf.o", "custom_limit"));
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        String m = e.getMessage();
        assertTrue(m.contains("the kernel refused the object's BTF (BPF_BTF_LOAD: EINVAL)"), m);
        assertTrue(m.contains("VAR custom_limit"), "names the type: " + m);
        assertTrue(m.contains("withContinueWithoutBtf"), "says how to go on without: " + m);
    }

    @TestFactory
    DynamicTest withoutBtfOnRequestMapsThatNeedItSayWhy(@TempDir Path dir) throws IOException {
        Path refused = withRefusedBtf(dir, "modern.bpf.o", "tagged");
        return KernelProbes.branch("a kptr map without BTF says why", modernKfuncs(), () -> {
            BpfObjectSpec spec = BpfObjects.open(refused);
            LoadOptions without = LoadOptions.defaults().withContinueWithoutBtf(true);
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec, without).close());
            assertTrue(e.getMessage().startsWith("map 'stashes': its value holds a kptr, so it needs the object's"
                    + " BTF, which is not loaded: the kernel refused"), e.getMessage());
        }, () -> refusedForAMissingKfunc("modern.bpf.o"));
    }

    @Test
    void withoutBtfOnRequestAnObjectThatCanDoWithoutLoadsRunsAndSaysSo(@TempDir Path dir) throws IOException {
        BpfObjectSpec spec = BpfObjects.open(withRefusedBtf(dir, "globals.bpf.o", "custom_limit"));
        try (LoadedObject obj = BpfLoader.load(spec, LoadOptions.defaults().withContinueWithoutBtf(true))) {
            assertTrue(obj.btf().isEmpty());
            assertEquals(1, obj.warnings().size(), obj.warnings().toString());
            assertTrue(obj.warnings().get(0).contains("loading without BTF: the kernel refused"), obj.warnings().get(0));
            assertEquals(42, run(obj, "update_globals"), "returns ro_u32");
        }
    }
}
