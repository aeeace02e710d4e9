package io.bpfkit.link;

import static io.bpfkit.testing.NetNamespace.LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.NetlinkException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.netlink.Rtnetlink;
import io.bpfkit.netlink.XdpNetlink;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.NetNamespace;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * XDP over rtnetlink ({@code IFLA_XDP}) beside XDP links, in generic mode on the loopback of a
 * network namespace of the test's own: counts, refuses a second program with the kernel's
 * reason, detaches only its own program, and is what AUTO takes on a kernel without XDP links.
 */
@KernelTest
@SuppressWarnings("try") // links held open by try-with-resources while the test sends packets
class XdpNetlinkTest {
    private static final KernelFeatures WITHOUT_XDP_LINKS = KernelFeatures.simulated("5.4.0-216-generic", Set.of());

    private static XdpNetlink.XdpState xdpOn(int ifindex) {
        try (Rtnetlink nl = Rtnetlink.open()) {
            return XdpNetlink.query(nl, ifindex);
        }
    }

    @Test
    void genericXdpOverNetlinkCountsAndDetaches() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                int progId = f.program("xdp_count").info().id();
                try (Link l = Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.NETLINK)) {
                    assertFalse(l.isBpfLink());
                    assertEquals("xdp ifindex 1 generic netlink (xdp_count)", l.name());
                    XdpNetlink.XdpState s = xdpOn(LO);
                    assertEquals(XdpNetlink.XDP_ATTACHED_SKB, s.attached());
                    assertEquals(progId, s.genericProgId());
                    String shown = TcFixture.ip("link", "show", "dev", "lo");
                    assertTrue(shown.contains("xdpgeneric") && shown.contains("id " + progId), shown);

                    f.sendAndReceive(4);
                    assertEquals(4, f.count(TcFixture.XDP));

                    NetlinkException again = assertThrows(NetlinkException.class, () -> Attach.xdp(f.program("xdp_count"),
                            LO, XdpMode.GENERIC, XdpLinkMode.NETLINK));
                    assertEquals("EBUSY", again.errnoName());
                    assertTrue(again.kernelMessage() != null && again.kernelMessage().contains("already attached"),
                            again.getMessage());
                    if (KernelFeatures.running().has(KernelFeature.XDP_LINK)) {
                        KernelException link = assertThrows(KernelException.class, () -> Attach.xdp(
                                f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.LINK));
                        assertEquals("EBUSY", link.errnoName());
                    }
                }
                assertEquals(XdpNetlink.XDP_ATTACHED_NONE, xdpOn(LO).attached());
                f.sendAndReceive(2);
                assertEquals(4, f.count(TcFixture.XDP));
            }
        });
    }

    @Test
    void driverModeOnLoopbackIsRefusedWithTheKernelsReason() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                NetlinkException e = assertThrows(NetlinkException.class, () -> Attach.xdp(f.program("xdp_count"), LO,
                        XdpMode.DRIVER, XdpLinkMode.NETLINK));
                assertEquals("EOPNOTSUPP", e.errnoName());
                assertTrue(e.kernelMessage() != null && e.kernelMessage().contains("native mode"), e.getMessage());
                assertTrue(e.getMessage().startsWith("RTM_SETLINK (xdp program 'xdp_count' on ifindex 1, driver)"),
                        e.getMessage());
                assertEquals(XdpNetlink.XDP_ATTACHED_NONE, xdpOn(LO).attached());
            }
        });
    }

    @Test
    void detachNamesItsOwnProgramAndOutlivesTheObject() throws Exception {
        NetNamespace.run(() -> {
            Link l;
            try (TcFixture f = TcFixture.load()) {
                l = Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.NETLINK);
            } // programs closed; the link holds a reference of its own
            assertEquals(XdpNetlink.XDP_ATTACHED_SKB, xdpOn(LO).attached());
            l.close();
            assertEquals(XdpNetlink.XDP_ATTACHED_NONE, xdpOn(LO).attached());

            try (TcFixture f = TcFixture.load(); TcFixture other = TcFixture.load()) {
                Link mine = Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.NETLINK);
                // someone else takes it off (ip link set ... xdpgeneric off) and puts their own program there
                TcFixture.ip("link", "set", "dev", "lo", "xdpgeneric", "off");
                try (Link theirs = Attach.xdp(other.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.NETLINK)) {
                    mine.close(); // not ours any more: left alone
                    assertEquals(other.program("xdp_count").info().id(), xdpOn(LO).genericProgId());
                }
                assertEquals(XdpNetlink.XDP_ATTACHED_NONE, xdpOn(LO).attached());
            }
        });
    }

    @Test
    void autoUsesNetlinkWhereTheKernelHasNoXdpLinks() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                boolean links = KernelFeatures.running().has(KernelFeature.XDP_LINK);
                try (Link l = Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC)) {
                    assertEquals(links, l.isBpfLink());
                    f.sendAndReceive(1);
                }
                try (Link l = Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.AUTO,
                        WITHOUT_XDP_LINKS)) {
                    assertFalse(l.isBpfLink());
                    f.sendAndReceive(2);
                }
                try (Link l = AutoAttach.attach(f.program("xdp_count"), LO, null, WITHOUT_XDP_LINKS)) {
                    assertFalse(l.isBpfLink());
                    f.sendAndReceive(3);
                }
                assertEquals(6, f.count(TcFixture.XDP));
                UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> Attach.xdp(
                        f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.LINK, WITHOUT_XDP_LINKS));
                assertEquals("XDP link needs Linux 5.9, this is 5.4.0-216-generic; use XdpLinkMode.AUTO, which "
                        + "attaches over netlink there", e.getMessage());
            }
        });
    }

    @Test
    void badInterfacesAndProgramsAreClearErrors() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                NetlinkException nl = assertThrows(NetlinkException.class, () -> Attach.xdp(f.program("xdp_count"),
                        4242, XdpMode.GENERIC, XdpLinkMode.NETLINK));
                assertEquals("ENODEV", nl.errnoName());
                assertTrue(nl.getMessage().contains("no network interface with index 4242"), nl.getMessage());
                if (KernelFeatures.running().has(KernelFeature.XDP_LINK)) {
                    KernelException k = assertThrows(KernelException.class, () -> Attach.xdp(f.program("xdp_count"),
                            4242, XdpMode.GENERIC, XdpLinkMode.LINK));
                    assertTrue(k.getMessage().contains("no network interface with index 4242"), k.getMessage());
                }
                BpfException notXdp = assertThrows(BpfException.class, () -> Attach.xdp(f.program("tc_count"), LO,
                        XdpMode.GENERIC, XdpLinkMode.NETLINK));
                assertEquals("program 'tc_count' (section 'tc') is a sched_cls program, not an XDP program "
                        + "(SEC(\"xdp\"))", notXdp.getMessage());
                assertThrows(IllegalArgumentException.class, () -> Attach.xdp(f.program("xdp_count"), -3,
                        XdpMode.GENERIC));
            }
        });
    }
}
