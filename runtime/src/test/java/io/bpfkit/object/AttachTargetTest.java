package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.testing.TestObjects;
import org.junit.jupiter.api.Test;

/** The attach target value and where it lives: pure, no kernel. */
class AttachTargetTest {
    private static final BpfProgram SOME_PROGRAM = new BpfProgram() {
        @Override
        public String name() {
            return "xdp_main";
        }

        @Override
        public int fileDescriptor() {
            throw new IllegalStateException("not loaded");
        }
    };

    @Test
    void kernelFunctionsAreWrittenAsInSectionNames() {
        assertEquals(new AttachTarget.KernelFunction(null, "do_unlinkat"), AttachTarget.kernel("do_unlinkat"));
        assertEquals(new AttachTarget.KernelFunction("tun", "tun_chr_open"), AttachTarget.kernel("tun:tun_chr_open"));
        assertEquals(AttachTarget.kernel("tun:tun_chr_open"), AttachTarget.kernel("tun", "tun_chr_open"));
        assertEquals("tun:tun_chr_open", AttachTarget.kernel("tun", "tun_chr_open").toString());
        assertEquals("pick_action", AttachTarget.program(SOME_PROGRAM, "pick_action").function());
        assertTrue(AttachTarget.program(SOME_PROGRAM, "pick_action").toString().contains("xdp_main"));
    }

    @Test
    void badNamesAreRefusedWhenMade() {
        for (String bad : new String[] {"", "a b", ":f", "m:", "a:b:c"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttachTarget.kernel(bad),
                    bad);
            assertTrue(e.getMessage().contains("attach target"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> AttachTarget.program(SOME_PROGRAM, "mod:f"));
        assertThrows(NullPointerException.class, () -> AttachTarget.program(null, "f"));
        assertThrows(NullPointerException.class, () -> AttachTarget.kernel(null, "f"));
    }

    @Test
    void theTargetIsPlainDataOfTheProgramSpec() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o"));
        ProgramSpec p = spec.program("replacement").orElseThrow();
        assertNull(p.attachTarget(), "none until set");
        assertEquals(AttachKind.FREPLACE, p.sectionDef().attachKind());
        AttachTarget t = AttachTarget.program(SOME_PROGRAM, "pick_action");
        p.attachTarget(t);
        assertSame(t, p.copy().attachTarget());
        assertSame(t, spec.copy().program("replacement").orElseThrow().attachTarget());
        assertNull(BpfObjects.open(TestObjects.path("prog_target_ext.bpf.o")).program("replacement").orElseThrow()
                .attachTarget(), "a fresh open has none");
        p.attachTarget(null);
        assertNull(p.attachTarget(), "back to the section's");
    }
}
