package io.bpfkit.link;

import static io.bpfkit.testing.Events.count;
import static io.bpfkit.testing.Events.getppid;
import static io.bpfkit.testing.Events.program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfLink;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.AttachType;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Sockets;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TargetLibrary;
import io.bpfkit.testing.Tools;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Attaches each program kind of events.bpf.o for real, triggers it (a system call, our own
 * native function, a software clock, a packet on lo, a socket in a child cgroup, a datagram on
 * a socketpair) and checks the exact count the program kept; then detaches and checks the
 * count stays.
 */
@KernelTest
@SuppressWarnings("try") // links held open by try-with-resources while the test triggers them
class AttachTest {

    @Test
    void tracepointThroughAPerfLinkCountsEachCallAndStopsWhenClosed() {
        try (LoadedObject obj = Events.load()) {
            Link link = AutoAttach.attach(program(obj, "tp_getppid"));
            assertTrue(link.isBpfLink());
            assertEquals(7, link.info().type(), "BPF_LINK_TYPE_PERF_EVENT");
            assertTrue(link.name().contains("tracepoint syscalls:sys_enter_getppid"), link.name());
            getppid(5);
            assertEquals(5, count(obj, Events.TP));
            link.close();
            link.close(); // idempotent
            getppid(3);
            assertEquals(5, count(obj, Events.TP));
            assertThrows(IllegalStateException.class, link::fileDescriptor);
        }
    }

    @Test
    void tracepointThroughTheIoctlPathWhereThereIsNoPerfLink() {
        try (LoadedObject obj = Events.load();
             Link link = Attach.tracepoint(program(obj, "tp_getppid"), "syscalls", "sys_enter_getppid",
                     PerfLinkMode.IOCTL, 0)) {
            assertFalse(link.isBpfLink());
            getppid(4);
            assertEquals(4, count(obj, Events.TP));
            BpfException e = assertThrows(BpfException.class, () -> link.pin(Path.of("/sys/fs/bpf/x")));
            assertTrue(e.getMessage().contains("only BPF links can be pinned"), e.getMessage());
        }
    }

    @Test
    void unknownTracepointIsAClearError() {
        try (LoadedObject obj = Events.load()) {
            BpfException e = assertThrows(BpfException.class,
                    () -> Attach.tracepoint(program(obj, "tp_getppid"), "syscalls", "sys_enter_no_such_call"));
            assertTrue(e.getMessage().contains("no tracepoint syscalls:sys_enter_no_such_call"), e.getMessage());
        }
    }

    @Test
    void rawTracepointAndTpBtf() {
        try (LoadedObject obj = Events.load();
             Link raw = AutoAttach.attach(program(obj, "raw_getppid"));
             Link btf = AutoAttach.attach(program(obj, "btf_getppid"))) {
            getppid(6);
            assertEquals(6, count(obj, Events.RAW_TP));
            assertEquals(6, count(obj, Events.TP_BTF));
            assertEquals(1, raw.info().type(), "BPF_LINK_TYPE_RAW_TRACEPOINT");
            assertEquals(1, btf.info().type(), "tp_btf goes through BPF_RAW_TRACEPOINT_OPEN too, as with libbpf");
        }
    }

    @Test
    void uprobeAndUretprobeOnOurOwnLibraryFunctionWithPidFilter() {
        TargetLibrary lib = TargetLibrary.get();
        try (LoadedObject obj = Events.load();
             Link up = Attach.uprobe(program(obj, "up_count"),
                     UprobeOptions.of(lib.path().toString(), "bpfkit_add").pid(0));
             // by library name: found in this process's mappings
             Link ret = Attach.uprobe(program(obj, "uret_count"),
                     UprobeOptions.of(TargetLibrary.FILE_NAME, "bpfkit_add").retprobe(true).pid(0))) {
            for (int i = 0; i < 9; i++) {
                assertEquals(40 + i, lib.add(40, i));
            }
            lib.mul(2, 3); // another function: not counted
            assertEquals(9, count(obj, Events.UPROBE));
            assertEquals(9, count(obj, Events.URETPROBE));
            assertEquals(48, Events.lastRet(obj), "return value of the last bpfkit_add");
            assertTrue(up.name().contains("bpfkit_add") && up.name().contains("pid " + Syscalls.getpid()), up.name());
        }
    }

    @Test
    void uprobeOffsetComesFromTheElfSymbolTable() throws Exception {
        TargetLibrary lib = TargetLibrary.get();
        // what `nm -D` says, converted to a file offset the same way: for a .so built by gcc the
        // text section's address equals its file offset, so the two agree
        Tools.Result nm = Tools.run(30, "nm", "-D", "--defined-only", lib.path().toString());
        long nmAddr = nm.out().lines().filter(l -> l.endsWith(" bpfkit_add")).map(l -> Long.parseLong(l.split(" ")[0], 16))
                .findFirst().orElseThrow();
        assertEquals(nmAddr, UprobeTargets.symbolOffset(lib.path(), "bpfkit_add"));
        assertThrows(BpfException.class, () -> UprobeTargets.symbolOffset(lib.path(), "no_such_function"));
        Path libc = UprobeTargets.resolveBinary("libc.so.6", 0);
        assertTrue(Files.isRegularFile(libc), libc.toString());
        assertTrue(UprobeTargets.symbolOffset(libc, "getpid") > 0);
    }

    @Test
    void uprobeOnALibcFunctionTheJvmCallsFilteredToThisProcess() {
        try (LoadedObject obj = Events.load();
             Link up = Attach.uprobe(program(obj, "up_count"), UprobeOptions.of("libc.so.6", "getpid").pid(0))) {
            for (int i = 0; i < 20; i++) {
                Syscalls.getpid();
            }
            long n = count(obj, Events.UPROBE);
            assertTrue(n >= 20, "at least our 20 calls, got " + n);
        }
    }

    @TestFactory
    DynamicTest uprobeMultiByNamesAndByGlob() {
        return KernelProbes.branch("uprobe.multi by names and by glob", KernelProbes.uprobeMulti(),
                AttachTest::uprobeMultiCounts, () -> {
                    TargetLibrary lib = TargetLibrary.get();
                    try (LoadedObject obj = Events.load()) {
                        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                                () -> Attach.uprobeMulti(program(obj, "multi_count"), lib.path().toString(),
                                        List.of("bpfkit_add", "bpfkit_mul"), null, false, 0));
                        assertTrue(e.getMessage().startsWith("uprobe.multi needs Linux 6.6, this is "
                                + System.getProperty("os.version")), e.getMessage());
                        assertTrue(e.getMessage().contains("Attach.uprobe"), e.getMessage());
                    }
                });
    }

    private static void uprobeMultiCounts() {
        TargetLibrary lib = TargetLibrary.get();
        try (LoadedObject obj = Events.load();
             Link byName = Attach.uprobeMulti(program(obj, "multi_count"), lib.path().toString(),
                     List.of("bpfkit_add", "bpfkit_mul"), null, false, 0);
             Link byGlob = Attach.uprobeMulti(program(obj, "multi_ret"), lib.path().toString(), null, "bpfkit_*",
                     true, 0)) {
            lib.add(1, 2);
            lib.mul(3, 4);
            lib.mul(5, 6);
            assertEquals(3, count(obj, Events.UPROBE_MULTI));
            assertEquals(3, count(obj, Events.URETPROBE_MULTI));
            assertEquals(12, byName.info().type(), "BPF_LINK_TYPE_UPROBE_MULTI");
            assertTrue(byGlob.name().contains("bpfkit_add") && byGlob.name().contains("bpfkit_mul"), byGlob.name());
        }
    }

    @Test
    void perfEventSamplingOnASoftwareClockPerCpuAndPerTask() {
        try (LoadedObject obj = Events.load()) {
            PerfEventAttr clock = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                    .config(Perf.PERF_COUNT_SW_CPU_CLOCK).samplePeriod(200_000);
            List<Link> perCpu = Attach.perfEventPerCpu(program(obj, "on_sample"), clock);
            try {
                spin(300);
            } finally {
                perCpu.forEach(Link::close);
            }
            long sampled = count(obj, Events.PERF);
            assertTrue(sampled > 0, "samples on some CPU");
            spin(50);
            assertEquals(sampled, count(obj, Events.PERF), "no samples once detached");

            PerfEventAttr task = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                    .config(Perf.PERF_COUNT_SW_TASK_CLOCK).samplePeriod(200_000);
            try (Link mine = Attach.perfEvent(program(obj, "on_sample"), task, 0, -1)) {
                spin(100); // this thread runs: its task clock overflows every 0.2 ms
                assertTrue(count(obj, Events.PERF) > sampled, "samples of this thread");
            }
        }
    }

    private static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.nanoTime() & 1;
        }
        assertTrue(x >= 0);
    }

    /**
     * A UDP socket on an ephemeral loopback port the network programs count packets to: the
     * port is ours while the socket is open, so nothing else on the machine (another test run
     * attached to lo at the same time) sends to it.
     */
    private static DatagramSocket receiver() throws IOException {
        return new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    private static void sendUdp(DatagramSocket to, int count) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] b = new byte[16];
            for (int i = 0; i < count; i++) {
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), to.getLocalPort()));
            }
        }
    }

    @Test
    void xdpLinkOnLoSeesOurPackets() throws Exception {
        try (DatagramSocket port = receiver(); LoadedObject obj = BpfLoader.load(Events.spec(port.getLocalPort()))) {
            int lo = Attach.ifindex("lo");
            try (Link xdp = Attach.xdp(program(obj, "xdp_count"), lo, XdpMode.GENERIC)) {
                sendUdp(port, 3);
                assertEquals(3, count(obj, Events.XDP));
                assertEquals(6, xdp.info().type(), "BPF_LINK_TYPE_XDP");
                // one XDP program per interface and mode
                assertThrows(BpfException.class, () -> Attach.xdp(program(obj, "xdp_flip"), lo, XdpMode.GENERIC));
                // lo has no driver XDP
                assertThrows(BpfException.class, () -> Attach.xdp(program(obj, "xdp_flip"), lo, XdpMode.DRIVER));
            }
            sendUdp(port, 2);
            assertEquals(3, count(obj, Events.XDP));
        }
    }

    @TestFactory
    DynamicTest tcxIngressAndEgressOnLo() {
        return KernelProbes.branch("tcx links on lo's ingress and egress", KernelProbes.tcx(),
                AttachTest::tcxCountsOnLo, () -> {
                    try (LoadedObject obj = Events.load()) {
                        int lo = Attach.ifindex("lo");
                        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                                () -> Attach.tcx(program(obj, "tcx_ingress_count"), lo, true));
                        assertTrue(e.getMessage().startsWith("tcx needs Linux 6.6, this is "
                                + System.getProperty("os.version")), e.getMessage());
                        assertTrue(e.getMessage().contains("Attach.tc,"), e.getMessage());
                    }
                    assertThrows(BpfException.class, () -> Attach.ifindex("no-such-if0"));
                });
    }

    private static void tcxCountsOnLo() throws Exception {
        try (DatagramSocket port = receiver(); LoadedObject obj = BpfLoader.load(Events.spec(port.getLocalPort()))) {
            int lo = Attach.ifindex("lo");
            try (Link in = Attach.tcx(program(obj, "tcx_ingress_count"), lo, true);
                 Link out = Attach.tcx(program(obj, "tcx_egress_count"), lo, false)) {
                sendUdp(port, 4);
                assertEquals(4, count(obj, Events.TCX_IN));
                assertEquals(4, count(obj, Events.TCX_OUT));
                assertEquals(11, in.info().type(), "BPF_LINK_TYPE_TCX");
            }
            sendUdp(port, 1);
            assertEquals(4, count(obj, Events.TCX_IN));
        }
        assertThrows(BpfException.class, () -> Attach.ifindex("no-such-if0"));
    }

    @Test
    void cgroupLinksSeeASocketOfAProcessInAChildCgroup() throws Exception {
        Path root = Path.of("/sys/fs/cgroup/unified");
        if (!Files.isRegularFile(root.resolve("cgroup.procs"))) {
            root = Path.of("/sys/fs/cgroup");
        }
        Path child = root.resolve("bpfkit-attach-test-" + Syscalls.getpid());
        Files.createDirectories(child);
        try (LoadedObject obj = Events.load();
             Link create = Attach.cgroup(program(obj, "sock_created"), child);
             Link connect = Attach.cgroup(program(obj, "connect4_count"), child, AttachType.CGROUP_INET4_CONNECT)) {
            // a child shell moves itself into the cgroup, then opens one UDP socket and connects it
            Tools.Result r = Tools.run(30, "bash", "-c",
                    "echo $$ > " + child.resolve("cgroup.procs") + " && exec 3<>/dev/udp/127.0.0.1/7778");
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(1, count(obj, Events.SOCK_CREATE));
            assertEquals(1, count(obj, Events.CONNECT4));
            assertTrue(create.name().contains("cgroup_inet_sock_create"), create.name());
            assertEquals(3, connect.info().type(), "BPF_LINK_TYPE_CGROUP");
        } finally {
            Files.deleteIfExists(child);
        }
    }

    @Test
    void socketFilterOnASocketpair() {
        Fd[] pair = Sockets.socketPair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM);
        try (LoadedObject obj = Events.load(); Arena arena = Arena.ofConfined()) {
            MemorySegment msg = arena.allocate(32);
            try (Link filter = Attach.socketFilter(program(obj, "sock_count"), pair[1].get())) {
                assertEquals(-1, filter.fileDescriptor());
                for (int i = 0; i < 4; i++) {
                    Syscalls.write(pair[0].get(), msg, "write");
                }
                assertEquals(4, count(obj, Events.SOCKET));
                assertEquals(32, Syscalls.read(pair[1].get(), msg, "read"), "the filter keeps the whole datagram");
            }
            Syscalls.write(pair[0].get(), msg, "write");
            assertEquals(4, count(obj, Events.SOCKET), "detached");
            assertThrows(BpfException.class, () -> Attach.socketFilter(program(obj, "sock_count"), -1));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void iteratorOutputReadsAsAStream() {
        try (LoadedObject obj = Events.load(); IterLink it = Attach.iterator(program(obj, "iter_seq"))) {
            String out = it.readAll();
            List<String> lines = out.lines().toList();
            assertTrue(lines.size() > 5, "one line per task: " + lines.size());
            for (int i = 0; i < lines.size(); i++) {
                assertEquals(Integer.toString(i), lines.get(i));
            }
            assertEquals(lines.size(), count(obj, Events.ITER));
            assertTrue(it.readAll().lines().count() > 5, "a second pass starts over");
        }
    }

    @Test
    void pinnedLinkOutlivesItsDescriptorAndReopens() throws Exception {
        Path pin = Path.of("/sys/fs/bpf/bpfkit-attach-test-" + Syscalls.getpid());
        Files.deleteIfExists(pin);
        try (LoadedObject obj = Events.load()) {
            int progId = program(obj, "raw_getppid").info().id();
            try (Link link = Attach.rawTracepoint(program(obj, "raw_getppid"), "sys_enter")) {
                link.pin(pin);
            }
            getppid(2);
            assertEquals(2, count(obj, Events.RAW_TP), "still attached through the pin");
            try (Link again = Link.openPinned(pin)) {
                assertEquals(progId, again.info().progId());
                Files.delete(pin);
            }
            getppid(2);
            assertEquals(2, count(obj, Events.RAW_TP), "detached once the pin and the last descriptor are gone");
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    @Test
    void attachAllDoesWhatTheSectionsSayAndTheObjectOwnsTheLinks() {
        LoadedObject obj = Events.load();
        List<AutoAttach.BpfProgramLink> links;
        try {
            links = AutoAttach.attachAll(obj);
            Set<String> names = links.stream().map(l -> l.program().name()).collect(Collectors.toSet());
            // sections with a target (or bound at load); xdp, tcx, cgroup, socket, perf_event,
            // bare uprobe/raw_tp and uprobe.multi need the caller
            assertEquals(Set.of("tp_getppid", "raw_getppid", "btf_getppid", "iter_seq"), names);
            assertEquals(4, obj.links().size());
            getppid(2);
            assertEquals(2, count(obj, Events.TP));
            assertEquals(2, count(obj, Events.RAW_TP));
            BpfException e = assertThrows(BpfException.class, () -> AutoAttach.attach(program(obj, "xdp_count")));
            assertTrue(e.getMessage().contains("names no attach target"), e.getMessage());
        } finally {
            obj.close();
        }
        assertTrue(links.stream().allMatch(l -> l.link().isClosed()));
    }

    @Test
    void closedLinkRefusesUse() {
        try (LoadedObject obj = Events.load()) {
            BpfLink l = Attach.rawTracepoint(program(obj, "raw_getppid"), "sys_enter");
            l.close();
            assertTrue(l.isClosed());
            assertThrows(IllegalStateException.class, l::fileDescriptor);
            assertThrows(IllegalStateException.class, () -> l.pin(Path.of("/sys/fs/bpf/never")));
            assertFalse(Files.exists(Path.of("/sys/fs/bpf/never")));
        }
    }
}
