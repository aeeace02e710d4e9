package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfCpuMap;
import io.bpfkit.api.map.BpfDevMap;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfLocalStorage;
import io.bpfkit.api.map.BpfSockHash;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.api.map.BpfStackTraceMap;
import io.bpfkit.api.map.BpfStackTraceMap.BuildIdFrame;
import io.bpfkit.api.map.BpfXskMap;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.run.TestRun;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.AfXdpSocket;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.LoopbackTcp;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Handles on maps of kernel objects, each against a program of ours that uses the map:
 * stack traces (stack_trace.bpf.c), sockmap and sockhash (sockmap.bpf.c), XDP redirect targets
 * (xdp_targets.bpf.c), task, socket and inode storage (local_storage.bpf.c) and cgroup
 * storage (cgrp_storage.bpf.c).
 */
@KernelTest
@SuppressWarnings("try") // links held open by try-with-resources while the test sends
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelObjectMapsKernelTest {
    private static final int XDP_PASS = 2;
    private static final int XDP_REDIRECT = 4;
    private static final int TCP_ESTABLISHED = 1;

    static LoadedObject load(String object) {
        return BpfLoader.load(BpfObjects.open(TestObjects.path(object)));
    }

    static LoadedProgram program(LoadedObject obj, String name) {
        return obj.program(name).orElseThrow();
    }

    static int programId(LoadedObject obj, String name) {
        return Bpf.progInfo(program(obj, name).fd()).id();
    }

    // ---- stack traces -----------------------------------------------------------------------

    /** A mapping of /proc/self/maps: [start, end), file offset, path. */
    record Mapping(long start, long end, long offset, String path) {
        boolean contains(long ip) {
            return Long.compareUnsigned(ip, start) >= 0 && Long.compareUnsigned(ip, end) < 0;
        }
    }

    static Mapping mappingOf(long ip) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            String[] range = f[0].split("-");
            Mapping m = new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16),
                    Long.parseUnsignedLong(f[2], 16), f.length > 5 ? f[5] : "");
            if (m.contains(ip)) {
                return m;
            }
        }
        return null;
    }

    /** The GNU build id of an ELF file, from its .note.gnu.build-id section. */
    static byte[] buildId(Path file) throws IOException {
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(Files.readAllBytes(file)));
        ElfSection note = elf.section(".note.gnu.build-id").orElseThrow();
        MemorySegment d = note.data();
        int nameSize = d.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0);
        int descSize = d.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4);
        long desc = 12 + ((nameSize + 3) & ~3);
        return d.asSlice(desc, descSize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Test
    void stacksOfTheCallingThreadAreKernelAndLibcAddresses() throws IOException {
        try (LoadedObject obj = load("stack_trace.bpf.o");
                BpfStackTraceMap stacks = BpfMaps.stackTrace(obj, "stacks");
                BpfStackTraceMap buildIds = BpfMaps.stackTrace(obj, "build_id_stacks")) {
            assertEquals(32, stacks.depth());
            assertFalse(stacks.hasBuildIds());
            assertEquals(8, buildIds.depth());
            assertTrue(buildIds.hasBuildIds());
            assertEquals(0, TestRun.of(program(obj, "get_stacks")).run().returnValue());
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            int kernelId = (int) bss.getLong("kernel_id");
            int userId = (int) bss.getLong("user_id");
            int buildIdId = (int) bss.getLong("build_id_id");
            assertTrue(kernelId >= 0 && userId >= 0 && buildIdId >= 0, kernelId + " " + userId + " " + buildIdId);

            long[] kernel = stacks.stack(kernelId);
            assertTrue(kernel.length >= 2, "the test run's own kernel frames: " + kernel.length);
            for (long ip : kernel) {
                assertTrue(Long.compareUnsigned(ip, 0xffff_8000_0000_0000L) >= 0,
                        "kernel half: 0x" + Long.toHexString(ip));
            }
            long[] user = stacks.stack(userId);
            assertTrue(user.length >= 1);
            Mapping libc = mappingOf(user[0]);
            assertTrue(libc != null && libc.path().matches(".*/libc[.-].*so.*"),
                    "the first user frame is in libc's syscall(): 0x" + Long.toHexString(user[0]) + " in " + libc);

            List<BuildIdFrame> frames = buildIds.buildIdStack(buildIdId);
            assertFalse(frames.isEmpty());
            BuildIdFrame first = frames.getFirst();
            if (first.status() == BuildIdFrame.Status.VALID) {
                assertArrayEquals(buildId(Path.of(libc.path())), first.buildId(), "libc's build id");
                assertEquals(user[0] - libc.start() + libc.offset(), first.offset(), "the file offset of the ip");
            } else {
                assertEquals(BuildIdFrame.Status.IP, first.status());
                assertEquals(user[0], first.offset(), "the kernel could not read the build id: the ip");
            }

            assertTrue(stacks.stackIds().containsAll(List.of(kernelId, userId)));
            assertTrue(stacks.delete(kernelId));
            assertNull(stacks.stack(kernelId));
            assertFalse(stacks.delete(kernelId));
            assertFalse(stacks.stackIds().contains(kernelId));
            assertThrows(IllegalStateException.class, () -> stacks.buildIdStack(userId));
            assertThrows(IllegalStateException.class, () -> buildIds.stack(buildIdId));
        }
    }

    /** The elements of map {@code id} as bpftool dumps them: key bytes to value bytes, both as hex. */
    static java.util.Map<String, String> bpftoolDump(int id) {
        Path bpftool = Tools.find("bpftool", "/usr/sbin/bpftool");
        Tools.assumePresent(bpftool != null, "bpftool is not installed (Debian: apt-get install bpftool)");
        Tools.Result r = Tools.run(30, bpftool.toString(), "map", "dump", "id", Integer.toString(id));
        assertEquals(0, r.exitCode(), r.stderr());
        java.util.Map<String, String> elements = new java.util.TreeMap<>();
        for (String element : r.out().split("key:")) {
            int v = element.indexOf("value:");
            if (v < 0) {
                continue;
            }
            elements.put(hexBytes(element.substring(0, v)), hexBytes(element.substring(v + 6)));
        }
        return elements;
    }

    private static String hexBytes(String text) {
        StringBuilder b = new StringBuilder();
        for (String t : text.trim().split("\\s+")) {
            if (t.matches("[0-9a-f]{2}")) {
                b.append(t);
            }
        }
        return b.toString();
    }

    private static String littleEndianHex(long[] words, int depth) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(depth * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            buf.putLong(w);
        }
        return java.util.HexFormat.of().formatHex(buf.array());
    }

    @Test
    void stacksReadAsBpftoolDumpsThem() {
        try (LoadedObject obj = load("stack_trace.bpf.o"); BpfStackTraceMap stacks = BpfMaps.stackTrace(obj, "stacks")) {
            for (int i = 0; i < 3; i++) { // raw_tp test runs take no repeat count
                TestRun.of(program(obj, "get_stacks")).run();
            }
            java.util.Map<String, String> dumped = bpftoolDump(stacks.info().id());
            java.util.Map<String, String> ours = new java.util.TreeMap<>();
            for (int id : stacks.stackIds()) {
                String key = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(4)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(id).array());
                ours.put(key, littleEndianHex(stacks.stack(id), stacks.depth()));
            }
            assertFalse(ours.isEmpty());
            assertEquals(dumped, ours);
        }
    }

    @Test
    void aStackTraceMapIsRefusedByOtherHandlesAndTheOtherWayRound() {
        try (LoadedObject obj = load("stack_trace.bpf.o")) {
            LoadException e = assertThrows(LoadException.class,
                    () -> BpfMaps.programArray(obj, "stacks"));
            assertTrue(e.getMessage().contains("BpfMaps.stackTrace"), e.getMessage());
        }
        try (LoadedObject obj = load("sockmap.bpf.o")) {
            LoadException e = assertThrows(LoadException.class, () -> BpfMaps.stackTrace(obj, "socks"));
            assertTrue(e.getMessage().contains("sockmap") && e.getMessage().contains("BpfMaps.sockMap"),
                    e.getMessage());
        }
    }

    static long openFds() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aRefusedHandleOnAPinnedMapClosesTheDescriptorItOpened() throws IOException {
        try (LoadedObject obj = load("xdp_targets.bpf.o"); PinRoot pins = PinRoot.create("kernel-object-maps")) {
            String cpus = pins.path().resolve("cpus").toString();
            String ports = pins.path().resolve("ports").toString();
            try (BpfCpuMap c = BpfMaps.cpuMap(obj, "cpus"); BpfDevMap d = BpfMaps.devMap(obj, "ports")) {
                c.pin(cpus);
                d.pin(ports);
            }
            long before = openFds();
            LoadException wrong = assertThrows(LoadException.class, () -> BpfMaps.devMap(BpfMaps.openPinned(cpus)));
            assertTrue(wrong.getMessage().contains("BpfMaps.cpuMap"), wrong.getMessage());
            assertThrows(LoadException.class, () -> BpfMaps.localStorage(BpfMaps.openPinned(ports), Codecs.int64()));
            assertEquals(before, openFds(), "the refused handles' descriptors are closed");
            try (BpfDevMap owned = BpfMaps.devMap(BpfMaps.openPinned(ports))) {
                owned.set(0, Attach.ifindex("lo"));
                assertEquals(Attach.ifindex("lo"), owned.entry(0).orElseThrow().ifindex());
            }
            assertEquals(before, openFds(), "an owning handle closes its descriptor");
        }
    }

    // ---- sockmap and sockhash ---------------------------------------------------------------

    @Test
    void anSkMsgProgramSeesAndRedirectsWhatASocketInTheSockmapSends() {
        try (LoadedObject obj = load("sockmap.bpf.o"); BpfSockMap socks = BpfMaps.sockMap(obj, "socks");
                LoopbackTcp tcp = LoopbackTcp.open()) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            BpfGlobals data = BpfMaps.globals(obj, ".data");
            assertEquals(4, socks.length());
            try (Link l = Attach.sockMap(program(obj, "on_msg"), socks)) {
                socks.set(0, tcp.client);
                long cookie = socks.cookie(0).orElseThrow();
                assertNotEquals(0, cookie);
                assertTrue(socks.cookie(1).isEmpty());

                assertEquals(5, LoopbackTcp.send(tcp.client, "hello".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("hello", new String(LoopbackTcp.receive(tcp.server, 64, 2000), StandardCharsets.US_ASCII));
                assertEquals(1, bss.getLong("msgs"));
                assertEquals(5, bss.getLong("msg_bytes"));

                data.setInt("redirect_slot", 0); // back into the sender's own receive queue
                LoopbackTcp.send(tcp.client, "ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", new String(LoopbackTcp.receive(tcp.client, 64, 2000), StandardCharsets.US_ASCII));
                assertEquals(0, LoopbackTcp.receive(tcp.server, 64, 200).length, "redirected away from the peer");
                assertEquals(2, bss.getLong("msgs"));

                assertTrue(socks.clear(0));
                assertFalse(socks.clear(0));
                assertTrue(socks.cookie(0).isEmpty());
            }
        }
    }

    @Test
    void anSkSkbVerdictProgramCountsWhatASocketInTheSockmapReceives() {
        try (LoadedObject obj = load("sockmap.bpf.o"); BpfSockMap socks = BpfMaps.sockMap(obj, "socks");
                LoopbackTcp tcp = LoopbackTcp.open(); Link l = Attach.sockMap(program(obj, "on_skb"), socks)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            socks.set(1, tcp.server);
            LoopbackTcp.send(tcp.client, "abcdef".getBytes(StandardCharsets.US_ASCII));
            assertEquals("abcdef", new String(LoopbackTcp.receive(tcp.server, 64, 2000), StandardCharsets.US_ASCII));
            assertTrue(bss.getLong("skbs") >= 1);
            assertEquals(6, bss.getLong("skb_bytes"));
            socks.clear(1);
        }
    }

    @Test
    void aSockhashRedirectsByKey() {
        try (LoadedObject obj = load("sockmap.bpf.o");
                BpfSockHash<Integer> hash = BpfMaps.sockHash(obj, "sock_hash", Codecs.int32());
                LoopbackTcp tcp = LoopbackTcp.open(); Link l = Attach.sockMap(program(obj, "on_msg_hash"), hash)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            bss.setInt("hash_redirect_key", 7);
            hash.put(7, tcp.client);
            assertEquals(List.of(7), hash.keys());
            assertTrue(hash.cookie(7).isPresent());
            LoopbackTcp.send(tcp.client, "loop".getBytes(StandardCharsets.US_ASCII));
            assertEquals("loop", new String(LoopbackTcp.receive(tcp.client, 64, 2000), StandardCharsets.US_ASCII));
            assertEquals(1, bss.getLong("hash_msgs"));
            assertTrue(hash.delete(7));
            assertFalse(hash.delete(7));
            assertEquals(List.of(), hash.keys());
        }
    }

    @Test
    void aSockmapRefusesWhatIsNoConnectedSocket() throws IOException {
        Path file = Files.createTempFile("bpfkit-sockmap", ".txt");
        try (LoadedObject obj = load("sockmap.bpf.o"); BpfSockMap socks = BpfMaps.sockMap(obj, "socks");
                Fd regular = Syscalls.open(file.toString(), Syscalls.O_RDONLY, 0, "file")) {
            KernelException e = assertThrows(KernelException.class, () -> socks.set(0, regular.get()));
            assertTrue(e.getMessage().contains("socks"), e.getMessage());
            Libc.Result unconnected = Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
            try {
                assertThrows(KernelException.class, () -> socks.set(0, unconnected.value()));
            } finally {
                Libc.close(unconnected.value());
            }
            assertThrows(IndexOutOfBoundsException.class, () -> socks.set(4, regular.get()));
            assertThrows(io.bpfkit.api.BpfException.class,
                    () -> Attach.sockMap(program(obj, "on_msg"), BpfMaps.globals(obj, ".bss")));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- XDP redirect targets ---------------------------------------------------------------

    static int redirect(LoadedObject obj, String program, int target) {
        BpfMaps.globals(obj, ".bss").setInt("target", target);
        return TestRun.of(program(obj, program)).data(new byte[64]).run().returnValue();
    }

    @Test
    void devmapEntriesDecideWhereXdpRedirects() {
        int lo = Attach.ifindex("lo");
        try (LoadedObject obj = load("xdp_targets.bpf.o"); BpfDevMap ports = BpfMaps.devMap(obj, "ports");
                BpfDevMap hash = BpfMaps.devMap(obj, "ports_hash")) {
            assertEquals(XDP_PASS, redirect(obj, "to_port", 0), "no entry: the fallback action");
            ports.set(0, lo);
            assertEquals(Optional.of(new BpfDevMap.Entry(lo, 0)), ports.entry(0));
            assertEquals(XDP_REDIRECT, redirect(obj, "to_port", 0));
            ports.set(1, lo, program(obj, "on_devmap_egress"));
            assertEquals(Optional.of(new BpfDevMap.Entry(lo, programId(obj, "on_devmap_egress"))), ports.entry(1));
            assertTrue(ports.clear(0));
            assertTrue(ports.clear(0), "a devmap's slot clears whether set or not");
            assertEquals(Optional.empty(), ports.entry(0));
            assertEquals(XDP_PASS, redirect(obj, "to_port", 0));

            assertFalse(hash.clear(100_000), "a devmap_hash says when it had no such key");
            hash.set(100_000, lo);
            assertEquals(Optional.of(new BpfDevMap.Entry(lo, 0)), hash.entry(100_000));
            assertEquals(XDP_REDIRECT, redirect(obj, "to_port_hash", 100_000));
            assertEquals(XDP_PASS, redirect(obj, "to_port_hash", 5));

            KernelException noDevice = assertThrows(KernelException.class, () -> ports.set(2, 999_999));
            assertTrue(noDevice.getMessage().contains("ports"), noDevice.getMessage());
            assertThrows(KernelException.class, () -> ports.set(2, lo, program(obj, "to_port")),
                    "an XDP program not loaded for BPF_XDP_DEVMAP");
            assertThrows(KernelException.class, () -> ports.set(4, lo), "outside the devmap");
            assertThrows(IllegalStateException.class, () -> hash.set(1, lo, program(obj, "on_devmap_egress")),
                    "4-byte values have no room for a program");
        }
    }

    @Test
    void cpumapEntriesReadBackTheirQueueSizeAndProgram() {
        try (LoadedObject obj = load("xdp_targets.bpf.o"); BpfCpuMap cpus = BpfMaps.cpuMap(obj, "cpus")) {
            assertEquals(XDP_PASS, redirect(obj, "to_cpu", 0));
            cpus.set(0, 192);
            assertEquals(Optional.of(new BpfCpuMap.Entry(192, 0)), cpus.entry(0));
            assertEquals(XDP_REDIRECT, redirect(obj, "to_cpu", 0));
            cpus.set(0, 64, program(obj, "on_cpumap"));
            assertEquals(Optional.of(new BpfCpuMap.Entry(64, programId(obj, "on_cpumap"))), cpus.entry(0));
            cpus.clear(0);
            assertEquals(Optional.empty(), cpus.entry(0));
            assertEquals(XDP_PASS, redirect(obj, "to_cpu", 0));
            assertThrows(KernelException.class, () -> cpus.set(0, 1 << 20), "a queue above 16384");
        }
    }

    @Test
    void anXskmapTakesOnlyAfXdpSockets() {
        try (LoadedObject obj = load("xdp_targets.bpf.o"); BpfXskMap xsks = BpfMaps.xskMap(obj, "xsks");
                LoopbackTcp tcp = LoopbackTcp.open()) {
            assertEquals(4, xsks.length());
            assertEquals(XDP_PASS, redirect(obj, "to_xsk", 0));
            KernelException e = assertThrows(KernelException.class, () -> xsks.set(0, tcp.client));
            assertTrue(e.getMessage().contains("xsks"), e.getMessage());
            xsks.clear(0);
            assertThrows(IndexOutOfBoundsException.class, () -> xsks.set(4, tcp.client));
        }
    }

    @Test
    void anXskmapSlotTakesABoundAfXdpSocketAndRedirectsToIt() {
        int lo = Attach.ifindex("lo");
        try (LoadedObject obj = load("xdp_targets.bpf.o"); BpfXskMap xsks = BpfMaps.xskMap(obj, "xsks");
                AfXdpSocket xsk = AfXdpSocket.bind(lo, 0)) {
            xsks.set(0, xsk.fd);
            assertEquals(XDP_REDIRECT, redirect(obj, "to_xsk", 0), "the slot holds the socket");
            assertEquals(XDP_PASS, redirect(obj, "to_xsk", 1));
            xsks.clear(0);
            assertEquals(XDP_PASS, redirect(obj, "to_xsk", 0), "cleared");
        }
    }

    // ---- local storage ----------------------------------------------------------------------

    /** {@code struct task_value}. */
    record TaskValue(@Unsigned long magic, @Unsigned int tid, @Unsigned int runs) {
    }

    /** {@code struct sk_value}. */
    record SkValue(@Unsigned int transitions, @Unsigned int lastState, @Unsigned long magic) {
    }

    @Test
    void taskStorageIsSharedBetweenJavaByPidfdAndTheProgram() {
        int pidfd = LoopbackTcp.pidfdOpen(Syscalls.getpid());
        try (LoadedObject obj = load("local_storage.bpf.o");
                BpfLocalStorage<TaskValue> tasks = BpfMaps.localStorage(obj, "task_store",
                        RecordCodec.of(TaskValue.class))) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            assertNull(tasks.get(pidfd));
            tasks.put(pidfd, new TaskValue(0xfeedL, 0, 0));
            assertFalse(tasks.put(pidfd, new TaskValue(1, 1, 1), UpdateFlag.NO_EXIST));
            assertEquals(0, TestRun.of(program(obj, "touch_task")).run().returnValue());
            assertEquals(0xfeedL, bss.getLong("seen_magic"), "the program read what Java wrote");
            assertEquals(new TaskValue(0xfeedL, Syscalls.gettid(), 1), tasks.get(pidfd), "Java reads what it wrote");
            assertTrue(tasks.delete(pidfd));
            assertFalse(tasks.delete(pidfd));
            assertEquals(0, TestRun.of(program(obj, "touch_task")).run().returnValue());
            assertEquals(0, bss.getLong("seen_magic"), "made afresh by the program");
            assertEquals(1, tasks.get(pidfd).runs());
        } finally {
            Libc.close(pidfd);
        }
    }

    @Test
    void socketStorageWrittenByATracingProgramIsReadBySocketDescriptor() {
        try (LoadedObject obj = load("local_storage.bpf.o");
                BpfLocalStorage<SkValue> sockets = BpfMaps.localStorage(obj, "sk_store", RecordCodec.of(SkValue.class));
                Link l = Attach.tracing(program(obj, "on_state")); LoopbackTcp tcp = LoopbackTcp.open()) {
            SkValue client = sockets.get(tcp.client);
            assertEquals(TCP_ESTABLISHED, client.lastState(), String.valueOf(client));
            assertTrue(client.transitions() >= 2, "CLOSE -> SYN_SENT -> ESTABLISHED: " + client);
            sockets.put(tcp.server, new SkValue(0, 0, 42));
            assertEquals(new SkValue(0, 0, 42), sockets.get(tcp.server));
            assertTrue(sockets.delete(tcp.client));
            assertNull(sockets.get(tcp.client));
        }
    }

    @Test
    void inodeStorageByFileDescriptorAndDescriptorsOfTheWrongKind() throws IOException {
        Path file = Files.createTempFile("bpfkit-inode", ".txt");
        try (LoadedObject obj = load("local_storage.bpf.o");
                BpfLocalStorage<Long> inodes = BpfMaps.localStorage(obj, "inode_store", Codecs.int64());
                BpfLocalStorage<TaskValue> tasks = BpfMaps.localStorage(obj, "task_store",
                        RecordCodec.of(TaskValue.class));
                Fd f = Syscalls.open(file.toString(), Syscalls.O_RDONLY, 0, "file");
                Fd again = Syscalls.open(file.toString(), Syscalls.O_RDONLY, 0, "file")) {
            inodes.put(f.get(), 42L);
            assertEquals(42L, inodes.get(again.get()), "one inode, whichever descriptor names it");
            assertTrue(inodes.delete(f.get()));
            assertNull(inodes.get(f.get()));
            KernelException e = assertThrows(KernelException.class, () -> tasks.put(f.get(), new TaskValue(1, 1, 1)));
            assertTrue(e.getMessage().contains("task_store"), e.getMessage());
            LoadException size = assertThrows(LoadException.class,
                    () -> BpfMaps.localStorage(obj, "inode_store", Codecs.int32()));
            assertTrue(size.getMessage().contains("inode_store"), size.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code struct cg_value}. */
    record CgValue(@Unsigned long magic, @Unsigned long runs) {
    }

    /** This process's cgroup v2 directory, from /proc/self/cgroup and the cgroup2 mount. */
    static Path ownCgroup() throws IOException {
        String relative = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3)).findFirst().orElseThrow(() -> new AssertionError("no cgroup v2 line"));
        String mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(" - cgroup2 ")).map(l -> l.split(" ")[4]).findFirst()
                .orElseThrow(() -> new AssertionError("cgroup2 is not mounted"));
        return Path.of(mount + relative);
    }

    @TestFactory
    DynamicTest cgroupStorage() {
        // cgroup local storage (Linux 6.2) keeps its values in struct cgroup's bpf_cgrp_storage
        return KernelProbes.branch("cgroup storage is shared between Java by cgroup descriptor and the program",
                KernelProbes.kernelBtfMember("cgroup", "bpf_cgrp_storage"),
                KernelObjectMapsKernelTest::cgroupStorageIsShared, () -> {
                    BpfException e = assertThrows(BpfException.class, () -> load("cgrp_storage.bpf.o").close());
                    assertTrue(e.getMessage().contains("cg_store"), "no cgroup storage before 6.2: " + e);
                });
    }

    static void cgroupStorageIsShared() throws IOException {
        try (LoadedObject obj = load("cgrp_storage.bpf.o");
                BpfLocalStorage<CgValue> cgroups = BpfMaps.localStorage(obj, "cg_store", RecordCodec.of(CgValue.class));
                Fd cg = Syscalls.open(ownCgroup().toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0, "cgroup")) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            cgroups.put(cg.get(), new CgValue(0xc0ffeeL, 0));
            assertEquals(0, TestRun.of(program(obj, "touch_cgroup")).run().returnValue());
            assertEquals(0xc0ffeeL, bss.getLong("seen_magic"));
            assertEquals(new CgValue(0xc0ffeeL, 1), cgroups.get(cg.get()));
            assertTrue(cgroups.delete(cg.get()));
            assertNull(cgroups.get(cg.get()));
        }
    }
}
