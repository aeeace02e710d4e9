package io.bpfkit.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.bpfkit.testing.KernelTest;
import org.junit.jupiter.api.Test;

/**
 * The probes on the running kernel agree with its release number on the stock kernels this runs
 * on (a distribution backport would be a legitimate disagreement; none of the tested kernels
 * has one), and the running kernel's set is one per process.
 */
@KernelTest
class KernelFeaturesTest {

    private static boolean atLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || ma == major && mi >= minor;
    }

    @Test
    void probesAgreeWithTheKernelRelease() {
        KernelFeatures k = KernelFeatures.running();
        assertEquals(atLeast(6, 6), k.has(KernelFeature.TCX), "tcx on " + k.release());
        assertEquals(atLeast(6, 6), k.has(KernelFeature.UPROBE_MULTI), "uprobe.multi on " + k.release());
        assertEquals(atLeast(5, 9), k.has(KernelFeature.XDP_LINK), "XDP links on " + k.release());
        assertEquals(atLeast(5, 15), k.has(KernelFeature.PERF_LINK), "perf links on " + k.release());
        assertEquals(System.getProperty("os.version"), k.release());
        assertSame(KernelFeatures.running(), k);
    }
}
