package io.bpfkit.examples.xdpcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.examples.ToolRunner;
import io.bpfkit.testing.KernelTest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * xdpcount for real on {@code lo}: while it counts (generic XDP), this test sends UDP datagrams
 * to 127.0.0.1; the tool's table shows at least that many IPv4 UDP packets (other programs on
 * the machine may use lo too).
 */
@KernelTest
class XdpCountTest {
    private static final int DATAGRAMS = 50;

    @Test
    void udpDatagramsOnLoopbackAreCounted() throws Exception {
        ToolRunner.Output o = ToolRunner.run(XdpCount::run, () -> {
            try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                 DatagramSocket sender = new DatagramSocket()) {
                byte[] payload = "xdpcount".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                for (int i = 0; i < DATAGRAMS; i++) {
                    sender.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("127.0.0.1"),
                            receiver.getLocalPort()));
                }
            }
        }, "--interface", "lo", "--duration", "1.5");

        assertTrue(o.out().startsWith("packets on lo (xdp generic) in "), o.out());
        Matcher udp = Pattern.compile("(?m)^  IPv4 UDP\\s+(\\d+)$").matcher(o.out());
        assertTrue(udp.find(), o.out());
        long counted = Long.parseLong(udp.group(1));
        assertTrue(counted >= DATAGRAMS, counted + " UDP packets counted for " + DATAGRAMS + " sent\n" + o.out());
        assertEquals(Protocol.values().length + 1, o.out().lines().count(), "one line per class: " + o.out());
    }

    @Test
    void helpAndBadArguments() {
        ToolRunner.Output help = ToolRunner.runOnly(XdpCount::run, "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("usage: bpfkit xdpcount"), help.out());
        ToolRunner.Output bad = ToolRunner.runOnly(XdpCount::run, "--mode", "fast");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("bpfkit xdpcount: --mode takes generic or driver, not fast"), bad.err());
        ToolRunner.Output noSuch = ToolRunner.runOnly(XdpCount::run, "--interface", "nosuch0");
        assertEquals(1, noSuch.exitCode());
        assertTrue(noSuch.err().contains("no network interface 'nosuch0'"), noSuch.err());
    }
}
