package io.bpfkit.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The attributes ({@code struct nlattr} list) of a netlink payload, by type (flags masked off;
 * a repeated type keeps its last value). Bounds are checked while parsing: an attribute whose
 * length does not fit is a {@link io.bpfkit.api.BpfException}.
 *
 * <pre>{@code
 * NetlinkAttributes a = NetlinkAttributes.parse(reply.payload(), 20);    // after struct tcmsg
 * String kind = a.string(TcNetlink.TCA_KIND);
 * NetlinkAttributes bpf = a.nested(TcNetlink.TCA_OPTIONS);
 * int progId = bpf.u32(TcNetlink.TCA_BPF_ID, 0);
 * }</pre>
 */
public final class NetlinkAttributes {
    private final Map<Integer, ByteBuffer> byType;

    private NetlinkAttributes(Map<Integer, ByteBuffer> byType) {
        this.byType = byType;
    }

    /** The attributes of {@code payload} from byte {@code offset} (the end of the family header, 4-aligned) on. */
    public static NetlinkAttributes parse(ByteBuffer payload, int offset) {
        int start = NetlinkMessage.align4(offset);
        if (start > payload.limit()) {
            throw NetlinkReply.malformed("payload of " + payload.limit() + " bytes is shorter than its "
                    + offset + "-byte header");
        }
        ByteBuffer b = payload.duplicate().order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> map = new LinkedHashMap<>();
        int at = start;
        int end = b.limit();
        while (end - at >= NetlinkMessage.ATTR_HEADER_SIZE) {
            int length = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & NetlinkMessage.NLA_TYPE_MASK;
            if (length < NetlinkMessage.ATTR_HEADER_SIZE || length > end - at) {
                throw NetlinkReply.malformed("attribute " + type + " at offset " + at + " claims " + length
                        + " bytes, " + (end - at) + " are left");
            }
            map.put(type, b.slice(at + NetlinkMessage.ATTR_HEADER_SIZE, length - NetlinkMessage.ATTR_HEADER_SIZE)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
            at += NetlinkMessage.align4(length);
        }
        return new NetlinkAttributes(map);
    }

    /** The attributes nested in attribute {@code type}; empty when there is none. */
    public NetlinkAttributes nested(int type) {
        ByteBuffer b = byType.get(type);
        return b == null ? new NetlinkAttributes(Map.of()) : parse(b, 0);
    }

    public boolean has(int type) {
        return byType.containsKey(type);
    }

    /** The types present. */
    public Set<Integer> types() {
        return byType.keySet();
    }

    /** The raw payload of attribute {@code type}, or null. */
    public ByteBuffer bytes(int type) {
        ByteBuffer b = byType.get(type);
        return b == null ? null : b.duplicate().order(ByteOrder.nativeOrder());
    }

    /** A u8 attribute, or {@code absent}. */
    public int u8(int type, int absent) {
        ByteBuffer b = sized(type, 1);
        return b == null ? absent : b.get(0) & 0xff;
    }

    /** A u16 attribute, or {@code absent}. */
    public int u16(int type, int absent) {
        ByteBuffer b = sized(type, 2);
        return b == null ? absent : b.getShort(0) & 0xffff;
    }

    /** A u32 (or s32) attribute, or {@code absent}. */
    public int u32(int type, int absent) {
        ByteBuffer b = sized(type, 4);
        return b == null ? absent : b.getInt(0);
    }

    /** A string attribute up to its NUL (or its end), or null. */
    public String string(int type) {
        ByteBuffer b = byType.get(type);
        if (b == null) {
            return null;
        }
        int n = 0;
        while (n < b.limit() && b.get(n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        b.duplicate().get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private ByteBuffer sized(int type, int size) {
        ByteBuffer b = byType.get(type);
        if (b != null && b.limit() < size) {
            throw NetlinkReply.malformed("attribute " + type + " has " + b.limit() + " bytes, expected " + size);
        }
        return b;
    }

    @Override
    public String toString() {
        return "NetlinkAttributes" + byType.keySet();
    }
}
