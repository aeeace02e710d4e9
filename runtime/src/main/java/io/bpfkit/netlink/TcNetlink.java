package io.bpfkit.netlink;

import io.bpfkit.api.NetlinkException;
import io.bpfkit.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Traffic control over rtnetlink, as far as BPF needs it: the {@code clsact} qdisc that gives an
 * interface its ingress and egress hooks, and direct-action {@code bpf} filters on them (what
 * {@code tc qdisc add dev X clsact} and {@code tc filter add dev X ingress bpf da fd N} do, and
 * libbpf's {@code bpf_tc_hook_create}/{@code bpf_tc_attach}).
 *
 * <pre>{@code
 * try (Rtnetlink nl = Rtnetlink.open()) {
 *     boolean made = TcNetlink.createClsact(nl, ifindex);
 *     TcNetlink.Filter f = TcNetlink.addBpfFilter(nl, ifindex, TcNetlink.INGRESS_PARENT, 0, 0, progFd, "count:[42]");
 *     ...
 *     TcNetlink.deleteFilter(nl, f);
 *     if (made) TcNetlink.deleteClsact(nl, ifindex);
 * }
 * }</pre>
 */
public final class TcNetlink {
    /** Bytes of {@code struct tcmsg}. */
    public static final int TCMSG_SIZE = 20;

    /** {@code TC_H_CLSACT} (= {@code TC_H_INGRESS}): the parent of the clsact qdisc. */
    public static final int TC_H_CLSACT = 0xFFFF_FFF1;
    /** The clsact qdisc's handle, {@code ffff:}. */
    public static final int CLSACT_HANDLE = 0xFFFF_0000;
    /** The parent of ingress filters: {@code TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)}. */
    public static final int INGRESS_PARENT = 0xFFFF_FFF2;
    /** The parent of egress filters: {@code TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)}. */
    public static final int EGRESS_PARENT = 0xFFFF_FFF3;
    /** {@code ETH_P_ALL}: a filter for every protocol. */
    public static final int ETH_P_ALL = 0x0003;

    public static final int TCA_KIND = 1;
    public static final int TCA_OPTIONS = 2;

    public static final int TCA_BPF_CLASSID = 3;
    public static final int TCA_BPF_FD = 6;
    public static final int TCA_BPF_NAME = 7;
    public static final int TCA_BPF_FLAGS = 8;
    public static final int TCA_BPF_FLAGS_GEN = 9;
    public static final int TCA_BPF_TAG = 10;
    public static final int TCA_BPF_ID = 11;
    /** The program's return value is the verdict (no separate action). */
    public static final int TCA_BPF_FLAG_ACT_DIRECT = 1;

    private TcNetlink() {
    }

    /** A qdisc as the kernel lists it. */
    public record Qdisc(int ifindex, int handle, int parent, String kind) {
    }

    /**
     * A filter as the kernel lists it; {@code handle} 0 is the header the kernel sends for each
     * priority before that priority's filters.
     *
     * @param protocol host byte order, e.g. {@link #ETH_P_ALL}
     * @param progId for a {@code bpf} filter, the program's id; else 0
     * @param programName for a {@code bpf} filter, the name it was given ({@code TCA_BPF_NAME}); else null
     */
    public record Filter(int ifindex, int parent, int priority, int protocol, int handle, String kind, int progId,
            String programName, boolean directAction) {
    }

    // ---- messages -------------------------------------------------------------------------

    /** A message with a {@code struct tcmsg} header. */
    public static NetlinkMessage tcmsg(int type, int flags, int ifindex, int handle, int parent, int info) {
        return NetlinkMessage.of(type, flags).u8(0).u8(0).u16(0).s32(ifindex).u32(handle).u32(parent).u32(info);
    }

    /** {@code tcm_info} of a filter: priority in the upper half, protocol (network byte order) in the lower. */
    public static int filterInfo(int priority, int protocol) {
        return priority << 16 | htons(protocol);
    }

    /** RTM_NEWQDISC of a clsact qdisc, failing when one exists. */
    public static NetlinkMessage newClsactMessage(int ifindex) {
        return tcmsg(Rtnetlink.RTM_NEWQDISC, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, ifindex,
                CLSACT_HANDLE, TC_H_CLSACT, 0).attrString(TCA_KIND, "clsact");
    }

    /** RTM_DELQDISC of the clsact qdisc. */
    public static NetlinkMessage deleteClsactMessage(int ifindex) {
        return tcmsg(Rtnetlink.RTM_DELQDISC, 0, ifindex, CLSACT_HANDLE, TC_H_CLSACT, 0).attrString(TCA_KIND,
                "clsact");
    }

    /**
     * RTM_NEWTFILTER of a direct-action bpf filter, failing when a filter with the same
     * priority and handle exists, echoed so the kernel's choice of priority and handle (when
     * 0 is asked) comes back.
     */
    public static NetlinkMessage newBpfFilterMessage(int ifindex, int parent, int priority, int handle, int progFd,
            String name) {
        return tcmsg(Rtnetlink.RTM_NEWTFILTER, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL
                | NetlinkMessage.NLM_F_ECHO, ifindex, handle, parent, filterInfo(priority, ETH_P_ALL))
                .attrString(TCA_KIND, "bpf")
                .nest(TCA_OPTIONS)
                .attrU32(TCA_BPF_FD, progFd)
                .attrString(TCA_BPF_NAME, name)
                .attrU32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT)
                .end();
    }

    /** RTM_DELTFILTER of one filter, named by interface, parent, priority, protocol and handle. */
    public static NetlinkMessage deleteFilterMessage(Filter f) {
        NetlinkMessage m = tcmsg(Rtnetlink.RTM_DELTFILTER, 0, f.ifindex(), f.handle(), f.parent(),
                filterInfo(f.priority(), f.protocol()));
        return f.kind() == null ? m : m.attrString(TCA_KIND, f.kind());
    }

    /** RTM_GETTFILTER dump of the filters under {@code parent} of an interface. */
    public static NetlinkMessage dumpFiltersMessage(int ifindex, int parent) {
        return tcmsg(Rtnetlink.RTM_GETTFILTER, 0, ifindex, 0, parent, 0);
    }

    /** RTM_GETQDISC dump (of every interface: the kernel does not filter qdisc dumps by interface). */
    public static NetlinkMessage dumpQdiscsMessage() {
        return tcmsg(Rtnetlink.RTM_GETQDISC, 0, 0, 0, 0, 0);
    }

    public static Qdisc parseQdisc(NetlinkReply r) {
        ByteBuffer p = r.payloadOfAtLeast(TCMSG_SIZE, "struct tcmsg");
        NetlinkAttributes a = NetlinkAttributes.parse(p, TCMSG_SIZE);
        return new Qdisc(p.getInt(4), p.getInt(8), p.getInt(12), a.string(TCA_KIND));
    }

    public static Filter parseFilter(NetlinkReply r) {
        ByteBuffer p = r.payloadOfAtLeast(TCMSG_SIZE, "struct tcmsg");
        int info = p.getInt(16);
        NetlinkAttributes a = NetlinkAttributes.parse(p, TCMSG_SIZE);
        String kind = a.string(TCA_KIND);
        int progId = 0;
        String name = null;
        boolean direct = false;
        if ("bpf".equals(kind)) {
            NetlinkAttributes o = a.nested(TCA_OPTIONS);
            progId = o.u32(TCA_BPF_ID, 0);
            name = o.string(TCA_BPF_NAME);
            direct = (o.u32(TCA_BPF_FLAGS, 0) & TCA_BPF_FLAG_ACT_DIRECT) != 0;
        }
        return new Filter(p.getInt(4), p.getInt(12), info >>> 16, ntohs(info & 0xffff), p.getInt(8), kind, progId,
                name, direct);
    }

    // ---- operations -----------------------------------------------------------------------

    /**
     * Creates the clsact qdisc of {@code ifindex}: true when this call made it, false when the
     * interface already had one (or another qdisc in its place: see {@link #qdiscs}).
     */
    public static boolean createClsact(Rtnetlink nl, int ifindex) {
        try {
            nl.request(newClsactMessage(ifindex), "RTM_NEWQDISC (clsact on ifindex " + ifindex + ")",
                    TcNetlink::qdiscHint);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes the clsact qdisc of {@code ifindex} (and every filter on it); false when there was none. */
    public static boolean deleteClsact(Rtnetlink nl, int ifindex) {
        try {
            nl.request(deleteClsactMessage(ifindex), "RTM_DELQDISC (clsact on ifindex " + ifindex + ")",
                    TcNetlink::qdiscHint);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL || e.errno() == Errno.ENODEV) {
                return false; // no such qdisc (EINVAL: "Cannot find specified qdisc on specified device")
            }
            throw e;
        }
    }

    /** The qdiscs of {@code ifindex}. */
    public static List<Qdisc> qdiscs(Rtnetlink nl, int ifindex) {
        List<Qdisc> out = new ArrayList<>();
        for (NetlinkReply r : nl.dump(dumpQdiscsMessage(), "RTM_GETQDISC (dump)", null)) {
            if (r.type() == Rtnetlink.RTM_NEWQDISC) {
                Qdisc q = parseQdisc(r);
                if (q.ifindex() == ifindex) {
                    out.add(q);
                }
            }
        }
        return out;
    }

    /**
     * Adds a direct-action bpf filter running program {@code progFd} under {@code parent}
     * ({@link #INGRESS_PARENT} or {@link #EGRESS_PARENT}) with {@code priority} and
     * {@code handle} (0: the kernel picks); returns the filter as the kernel made it.
     */
    public static Filter addBpfFilter(Rtnetlink nl, int ifindex, int parent, int priority, int handle, int progFd,
            String name) {
        String op = "RTM_NEWTFILTER (bpf filter '" + name + "' on ifindex " + ifindex + " " + parentName(parent)
                + (priority != 0 ? " priority " + priority : "") + (handle != 0 ? " handle 0x"
                        + Integer.toHexString(handle) : "") + ")";
        List<NetlinkReply> echo = nl.request(newBpfFilterMessage(ifindex, parent, priority, handle, progFd, name),
                op, errno -> filterHint(errno, ifindex));
        for (NetlinkReply r : echo) {
            if (r.type() == Rtnetlink.RTM_NEWTFILTER) {
                Filter f = parseFilter(r);
                if (f.handle() != 0) {
                    return f;
                }
            }
        }
        throw new io.bpfkit.api.BpfException(op + ": the kernel added the filter but did not echo it, so its "
                + "priority and handle are unknown");
    }

    /** The filters under {@code parent} of {@code ifindex}, per-priority headers left out; empty when there is no qdisc. */
    public static List<Filter> filters(Rtnetlink nl, int ifindex, int parent) {
        List<Filter> out = new ArrayList<>();
        for (NetlinkReply r : nl.dump(dumpFiltersMessage(ifindex, parent), "RTM_GETTFILTER (dump of ifindex "
                + ifindex + " " + parentName(parent) + ")", null)) {
            if (r.type() == Rtnetlink.RTM_NEWTFILTER) {
                Filter f = parseFilter(r);
                if (f.handle() != 0) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Deletes one filter; false when it was not there (any more). */
    public static boolean deleteFilter(Rtnetlink nl, Filter f) {
        try {
            nl.request(deleteFilterMessage(f), "RTM_DELTFILTER (" + f.kind() + " filter on ifindex " + f.ifindex()
                    + " " + parentName(f.parent()) + " priority " + f.priority() + " handle 0x"
                    + Integer.toHexString(f.handle()) + ")", null);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL || e.errno() == Errno.ENODEV) {
                return false; // filter, priority, qdisc or interface gone
            }
            throw e;
        }
    }

    /** {@code ingress}, {@code egress} or the parent handle in hex. */
    public static String parentName(int parent) {
        return switch (parent) {
            case INGRESS_PARENT -> "ingress";
            case EGRESS_PARENT -> "egress";
            default -> "parent 0x" + Integer.toHexString(parent);
        };
    }

    private static String qdiscHint(int errno) {
        return errno == Errno.ENODEV ? "no network interface with that index in this network namespace" : null;
    }

    private static String filterHint(int errno, int ifindex) {
        return switch (errno) {
            case Errno.ENODEV -> "no network interface with index " + ifindex + " in this network namespace";
            case Errno.EEXIST -> "a filter with this priority and handle exists; choose another priority or handle";
            case Errno.EINVAL -> "the kernel refused the filter (is the program a sched_cls program, and is there "
                    + "a clsact qdisc?)";
            case Errno.ENOENT -> "no clsact qdisc (or no such chain) on the interface";
            default -> null;
        };
    }

    private static int htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Short.reverseBytes((short) v) & 0xffff
                : v & 0xffff;
    }

    private static int ntohs(int v) {
        return htons(v);
    }
}
