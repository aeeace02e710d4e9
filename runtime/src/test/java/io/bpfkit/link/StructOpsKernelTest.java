package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.StructOpsSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.MapInfo;
import io.bpfkit.uapi.ProgInfo;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A congestion control written in BPF (struct_ops_cc.bpf.c) registered through bpfkit: TCP
 * sockets can choose it by name while it is registered, its callbacks run on a real loopback
 * transfer (counted in its map), and the name is gone once it is unregistered.
 */
@KernelTest
class StructOpsKernelTest {
    private static final String OBJECT = "struct_ops_cc.bpf.o";
    private static final String LAYOUT = "st_ops_layout.bpf.o";
    private static final int CC_INIT = 0;
    private static final int CC_CONG_AVOID = 1;
    private static final int TRANSFER = 4 << 20;

    @TestFactory
    DynamicTest linkMapRegistersByBpfLink() {
        // BPF_F_LINK struct_ops maps and struct_ops links: Linux 6.4
        return KernelProbes.branch("a .struct_ops.link congestion control", KernelProbes.kernelBtfMember(
                "bpf_struct_ops_link", "map"), () -> {
                    try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path(OBJECT)))) {
                        checkLoad(obj);
                        LoadedMap map = obj.map("bpfkit_reno").orElseThrow();
                        runsWhileRegistered(obj, map, "bpfkit_reno");
                    }
                }, () -> {
                    KernelException e = assertThrows(KernelException.class,
                            () -> BpfLoader.load(BpfObjects.open(TestObjects.path(OBJECT))).close());
                    assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
                });
    }

    @Test
    void plainMapRegistersByMapUpdate() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(OBJECT));
        // Without the link map, the object loads on every kernel with struct_ops (5.6).
        spec.map("bpfkit_reno").orElseThrow().autocreate(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertFalse(obj.maps().containsKey("bpfkit_reno"), "autocreate off: not created");
            assertTrue(obj.programs().containsKey("reno_init"), "still used by bpfkit_reno_old, a created map");
            runsWhileRegistered(obj, obj.map("bpfkit_reno_old").orElseThrow(), "bpfkit_reno_old");
        }
    }

    @Test
    void autoAttachRegistersTheObjectsStructOpsMaps() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(OBJECT));
        spec.map("bpfkit_reno").orElseThrow().autocreate(false);
        spec.program("not_an_op").orElseThrow().autoload(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            AutoAttach.attachAll(obj);
            assertEquals(1, obj.links().size(), "one struct_ops registration, owned by the object");
            assertEquals("bpfkit_reno_old", congestionOfNewSocket("bpfkit_reno_old"));
        }
        assertUnknown("bpfkit_reno_old");
    }

    @Test
    void onlyStructOpsMapsCanBeRegistered() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(OBJECT));
        spec.map("bpfkit_reno").orElseThrow().autocreate(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            BpfException e = assertThrows(BpfException.class, () -> StructOps.register(obj.map("cc_counts")
                    .orElseThrow()));
            assertTrue(e.getMessage().contains("'cc_counts' is not a struct_ops map"), e.getMessage());
        }
    }

    @Test
    void nameAndProgramsChangedBeforeLoadAreWhatRegisters() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(OBJECT));
        spec.map("bpfkit_reno").orElseThrow().autocreate(false);
        MapSpec old = spec.map("bpfkit_reno_old").orElseThrow();
        StructOpsSpec ops = old.structOps();
        BtfType.Struct type = (BtfType.Struct) spec.btf().orElseThrow().type(ops.typeId());
        int nameOffset = (int) (type.members().stream().filter(m -> m.name().equals("name")).findFirst()
                .orElseThrow().bitOffset() / 8);
        byte[] data = ops.data();
        java.util.Arrays.fill(data, nameOffset, nameOffset + 16, (byte) 0);
        byte[] renamed = "bpfkit_renamed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(renamed, 0, data, nameOffset, renamed.length);
        old.structOps(ops.withData(data).withProgram("cong_avoid", "spare_cong_avoid"));
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertTrue(obj.programs().containsKey("spare_cong_avoid"), "now used by a created map");
            assertFalse(obj.programs().containsKey("reno_cong_avoid"), "used only by a map not created now");
            long initBefore = count(obj, CC_INIT);
            try (Link registration = StructOps.register(obj.map("bpfkit_reno_old").orElseThrow())) {
                assertUnknown("bpfkit_reno_old");
                assertEquals("bpfkit_renamed", transfer("bpfkit_renamed"), registration.name());
                assertTrue(count(obj, CC_INIT) > initBefore, "init still counts");
                assertEquals(0, count(obj, CC_CONG_AVOID), "spare_cong_avoid counts nothing");
            }
        }
        assertUnknown("bpfkit_renamed");
    }

    @Test
    void membersAreMatchedToTheKernelsByName() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(LAYOUT));
        spec.map("extra_member").orElseThrow().autocreate(false);
        spec.map("no_kernel_type").orElseThrow().autocreate(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertFalse(obj.programs().containsKey("lo_op"), "only a map not created uses it");
            assertUnknown("bpfkit_reorder");
            // The name, first in the object's struct, is registered from the kernel's offset of `name`.
            try (Link registration = StructOps.register(obj.map("reordered").orElseThrow())) {
                assertEquals("bpfkit_reorder", congestionOfNewSocket("bpfkit_reorder"), registration.name());
            }
        }
        assertUnknown("bpfkit_reorder");
    }

    @Test
    void aMemberTheKernelLacksIsRefusedWhenSet() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(LAYOUT));
        spec.map("no_kernel_type").orElseThrow().autocreate(false);
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("struct_ops map 'extra_member', member 'bpfkit_extra'")
                && e.getMessage().contains("has no such member"), e.getMessage());
    }

    @Test
    void aStructTheKernelLacksIsRefused() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(LAYOUT));
        spec.map("extra_member").orElseThrow().autocreate(false);
        LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
        assertTrue(e.getMessage().contains("struct_ops map 'no_kernel_type'")
                && e.getMessage().contains("no struct bpf_struct_ops_bpfkit_no_such_ops"), e.getMessage());
    }

    /** What libbpf does at load: programs typed by struct and member, the map made on the kernel's value type. */
    private static void checkLoad(LoadedObject obj) {
        assertFalse(obj.maps().containsKey("bpfkit_spare"), "SEC(\"?.struct_ops\"): not created");
        assertFalse(obj.programs().containsKey("spare_cong_avoid"), "used only by a map not created: not loaded");
        var kernel = KernelBtf.vmlinux();
        int ops = kernel.findId("tcp_congestion_ops", BtfKind.STRUCT).orElseThrow();
        int value = kernel.findId("bpf_struct_ops_tcp_congestion_ops", BtfKind.STRUCT).orElseThrow();
        ProgInfo init = Bpf.progInfo(obj.program("reno_init").orElseThrow().fd());
        assertEquals(ops, init.attachBtfId());
        MapInfo m = Bpf.mapInfo(obj.map("bpfkit_reno").orElseThrow().fd());
        assertEquals(value, m.btfVmlinuxValueTypeId());
        assertEquals(((BtfType.Struct) kernel.type(value)).size(), m.valueSize());
        assertEquals(1 << 13, m.mapFlags(), "BPF_F_LINK");
    }

    private static void runsWhileRegistered(LoadedObject obj, LoadedMap map, String name) {
        assertUnknown(name);
        long initBefore = count(obj, CC_INIT);
        long avoidBefore = count(obj, CC_CONG_AVOID);
        try (Link registration = StructOps.register(map)) {
            assertTrue(registration.name().contains(map.name()), registration.name());
            assertEquals(name, transfer(name));
            assertTrue(count(obj, CC_INIT) > initBefore, "init ran for the new connection");
            assertTrue(count(obj, CC_CONG_AVOID) > avoidBefore, "cong_avoid ran on the acks of "
                    + TRANSFER + " bytes");
            KernelException twice = assertThrows(KernelException.class, () -> StructOps.register(map).close(),
                    "a second registration of the same map");
            assertTrue(twice.errno() == Errno.EBUSY || twice.errno() == Errno.EEXIST, twice.getMessage());
        }
        assertUnknown(name);
    }

    private static void assertUnknown(String name) {
        int fd = tcpSocket();
        try {
            Libc.Result r = Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_CONGESTION, name);
            assertFalse(r.ok(), name + " is not registered, so sockets cannot choose it");
            assertEquals(Errno.ENOENT, r.errno());
        } finally {
            Libc.close(fd);
        }
    }

    private static int tcpSocket() {
        Libc.Result s = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
        assertTrue(s.ok(), "socket: errno " + s.errno());
        return s.value();
    }

    private static String congestionOfNewSocket(String name) {
        int fd = tcpSocket();
        try {
            Libc.Result r = Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_CONGESTION, name);
            assertTrue(r.ok(), "TCP_CONGESTION " + name + ": errno " + r.errno());
            return Libc.getsockoptString(fd, Libc.IPPROTO_TCP, Libc.TCP_CONGESTION);
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * Sends {@link #TRANSFER} bytes over loopback from a socket using congestion control
     * {@code name}; returns the congestion control the socket reports afterwards.
     */
    private static String transfer(String name) {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                    return in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int fd = tcpSocket();
            String reported;
            try {
                Libc.Result set = Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_CONGESTION, name);
                assertTrue(set.ok(), "TCP_CONGESTION " + name + ": errno " + set.errno());
                Libc.Result c = Libc.connectLoopback(fd, server.getLocalPort());
                assertTrue(c.ok(), "connect: errno " + c.errno());
                Libc.Result w = Libc.writeAll(fd, new byte[TRANSFER]);
                assertTrue(w.ok(), "write: errno " + w.errno());
                reported = Libc.getsockoptString(fd, Libc.IPPROTO_TCP, Libc.TCP_CONGESTION);
            } finally {
                Libc.close(fd);
            }
            assertEquals(TRANSFER, received.get(30, TimeUnit.SECONDS));
            return reported;
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static long count(LoadedObject obj, int event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, event);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            assertTrue(MapCalls.of(obj.map("cc_counts").orElseThrow().fd()).lookup(key, value));
            return value.get(ValueLayout.JAVA_LONG, 0);
        }
    }
}
