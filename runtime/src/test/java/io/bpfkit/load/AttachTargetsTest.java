package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.object.AttachType;
import io.bpfkit.object.SectionDef;
import io.bpfkit.object.SectionRules;
import org.junit.jupiter.api.Test;

/** The BTF names kernel targets are looked up by: pure, no kernel. */
class AttachTargetsTest {
    @Test
    void kernelTargetsGetLibbpfsPrefixes() {
        assertEquals("do_unlinkat", AttachTargets.kernelTypeName(AttachType.TRACE_FENTRY, "do_unlinkat"));
        assertEquals("btf_trace_sched_switch", AttachTargets.kernelTypeName(AttachType.TRACE_RAW_TP, "sched_switch"));
        assertEquals("bpf_lsm_file_open", AttachTargets.kernelTypeName(AttachType.LSM_MAC, "file_open"));
        assertEquals("bpf_iter_task", AttachTargets.kernelTypeName(AttachType.TRACE_ITER, "task"));
        assertEquals("pick_action", AttachTargets.kernelTypeName(null, "pick_action"));
    }

    @Test
    void theSameNamesAsTheSectionRules() {
        for (String section : new String[] {"fentry/a", "fexit/m:b", "fmod_ret/c", "tp_btf/d", "lsm/e",
                "lsm_cgroup/f", "iter/g", "iter.s/h", "lsm.s/i", "fentry.s/j"}) {
            SectionDef d = SectionRules.resolve(section);
            SectionDef.BtfTarget t = (SectionDef.BtfTarget) d.target();
            assertEquals(t.btfTypeName(), AttachTargets.kernelTypeName(d.expectedAttachType(), t.name()), section);
        }
    }
}
