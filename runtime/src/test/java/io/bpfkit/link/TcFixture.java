package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.netlink.Rtnetlink;
import io.bpfkit.netlink.TcNetlink;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * tc.bpf.o loaded to count UDP datagrams to the port of a receiving socket this fixture owns
 * (an ephemeral port on 127.0.0.1, made in the calling thread's network namespace), and the
 * tools to look at an interface from outside: rtnetlink listings and iproute2's {@code tc}.
 */
final class TcFixture implements AutoCloseable {
    static final int TC_INGRESS = 0, TC_EGRESS = 1, CLASSIFIER = 2, TC = 3, TCX_INGRESS = 4, XDP = 5;

    final LoadedObject obj;
    private final DatagramSocket receiver;

    private TcFixture(LoadedObject obj, DatagramSocket receiver) {
        this.obj = obj;
        this.receiver = receiver;
    }

    static TcFixture load() throws IOException {
        DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        try {
            receiver.setSoTimeout(5000);
            BpfObjectSpec spec = BpfObjects.open(TestObjects.path("tc.bpf.o"));
            byte[] port = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder())
                    .putShort((short) receiver.getLocalPort()).array();
            spec.dataMap(".rodata").orElseThrow().setVariable("target_port", port);
            return new TcFixture(BpfLoader.load(spec), receiver);
        } catch (RuntimeException e) {
            receiver.close();
            throw e;
        }
    }

    LoadedProgram program(String name) {
        return obj.program(name).orElseThrow();
    }

    /** counts[index] of .bss. */
    long count(int index) {
        LoadedMap bss = obj.maps().values().stream().filter(m -> m.name().endsWith(".bss")).findFirst()
                .orElseThrow();
        long offset = bss.spec().variable("counts").orElseThrow().offset() + 8L * index;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment v = arena.allocate(bss.spec().valueSize());
            MapCalls.of(bss.fd()).lookup(k, v);
            return v.get(ValueLayout.JAVA_LONG, offset);
        }
    }

    /**
     * Sends {@code n} datagrams to the receiver over loopback and receives them all, so every
     * hook on the way (egress, XDP, ingress) has run for each before this returns.
     */
    void sendAndReceive(int n) throws IOException {
        byte[] payload = new byte[24];
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < n; i++) {
                s.send(new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress()));
            }
        }
        for (int i = 0; i < n; i++) {
            receiver.receive(new DatagramPacket(new byte[64], 64));
        }
    }

    /** The clsact qdiscs of {@code ifindex}, as rtnetlink lists them (0 or 1). */
    static long clsactQdiscs(int ifindex) {
        try (Rtnetlink nl = Rtnetlink.open()) {
            return TcNetlink.qdiscs(nl, ifindex).stream().filter(q -> "clsact".equals(q.kind())).count();
        }
    }

    static List<TcNetlink.Filter> filters(int ifindex, TcDirection d) {
        try (Rtnetlink nl = Rtnetlink.open()) {
            return TcNetlink.filters(nl, ifindex, d == TcDirection.INGRESS ? TcNetlink.INGRESS_PARENT
                    : TcNetlink.EGRESS_PARENT);
        }
    }

    /** iproute2's {@code tc} with {@code args}, run in the calling thread's network namespace; its output. */
    static String tc(String... args) {
        return iproute2("tc", args);
    }

    /** iproute2's {@code ip} with {@code args}, run in the calling thread's network namespace; its output. */
    static String ip(String... args) {
        return iproute2("ip", args);
    }

    private static String iproute2(String tool, String... args) {
        Path exe = Tools.find(tool, "/usr/sbin/" + tool, "/sbin/" + tool, "/bin/" + tool);
        if (exe == null) {
            throw new AssertionError("iproute2's " + tool + " is needed (scripts/env.sh installs iproute2 for the "
                    + "tests)");
        }
        String[] cmd = Stream.concat(Stream.of(exe.toString()), Stream.of(args)).toArray(String[]::new);
        Tools.Result r = Tools.run(30, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + ": " + r.stderr());
        return r.out();
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Override
    public void close() {
        try {
            obj.close();
        } finally {
            receiver.close();
        }
    }
}
