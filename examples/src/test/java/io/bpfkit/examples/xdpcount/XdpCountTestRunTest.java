package io.bpfkit.examples.xdpcount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelTest;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Unit tests of the XDP program itself, from JUnit: each test hands crafted packets to the
 * loaded program with BPF_PROG_TEST_RUN (no interface, no traffic, nothing attached) and
 * checks the verdict, that the packet is untouched, and the counters the program left behind.
 */
@KernelTest
class XdpCountTestRunTest {
    private static final int XDP_PASS = 2;
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_GRE = 47;
    private static final int IPPROTO_ICMPV6 = 58;

    private XdpCountProbe probe;

    @BeforeEach
    void load() {
        probe = XdpCountProbeBinding.open().load();
    }

    @AfterEach
    void close() {
        probe.close();
    }

    /** Runs the program on {@code packet} {@code times} times; it must pass it on unchanged. */
    private void send(byte[] packet, int times) {
        TestRun.Result r = TestRun.of(probe.countPackets()).data(packet).repeat(times).run();
        assertEquals(XDP_PASS, r.returnValue());
        assertArrayEquals(packet, r.data());
    }

    private static Map<Protocol, Long> expect(Object... classAndCount) {
        Map<Protocol, Long> m = new EnumMap<>(Protocol.class);
        for (Protocol p : Protocol.values()) {
            m.put(p, 0L);
        }
        for (int i = 0; i < classAndCount.length; i += 2) {
            m.put((Protocol) classAndCount[i], ((Integer) classAndCount[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void everyIpv4AndIpv6ProtocolLandsInItsCounter() {
        send(ipv4(IPPROTO_TCP), 3);
        send(ipv4(IPPROTO_UDP), 5);
        send(ipv4(IPPROTO_ICMP), 1);
        send(ipv4(IPPROTO_GRE), 2);
        send(ipv6(IPPROTO_TCP), 7);
        send(ipv6(IPPROTO_UDP), 1);
        send(ipv6(IPPROTO_ICMPV6), 4);
        send(ipv6(IPPROTO_ICMP), 1); // ICMP (v4) inside IPv6 is not ICMPv6
        assertEquals(expect(Protocol.IPV4_TCP, 3, Protocol.IPV4_UDP, 5, Protocol.IPV4_ICMP, 1, Protocol.IPV4_OTHER, 2,
                Protocol.IPV6_TCP, 7, Protocol.IPV6_UDP, 1, Protocol.IPV6_ICMP, 4, Protocol.IPV6_OTHER, 1),
                XdpCount.counts(probe));
    }

    @Test
    void aVlanTagIsSkipped() {
        byte[] plain = ipv4(IPPROTO_UDP);
        ByteBuffer tagged = ByteBuffer.allocate(plain.length + 4);
        tagged.put(plain, 0, 12).putShort((short) 0x8100).putShort((short) 42).put(plain, 12, plain.length - 12);
        send(tagged.array(), 2);
        assertEquals(expect(Protocol.IPV4_UDP, 2), XdpCount.counts(probe));
    }

    @Test
    void framesThatAreNotIpOrTooShortToTellAreCountedApart() {
        send(ethernet(0x0806, new byte[28]), 1);                  // ARP
        send(ethernet(0x0800, new byte[10]), 1);                  // IPv4 type, header cut short
        send(ethernet(0x86dd, new byte[39]), 1);                  // IPv6 type, one byte short of a header
        assertEquals(expect(Protocol.NOT_IP, 3), XdpCount.counts(probe));
    }

    // ---- crafted packets (addresses and checksums do not matter to the program) -------------

    private static byte[] ethernet(int type, byte[] payload) {
        return ByteBuffer.allocate(14 + payload.length)
                .put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) type)
                .put(payload).array();
    }

    /** An IPv4 packet with a 20-byte header and 8 bytes of payload. */
    private static byte[] ipv4(int protocol) {
        ByteBuffer ip = ByteBuffer.allocate(28)
                .put((byte) 0x45).put((byte) 0).putShort((short) 28)        // version/IHL, TOS, total length
                .putInt(0)                                                    // id, flags, fragment offset
                .put((byte) 64).put((byte) protocol).putShort((short) 0)     // TTL, protocol, checksum
                .put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 1});
        return ethernet(0x0800, ip.array());
    }

    /** An IPv6 packet with its 40-byte header and 8 bytes of payload. */
    private static byte[] ipv6(int nextHeader) {
        ByteBuffer ip = ByteBuffer.allocate(48)
                .putInt(0x60000000).putShort((short) 8).put((byte) nextHeader).put((byte) 64);
        ip.put(23, (byte) 1).put(39, (byte) 1);                            // ::1 to ::1
        return ethernet(0x86dd, ip.array());
    }
}
