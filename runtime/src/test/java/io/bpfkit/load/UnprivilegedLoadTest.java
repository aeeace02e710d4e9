package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Without CAP_BPF / CAP_SYS_ADMIN (capabilities dropped in a child JVM) a load is a clear EPERM. */
@KernelTest
class UnprivilegedLoadTest {

    @Test
    void withoutCapabilitiesTheErrorSaysWhatIsMissing() {
        Path setpriv = Tools.find("setpriv", "/usr/bin/setpriv");
        assertNotNull(setpriv, "setpriv (util-linux) is needed to drop capabilities");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Tools.Result r = Tools.run(120, setpriv.toString(), "--bounding-set=-all", "--inh-caps=-all",
                "--ambient-caps=-all", "--", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LoadInChild.class.getName(),
                TestObjects.path("tailcall.bpf.o").toString());
        assertEquals(3, r.exitCode(), r.out() + r.stderr());
        assertTrue(r.out().contains("KernelException: BPF_") && r.out().contains("EPERM")
                && r.out().contains("needs root or CAP_BPF + CAP_PERFMON"), r.out());
    }
}
