package io.bpfkit.netlink;

import io.bpfkit.api.NetlinkException;
import io.bpfkit.sys.Errno;
import java.nio.ByteBuffer;

/**
 * A decoded {@code struct nlmsgerr}: the errno (0 for a plain acknowledgement), and what the
 * kernel's extended acknowledgement adds: its message ({@code NLMSGERR_ATTR_MSG}) and the byte
 * offset of the attribute it objects to in the request ({@code NLMSGERR_ATTR_OFFS}, -1 when
 * absent). Works with and without {@code NETLINK_CAP_ACK} (whether the request was echoed
 * whole).
 *
 * <pre>{@code
 * NetlinkError e = NetlinkError.decode(reply);
 * if (!e.isAck()) throw e.toException("RTM_SETLINK (xdp on ifindex 1)", null);
 * }</pre>
 *
 * @param errno the error, positive; 0 when the request succeeded
 * @param message the kernel's message, or null
 * @param attributeOffset the offending attribute's offset in the request, or -1
 * @param requestType the type of the request answered
 */
public record NetlinkError(int errno, String message, int attributeOffset, int requestType) {
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;

    /** Decodes an {@link NetlinkMessage#NLMSG_ERROR} reply (or the error code of an {@link NetlinkMessage#NLMSG_DONE}). */
    public static NetlinkError decode(NetlinkReply r) {
        if (r.type() == NetlinkMessage.NLMSG_DONE) {
            ByteBuffer p = r.payload();
            int error = p.remaining() >= 4 ? p.getInt(0) : 0;
            String msg = null;
            int offset = -1;
            if ((r.flags() & NetlinkMessage.NLM_F_ACK_TLVS) != 0 && p.remaining() > 4) {
                NetlinkAttributes a = NetlinkAttributes.parse(p, 4);
                msg = a.string(NLMSGERR_ATTR_MSG);
                offset = a.u32(NLMSGERR_ATTR_OFFS, -1);
            }
            return new NetlinkError(-error, msg, offset, 0);
        }
        if (r.type() != NetlinkMessage.NLMSG_ERROR) {
            throw new IllegalArgumentException("not an error message: type " + r.type());
        }
        ByteBuffer p = r.payloadOfAtLeast(4 + NetlinkMessage.HEADER_SIZE, "struct nlmsgerr");
        int error = p.getInt(0);
        int requestLength = p.getInt(4);
        int requestType = p.getShort(8) & 0xffff;
        int tlvs = 4 + NetlinkMessage.HEADER_SIZE;
        if ((r.flags() & NetlinkMessage.NLM_F_CAPPED) == 0 && error != 0) {
            // not capped: the whole request follows the error code
            tlvs = 4 + NetlinkMessage.align4(requestLength);
        }
        String msg = null;
        int offset = -1;
        if ((r.flags() & NetlinkMessage.NLM_F_ACK_TLVS) != 0 && tlvs < p.limit()) {
            NetlinkAttributes a = NetlinkAttributes.parse(p, tlvs);
            msg = a.string(NLMSGERR_ATTR_MSG);
            offset = a.u32(NLMSGERR_ATTR_OFFS, -1);
        }
        if (msg != null && msg.isEmpty()) {
            msg = null;
        }
        return new NetlinkError(-error, msg, offset, requestType);
    }

    /** Whether this is an acknowledgement: the request succeeded. */
    public boolean isAck() {
        return errno == 0;
    }

    /**
     * The refusal as an exception naming {@code operation}, the errno, the kernel's message and
     * {@code hint} (or a generic hint for the errno when null).
     */
    public NetlinkException toException(String operation, String hint) {
        return new NetlinkException(operation, errno, Errno.name(errno), message,
                hint != null ? hint : defaultHint(errno));
    }

    /** What an errno of an rtnetlink request usually means. */
    static String defaultHint(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> "needs root or CAP_NET_ADMIN in the interface's network namespace";
            case Errno.ENODEV -> "no network interface with that index in this network namespace";
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> "the interface or kernel does not support the operation";
            case Errno.ENOMEM -> "out of memory";
            default -> null;
        };
    }
}
