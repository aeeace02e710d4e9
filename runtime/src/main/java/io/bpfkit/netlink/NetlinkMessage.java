package io.bpfkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * A netlink request under construction: the {@code nlmsghdr} (type, flags; length, sequence
 * number and port id are filled in by {@link #encode}), the family header (e.g.
 * {@code struct tcmsg}) written field by field, then attributes, nested ones included. Host
 * byte order, 4-byte alignment, as the kernel expects.
 *
 * <pre>{@code
 * NetlinkMessage m = NetlinkMessage.of(Rtnetlink.RTM_NEWTFILTER, NetlinkMessage.NLM_F_CREATE)
 *         .u8(0).u8(0).u16(0).s32(ifindex).u32(0).u32(parent).u32(info)   // struct tcmsg
 *         .attrString(TcNetlink.TCA_KIND, "bpf")
 *         .nest(TcNetlink.TCA_OPTIONS)
 *             .attrU32(TcNetlink.TCA_BPF_FD, progFd)
 *         .end();
 * byte[] wire = m.encode(seq, 0);
 * }</pre>
 */
public final class NetlinkMessage {
    /** Bytes of {@code struct nlmsghdr}. */
    public static final int HEADER_SIZE = 16;
    /** Bytes of {@code struct nlattr}. */
    public static final int ATTR_HEADER_SIZE = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_ECHO = 0x8;
    /** A dump was interrupted by a change of what it lists: run it again. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    /** GET: the whole table. */
    public static final int NLM_F_DUMP = 0x300;
    /** NEW: replace what exists. */
    public static final int NLM_F_REPLACE = 0x100;
    /** NEW: fail when it exists. */
    public static final int NLM_F_EXCL = 0x200;
    /** NEW: create when it does not exist. */
    public static final int NLM_F_CREATE = 0x400;
    /** In an error reply: the request was cut to its header ({@code NETLINK_CAP_ACK}). */
    public static final int NLM_F_CAPPED = 0x100;
    /** In an error reply: extended acknowledgement attributes follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    /** Attribute type flag: the payload is a list of attributes. */
    public static final int NLA_F_NESTED = 0x8000;
    /** Attribute type flag: the payload is in network byte order. */
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    /** The attribute type without its flags. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    private final int type;
    private final int flags;
    private ByteBuffer body = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();

    private NetlinkMessage(int type, int flags) {
        this.type = type;
        this.flags = flags;
    }

    /** A message of {@code type} with {@code flags} ({@link #NLM_F_REQUEST} and {@link #NLM_F_ACK} are added by the sender). */
    public static NetlinkMessage of(int type, int flags) {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("netlink message type out of range: " + type);
        }
        return new NetlinkMessage(type, flags & 0xffff);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public NetlinkMessage u8(int v) {
        room(1).put((byte) v);
        return this;
    }

    public NetlinkMessage u16(int v) {
        room(2).putShort((short) v);
        return this;
    }

    public NetlinkMessage u32(int v) {
        room(4).putInt(v);
        return this;
    }

    public NetlinkMessage s32(int v) {
        return u32(v);
    }

    /** An attribute with raw bytes. */
    public NetlinkMessage attr(int attrType, byte[] value) {
        if (value.length > 0xffff - ATTR_HEADER_SIZE) {
            throw new IllegalArgumentException("netlink attribute " + attrType + " too long: " + value.length
                    + " bytes");
        }
        align();
        room(ATTR_HEADER_SIZE + value.length + 3);
        body.putShort((short) (ATTR_HEADER_SIZE + value.length)).putShort((short) attrType).put(value);
        align();
        return this;
    }

    public NetlinkMessage attrU8(int attrType, int v) {
        return attr(attrType, new byte[] {(byte) v});
    }

    public NetlinkMessage attrU16(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    public NetlinkMessage attrU32(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    public NetlinkMessage attrS32(int attrType, int v) {
        return attrU32(attrType, v);
    }

    /** A NUL-terminated string attribute. */
    public NetlinkMessage attrString(int attrType, String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(b, b.length + 1));
    }

    /** Starts a nested attribute (type with {@link #NLA_F_NESTED}); close it with {@link #end()}. */
    public NetlinkMessage nest(int attrType) {
        align();
        open.push(body.position());
        room(ATTR_HEADER_SIZE).putShort((short) 0).putShort((short) (attrType | NLA_F_NESTED));
        return this;
    }

    /** Closes the innermost {@link #nest}. */
    public NetlinkMessage end() {
        if (open.isEmpty()) {
            throw new IllegalStateException("end() without nest()");
        }
        align();
        int start = open.pop();
        int length = body.position() - start;
        if (length > 0xffff) {
            throw new IllegalArgumentException("nested netlink attribute too long: " + length + " bytes");
        }
        body.putShort(start, (short) length);
        return this;
    }

    /** The message on the wire, with its length, sequence number and port id filled in. */
    public byte[] encode(int seq, int portId) {
        return encode(seq, portId, 0);
    }

    /** As {@link #encode(int, int)} with {@code extraFlags} added to the message's flags. */
    byte[] encode(int seq, int portId, int extraFlags) {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " nested attribute(s) not closed with end()");
        }
        int bodyLength = align4(body.position());
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + bodyLength).order(ByteOrder.nativeOrder());
        b.putInt(HEADER_SIZE + bodyLength).putShort((short) type).putShort((short) (flags | extraFlags))
                .putInt(seq).putInt(portId);
        b.put(body.array(), 0, body.position());
        return b.array();
    }

    /** {@code NLMSG_ALIGN}/{@code NLA_ALIGN}: rounded up to 4. */
    public static int align4(int n) {
        return (n + 3) & ~3;
    }

    private void align() {
        int pad = align4(body.position()) - body.position();
        room(pad);
        for (int i = 0; i < pad; i++) {
            body.put((byte) 0);
        }
    }

    private ByteBuffer room(int n) {
        if (body.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(body.capacity() * 2, body.position() + n))
                    .order(ByteOrder.nativeOrder());
            bigger.put(body.flip());
            body = bigger;
        }
        return body;
    }
}
