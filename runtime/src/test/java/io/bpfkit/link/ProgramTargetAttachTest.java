package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.load.AttachTargets;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.AttachTarget;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.ProgramType;
import io.bpfkit.run.TestRun;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.ProgLoadAttr;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Programs bound at load to a function of another BPF program or of a kernel module
 * (ProgramSpec.attachTarget, AttachTarget): prog_target.bpf.c is an XDP program whose verdict
 * comes from its global function pick_action (XDP_PASS up to 1500 bytes, XDP_DROP above);
 * fentry and fexit on pick_action (prog_fentry.bpf.c) see its argument and result on each
 * test run; freplace (prog_target_ext.bpf.c) makes the verdict XDP_TX while its link is open;
 * fentry and fexit on the tun module's tun_chr_open/tun_chr_close (module_tracing.bpf.c) count
 * this process's opens of /dev/net/tun. Each kind has a branch for kernels that refuse it (this
 * project's CI host refuses trampolines: locked down), decided by {@link KernelProbes}. The
 * loader's refusals of a bad target need no such branch.
 */
@KernelTest
class ProgramTargetAttachTest {
    private static final int XDP_DROP = 1;
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;
    private static final int SMALL = 64;
    private static final int LARGE = 2000;
    private static final int RUNS = 3;
    private static final int OPENS = 4;

    @TestFactory
    Stream<DynamicTest> fentryFexitOnAProgram() {
        return Stream.of(KernelProbes.branch("fentry and fexit on a global function of an XDP program",
                KernelProbes.programTrampoline(), ProgramTargetAttachTest::tracesTheTargetFunction,
                ProgramTargetAttachTest::tracingOnAProgramIsRefused));
    }

    @TestFactory
    Stream<DynamicTest> freplaceOfAProgramFunction() {
        return Stream.of(KernelProbes.branch("freplace of a global function of an XDP program",
                KernelProbes.programExtension(), ProgramTargetAttachTest::replacesWhileLinked,
                ProgramTargetAttachTest::freplaceIsRefused));
    }

    @TestFactory
    Stream<DynamicTest> fentryFexitOnAModuleFunction() {
        return Stream.of(KernelProbes.branch("fentry and fexit on functions of the tun module",
                KernelProbes.moduleTrampoline("tun", "tun_chr_open"), ProgramTargetAttachTest::countsModuleCalls,
                ProgramTargetAttachTest::moduleTracingIsRefused));
    }

    // ------------------------------------------------------------------ fentry/fexit on a program

    private static void tracesTheTargetFunction() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            LoadedProgram xdp = target.program("xdp_main").orElseThrow();
            assertEquals(XDP_PASS, run(xdp, SMALL));
            try (LoadedObject tracing = BpfLoader.load(tracingSpec(xdp));
                 BpfGlobals bss = BpfMaps.globals(tracing, ".bss")) {
                int pickAction = AttachTargets.programFunctionId(xdp, "pick_action");
                for (LoadedProgram p : tracing.programs().values()) {
                    assertEquals(ProgramType.TRACING.value(), p.info().type(), p.name());
                    assertEquals(pickAction, p.info().attachBtfId(), p.name() + ": the kernel's attach_btf_id");
                }
                var links = AutoAttach.attachAll(tracing);
                assertEquals(2, links.size(), links.toString());
                assertEquals(0, bss.getLong("entry_hits"), "nothing ran yet");

                for (int i = 0; i < RUNS; i++) {
                    assertEquals(XDP_PASS, run(xdp, SMALL), "fentry/fexit leave the result alone");
                }
                assertEquals(RUNS, bss.getLong("entry_hits"), "fentry: one hit per call of pick_action");
                assertEquals(SMALL, bss.getLong("entry_len"), "fentry: pick_action's argument, the packet length");
                assertEquals(RUNS, bss.getLong("exit_hits"), "fexit: one hit per return");
                assertEquals(SMALL, bss.getLong("exit_len"), "fexit sees the argument too");
                assertEquals(XDP_PASS, bss.getLong("exit_ret"), "fexit: pick_action's result");

                assertEquals(XDP_DROP, run(xdp, LARGE));
                assertEquals(LARGE, bss.getLong("entry_len"));
                assertEquals(XDP_DROP, bss.getLong("exit_ret"), "fexit: the large packet's verdict");

                links.forEach(l -> l.link().close());
                assertEquals(XDP_PASS, run(xdp, SMALL));
                assertEquals(RUNS + 1, bss.getLong("entry_hits"), "no hit once detached");
                assertEquals(RUNS + 1, bss.getLong("exit_hits"), "no hit once detached");
            }
        }
    }

    private static void tracingOnAProgramIsRefused() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            assertRefused(KernelProbes.programTrampoline(), tracingSpec(target.program("xdp_main").orElseThrow()),
                    "on_pick_entry");
        }
    }

    private static BpfObjectSpec tracingSpec(BpfProgram target) {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_fentry.bpf.o"));
        for (String name : List.of("on_pick_entry", "on_pick_exit")) {
            spec.program(name).orElseThrow().attachTarget(AttachTarget.program(target, "pick_action"));
        }
        return spec;
    }

    // ------------------------------------------------------------------ freplace

    private static void replacesWhileLinked() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            LoadedProgram xdp = target.program("xdp_main").orElseThrow();
            try (LoadedObject ext = BpfLoader.load(extSpec(xdp)); BpfGlobals bss = BpfMaps.globals(ext, ".bss")) {
                LoadedProgram replacement = ext.program("replacement").orElseThrow();
                assertEquals(ProgramType.EXT.value(), replacement.info().type());
                assertEquals(AttachTargets.programFunctionId(xdp, "pick_action"), replacement.info().attachBtfId(),
                        "the kernel's attach_btf_id: pick_action in the target's BTF");
                assertEquals(XDP_PASS, run(xdp, SMALL), "loaded but not attached: the target is unchanged");

                try (Link link = AutoAttach.attach(replacement)) {
                    assertTrue(link.isBpfLink(), link.toString());
                    assertEquals(XDP_TX, run(xdp, SMALL), "replacement() runs instead of pick_action()");
                    assertEquals(XDP_TX, run(xdp, LARGE));
                    assertEquals(2, bss.getLong("calls"));
                    assertEquals(LARGE, bss.getLong("last_len"), "replacement() gets pick_action's argument");
                }
                assertEquals(XDP_PASS, run(xdp, SMALL), "detached: pick_action() again");
                assertEquals(XDP_DROP, run(xdp, LARGE));
                assertEquals(2, bss.getLong("calls"), "no call once detached");

                try (Link again = Attach.freplace(replacement, xdp, "pick_action")) {
                    assertTrue(again.isBpfLink(), again.toString());
                    assertEquals(XDP_TX, run(xdp, LARGE), "attached again through the target program");
                }
                assertEquals(XDP_DROP, run(xdp, LARGE));
                assertEquals(3, bss.getLong("calls"));
            }
        }
    }

    private static void freplaceIsRefused() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            assertRefused(KernelProbes.programExtension(), extSpec(target.program("xdp_main").orElseThrow()),
                    "replacement");
        }
    }

    private static BpfObjectSpec extSpec(BpfProgram target) {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o"));
        spec.program("replacement").orElseThrow().attachTarget(AttachTarget.program(target, "pick_action"));
        return spec;
    }

    // ------------------------------------------------------------------ a module's functions

    private static void countsModuleCalls() {
        Btf tun = KernelBtf.modules().get("tun");
        assertTrue(KernelBtf.vmlinux().findId("tun_chr_open", BtfKind.FUNC).isEmpty(), "vmlinux has no tun_chr_open");
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("module_tracing.bpf.o"));
             BpfGlobals bss = BpfMaps.globals(obj, ".bss"); BpfGlobals data = BpfMaps.globals(obj, ".data")) {
            int tunBtfObject = tunBtfObjectId();
            for (String[] p : List.of(new String[] {"on_tun_open", "tun_chr_open"},
                    new String[] {"on_tun_close", "tun_chr_close"})) {
                var info = obj.program(p[0]).orElseThrow().info();
                assertEquals(tun.findId(p[1], BtfKind.FUNC).orElseThrow(), info.attachBtfId(),
                        p[0] + ": the id of " + p[1] + " in tun's BTF");
                assertEquals(tunBtfObject, info.attachBtfObjId(), p[0] + ": tun's BTF object");
            }
            var links = AutoAttach.attachAll(obj);
            assertEquals(2, links.size(), links.toString());
            for (int i = 0; i < OPENS; i++) {
                Syscalls.open("/dev/net/tun", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0, "tun").close();
            }
            assertEquals(OPENS, bss.getLong("opens"), "fentry: one tun_chr_open per open(2)");
            assertEquals(OPENS, bss.getLong("closes"), "fexit: one tun_chr_close per close(2)");
            assertEquals(OPENS, bss.getLong("matched"), "each file closed is the one just opened");
            assertEquals(0, data.getLong("close_ret"), "tun_chr_close returns 0 (the variable starts at -1)");
            links.forEach(l -> l.link().close());
            Syscalls.open("/dev/net/tun", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0, "tun").close();
            assertEquals(OPENS, bss.getLong("opens"), "no hit once detached");
        }
    }

    private static int tunBtfObjectId() {
        for (int id = Bpf.btfGetNextId(0); id != 0; id = Bpf.btfGetNextId(id)) {
            try (Fd fd = Bpf.btfGetFdById(id)) {
                if ("tun".equals(Bpf.btfInfo(fd).name())) {
                    return id;
                }
            }
        }
        throw new AssertionError("no BTF object named tun");
    }

    private static void moduleTracingIsRefused() {
        KernelProbes.Probe probe = KernelProbes.moduleTrampoline("tun", "tun_chr_open");
        if (!probe.stage().equals("sysfs")) {
            assertRefused(probe, TestObjects.openForThisProcess("module_tracing.bpf.o"), "on_tun_open");
            return;
        }
        // No tun module with BTF. "tun:tun_chr_close" names the module: nowhere to look.
        BpfObjectSpec close = TestObjects.openForThisProcess("module_tracing.bpf.o");
        close.program("on_tun_open").orElseThrow().autoload(false);
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(close).close());
        assertTrue(e.getMessage().contains("program 'on_tun_close'")
                && e.getMessage().contains("kernel module 'tun', which is not loaded"), e.getMessage());
        // "tun_chr_open" names none: found in vmlinux where tun is built in (this CI host), else nowhere.
        BpfObjectSpec open = TestObjects.openForThisProcess("module_tracing.bpf.o");
        open.program("on_tun_close").orElseThrow().autoload(false);
        if (KernelBtf.vmlinux().findId("tun_chr_open", BtfKind.FUNC).isEmpty()) {
            e = assertThrows(LoadException.class, () -> BpfLoader.load(open).close());
            assertTrue(e.getMessage().contains("program 'on_tun_open'") && e.getMessage().contains("tun_chr_open"),
                    e.getMessage());
            return;
        }
        KernelProbes.Probe builtIn = KernelProbes.trampoline("tun_chr_open");
        System.out.println("tun built in: fentry on vmlinux's tun_chr_open " + builtIn.branch());
        if (builtIn.present()) {
            try (LoadedObject obj = BpfLoader.load(open)) {
                var info = obj.program("on_tun_open").orElseThrow().info();
                assertEquals(KernelBtf.vmlinux().findId("tun_chr_open", BtfKind.FUNC).orElseThrow(),
                        info.attachBtfId(), "the id of tun_chr_open in vmlinux's BTF");
            }
        } else {
            assertRefused(builtIn, open, "on_tun_open");
        }
    }

    // ------------------------------------------------------------------ targets the loader refuses

    @Test
    void freplaceWithoutATargetIsALoadException() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o"));
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("program 'replacement'") && e.getMessage().contains("freplace")
                && e.getMessage().contains("attachTarget"), e.getMessage());
    }

    @Test
    void freplaceOfAKernelFunctionIsALoadException() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o"));
        spec.program("replacement").orElseThrow().attachTarget(AttachTarget.kernel("do_unlinkat"));
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("not kernel function 'do_unlinkat'"), e.getMessage());
    }

    @Test
    void aTargetWithoutBtfIsALoadException() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] returnZero = {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
            MemorySegment code = arena.allocate(returnZero.length, 8);
            MemorySegment.copy(returnZero, 0, code, ValueLayout.JAVA_BYTE, 0, returnZero.length);
            try (Fd raw = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.XDP.value(), code).license("GPL").build())
                    .fd()) {
                BpfProgram noBtf = new BpfProgram() {
                    @Override
                    public String name() {
                        return "no_btf";
                    }

                    @Override
                    public int fileDescriptor() {
                        return raw.get();
                    }
                };
                LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(extSpec(noBtf)).close());
                assertTrue(e.getMessage().contains("program 'no_btf'") && e.getMessage().contains("has no BTF"),
                        e.getMessage());
                assertEquals(0, Bpf.progInfo(raw).btfId(), "still open and unchanged: the loader only borrowed it");
            }
        }
    }

    @Test
    void aFunctionTheTargetLacksIsALoadException() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o"));
            spec.program("replacement").orElseThrow().attachTarget(
                    AttachTarget.program(target.program("xdp_main").orElseThrow(), "no_such_function"));
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
            assertTrue(e.getMessage().contains("no function 'no_such_function'")
                    && e.getMessage().contains("pick_action") && e.getMessage().contains("xdp_main"), e.getMessage());
        }
    }

    @Test
    void kernelTargetsMissingEverywhereAreLoadExceptions() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_fentry.bpf.o"));
        spec.program("on_pick_exit").orElseThrow().autoload(false);
        // the section's own target: pick_action is no kernel function
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("FUNC 'pick_action'") && e.getMessage().contains("module"),
                e.getMessage());

        spec.program("on_pick_entry").orElseThrow().attachTarget(AttachTarget.kernel("no_such_module", "f"));
        e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("kernel module 'no_such_module'"), e.getMessage());

        spec.program("on_pick_entry").orElseThrow().attachTarget(null);
        spec.program("on_pick_entry").orElseThrow().autoload(false);
        spec.program("on_pick_exit").orElseThrow().autoload(true);
        e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("program 'on_pick_exit'") && e.getMessage().contains("names no function"),
                e.getMessage());
    }

    @Test
    void anAttachTargetOnAProgramNotBoundAtLoadIsALoadException() {
        try (LoadedObject target = BpfLoader.load(BpfObjects.open(TestObjects.path("prog_target.bpf.o")))) {
            BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target.bpf.o"));
            spec.program("xdp_main").orElseThrow().attachTarget(
                    AttachTarget.program(target.program("xdp_main").orElseThrow(), "pick_action"));
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
            assertTrue(e.getMessage().contains("section 'xdp' is not a program bound"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int run(BpfProgram xdp, int length) {
        return TestRun.of(xdp).data(new byte[length]).run().returnValue();
    }

    /** The kernel's refusal the probe met, as bpfkit reports it: same errno, program named. */
    private static void assertRefused(KernelProbes.Probe probe, BpfObjectSpec spec, String program) {
        if (probe.stage().equals("load")) {
            KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec).close());
            assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains("program '"), e.getMessage());
            if (probe.errno() == Errno.EPERM) {
                assertTrue(e.getMessage().contains("locked down"), e.getMessage());
            }
        } else {
            try (LoadedObject obj = BpfLoader.load(spec)) {
                KernelException e = assertThrows(KernelException.class,
                        () -> AutoAttach.attach(obj.program(program).orElseThrow()).close());
                assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
            }
        }
    }
}
