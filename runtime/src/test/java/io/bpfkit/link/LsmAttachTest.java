package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Errno;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.TestObjects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A BPF LSM program that denies (lsm_effects.bpf.c): where the kernel runs BPF LSM programs,
 * socket(AF_UNIX, SOCK_SEQPACKET) fails with EPERM for this process while the program is
 * attached, other sockets are created, and everything works again once it is detached; where
 * it refuses them (locked down, or bpf not among the active LSMs), bpfkit says so clearly.
 * {@link KernelProbes#lsm} decides.
 */
@KernelTest
class LsmAttachTest {
    private static final int DENIED = 3;

    @TestFactory
    Stream<DynamicTest> lsmDeniesASocket() {
        return Stream.of(KernelProbes.branch("lsm/socket_create denies AF_UNIX SOCK_SEQPACKET sockets",
                KernelProbes.lsm("socket_create"), LsmAttachTest::deniesWhileAttached, LsmAttachTest::isRefused));
    }

    private static void deniesWhileAttached() {
        assertCreated(Libc.SOCK_SEQPACKET, "before the program is attached");
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("lsm_effects.bpf.o"));
             BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            assertEquals(ProgramType.LSM.value(), obj.program("deny_seqpacket").orElseThrow().info().type());
            Link link = obj.own(AutoAttach.attach(obj.program("deny_seqpacket").orElseThrow()));
            for (int i = 0; i < DENIED; i++) {
                Libc.Result r = Libc.socket(Libc.AF_UNIX, Libc.SOCK_SEQPACKET, 0);
                assertFalse(r.ok(), "the LSM program denies SOCK_SEQPACKET");
                assertEquals(Errno.EPERM, r.errno(), "with the EPERM it returned");
            }
            assertCreated(Libc.SOCK_STREAM, "other socket types pass");
            assertCreated(Libc.SOCK_DGRAM, "other socket types pass");
            assertEquals(DENIED, bss.getLong("denied"));
            assertTrue(bss.getLong("checked") >= DENIED + 2, "checked " + bss.getLong("checked"));
            link.close();
            assertCreated(Libc.SOCK_SEQPACKET, "once detached");
            assertEquals(DENIED, bss.getLong("denied"), "no check once detached");
        }
    }

    private static void isRefused() {
        KernelProbes.Probe probe = KernelProbes.lsm("socket_create");
        BpfObjectSpec spec = TestObjects.openForThisProcess("lsm_effects.bpf.o");
        assertEquals(AttachKind.LSM, spec.program("deny_seqpacket").orElseThrow().sectionDef().attachKind());
        switch (probe.stage()) {
            case "load" -> {
                KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec));
                assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
                assertTrue(e.getMessage().contains("deny_seqpacket"), e.getMessage());
                if (probe.errno() == Errno.EPERM) {
                    assertTrue(e.getMessage().contains("locked down"), e.getMessage());
                }
            }
            case "attach" -> {
                try (LoadedObject obj = BpfLoader.load(spec)) {
                    KernelException e = assertThrows(KernelException.class,
                            () -> AutoAttach.attach(obj.program("deny_seqpacket").orElseThrow()));
                    assertEquals(probe.errnoName(), e.errnoName(), e.getMessage());
                    assertTrue(e.getMessage().contains("deny_seqpacket"), e.getMessage());
                }
            }
            default -> {
                // bpf is not an active LSM: whether or not the kernel lets the program attach,
                // its hook is never called, so nothing is denied
                try (LoadedObject obj = BpfLoader.load(spec)) {
                    try {
                        obj.own(AutoAttach.attach(obj.program("deny_seqpacket").orElseThrow()));
                    } catch (KernelException e) {
                        assertTrue(e.getMessage().contains("deny_seqpacket"), e.getMessage());
                    }
                    assertCreated(Libc.SOCK_SEQPACKET, "without the bpf LSM");
                }
            }
        }
        assertCreated(Libc.SOCK_SEQPACKET, "nothing was denied");
    }

    private static void assertCreated(int type, String when) {
        Libc.Result r = Libc.unixSocketAndClose(type);
        assertTrue(r.ok(), "socket(AF_UNIX, " + type + ") " + when + ": errno " + r.errno());
    }
}
