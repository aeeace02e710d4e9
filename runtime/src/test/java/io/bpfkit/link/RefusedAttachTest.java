package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import org.junit.jupiter.api.Test;

/**
 * The attach kinds this kernel does not allow: kprobes (not compiled in) give an
 * {@link UnsupportedFeatureException} at attach; fentry/fexit/fmod_ret/lsm (locked down) are
 * refused at load, before any attach can happen.
 */
@KernelTest
class RefusedAttachTest {

    @Test
    void everyKprobeKindIsUnsupportedWithAClearReason() {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("kprobe.bpf.o")))) {
            for (String name : new String[] {"on_unlink", "on_unlink_ret", "on_unlinkat", "on_unlinkat_ret", "on_vfs"}) {
                LoadedProgram p = obj.program(name).orElseThrow();
                assertTrue(AutoAttach.canAutoAttach(p), name + " names its target");
                UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                        () -> AutoAttach.attach(p), name);
                assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.feature().startsWith("kprobe") || e.feature().startsWith("kretprobe"), e.feature());
            }
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> Attach.kprobe(obj.program("manual").orElseThrow(), "do_unlinkat", 0, true));
            assertEquals("kretprobe", e.feature());
            assertTrue(obj.links().isEmpty());
        }
    }

    @Test
    void trampolineProgramsAreRefusedAtLoadSoNothingIsLeftToAttach() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("tracing_refused.bpf.o"));
        for (ProgramSpec p : spec.programs()) {
            AttachKind k = p.sectionDef().attachKind();
            assertTrue(k == AttachKind.TRACING || k == AttachKind.LSM, p.name() + ": " + k);
            assertTrue(k.autoAttach(), "auto-attached once loaded (a BPF link on the load-time target)");
        }
        KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec));
        assertEquals("EPERM", e.errnoName());
        assertTrue(e.getMessage().contains("locked down"), e.getMessage());
    }
}
