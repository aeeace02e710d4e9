package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfSockHash;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.LoopbackTcp;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.BpfAttachType;
import io.bpfkit.uapi.BpfLinkType;
import io.bpfkit.uapi.LinkInfo;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * sk_msg programs on a sockmap as BPF links where the kernel has them (6.10, probed), the
 * legacy BPF_PROG_ATTACH elsewhere: sockmap.bpf.c's counters and redirects, seen on a loopback
 * TCP pair, before and after the link closes. A socket takes the map's programs when it is
 * added (its psock keeps them), so the tests add the socket again after each change.
 */
@KernelTest
class SockMapLinkTest {

    @TestFactory
    DynamicTest anSkMsgLinkCountsSwapsItsProgramAndStopsWhenClosed() {
        KernelProbes.Probe probe = KernelProbes.sockmapLink();
        return KernelProbes.branch("an sk_msg program on a sockmap", probe, () -> attachCountAndClose(true),
                () -> attachCountAndClose(false));
    }

    /** {@code links}: what the probe said; bpfkit must have chosen the same way. */
    private static void attachCountAndClose(boolean links) {
        assertEquals(links, KernelFeatures.running().has(KernelFeature.SOCKMAP_LINK), "bpfkit's probe agrees");
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("sockmap.bpf.o")));
                BpfSockMap socks = BpfMaps.sockMap(obj, "socks");
                BpfSockHash<Integer> hash = BpfMaps.sockHash(obj, "sock_hash", Codecs.int32());
                LoopbackTcp tcp = LoopbackTcp.open()) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            LoadedProgram onMsg = obj.program("on_msg").orElseThrow();
            Link l = Attach.sockMap(onMsg, socks);
            try {
                assertEquals(links, l.isBpfLink(), "a BPF link exactly where the kernel has sockmap links");
                socks.set(0, tcp.client);
                assertEquals("hello", roundTrip(tcp, "hello"));
                assertEquals(1, bss.getLong("msgs"));
                assertEquals(5, bss.getLong("msg_bytes"));
                if (links) {
                    LinkInfo info = l.info();
                    assertEquals(BpfLinkType.BPF_LINK_TYPE_SOCKMAP, info.type());
                    assertEquals(BpfAttachType.BPF_SK_MSG_VERDICT, info.attachType());
                    assertEquals(onMsg.info().id(), info.progId());

                    // the link now runs on_msg_hash: the sender's data comes back to itself through sock_hash
                    l.update(obj.program("on_msg_hash").orElseThrow());
                    assertEquals(obj.program("on_msg_hash").orElseThrow().info().id(), l.info().progId());
                    bss.setInt("hash_redirect_key", 7);
                    assertTrue(socks.clear(0));
                    hash.put(7, tcp.client);
                    socks.set(0, tcp.client);
                    LoopbackTcp.send(tcp.client, "loop".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("loop", new String(LoopbackTcp.receive(tcp.client, 64, 2000), StandardCharsets.US_ASCII));
                    assertEquals(0, LoopbackTcp.receive(tcp.server, 64, 200).length, "redirected away from the peer");
                    assertEquals(1, bss.getLong("hash_msgs"));
                    assertEquals(1, bss.getLong("msgs"), "on_msg no longer runs");
                } else {
                    BpfException e = assertThrows(BpfException.class,
                            () -> l.update(obj.program("on_msg_hash").orElseThrow()));
                    assertTrue(e.getMessage().contains("not a BPF link"), e.getMessage());
                }
            } finally {
                l.close();
            }
            socks.clear(0);
            hash.delete(7);
            socks.set(0, tcp.client);
            long hashMsgs = bss.getLong("hash_msgs");
            assertEquals("bye", roundTrip(tcp, "bye"), "nothing redirects once the link is closed");
            assertEquals(1, bss.getLong("msgs"));
            assertEquals(hashMsgs, bss.getLong("hash_msgs"));
        }
    }

    @Test
    void theLegacyAttachServesKernelsWithoutSockmapLinks() {
        KernelFeatures old = KernelFeatures.simulated("6.1.0-simulated", Set.of());
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("sockmap.bpf.o")));
                BpfSockMap socks = BpfMaps.sockMap(obj, "socks"); LoopbackTcp tcp = LoopbackTcp.open()) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            try (Link l = Attach.sockMap(obj.program("on_msg").orElseThrow(), socks, AttachType.SK_MSG_VERDICT, old)) {
                assertFalse(l.isBpfLink());
                socks.set(0, tcp.client);
                assertEquals("abc", roundTrip(tcp, "abc"));
                assertEquals(1, bss.getLong("msgs"));
            }
            socks.clear(0);
            socks.set(0, tcp.client);
            assertEquals("abc", roundTrip(tcp, "abc"));
            assertEquals(1, bss.getLong("msgs"), "detached on close");
        }
    }

    @Test
    void aSockmapLinkKeepsItsProgramAndMapAfterTheObjectCloses() {
        try (LoopbackTcp tcp = LoopbackTcp.open()) {
            Link l;
            LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("sockmap.bpf.o")));
            try (obj) {
                BpfSockMap socks = BpfMaps.sockMap(obj, "socks");
                l = Attach.sockMap(obj.program("on_msg").orElseThrow(), socks);
                BpfGlobals bss = BpfMaps.globals(obj, ".bss");
                socks.set(0, tcp.client);
                assertEquals("still", roundTrip(tcp, "still"));
                assertEquals(1, bss.getLong("msgs"));
            }
            // the link's own references keep program and map: the socket's traffic still flows through
            // the map, and closing the link after the object detaches without an error
            assertEquals("still", roundTrip(tcp, "still"));
            l.close();
            assertTrue(l.isClosed());
            assertEquals("after", roundTrip(tcp, "after"));
        }
    }

    /** Sends {@code text} from the client and returns what the server receives. */
    private static String roundTrip(LoopbackTcp tcp, String text) {
        LoopbackTcp.send(tcp.client, text.getBytes(StandardCharsets.US_ASCII));
        return new String(LoopbackTcp.receive(tcp.server, 64, 2000), StandardCharsets.US_ASCII);
    }
}
