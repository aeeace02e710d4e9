package io.bpfkit.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Netlink requests byte for byte as the kernel's uapi lays them out, replies parsed back, and
 * error replies decoded with and without the extended acknowledgement: no kernel needed.
 */
class NetlinkCodecTest {

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    /** An attribute: length, type, payload, padding to 4. */
    private static void attr(ByteBuffer b, int type, byte[] payload) {
        b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private static byte[] u32(int v) {
        return le(4).putInt(v).array();
    }

    private static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(b, b.length + 1);
    }

    @Test
    void aBpfFilterRequestIsLaidOutAsTheKernelReadsIt() {
        byte[] wire = TcNetlink.newBpfFilterMessage(7, TcNetlink.INGRESS_PARENT, 5, 1, 42, "x:[9]")
                .encode(1234, 0, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK);
        ByteBuffer want = le(76);
        // nlmsghdr: 16 + tcmsg 20 + TCA_KIND 8 + TCA_OPTIONS (4 + FD 8 + NAME 12 + FLAGS 8) = 76
        want.putInt(76).putShort((short) 44).putShort((short) (0x1 | 0x4 | 0x8 | 0x200 | 0x400)).putInt(1234).putInt(0);
        want.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(7).putInt(1).putInt(0xFFFFFFF2);
        want.putInt(5 << 16 | (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0x0300 : 0x0003));
        attr(want, 1, cstr("bpf"));
        want.putShort((short) 32).putShort((short) (2 | 0x8000));
        attr(want, 6, u32(42));
        attr(want, 7, cstr("x:[9]"));
        attr(want, 8, u32(1));
        assertEquals(76, want.position());
        assertArrayEquals(want.array(), wire);
    }

    @Test
    void aClsactRequestAndAnXdpRequest() {
        byte[] q = TcNetlink.newClsactMessage(3).encode(1, 0);
        ByteBuffer want = le(48);
        want.putInt(48).putShort((short) 36).putShort((short) (0x200 | 0x400)).putInt(1).putInt(0);
        want.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(3).putInt(0xFFFF0000).putInt(0xFFFFFFF1).putInt(0);
        attr(want, 1, cstr("clsact"));
        assertArrayEquals(want.array(), q);

        byte[] x = XdpNetlink.setXdpMessage(3, -1, 9, XdpNetlink.XDP_FLAGS_SKB_MODE | XdpNetlink.XDP_FLAGS_REPLACE)
                .encode(2, 0);
        ByteBuffer w = le(60);
        // nlmsghdr 16 + ifinfomsg 16 + IFLA_XDP (4 + FD 8 + EXPECTED_FD 8 + FLAGS 8) = 60
        w.putInt(60).putShort((short) 19).putShort((short) 0).putInt(2).putInt(0);
        w.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(3).putInt(0).putInt(0);
        w.putShort((short) 28).putShort((short) (43 | 0x8000));
        attr(w, 1, u32(-1));
        attr(w, 8, u32(9));
        attr(w, 3, u32(2 | 16));
        assertArrayEquals(w.array(), x);
    }

    @Test
    void aFilterComesBackAsItWasSent() {
        byte[] wire = TcNetlink.newBpfFilterMessage(2, TcNetlink.EGRESS_PARENT, 49152, 0x10, 5, "count:[77]")
                .encode(9, 0);
        // what the kernel sends back has the same shape, plus the program id
        ByteBuffer reply = ByteBuffer.wrap(Arrays.copyOf(wire, wire.length + 8)).order(ByteOrder.nativeOrder());
        reply.putInt(0, wire.length + 8);
        reply.putShort(4, (short) Rtnetlink.RTM_NEWTFILTER);
        int optionsAt = 16 + 20 + 8;
        reply.putShort(optionsAt, (short) (reply.getShort(optionsAt) + 8));
        reply.position(wire.length);
        attr(reply, TcNetlink.TCA_BPF_ID, u32(77));
        List<NetlinkReply> rs = NetlinkReply.split(reply.array());
        assertEquals(1, rs.size());
        TcNetlink.Filter f = TcNetlink.parseFilter(rs.get(0));
        assertEquals(new TcNetlink.Filter(2, TcNetlink.EGRESS_PARENT, 49152, TcNetlink.ETH_P_ALL, 0x10, "bpf", 77,
                "count:[77]", true), f);
    }

    @Test
    void severalMessagesInOneDatagramAndNestedAttributes() {
        byte[] a = TcNetlink.dumpFiltersMessage(1, TcNetlink.INGRESS_PARENT).encode(5, 0);
        byte[] b = NetlinkMessage.of(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI).u32(0).encode(5, 0);
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        List<NetlinkReply> rs = NetlinkReply.split(both);
        assertEquals(2, rs.size());
        assertEquals(Rtnetlink.RTM_GETTFILTER, rs.get(0).type());
        assertEquals(NetlinkMessage.NLMSG_DONE, rs.get(1).type());
        assertTrue(NetlinkError.decode(rs.get(1)).isAck());

        byte[] n = NetlinkMessage.of(100, 0).u32(0).nest(1).attrU8(1, 0xab).nest(2).attrU16(3, 0xbeef).end()
                .attrString(4, "deep").end().attrU32(5, -2).encode(0, 0);
        NetlinkAttributes top = NetlinkAttributes.parse(NetlinkReply.split(n).get(0).payload(), 4);
        assertEquals(List.of(1, 5), List.copyOf(top.types()));
        assertEquals(-2, top.u32(5, 0));
        NetlinkAttributes one = top.nested(1);
        assertEquals(0xab, one.u8(1, 0));
        assertEquals("deep", one.string(4));
        assertEquals(0xbeef, one.nested(2).u16(3, 0));
        assertEquals(-1, one.u32(99, -1), "absent");
        assertFalse(top.nested(99).has(1));
    }

    @Test
    void malformedRepliesAreClearErrorsNotOverreads() {
        byte[] wire = TcNetlink.newClsactMessage(1).encode(1, 0);
        byte[] shortened = Arrays.copyOf(wire, wire.length - 4);
        BpfException e = assertThrows(BpfException.class, () -> NetlinkReply.split(shortened));
        assertTrue(e.getMessage().contains("claims 48 bytes, 44 are left"), e.getMessage());

        byte[] badAttr = wire.clone();
        ByteBuffer.wrap(badAttr).order(ByteOrder.nativeOrder()).putShort(36, (short) 200); // TCA_KIND length
        e = assertThrows(BpfException.class, () -> TcNetlink.parseQdisc(NetlinkReply.split(badAttr).get(0)));
        assertTrue(e.getMessage().contains("attribute 1 at offset 20 claims 200 bytes"), e.getMessage());

        byte[] tiny = NetlinkMessage.of(Rtnetlink.RTM_NEWQDISC, 0).u32(0).encode(1, 0);
        e = assertThrows(BpfException.class, () -> TcNetlink.parseQdisc(NetlinkReply.split(tiny).get(0)));
        assertTrue(e.getMessage().contains("struct tcmsg needs 20"), e.getMessage());

        ByteBuffer wrongSize = le(24).putInt(24).putShort((short) 100).putShort((short) 0).putInt(0).putInt(0);
        wrongSize.putShort((short) 6).putShort((short) 1).put((byte) 1).put((byte) 2);
        NetlinkAttributes a = NetlinkAttributes.parse(NetlinkReply.split(wrongSize.array()).get(0).payload(), 0);
        e = assertThrows(BpfException.class, () -> a.u32(1, 0));
        assertTrue(e.getMessage().contains("attribute 1 has 2 bytes, expected 4"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> NetlinkMessage.of(1, 0).nest(1).encode(0, 0));
        assertThrows(IllegalStateException.class, () -> NetlinkMessage.of(1, 0).end());
    }

    /** An NLMSG_ERROR reply to {@code request} with error {@code -errno}. */
    private static byte[] errorReply(byte[] request, int errno, boolean capped, String message, int offset) {
        ByteBuffer b = le(256);
        int flags = (capped ? NetlinkMessage.NLM_F_CAPPED : 0) | (message != null ? NetlinkMessage.NLM_F_ACK_TLVS : 0);
        b.putInt(0).putShort((short) NetlinkMessage.NLMSG_ERROR).putShort((short) flags).putInt(77).putInt(0);
        b.putInt(-errno);
        b.put(request, 0, capped ? 16 : request.length);
        if (message != null) {
            attr(b, NetlinkError.NLMSGERR_ATTR_MSG, cstr(message));
            attr(b, NetlinkError.NLMSGERR_ATTR_OFFS, u32(offset));
        }
        b.putInt(0, b.position());
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void anExtendedAckBecomesTheKernelsMessageInTheException() {
        byte[] request = TcNetlink.newBpfFilterMessage(1, TcNetlink.INGRESS_PARENT, 1, 1, 5, "c").encode(77, 0);
        for (boolean capped : new boolean[] {true, false}) {
            NetlinkError err = NetlinkError.decode(NetlinkReply.split(
                    errorReply(request, 17, capped, "Filter already exists", 36)).get(0));
            assertEquals(new NetlinkError(17, "Filter already exists", 36, Rtnetlink.RTM_NEWTFILTER), err,
                    capped ? "capped" : "whole request echoed");
            NetlinkException e = err.toException("RTM_NEWTFILTER (bpf filter 'c' on ifindex 1 ingress)", null);
            assertEquals("RTM_NEWTFILTER (bpf filter 'c' on ifindex 1 ingress) failed: EEXIST (errno 17); the "
                    + "kernel says \"Filter already exists\"", e.getMessage());
            assertEquals("Filter already exists", e.kernelMessage());
            assertEquals("EEXIST", e.errnoName());
        }
        NetlinkError plain = NetlinkError.decode(NetlinkReply.split(errorReply(request, 19, true, null, 0)).get(0));
        assertNull(plain.message());
        NetlinkException e = plain.toException("RTM_NEWQDISC (clsact on ifindex 99)", null);
        assertEquals("RTM_NEWQDISC (clsact on ifindex 99) failed: ENODEV (errno 19); no network interface with "
                + "that index in this network namespace", e.getMessage());
        assertNull(e.kernelMessage());
        assertTrue(NetlinkError.decode(NetlinkReply.split(errorReply(request, 0, true, null, 0)).get(0)).isAck());
    }

    @Test
    void xdpStateFromALinkDescription() {
        NetlinkMessage m = NetlinkMessage.of(Rtnetlink.RTM_NEWLINK, 0).u8(0).u8(0).u16(772).s32(1).u32(0x49).u32(0)
                .attrString(XdpNetlink.IFLA_IFNAME, "lo")
                .nest(XdpNetlink.IFLA_XDP)
                .attrU8(XdpNetlink.IFLA_XDP_ATTACHED, XdpNetlink.XDP_ATTACHED_SKB)
                .attrU32(XdpNetlink.IFLA_XDP_SKB_PROG_ID, 321)
                .attrU32(XdpNetlink.IFLA_XDP_PROG_ID, 321)
                .end();
        XdpNetlink.XdpState s = XdpNetlink.parseXdpState(NetlinkReply.split(m.encode(1, 0)).get(0));
        assertEquals(new XdpNetlink.XdpState(XdpNetlink.XDP_ATTACHED_SKB, 321, 0, 321, 0), s);
        assertEquals(321, s.progIdFor(XdpNetlink.XDP_FLAGS_SKB_MODE));
        assertEquals(0, s.progIdFor(XdpNetlink.XDP_FLAGS_DRV_MODE));
        assertEquals(321, s.progIdFor(0));
    }
}
