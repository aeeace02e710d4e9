package io.bpfkit.netlink;

import io.bpfkit.api.BpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One message the kernel sent: its {@code nlmsghdr} fields and its payload (the family header
 * and attributes, or for {@link NetlinkMessage#NLMSG_ERROR} the {@code struct nlmsgerr}).
 *
 * <pre>{@code
 * for (NetlinkReply r : NetlinkReply.split(datagram)) {
 *     if (r.type() == NetlinkMessage.NLMSG_DONE) break;
 *     NetlinkAttributes a = NetlinkAttributes.parse(r.payload(), 20);   // after struct tcmsg
 * }
 * }</pre>
 *
 * @param payload the bytes after the header, read-only, host byte order, position 0
 */
public record NetlinkReply(int type, int flags, int seq, int portId, ByteBuffer payload) {

    /**
     * The messages of one datagram. A message whose length field does not fit the datagram is
     * a {@link BpfException}, never a read past the end.
     */
    public static List<NetlinkReply> split(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        List<NetlinkReply> out = new ArrayList<>();
        int at = 0;
        while (datagram.length - at >= NetlinkMessage.HEADER_SIZE) {
            int length = b.getInt(at);
            if (length < NetlinkMessage.HEADER_SIZE || length > datagram.length - at) {
                throw malformed("message at offset " + at + " claims " + Integer.toUnsignedString(length)
                        + " bytes, " + (datagram.length - at) + " are left");
            }
            int type = b.getShort(at + 4) & 0xffff;
            int flags = b.getShort(at + 6) & 0xffff;
            ByteBuffer payload = b.slice(at + NetlinkMessage.HEADER_SIZE, length - NetlinkMessage.HEADER_SIZE)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            out.add(new NetlinkReply(type, flags, b.getInt(at + 8), b.getInt(at + 12), payload));
            at = (int) Math.min(datagram.length, (long) NetlinkMessage.align4(length) + at);
        }
        if (at != datagram.length) {
            throw malformed((datagram.length - at) + " trailing bytes after the last message");
        }
        return out;
    }

    /** A payload of at least {@code n} bytes, or a {@link BpfException} naming what was expected. */
    public ByteBuffer payloadOfAtLeast(int n, String what) {
        if (payload.remaining() < n) {
            throw malformed("message type " + type + " has " + payload.remaining() + " payload bytes, " + what
                    + " needs " + n);
        }
        return payload.duplicate().order(ByteOrder.nativeOrder());
    }

    static BpfException malformed(String problem) {
        return new BpfException("malformed netlink reply: " + problem);
    }
}
