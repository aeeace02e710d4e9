package io.bpfkit.netlink;

import io.bpfkit.api.NetlinkException;
import io.bpfkit.sys.Errno;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * XDP on an interface over rtnetlink ({@code RTM_SETLINK} with {@code IFLA_XDP}): how programs
 * were attached before XDP links (Linux 5.9), and how {@code ip link set dev X xdp ...} still
 * does it. Detaching names the program expected there ({@code IFLA_XDP_EXPECTED_FD} with
 * {@code XDP_FLAGS_REPLACE}), so a program someone else attached meanwhile is left alone.
 *
 * <pre>{@code
 * try (Rtnetlink nl = Rtnetlink.open()) {
 *     XdpNetlink.attach(nl, ifindex, progFd, XdpNetlink.XDP_FLAGS_SKB_MODE | XdpNetlink.XDP_FLAGS_UPDATE_IF_NOEXIST, "count");
 *     XdpNetlink.query(nl, ifindex).genericProgId();     // the program's id
 *     XdpNetlink.detach(nl, ifindex, progFd, XdpNetlink.XDP_FLAGS_SKB_MODE, "count");
 * }
 * }</pre>
 */
public final class XdpNetlink {
    /** Bytes of {@code struct ifinfomsg}. */
    public static final int IFINFOMSG_SIZE = 16;

    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_XDP = 43;
    public static final int IFLA_XDP_FD = 1;
    public static final int IFLA_XDP_ATTACHED = 2;
    public static final int IFLA_XDP_FLAGS = 3;
    public static final int IFLA_XDP_PROG_ID = 4;
    public static final int IFLA_XDP_DRV_PROG_ID = 5;
    public static final int IFLA_XDP_SKB_PROG_ID = 6;
    public static final int IFLA_XDP_HW_PROG_ID = 7;
    public static final int IFLA_XDP_EXPECTED_FD = 8;
    /** {@code RTEXT_FILTER_SKIP_STATS}: leave the statistics out of a link's description. */
    public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    /** Fail when a program is attached already. */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    public static final int XDP_FLAGS_HW_MODE = 1 << 3;
    /** Replace only the program named by {@code IFLA_XDP_EXPECTED_FD}. */
    public static final int XDP_FLAGS_REPLACE = 1 << 4;
    public static final int XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;

    public static final int XDP_ATTACHED_NONE = 0;
    public static final int XDP_ATTACHED_DRV = 1;
    public static final int XDP_ATTACHED_SKB = 2;
    public static final int XDP_ATTACHED_HW = 3;
    public static final int XDP_ATTACHED_MULTI = 4;

    private XdpNetlink() {
    }

    /**
     * The XDP programs on an interface.
     *
     * @param attached {@code XDP_ATTACHED_*}: none, one mode, or several
     * @param progId the program's id when exactly one is attached, else 0
     */
    public record XdpState(int attached, int progId, int driverProgId, int genericProgId, int offloadProgId) {
        /** The id of the program in the mode of {@code modeFlags} ({@code XDP_FLAGS_*_MODE}, 0: whichever is there). */
        public int progIdFor(int modeFlags) {
            return switch (modeFlags & XDP_FLAGS_MODES) {
                case XDP_FLAGS_SKB_MODE -> genericProgId;
                case XDP_FLAGS_DRV_MODE -> driverProgId;
                case XDP_FLAGS_HW_MODE -> offloadProgId;
                default -> progId;
            };
        }
    }

    static NetlinkMessage ifinfomsg(int type, int flags, int ifindex) {
        return NetlinkMessage.of(type, flags).u8(0).u8(0).u16(0).s32(ifindex).u32(0).u32(0);
    }

    /**
     * RTM_SETLINK with {@code IFLA_XDP}: program {@code fd} (-1: none) with {@code flags};
     * {@code expectedFd} (when not -1) is the program that must be there now (needs
     * {@link #XDP_FLAGS_REPLACE}).
     */
    public static NetlinkMessage setXdpMessage(int ifindex, int fd, int expectedFd, int flags) {
        NetlinkMessage m = ifinfomsg(Rtnetlink.RTM_SETLINK, 0, ifindex).nest(IFLA_XDP).attrS32(IFLA_XDP_FD, fd);
        if (expectedFd >= 0) {
            m.attrS32(IFLA_XDP_EXPECTED_FD, expectedFd);
        }
        if (flags != 0) {
            m.attrU32(IFLA_XDP_FLAGS, flags);
        }
        return m.end();
    }

    /** RTM_GETLINK of one interface, without statistics. */
    public static NetlinkMessage getLinkMessage(int ifindex) {
        return ifinfomsg(Rtnetlink.RTM_GETLINK, 0, ifindex).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    }

    /** The XDP state in an RTM_NEWLINK message (the answer to RTM_GETLINK). */
    public static XdpState parseXdpState(NetlinkReply r) {
        ByteBuffer p = r.payloadOfAtLeast(IFINFOMSG_SIZE, "struct ifinfomsg");
        NetlinkAttributes xdp = NetlinkAttributes.parse(p, IFINFOMSG_SIZE).nested(IFLA_XDP);
        return new XdpState(xdp.u8(IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE), xdp.u32(IFLA_XDP_PROG_ID, 0),
                xdp.u32(IFLA_XDP_DRV_PROG_ID, 0), xdp.u32(IFLA_XDP_SKB_PROG_ID, 0), xdp.u32(IFLA_XDP_HW_PROG_ID, 0));
    }

    /**
     * Puts program {@code progFd} on interface {@code ifindex}; {@code flags} carry the mode and
     * {@link #XDP_FLAGS_UPDATE_IF_NOEXIST} when a program there must not be replaced.
     *
     * @param what the program's name, for messages
     */
    public static void attach(Rtnetlink nl, int ifindex, int progFd, int flags, String what) {
        nl.request(setXdpMessage(ifindex, progFd, -1, flags), "RTM_SETLINK (xdp program '" + what + "' on ifindex "
                + ifindex + ", " + modeName(flags) + ")", errno -> switch (errno) {
                    case Errno.EBUSY, Errno.EEXIST -> "the interface has an XDP program already (in this or the "
                            + "other mode); detach it first";
                    case Errno.EOPNOTSUPP -> "the driver has no XDP support in this mode; use generic (skb) mode";
                    case Errno.EINVAL -> "the kernel refused the program or flags (is it an XDP program?)";
                    case Errno.ENODEV -> "no network interface with index " + ifindex + " in this network namespace";
                    default -> null;
                });
    }

    /**
     * Takes program {@code expectedFd} off interface {@code ifindex} in the mode of
     * {@code modeFlags}; false when it was not there any more (replaced, or the interface gone),
     * in which case nothing changed.
     */
    public static boolean detach(Rtnetlink nl, int ifindex, int expectedFd, int modeFlags, String what) {
        try {
            nl.request(setXdpMessage(ifindex, -1, expectedFd, (modeFlags & XDP_FLAGS_MODES) | XDP_FLAGS_REPLACE),
                    "RTM_SETLINK (detach of xdp program '" + what + "' from ifindex " + ifindex + ", "
                            + modeName(modeFlags) + ")", null);
            return true;
        } catch (NetlinkException e) {
            // EEXIST: "Active program does not match expected"; EBUSY: a BPF link holds the hook now
            if (e.errno() == Errno.EEXIST || e.errno() == Errno.EBUSY || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** The XDP programs on {@code ifindex}. */
    public static XdpState query(Rtnetlink nl, int ifindex) {
        List<NetlinkReply> replies = nl.request(getLinkMessage(ifindex), "RTM_GETLINK (ifindex " + ifindex + ")",
                null);
        for (NetlinkReply r : replies) {
            if (r.type() == Rtnetlink.RTM_NEWLINK) {
                return parseXdpState(r);
            }
        }
        throw new io.bpfkit.api.BpfException("RTM_GETLINK (ifindex " + ifindex + "): no answer from the kernel");
    }

    /** {@code generic}, {@code driver}, {@code offload} or {@code default mode}, from XDP flags. */
    public static String modeName(int flags) {
        return switch (flags & XDP_FLAGS_MODES) {
            case XDP_FLAGS_SKB_MODE -> "generic";
            case XDP_FLAGS_DRV_MODE -> "driver";
            case XDP_FLAGS_HW_MODE -> "offload";
            default -> "default mode";
        };
    }
}
