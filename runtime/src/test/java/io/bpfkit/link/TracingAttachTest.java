package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.VerifierException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.link.KprobeAttachTest.Scratch;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.BpfFlags;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * BPF trampoline programs on kernel functions (tracing_effects.bpf.c, sleepable.bpf.c):
 * where the kernel allows them, fentry and fexit see do_unlinkat's argument and result, fmod_ret
 * replaces a function's result and keeps it from running (a socket(2) fails with the errno it
 * returned), and a sleepable fentry.s copies user
 * memory; where it refuses them (this project's CI host: locked down, every trampoline
 * program refused at load with EPERM and an empty verifier log), the load fails with a clear
 * error naming the program and the reason. {@link KernelProbes} decides.
 */
@KernelTest
class TracingAttachTest {
    private static final int FILES = 5;
    private static final int REFUSED = 3;

    @TestFactory
    Stream<DynamicTest> fentryFexitFmodRet() {
        return Stream.of(KernelProbes.branch("fentry, fexit and fmod_ret on kernel functions",
                KernelProbes.trampoline("do_unlinkat"), TracingAttachTest::trampolinesSeeAndChangeCalls,
                TracingAttachTest::trampolinesAreRefusedAtLoad));
    }

    @TestFactory
    Stream<DynamicTest> sleepableFentry() {
        return Stream.of(KernelProbes.branch("fentry.s copies user memory with bpf_copy_from_user",
                KernelProbes.sleepableTrampoline("bpf_fentry_test1"), TracingAttachTest::sleepableCopiesUserMemory,
                TracingAttachTest::sleepableIsRefusedAtLoad));
    }

    private static void trampolinesSeeAndChangeCalls() throws IOException {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("tracing_effects.bpf.o"));
             Scratch dir = new Scratch(); BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            for (LoadedProgram p : obj.programs().values()) {
                assertEquals(ProgramType.TRACING.value(), p.info().type(), p.name());
            }
            var links = AutoAttach.attachAll(obj);
            assertEquals(3, links.size(), links.toString());
            assertTrue(links.stream().allMatch(l -> l.link().isBpfLink()));

            int dfd = dir.unlinkEverything();
            assertEquals(FILES + 1, bss.getLong("fentry_hits"), "fentry: one hit per do_unlinkat");
            assertEquals(dfd, bss.getLong("fentry_dfd"), "fentry: the dfd argument, our directory fd");
            assertEquals(FILES + 1, bss.getLong("fexit_hits"), "fexit: one hit per return");
            assertEquals(dfd, bss.getLong("fexit_dfd"), "fexit sees the arguments too");
            assertEquals(-Errno.ENOENT, bss.getLong("fexit_ret"), "fexit: the last call's -ENOENT");

            for (int i = 0; i < REFUSED; i++) {
                Libc.Result r = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0);
                assertFalse(r.ok(), "fmod_ret returned -EACCES instead of security_socket_create");
                assertEquals(Errno.EACCES, r.errno());
            }
            assertCreated(Libc.SOCK_STREAM, "security_socket_create runs where fmod_ret returns 0");
            assertEquals(REFUSED, bss.getLong("fmod_ret_refused"));
            assertTrue(bss.getLong("fmod_ret_hits") >= REFUSED + 1, "fmod_ret hits " + bss.getLong("fmod_ret_hits"));

            links.forEach(l -> l.link().close());
            dir.unlinkEverything();
            assertEquals(FILES + 1, bss.getLong("fentry_hits"), "no hit once detached");
            assertCreated(Libc.SOCK_DGRAM, "once detached");
            assertEquals(REFUSED, bss.getLong("fmod_ret_refused"), "no refusal once detached");
        }
    }

    private static void sleepableCopiesUserMemory() {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("sleepable.bpf.o"));
             BpfGlobals bss = BpfMaps.globals(obj, ".bss"); Arena arena = Arena.ofConfined()) {
            LoadedProgram p = obj.program("copy_user_string").orElseThrow();
            assertEquals(BpfFlags.BPF_F_SLEEPABLE, p.spec().flags() & BpfFlags.BPF_F_SLEEPABLE, "fentry.s loads sleepable");
            obj.own(AutoAttach.attach(p));
            MemorySegment text = arena.allocateFrom("from user space");
            bss.setLong("user_ptr", text.address());
            // the test run of an fentry program calls bpf_fentry_test1(1), in this task
            assertEquals(0, Bpf.progTestRun(p.fd(), TestRunAttr.NONE).retval());
            assertEquals(1, bss.getLong("hits"));
            assertEquals(1, bss.getLong("arg_a"), "bpf_fentry_test1's argument");
            assertEquals("from user space", bss.variable("copied").getString(0),
                    "copied from this process's memory by bpf_copy_from_user");
        }
    }

    private static void sleepableIsRefusedAtLoad() {
        assertRefused(KernelProbes.sleepableTrampoline("bpf_fentry_test1"), "sleepable.bpf.o",
                "copy_user_string");
    }

    private static void trampolinesAreRefusedAtLoad() {
        assertRefused(KernelProbes.trampoline("do_unlinkat"), "tracing_effects.bpf.o", "on_unlink_entry");
    }

    private static void assertCreated(int type, String when) {
        Libc.Result r = Libc.unixSocketAndClose(type);
        assertTrue(r.ok(), "socket(AF_UNIX, " + type + ") " + when + ": errno " + r.errno());
    }

    /** The kernel's refusal the probe met, as bpfkit reports it: same errno, program named. */
    private static void assertRefused(KernelProbes.Probe probe, String object, String attachedFirst) {
        BpfObjectSpec spec = TestObjects.openForThisProcess(object);
        for (ProgramSpec p : spec.programs()) {
            assertEquals(AttachKind.TRACING, p.sectionDef().attachKind(), p.name());
            assertTrue(p.sectionDef().attachKind().autoAttach(), "attached once loaded, on the load-time target");
        }
        if (probe.stage().equals("load")) {
            KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec));
            assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains("program '"), e.getMessage());
            if (e instanceof VerifierException v) {
                assertTrue(!v.log().isBlank(), "a verifier refusal carries the kernel's reason");
            }
            if (probe.errno() == Errno.EPERM) {
                assertTrue(e.getMessage().contains("locked down"), e.getMessage());
            }
        } else {
            try (LoadedObject obj = BpfLoader.load(spec)) {
                KernelException e = assertThrows(KernelException.class,
                        () -> AutoAttach.attach(obj.program(attachedFirst).orElseThrow()));
                assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
                assertTrue(e.getMessage().contains(attachedFirst), e.getMessage());
            }
        }
    }
}
