package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Errno;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link StructOps#update}: a struct_ops link swapped from one map of struct_ops_swap.bpf.c to
 * the other (two congestion controls of one name), seen by which init program new connections
 * run; BPF_F_REPLACE with the wrong expected map; and what cannot be swapped.
 */
@KernelTest
class StructOpsUpdateKernelTest {
    private static final String NAME = "bpfkit_swap";

    @TestFactory
    DynamicTest aLinkSwapsToAnotherMapOfTheSameStruct() {
        // BPF_F_LINK struct_ops maps, struct_ops links and their update: Linux 6.4
        return KernelProbes.branch("a struct_ops link updated to another map", KernelProbes.kernelBtfMember(
                "bpf_struct_ops_link", "map"), StructOpsUpdateKernelTest::swaps, StructOpsUpdateKernelTest::linkMapsAreRefused);
    }

    private static BpfObjectSpec spec() {
        return BpfObjects.open(TestObjects.path("struct_ops_swap.bpf.o"));
    }

    private static void swaps() throws Exception {
        try (LoadedObject obj = BpfLoader.load(spec()); BpfArray<Long> inits = BpfMaps.array(obj, "inits",
                Codecs.int64())) {
            LoadedMap a = obj.map("swap_a").orElseThrow();
            LoadedMap b = obj.map("swap_b").orElseThrow();
            try (Link reg = StructOps.register(a)) {
                connect();
                assertEquals(1, inits.get(0), "swap_a's init ran");
                assertEquals(0, inits.get(1));

                StructOps.update(reg, b);
                connect();
                assertEquals(1, inits.get(0));
                assertEquals(1, inits.get(1), "after the update, swap_b's init runs");

                KernelException wrongOld = assertThrows(KernelException.class, () -> StructOps.update(reg, a, a),
                        "the link uses swap_b, not swap_a");
                assertEquals(Errno.EPERM, wrongOld.errno(), wrongOld.getMessage());
                StructOps.update(reg, a, b);
                connect();
                assertEquals(2, inits.get(0), "back on swap_a");
            }
            Libc.Result s = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
            try {
                assertEquals(Errno.ENOENT, Libc.setsockopt(s.value(), Libc.IPPROTO_TCP, Libc.TCP_CONGESTION, NAME)
                        .errno(), "unregistered with the link");
            } finally {
                Libc.close(s.value());
            }
            assertThrows(IllegalStateException.class, () -> {
                Link closed = StructOps.register(b);
                closed.close();
                StructOps.update(closed, a);
            }, "a closed link");
        }
    }

    @TestFactory
    DynamicTest onlyLinkMapsAndBpfLinksCanBeSwapped() {
        return KernelProbes.branch("struct_ops updates refuse what is no link map or BPF link",
                KernelProbes.kernelBtfMember("bpf_struct_ops_link", "map"), () -> {
                    try (LoadedObject obj = BpfLoader.load(spec())) {
                        Link action = Link.action("not a BPF link", () -> { });
                        BpfException e = assertThrows(BpfException.class,
                                () -> StructOps.update(action, obj.map("swap_b").orElseThrow()));
                        assertTrue(e.getMessage().contains("no BPF link"), e.getMessage());
                        try (Link reg = StructOps.register(obj.map("swap_a").orElseThrow())) {
                            BpfException notOps = assertThrows(BpfException.class,
                                    () -> StructOps.update(reg, obj.map("inits").orElseThrow()));
                            assertTrue(notOps.getMessage().contains("'inits' is not a struct_ops map"),
                                    notOps.getMessage());
                        }
                    }
                }, StructOpsUpdateKernelTest::linkMapsAreRefused);
    }

    /** Before 6.4 a BPF_F_LINK struct_ops map is refused at its creation. */
    private static void linkMapsAreRefused() {
        KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec()).close());
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
    }

    /** Connects a socket using {@link #NAME} to a loopback server: the connection runs init. */
    private static void connect() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (Socket peer = server.accept()) {
                    peer.getInputStream().read();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Libc.Result s = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
            try {
                assertTrue(Libc.setsockopt(s.value(), Libc.IPPROTO_TCP, Libc.TCP_CONGESTION, NAME).ok());
                assertTrue(Libc.connectLoopback(s.value(), server.getLocalPort()).ok());
                assertTrue(Libc.writeAll(s.value(), new byte[] {1}).ok());
            } finally {
                Libc.close(s.value());
            }
            accepted.get(10, TimeUnit.SECONDS);
        }
    }
}
