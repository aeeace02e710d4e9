package io.bpfkit.examples.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.api.map.BpfDevMap;
import io.bpfkit.examples.binding.KernelMapsProbe.SkNote;
import io.bpfkit.link.Attach;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.LoopbackTcp;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Stack trace, devmap, sockmap and socket storage handles, and an arena, through generated
 * bindings only ({@code KernelMapsProbeBinding}, {@code ArenaProbeBinding}).
 */
@KernelTest
class KernelMapsBindingTest {

    @Test
    void kernelObjectMapsWorkThroughTheBinding() {
        int lo = Attach.ifindex("lo");
        try (KernelMapsProbe p = KernelMapsProbeBinding.open().load(); LoopbackTcp tcp = LoopbackTcp.open()) {
            assertEquals(0, TestRun.of(p.grabStack()).run().returnValue());
            int id = (int) p.stackId();
            assertTrue(id >= 0, "stack id " + id);
            long[] ips = p.stacks().stack(id);
            assertTrue(ips.length >= 1 && ips[0] < 0, "kernel-half addresses");

            p.ports().set(2, lo);
            assertEquals(Optional.of(new BpfDevMap.Entry(lo, 0)), p.ports().entry(2));
            p.port(2);
            assertEquals(4, TestRun.of(p.toPort()).data(new byte[64]).run().returnValue(), "XDP_REDIRECT");
            p.port(3);
            assertEquals(2, TestRun.of(p.toPort()).data(new byte[64]).run().returnValue(), "XDP_PASS: no entry");

            p.socks().set(1, tcp.server);
            assertTrue(p.socks().cookie(1).isPresent());
            assertTrue(p.socks().clear(1));

            assertNull(p.skStore().get(tcp.client));
            p.skStore().put(tcp.client, new SkNote(7, 1, 0));
            assertEquals(new SkNote(7, 1, 0), p.skStore().get(tcp.client));
        }
    }

    @TestFactory
    Stream<DynamicTest> arenaThroughTheBinding() {
        KernelProbes.Probe arena = KernelProbes.arena();
        return Stream.of(KernelProbes.branch("an __arena counter bumped by a program reads back", arena, () -> {
            try (ArenaProbe p = ArenaProbeBinding.open().load()) {
                assertEquals(40, p.arena().getLong("counter"));
                assertEquals(0, TestRun.of(p.bump()).run().returnValue());
                assertEquals(41, p.arena().getLong("counter"));
                p.arena().setLong("counter", 100);
                TestRun.of(p.bump()).run();
                assertEquals(101, p.arena().getLong("counter"));
            }
        }, () -> {
            BpfException e = assertThrows(BpfException.class, () -> ArenaProbeBinding.open().load().close());
            if (e instanceof UnsupportedFeatureException u) {
                assertEquals("arena", u.feature());
            } else {
                assertEquals(arena.errno(), assertInstanceOf(KernelException.class, e, e.toString()).errno());
            }
        }));
    }
}
