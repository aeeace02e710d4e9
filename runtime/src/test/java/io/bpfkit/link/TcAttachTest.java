package io.bpfkit.link;

import static io.bpfkit.testing.NetNamespace.LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.NetlinkException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.netlink.TcNetlink;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.NetNamespace;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * tc programs attached for real, both ways: as direct-action filters on a clsact qdisc over
 * rtnetlink (the way of kernels before 6.6, chosen explicitly here or by AUTO on a simulated
 * kernel without tcx) and as tcx links where the kernel has them. Each test runs in a network
 * namespace of its own, on its loopback, counting datagrams to an ephemeral port; what is on
 * the interface is checked through rtnetlink and, independently, with iproute2's {@code tc}.
 */
@KernelTest
@SuppressWarnings("try") // links held open by try-with-resources while the test sends packets
class TcAttachTest {
    private static final TcOptions NETLINK = TcOptions.defaults().mode(TcLinkMode.NETLINK);
    private static final KernelFeatures WITHOUT_TCX = KernelFeatures.simulated("6.1.0-57-amd64",
            Set.of(KernelFeature.XDP_LINK, KernelFeature.PERF_LINK));

    @Test
    void netlinkFiltersCountLoopbackPacketsAndTheClsactTheyMadeGoesWithTheLast() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                assertEquals(0, TcFixture.clsactQdiscs(LO));
                Link in = Attach.tc(f.program("tc_ingress_count"), LO, TcDirection.INGRESS, NETLINK);
                Link out = Attach.tc(f.program("tc_egress_count"), LO, TcDirection.EGRESS, NETLINK);
                assertFalse(in.isBpfLink());
                assertEquals(-1, in.fileDescriptor());
                assertTrue(in.name().startsWith("tc ingress filter ifindex 1 priority "), in.name());

                assertEquals(1, TcFixture.clsactQdiscs(LO));
                assertTrue(TcFixture.tc("qdisc", "show", "dev", "lo").contains("qdisc clsact ffff:"));
                List<TcNetlink.Filter> ingress = TcFixture.filters(LO, TcDirection.INGRESS);
                assertEquals(1, ingress.size(), ingress.toString());
                TcNetlink.Filter filter = ingress.get(0);
                int progId = f.program("tc_ingress_count").info().id();
                assertEquals(progId, filter.progId());
                assertTrue(filter.directAction());
                assertEquals("tc_ingress_count:[" + progId + "]", filter.programName());
                assertEquals(TcNetlink.ETH_P_ALL, filter.protocol());
                String shown = TcFixture.tc("filter", "show", "dev", "lo", "ingress");
                assertTrue(shown.contains("bpf") && shown.contains("tc_ingress_count") && shown.contains("direct-action")
                        && shown.contains("id " + progId), shown);
                assertTrue(TcFixture.tc("filter", "show", "dev", "lo", "egress").contains("tc_egress_count"));

                f.sendAndReceive(5);
                assertEquals(5, f.count(TcFixture.TC_INGRESS));
                assertEquals(5, f.count(TcFixture.TC_EGRESS));

                in.close();
                assertTrue(TcFixture.filters(LO, TcDirection.INGRESS).isEmpty());
                assertEquals(1, TcFixture.clsactQdiscs(LO), "the egress filter still uses the qdisc");
                f.sendAndReceive(2);
                assertEquals(5, f.count(TcFixture.TC_INGRESS));
                assertEquals(7, f.count(TcFixture.TC_EGRESS));

                out.close();
                out.close(); // idempotent
                assertEquals(0, TcFixture.clsactQdiscs(LO), "made by us, removed by the last of our filters");
                assertFalse(TcFixture.tc("qdisc", "show", "dev", "lo").contains("clsact"));
                f.sendAndReceive(3);
                assertEquals(5, f.count(TcFixture.TC_INGRESS));
                assertEquals(7, f.count(TcFixture.TC_EGRESS));
            }
        });
    }

    @Test
    void aClsactThatWasThereStaysAndSoDoesOneWithOtherFiltersOnIt() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                TcFixture.tc("qdisc", "add", "dev", "lo", "clsact");
                try (Link l = Attach.tc(f.program("classifier_count"), LO, TcDirection.INGRESS,
                        NETLINK.priority(7).handle(3))) {
                    String shown = TcFixture.tc("filter", "show", "dev", "lo", "ingress");
                    assertTrue(shown.contains("pref 7 bpf") && shown.contains("handle 0x3"), shown);
                    assertTrue(l.name().contains("clsact not ours"), l.name());
                    f.sendAndReceive(4);
                    assertEquals(4, f.count(TcFixture.CLASSIFIER));
                }
                assertTrue(TcFixture.filters(LO, TcDirection.INGRESS).isEmpty());
                assertEquals(1, TcFixture.clsactQdiscs(LO), "not ours: left in place");

                TcFixture.tc("qdisc", "del", "dev", "lo", "clsact");
                Link ours = Attach.tc(f.program("tc_count"), LO, TcDirection.EGRESS, NETLINK);
                // someone else's filter on the qdisc we made
                TcFixture.tc("filter", "add", "dev", "lo", "ingress", "prio", "9", "protocol", "all", "u32", "match",
                        "u32", "0", "0");
                f.sendAndReceive(2);
                assertEquals(2, f.count(TcFixture.TC));
                ours.close();
                assertTrue(TcFixture.filters(LO, TcDirection.EGRESS).isEmpty());
                assertEquals(1, TcFixture.clsactQdiscs(LO), "another filter is on it: left in place");
                assertTrue(TcFixture.tc("filter", "show", "dev", "lo", "ingress").contains("u32"));
            }
        });
    }

    @Test
    void autoTakesTcxWhereTheKernelHasItAndNetlinkWhereItHasNot() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                boolean tcx = KernelFeatures.running().has(KernelFeature.TCX);
                try (Link in = Attach.tc(f.program("tc_ingress_count"), LO, TcDirection.INGRESS)) {
                    assertEquals(tcx, in.isBpfLink(), in.name());
                    if (tcx) {
                        assertEquals(11, in.info().type(), "BPF_LINK_TYPE_TCX");
                        assertEquals(0, TcFixture.clsactQdiscs(LO), "tcx needs no qdisc");
                    } else {
                        assertEquals(1, TcFixture.filters(LO, TcDirection.INGRESS).size());
                    }
                    f.sendAndReceive(3);
                    assertEquals(3, f.count(TcFixture.TC_INGRESS));
                }
                // the same program on a kernel without tcx: a netlink filter, counting the same
                try (Link in = Attach.tc(f.program("tc_ingress_count"), LO, TcDirection.INGRESS,
                        TcOptions.defaults(), WITHOUT_TCX)) {
                    assertFalse(in.isBpfLink());
                    assertEquals(1, TcFixture.clsactQdiscs(LO));
                    f.sendAndReceive(2);
                    assertEquals(5, f.count(TcFixture.TC_INGRESS));
                }
                assertEquals(0, TcFixture.clsactQdiscs(LO));
            }
        });
    }

    @Test
    void tcxWhereThereIsNoneIsAnUnsupportedFeatureNamingTheKernels() throws Exception {
        try (TcFixture f = TcFixture.load()) {
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> Attach.tcx(f.program("tcx_ingress_count"), LO, TcDirection.INGRESS, WITHOUT_TCX));
            assertEquals("tcx needs Linux 6.6, this is 6.1.0-57-amd64; use Attach.tc, which falls back to netlink",
                    e.getMessage());
            e = assertThrows(UnsupportedFeatureException.class, () -> Attach.tc(f.program("tc_egress_count"), LO,
                    TcDirection.EGRESS, TcOptions.defaults().mode(TcLinkMode.TCX), WITHOUT_TCX));
            assertEquals("6.6", e.firstKernel());
            if (!KernelFeatures.running().has(KernelFeature.TCX)) { // a real kernel without tcx
                e = assertThrows(UnsupportedFeatureException.class,
                        () -> Attach.tcx(f.program("tcx_ingress_count"), LO, true));
                assertEquals(System.getProperty("os.version"), e.runningKernel());
            }
        }
    }

    @Test
    void autoAttachGivesTcSectionsAutoAndTcxSectionsTcx() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                boolean tcx = KernelFeatures.running().has(KernelFeature.TCX);
                try (Link in = AutoAttach.attach(f.program("tc_ingress_count"), LO);
                     Link out = AutoAttach.attach(f.program("tc_egress_count"), LO, TcDirection.EGRESS);
                     Link cls = AutoAttach.attach(f.program("classifier_count"), LO, TcDirection.EGRESS)) {
                    assertEquals(tcx, in.isBpfLink());
                    assertEquals(tcx, out.isBpfLink());
                    assertEquals(tcx, cls.isBpfLink());
                    f.sendAndReceive(2);
                    assertEquals(2, f.count(TcFixture.TC_INGRESS));
                    assertEquals(2, f.count(TcFixture.TC_EGRESS));
                    assertEquals(2, f.count(TcFixture.CLASSIFIER));
                }
                try (Link in = AutoAttach.attach(f.program("tc_ingress_count"), LO, null, WITHOUT_TCX);
                     Link tc = AutoAttach.attach(f.program("tc_count"), LO, TcDirection.INGRESS, WITHOUT_TCX)) {
                    assertFalse(in.isBpfLink());
                    assertFalse(tc.isBpfLink());
                    assertEquals(2, TcFixture.filters(LO, TcDirection.INGRESS).size());
                    f.sendAndReceive(1);
                    assertEquals(3, f.count(TcFixture.TC_INGRESS));
                    assertEquals(1, f.count(TcFixture.TC));
                }
                assertEquals(0, TcFixture.clsactQdiscs(LO));
                UnsupportedFeatureException u = assertThrows(UnsupportedFeatureException.class,
                        () -> AutoAttach.attach(f.program("tcx_ingress_count"), LO, null, WITHOUT_TCX));
                assertEquals("tcx", u.feature());
                BpfException e = assertThrows(BpfException.class, () -> AutoAttach.attach(f.program("tc_count"), LO));
                assertTrue(e.getMessage().contains("names no direction"), e.getMessage());
                LoadException wrongWay = assertThrows(LoadException.class,
                        () -> AutoAttach.attach(f.program("tc_ingress_count"), LO, TcDirection.EGRESS));
                assertTrue(wrongWay.getMessage().contains("runs on ingress, not egress"), wrongWay.getMessage());
                e = assertThrows(BpfException.class, () -> AutoAttach.attach(f.program("tc_ingress_count")));
                assertTrue(e.getMessage().contains("AutoAttach.attach(prog, ifindex)"), e.getMessage());
            }
        });
    }

    @Test
    void badInterfacesAndProgramsAreClearErrors() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                var prog = f.program("tc_ingress_count");
                IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                        () -> Attach.tc(prog, 0, TcDirection.INGRESS));
                assertTrue(zero.getMessage().contains("interface index must be positive"), zero.getMessage());

                NetlinkException nl = assertThrows(NetlinkException.class,
                        () -> Attach.tc(prog, 4242, TcDirection.INGRESS, NETLINK));
                assertEquals("ENODEV", nl.errnoName());
                assertTrue(nl.getMessage().contains("clsact on ifindex 4242")
                        && nl.getMessage().contains("no network interface with that index"), nl.getMessage());
                if (KernelFeatures.running().has(KernelFeature.TCX)) {
                    KernelException k = assertThrows(KernelException.class,
                            () -> Attach.tc(prog, 4242, TcDirection.INGRESS));
                    assertEquals("ENODEV", k.errnoName());
                    assertTrue(k.getMessage().contains("no network interface with that index"), k.getMessage());
                }

                BpfException notTc = assertThrows(BpfException.class,
                        () -> Attach.tc(f.program("xdp_count"), LO, TcDirection.INGRESS, NETLINK));
                assertEquals("program 'xdp_count' (section 'xdp') is a xdp program, not a tc program: tc runs "
                        + "sched_cls programs (SEC(\"tc\"), \"tc/ingress\", \"tc/egress\", \"tcx/ingress\", "
                        + "\"tcx/egress\", \"classifier\"); attach it with Attach.xdp", notTc.getMessage());
                BpfException action = assertThrows(BpfException.class,
                        () -> Attach.tc(f.program("act_count"), LO, TcDirection.INGRESS));
                assertTrue(action.getMessage().contains("is a sched_act program, a tc action"), action.getMessage());
                assertThrows(BpfException.class, () -> Attach.tcx(f.program("sock_count"), LO, TcDirection.EGRESS));
                assertEquals(0, TcFixture.clsactQdiscs(LO), "no qdisc left behind by a refused attach");
            }
        });
    }

    @Test
    void theKernelsOwnReasonIsInTheException() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load();
                 Link first = Attach.tc(f.program("tc_ingress_count"), LO, TcDirection.INGRESS,
                         NETLINK.priority(5).handle(1))) {
                NetlinkException e = assertThrows(NetlinkException.class, () -> Attach.tc(f.program("tc_count"), LO,
                        TcDirection.INGRESS, NETLINK.priority(5).handle(1)));
                assertEquals("EEXIST", e.errnoName());
                assertNotNull(e.kernelMessage(), e.getMessage());
                assertTrue(e.getMessage().startsWith("RTM_NEWTFILTER (bpf filter 'tc_count:["), e.getMessage());
                assertTrue(e.getMessage().contains("the kernel says \"" + e.kernelMessage() + "\""), e.getMessage());
                assertTrue(e.kernelMessage().contains("already exists"), e.kernelMessage());
                // the refused filter leaves the first one and the qdisc as they were
                assertEquals(1, TcFixture.filters(LO, TcDirection.INGRESS).size());
                f.sendAndReceive(1);
                assertEquals(1, f.count(TcFixture.TC_INGRESS));
            }
            assertEquals(0, TcFixture.clsactQdiscs(LO));
        });
    }

    @Test
    void noDescriptorOutlivesItsLinkOrAFailedAttach() throws Exception {
        NetNamespace.run(() -> {
            try (TcFixture f = TcFixture.load()) {
                var prog = f.program("tc_egress_count");
                for (int warm = 0; warm < 2; warm++) { // JIT, class loading and lazily opened JDK files first
                    Attach.tc(prog, LO, TcDirection.EGRESS, NETLINK).close();
                }
                long before = TcFixture.openFds();
                for (int i = 0; i < 20; i++) {
                    Attach.tc(prog, LO, TcDirection.EGRESS, NETLINK).close();
                    Attach.tc(prog, LO, TcDirection.EGRESS).close();
                    Attach.xdp(f.program("xdp_count"), LO, XdpMode.GENERIC, XdpLinkMode.NETLINK).close();
                    assertThrows(NetlinkException.class, () -> Attach.tc(prog, 4242, TcDirection.EGRESS, NETLINK));
                    assertThrows(BpfException.class, () -> Attach.tc(f.program("xdp_count"), LO, TcDirection.EGRESS,
                            NETLINK));
                    assertThrows(NetlinkException.class, () -> Attach.xdp(f.program("xdp_count"), LO, XdpMode.DRIVER,
                            XdpLinkMode.NETLINK));
                    try (Link held = Attach.tc(prog, LO, TcDirection.EGRESS, NETLINK.priority(3).handle(3))) {
                        assertThrows(NetlinkException.class, () -> Attach.tc(prog, LO, TcDirection.EGRESS,
                                NETLINK.priority(3).handle(3)));
                    }
                }
                assertEquals(before, TcFixture.openFds(), "open descriptors after 20 rounds");
                assertEquals(0, TcFixture.clsactQdiscs(LO));
            }
        });
    }
}
