package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.NetlinkException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.netlink.Rtnetlink;
import io.bpfkit.netlink.XdpNetlink;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import java.util.Locale;

/** XDP attachment, both ways: a BPF link, or {@code IFLA_XDP} over rtnetlink (kernels before 5.9). */
final class XdpAttach {
    static final String LINK_ADVICE = "use XdpLinkMode.AUTO, which attaches over netlink there";

    private XdpAttach() {
    }

    /** The way {@code asked} comes to on a kernel with {@code features}: never AUTO. */
    static XdpLinkMode choose(XdpLinkMode asked, KernelFeatures features) {
        return switch (asked) {
            case AUTO -> features.has(KernelFeature.XDP_LINK) ? XdpLinkMode.LINK : XdpLinkMode.NETLINK;
            case LINK -> {
                features.require(KernelFeature.XDP_LINK, LINK_ADVICE);
                yield XdpLinkMode.LINK;
            }
            case NETLINK -> XdpLinkMode.NETLINK;
        };
    }

    static Link attach(BpfProgram prog, int ifindex, XdpMode mode, XdpLinkMode how, KernelFeatures features) {
        TcAttach.requireIfindex(ifindex);
        return choose(how, features) == XdpLinkMode.LINK ? link(prog, ifindex, mode)
                : netlink(Attach.loaded(prog), ifindex, mode);
    }

    private static Link link(BpfProgram prog, int ifindex, XdpMode mode) {
        OwnedFd link;
        try {
            link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), ifindex, AttachType.XDP.value(),
                    mode.flags(), null, prog.name()));
        } catch (KernelException e) {
            // bpf_xdp_link_attach answers EINVAL for a missing interface too: say which it was
            if (e.errno() == Errno.EINVAL && !Interfaces.exists(ifindex)) {
                throw new KernelException(e.operation(), e.errno(), e.errnoName(), "no network interface with "
                        + "index " + ifindex + " in this network namespace");
            }
            throw e;
        }
        return Link.bpf("xdp ifindex " + ifindex + " " + lower(mode) + " (" + prog.name() + ")", link);
    }

    /**
     * {@code IFLA_XDP} with {@code XDP_FLAGS_UPDATE_IF_NOEXIST} (a program there is not
     * replaced). The link keeps a reference of its own to the program, which names it on detach
     * ({@code IFLA_XDP_EXPECTED_FD}) even after the caller closed the program, and the netlink
     * socket of the network namespace it was made in.
     */
    private static Link netlink(LoadedProgram prog, int ifindex, XdpMode mode) {
        if (prog.spec().type() != ProgramType.XDP) {
            throw new BpfException("program '" + prog.name() + "' (section '" + prog.spec().section() + "') is a "
                    + prog.spec().type().libbpfName() + " program, not an XDP program (SEC(\"xdp\"))");
        }
        Rtnetlink nl = Rtnetlink.open();
        OwnedFd ref = null;
        try {
            ref = Bpf.progGetFdById(prog.info().id());
            XdpNetlink.attach(nl, ifindex, ref.get(), mode.flags() | XdpNetlink.XDP_FLAGS_UPDATE_IF_NOEXIST,
                    prog.name());
            OwnedFd held = ref;
            String name = prog.name();
            return Link.action("xdp ifindex " + ifindex + " " + lower(mode) + " netlink (" + name + ")",
                    () -> XdpNetlink.detach(nl, ifindex, held.get(), mode.flags(), name), () -> {
                        try {
                            held.close();
                        } finally {
                            nl.close();
                        }
                    });
        } catch (RuntimeException e) {
            if (ref != null) {
                ref.close();
            }
            nl.close();
            throw e;
        }
    }

    private static String lower(XdpMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /** Interfaces of the calling thread's network namespace, as rtnetlink knows them. */
    static final class Interfaces {
        private Interfaces() {
        }

        /** Whether an interface has index {@code ifindex}. */
        static boolean exists(int ifindex) {
            try (Rtnetlink nl = Rtnetlink.open()) {
                XdpNetlink.query(nl, ifindex);
                return true;
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENODEV) {
                    return false;
                }
                throw e;
            }
        }
    }
}
