package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import org.junit.jupiter.api.Test;

/** Without CAP_BPF / CAP_SYS_ADMIN (capabilities dropped in a child JVM) a load is a clear EPERM. */
@KernelTest
class UnprivilegedLoadTest {

    @Test
    void withoutCapabilitiesTheErrorSaysWhatIsMissing() {
        Tools.Result r = Tools.runJavaWithCapabilities("-all", LoadInChild.class,
                TestObjects.path("tailcall.bpf.o").toString());
        assertEquals(3, r.exitCode(), r.out() + r.stderr());
        assertTrue(r.out().contains("KernelException: BPF_") && r.out().contains("EPERM")
                && r.out().contains("needs root or CAP_BPF + CAP_PERFMON"), r.out());
    }
}
