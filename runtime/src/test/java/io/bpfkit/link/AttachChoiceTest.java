package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which way tc and XDP programs are attached on kernels with and without tcx and XDP links,
 * decided on simulated feature sets (the host has both): AUTO falls back to netlink, an explicit
 * link mode names the feature, the first kernel with it and this one. No kernel needed.
 */
class AttachChoiceTest {
    static final KernelFeatures DEBIAN_12 = KernelFeatures.simulated("6.1.0-57-amd64",
            Set.of(KernelFeature.XDP_LINK, KernelFeature.PERF_LINK));
    static final KernelFeatures UBUNTU_20_04 = KernelFeatures.simulated("5.4.0-216-generic", Set.of());
    static final KernelFeatures NEW = KernelFeatures.simulated("6.18.0", EnumSet.allOf(KernelFeature.class));

    @Test
    void autoTakesTcxWhereThereIsTcxAndNetlinkWhereThereIsNot() {
        assertEquals(TcLinkMode.TCX, TcAttach.choose(TcLinkMode.AUTO, NEW));
        assertEquals(TcLinkMode.NETLINK, TcAttach.choose(TcLinkMode.AUTO, DEBIAN_12));
        assertEquals(TcLinkMode.NETLINK, TcAttach.choose(TcLinkMode.NETLINK, NEW));
        assertEquals(TcLinkMode.TCX, TcAttach.choose(TcLinkMode.TCX, NEW));
    }

    @Test
    void explicitTcxOnAKernelWithoutItSaysWhatToDo() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> TcAttach.choose(TcLinkMode.TCX, DEBIAN_12));
        assertEquals("tcx needs Linux 6.6, this is 6.1.0-57-amd64; use Attach.tc, which falls back to netlink",
                e.getMessage());
        assertEquals("tcx", e.feature());
        assertEquals("6.6", e.firstKernel());
        assertEquals("6.1.0-57-amd64", e.runningKernel());
    }

    @Test
    void xdpLinksTheSameWay() {
        assertEquals(XdpLinkMode.LINK, XdpAttach.choose(XdpLinkMode.AUTO, DEBIAN_12));
        assertEquals(XdpLinkMode.NETLINK, XdpAttach.choose(XdpLinkMode.AUTO, UBUNTU_20_04));
        assertEquals(XdpLinkMode.NETLINK, XdpAttach.choose(XdpLinkMode.NETLINK, NEW));
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> XdpAttach.choose(XdpLinkMode.LINK, UBUNTU_20_04));
        assertEquals("XDP link needs Linux 5.9, this is 5.4.0-216-generic; use XdpLinkMode.AUTO, which attaches "
                + "over netlink there", e.getMessage());
    }

    @Test
    void uprobeMultiOnAKernelWithoutItSaysWhatToDoBeforeTouchingTheProgram() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> Attach.uprobeMulti(null, "libc.so.6", null, "get*", false, -1, DEBIAN_12));
        assertEquals("uprobe.multi needs Linux 6.6, this is 6.1.0-57-amd64; load the program as a uprobe "
                + "(SEC(\"uprobe/...\")) and attach it to each function with Attach.uprobe", e.getMessage());
        assertEquals("uprobe.multi", e.feature());
    }

    @Test
    void aSimulatedKernelIsNeverProbedAndKeepsItsAnswers() {
        assertTrue(NEW.has(KernelFeature.TCX));
        assertEquals("6.1.0-57-amd64", DEBIAN_12.release());
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> UBUNTU_20_04.require(KernelFeature.PERF_LINK, null));
        assertEquals("BPF perf link needs Linux 5.15, this is 5.4.0-216-generic", e.getMessage());
    }

    @Test
    void priorityAndHandleBelongToNetlinkFilters() {
        TcOptions o = TcOptions.defaults().priority(10).handle(3);
        assertEquals(new TcOptions(TcLinkMode.AUTO, 10, 3), o);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.mode(TcLinkMode.TCX));
        assertTrue(e.getMessage().contains("a tcx link has neither"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TcOptions.defaults().priority(70000));
        assertThrows(IllegalArgumentException.class, () -> TcOptions.defaults().mode(null));
    }
}
