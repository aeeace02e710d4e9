package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.netlink.Rtnetlink;
import io.bpfkit.netlink.TcNetlink;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * tc attachment, both ways: a tcx link, or a direct-action bpf filter on the clsact qdisc over
 * rtnetlink (the way of kernels before 6.6), and the choice between them.
 */
final class TcAttach {
    static final String TCX_ADVICE = "use Attach.tc, which falls back to netlink";

    private TcAttach() {
    }

    /** The way {@code asked} comes to on a kernel with {@code features}: never AUTO. */
    static TcLinkMode choose(TcLinkMode asked, KernelFeatures features) {
        return switch (asked) {
            case AUTO -> features.has(KernelFeature.TCX) ? TcLinkMode.TCX : TcLinkMode.NETLINK;
            case TCX -> {
                features.require(KernelFeature.TCX, TCX_ADVICE);
                yield TcLinkMode.TCX;
            }
            case NETLINK -> TcLinkMode.NETLINK;
        };
    }

    static Link attach(LoadedProgram prog, int ifindex, TcDirection direction, TcOptions options,
            KernelFeatures features) {
        requireClassifier(prog);
        requireIfindex(ifindex);
        return choose(options.mode(), features) == TcLinkMode.TCX ? tcxLink(prog, ifindex, direction)
                : netlinkFilter(prog, ifindex, direction, options);
    }

    /** A tcx link, appended after the programs there; the caller checked the kernel has tcx. */
    static Link tcxLink(LoadedProgram prog, int ifindex, TcDirection direction) {
        requireClassifier(prog);
        requireIfindex(ifindex);
        AttachType t = direction == TcDirection.INGRESS ? AttachType.TCX_INGRESS : AttachType.TCX_EGRESS;
        OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.fd().get(), ifindex, t.value(), 0,
                new LinkCreateAttr.Relative(0, 0), prog.name()));
        return Link.bpf("tcx " + lower(direction) + " ifindex " + ifindex + " (" + prog.name() + ")", link);
    }

    /**
     * A direct-action bpf filter under the clsact qdisc of {@code ifindex} (made when missing),
     * with the priority and handle of {@code options} (0: the kernel's choice). The link keeps
     * the netlink socket it was made with, so closing it acts in the same network namespace.
     */
    static Link netlinkFilter(LoadedProgram prog, int ifindex, TcDirection direction, TcOptions options) {
        requireClassifier(prog);
        requireIfindex(ifindex);
        int parent = direction == TcDirection.INGRESS ? TcNetlink.INGRESS_PARENT : TcNetlink.EGRESS_PARENT;
        Rtnetlink nl = Rtnetlink.open();
        Clsact qdisc = null;
        try {
            qdisc = Clsact.acquire(nl, ifindex, direction);
            int progId = prog.info().id();
            TcNetlink.Filter filter = TcNetlink.addBpfFilter(nl, ifindex, parent, options.priority(),
                    options.handle(), prog.fd().get(), prog.name() + ":[" + progId + "]");
            Clsact held = qdisc;
            String name = "tc " + lower(direction) + " filter ifindex " + ifindex + " priority " + filter.priority()
                    + " handle 0x" + Integer.toHexString(filter.handle()) + (held.made ? "" : " (clsact not ours)")
                    + " (" + prog.name() + ")";
            return Link.action(name, () -> detachFilter(nl, filter, progId, held), nl);
        } catch (RuntimeException e) {
            if (qdisc != null) {
                try {
                    qdisc.release(nl);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            nl.close();
            throw e;
        }
    }

    /**
     * Deletes {@code filter} if it still runs our program (someone may have deleted it, or put
     * another filter at its priority and handle), then lets go of the qdisc.
     */
    private static void detachFilter(Rtnetlink nl, TcNetlink.Filter filter, int progId, Clsact qdisc) {
        try {
            for (TcNetlink.Filter f : TcNetlink.filters(nl, filter.ifindex(), filter.parent())) {
                if (f.priority() == filter.priority() && f.handle() == filter.handle()
                        && f.protocol() == filter.protocol() && "bpf".equals(f.kind()) && f.progId() == progId) {
                    TcNetlink.deleteFilter(nl, f);
                }
            }
        } finally {
            qdisc.release(nl);
        }
    }

    static void requireClassifier(LoadedProgram prog) {
        ProgramType t = prog.spec().type();
        if (t == ProgramType.SCHED_CLS) {
            return;
        }
        String section = prog.spec().section();
        if (t == ProgramType.SCHED_ACT) {
            throw new BpfException("program '" + prog.name() + "' (section '" + section + "') is a sched_act "
                    + "program, a tc action: bpfkit attaches tc classifiers (sched_cls, in direct-action mode); "
                    + "put it in SEC(\"tc\") and return the verdict");
        }
        throw new BpfException("program '" + prog.name() + "' (section '" + section + "') is a " + t.libbpfName()
                + " program, not a tc program: tc runs sched_cls programs (SEC(\"tc\"), \"tc/ingress\", "
                + "\"tc/egress\", \"tcx/ingress\", \"tcx/egress\", \"classifier\")"
                + (t == ProgramType.XDP ? "; attach it with Attach.xdp" : ""));
    }

    static void requireIfindex(int ifindex) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("interface index must be positive, got " + ifindex
                    + " (see Attach.ifindex)");
        }
    }

    static String lower(TcDirection d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The clsact qdisc of one interface as this process uses it: one it made (shared by all of
     * this process's filters on that interface, removed when the last of them closes and no
     * other filter is left on it), or one that was there (never removed).
     */
    static final class Clsact {
        /** Qdiscs this process made and uses, by network namespace and interface. */
        private static final Map<String, Clsact> MADE = new HashMap<>();

        private final String key;
        private final int ifindex;
        final boolean made;
        private int users;

        private Clsact(String key, int ifindex, boolean made) {
            this.key = key;
            this.ifindex = ifindex;
            this.made = made;
        }

        static Clsact acquire(Rtnetlink nl, int ifindex, TcDirection direction) {
            String key = networkNamespace() + "/" + ifindex;
            synchronized (MADE) {
                Clsact c = MADE.get(key);
                if (c != null) {
                    c.users++;
                    return c;
                }
                if (TcNetlink.createClsact(nl, ifindex)) {
                    c = new Clsact(key, ifindex, true);
                    c.users = 1;
                    MADE.put(key, c);
                    return c;
                }
            }
            for (TcNetlink.Qdisc q : TcNetlink.qdiscs(nl, ifindex)) {
                if (q.handle() == TcNetlink.CLSACT_HANDLE && q.parent() == TcNetlink.TC_H_CLSACT
                        && "ingress".equals(q.kind()) && direction == TcDirection.EGRESS) {
                    throw new BpfException("interface " + ifindex + " has an 'ingress' qdisc, which has no egress "
                            + "hook: replace it with a clsact qdisc (tc qdisc del dev IF ingress; "
                            + "tc qdisc add dev IF clsact), or use tcx on Linux 6.6+");
                }
            }
            return new Clsact(key, ifindex, false);
        }

        /** One user fewer; the last user of a qdisc we made removes it unless other filters are on it. */
        void release(Rtnetlink nl) {
            if (!made) {
                return;
            }
            synchronized (MADE) {
                if (--users > 0) {
                    return;
                }
                MADE.remove(key);
                if (TcNetlink.filters(nl, ifindex, TcNetlink.INGRESS_PARENT).isEmpty()
                        && TcNetlink.filters(nl, ifindex, TcNetlink.EGRESS_PARENT).isEmpty()) {
                    TcNetlink.deleteClsact(nl, ifindex);
                }
            }
        }

        /** The calling thread's network namespace ({@code net:[4026531840]}), which interface indexes belong to. */
        private static String networkNamespace() {
            try {
                return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            } catch (IOException | UnsupportedOperationException e) {
                return "net:[?]";
            }
        }
    }
}
