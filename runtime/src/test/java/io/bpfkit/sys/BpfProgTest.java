package io.bpfkit.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.Kallsyms;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BtfInfo;
import io.bpfkit.uapi.LinkInfo;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import io.bpfkit.uapi.ProgInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Program, BTF and link commands against the kernel, with hand-assembled programs. */
@KernelTest
class BpfProgTest {
    static final int SOCKET_FILTER = 1;
    static final int PERF_EVENT = 7;
    static final int CGROUP_SKB = 8;
    static final int RAW_TRACEPOINT = 17;
    static final int TRACING = 26;
    static final int SYSCALL = 31;

    static final int BPF_CGROUP_INET_INGRESS = 0;
    static final int BPF_CGROUP_INET_EGRESS = 1;
    static final int BPF_TRACE_FENTRY = 24;
    static final int BPF_PERF_EVENT = 41;
    static final int BPF_NETFILTER = 45;
    static final int BPF_TCX_INGRESS = 46;
    static final int BPF_TRACE_UPROBE_MULTI = 48;

    static final int KPROBE = 2;
    static final int SCHED_CLS = 3;
    static final int NETFILTER = 32;
    static final int LINK_TYPE_NETFILTER = 10;
    static final int LINK_TYPE_TCX = 11;
    static final int LINK_TYPE_UPROBE_MULTI = 12;

    static final int LINK_TYPE_RAW_TRACEPOINT = 1;
    static final int LINK_TYPE_CGROUP = 3;
    static final int LINK_TYPE_PERF_EVENT = 7;

    static ProgLoadResult load(Arena arena, int type, Insns insns, String name, int logLevel) {
        return Bpf.progLoad(ProgLoadAttr.builder(type, insns.toSegment(arena)).license("GPL").name(name)
                .log(logLevel, logLevel == 0 ? null : arena.allocate(64 * 1024)).build());
    }

    static Fd loadOk(Arena arena, int type, Insns insns, String name) {
        return load(arena, type, insns, name, 0).orThrow();
    }

    static Fd counterMap(String name) {
        return BpfMapTest.create(BpfMapTest.ARRAY, 4, 8, 1, 0, name);
    }

    static long counterValue(Fd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            assertTrue(MapCalls.of(map).lookup(key, value));
            return value.get(JAVA_LONG, 0);
        }
    }

    @TestFactory
    DynamicTest socketFilterReturning42RunsAndReadsBack() {
        KernelProbes.Probe trueSize = KernelProbes.logTrueSize();
        return KernelProbes.branch("a socket filter returning 42 loads, runs and reads back; log_true_size "
                + "counts the log", trueSize, () -> socketFilterReturning42(true),
                () -> socketFilterReturning42(false));
    }

    private static void socketFilterReturning42(boolean logTrueSize) {
        try (Arena arena = Arena.ofConfined()) {
            Insns insns = Insns.returning(42);
            ProgLoadResult r = load(arena, SOCKET_FILTER, insns, "ret42", 2);
            assertTrue(r.ok(), r.log());
            assertEquals(0, r.errno());
            assertTrue(r.log().contains("processed 2 insns"), r.log());
            assertEquals(logTrueSize ? r.log().length() + 1 : 0, r.logTrueSize(),
                    "log_true_size counts the NUL where the kernel reports it, else stays 0");
            try (Fd prog = r.fd()) {
                assertEquals("prog fd " + prog.get() + " (ret42)", prog.toString());
                TestRunResult run = Bpf.progTestRun(prog,
                        TestRunAttr.builder().dataIn(arena.allocate(64)).repeat(3).build());
                assertEquals(42, run.retval());

                ProgInfo info = Bpf.progInfo(prog);
                assertEquals(SOCKET_FILTER, info.type());
                assertEquals("ret42", info.name());
                assertEquals(16, info.xlatedProgLen());
                assertEquals(2, info.verifiedInsns());
                assertEquals(16, info.tag().length());
                assertTrue(info.gplCompatible());
                assertTrue(info.id() > 0);
                assertArrayEquals(insns.toSegment(arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        Bpf.progXlatedInsns(prog));
                assertEquals(0, Bpf.progMapIds(prog).length);

                // ids
                boolean listed = false;
                for (int id = Bpf.progGetNextId(0); id != 0; id = Bpf.progGetNextId(id)) {
                    listed |= id == info.id();
                }
                assertTrue(listed);
                try (Fd again = Bpf.progGetFdById(info.id())) {
                    assertEquals(info.tag(), Bpf.progInfo(again).tag());
                }
            }
        }
    }

    @Test
    void syscallProgramIsSleepableAndRunsWithoutData() {
        try (Arena arena = Arena.ofConfined()) {
            ProgLoadResult notSleepable = load(arena, SYSCALL, Insns.returning(42), "sys42", 1);
            assertFalse(notSleepable.ok());
            assertEquals(Errno.EINVAL, notSleepable.errno());
            assertTrue(notSleepable.log().contains("sleepable"), notSleepable.log());
            assertTrue(notSleepable.exception().getMessage().contains("Syscall programs can only be sleepable"),
                    notSleepable.exception().getMessage());

            ProgLoadAttr a = ProgLoadAttr.builder(SYSCALL, Insns.returning(42).toSegment(arena)).license("GPL")
                    .name("sys42").progFlags(BpfFlags.BPF_F_SLEEPABLE).build();
            try (Fd prog = Bpf.progLoad(a).orThrow()) {
                assertEquals(42, Bpf.progTestRun(prog, TestRunAttr.NONE).retval());
                assertEquals(SYSCALL, Bpf.progInfo(prog).type());
            }
        }
    }

    @TestFactory
    DynamicTest verifierRejectionKeepsTheLog() {
        KernelProbes.Probe trueSize = KernelProbes.logTrueSize();
        return KernelProbes.branch("a verifier rejection keeps the log", trueSize,
                () -> verifierRejectionKeepsTheLog(true), () -> verifierRejectionKeepsTheLog(false));
    }

    private static void verifierRejectionKeepsTheLog(boolean logTrueSize) {
        try (Arena arena = Arena.ofConfined()) {
            Insns bad = new Insns().exit(); // r0 never set
            ProgLoadResult r = load(arena, SOCKET_FILTER, bad, "no_r0", 1);
            assertFalse(r.ok());
            assertNull(r.fd());
            assertEquals(Errno.EACCES, r.errno());
            assertTrue(r.log().contains("R0 !read_ok"), r.log());
            assertEquals(logTrueSize ? r.log().length() + 1 : 0, r.logTrueSize());
            assertEquals("R0 !read_ok", Bpf.verifierReason(r.log()));
            KernelException e = r.exception();
            assertEquals("EACCES", e.errnoName());
            assertEquals("BPF_PROG_LOAD of program 'no_r0'", e.operation());
            assertTrue(e.getMessage().contains("the verifier rejected the program: R0 !read_ok"), e.getMessage());
            assertThrows(KernelException.class, r::orThrow);

            // without a log: same errno, empty log
            ProgLoadResult quiet = load(arena, SOCKET_FILTER, bad, "no_r0", 0);
            assertEquals(Errno.EACCES, quiet.errno());
            assertEquals("", quiet.log());
            assertEquals(0, quiet.logTrueSize());
        }
    }

    /**
     * Linux 6.4 made the verifier log rotate and report {@code log_true_size}, and took away
     * the 128-byte minimum of the log buffer: older kernels refuse a smaller buffer (EINVAL)
     * and truncate a larger one with ENOSPC, saying nothing of the size needed.
     */
    @TestFactory
    DynamicTest tooSmallLogBufferGivesEnospcAndTheSizeNeeded() {
        return KernelProbes.branch("a too small log buffer", KernelProbes.logTrueSize(),
                BpfProgTest::tooSmallLogBufferReportsTheSizeNeeded, BpfProgTest::tooSmallLogBufferBefore64);
    }

    private static void tooSmallLogBufferBefore64() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = Insns.returning(1).toSegment(arena);
            ProgLoadAttr tiny = ProgLoadAttr.builder(SOCKET_FILTER, insns).license("GPL").name("small_log")
                    .log(2, arena.allocate(32)).build();
            ProgLoadResult refused = Bpf.progLoad(tiny);
            assertFalse(refused.ok());
            assertEquals(Errno.EINVAL, refused.errno(), "a log buffer under 128 bytes: " + refused.log());
            assertTrue(refused.exception().getMessage().startsWith("BPF_PROG_LOAD of program 'small_log' failed: "
                    + "EINVAL"), refused.exception().getMessage());

            ProgLoadResult r = Bpf.progLoad(tiny.withLog(2, arena.allocate(128)));
            assertFalse(r.ok());
            assertEquals(Errno.ENOSPC, r.errno(), r.log());
            assertEquals(0, r.logTrueSize());
            assertTrue(r.log().length() > 0 && r.log().length() < 128, "the log up to the buffer's end: " + r.log());
            assertTrue(r.log().startsWith("func#0") || r.log().startsWith("0:"), r.log());
            assertTrue(r.exception().getMessage().contains("too small"), r.exception().getMessage());
            ProgLoadResult retry = Bpf.progLoad(tiny.withLog(2, arena.allocate(64 * 1024)));
            assertTrue(retry.ok(), retry.log());
            assertTrue(retry.log().startsWith(r.log()), retry.log());
            retry.fd().close();
        }
    }

    private static void tooSmallLogBufferReportsTheSizeNeeded() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = Insns.returning(1).toSegment(arena);
            ProgLoadAttr small = ProgLoadAttr.builder(SOCKET_FILTER, insns).license("GPL").name("small_log")
                    .log(2, arena.allocate(32)).build();
            ProgLoadResult r = Bpf.progLoad(small);
            assertFalse(r.ok());
            assertEquals(Errno.ENOSPC, r.errno());
            assertTrue(r.logTrueSize() > 32, "log_true_size " + r.logTrueSize());
            assertTrue(r.exception().getMessage().contains("log_true_size"), r.exception().getMessage());
            ProgLoadResult retry = Bpf.progLoad(small.withLog(2, arena.allocate(r.logTrueSize())));
            assertTrue(retry.ok(), retry.log());
            assertEquals(r.logTrueSize(), retry.logTrueSize());
            retry.fd().close();
        }
    }

    @TestFactory
    DynamicTest fentryOnTheGetppidSyscall() {
        return HostFeatures.lockdown().test("the fentry load is refused: EPERM, empty log, a message that says why",
                () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        ProgLoadResult r = Bpf.progLoad(fentry(arena, Insns.returning(0), getppidBtfId()));
                        assertFalse(r.ok(), "a locked-down kernel loaded a tracing program");
                        assertEquals(Errno.EPERM, r.errno(), r.log());
                        assertEquals("", r.log());
                        KernelException e = r.exception();
                        assertTrue(e.getMessage().startsWith("BPF_PROG_LOAD of program 'fentry_getppid' failed: EPERM"),
                                e.getMessage());
                        assertTrue(e.getMessage().contains("locked down"), e.getMessage());
                    }
                }, "fentry loads, attaches and counts this thread's getppid calls", () -> {
                    try (Arena arena = Arena.ofConfined(); Fd map = counterMap("fentry_count");
                         Fd prog = Bpf.progLoad(fentry(arena, Insns.countInto(map.get()), getppidBtfId())).orThrow()) {
                        try (Fd link = Bpf.rawTracepointOpen(null, prog, 0)) {
                            long before = counterValue(map);
                            Events.getppid(100);
                            assertTrue(counterValue(map) - before >= 100, "count " + (counterValue(map) - before));
                            assertEquals(Bpf.progInfo(prog).id(), Bpf.linkInfo(link).progId());
                        }
                        long detached = counterValue(map);
                        Events.getppid(100);
                        // other processes may call getppid too, but no longer through this program
                        assertEquals(detached, counterValue(map), "detached");
                    }
                });
    }

    private static ProgLoadAttr fentry(Arena arena, Insns insns, int btfId) {
        return ProgLoadAttr.builder(TRACING, insns.toSegment(arena)).license("GPL").name("fentry_getppid")
                .expectedAttachType(BPF_TRACE_FENTRY).attachBtfId(btfId).log(1, arena.allocate(4096)).build();
    }

    /**
     * The vmlinux BTF id of a function the getppid system call runs: the first symbol of
     * kallsyms named like its handler ({@code __do_sys_getppid}, {@code __x64_sys_getppid},
     * {@code __arm64_sys_getppid}, ...) that BTF describes, whatever the architecture calls it.
     */
    private static int getppidBtfId() {
        Btf vmlinux = KernelBtf.vmlinux();
        List<Kallsyms.Symbol> handlers = Kallsyms.find(n -> n.matches("(__\\w+_)?sys_getppid"));
        return handlers.stream().filter(Kallsyms.Symbol::isText)
                .map(h -> vmlinux.findId(h.name(), BtfKind.FUNC)).filter(OptionalInt::isPresent)
                .mapToInt(OptionalInt::getAsInt).findFirst()
                .orElseThrow(() -> new AssertionError("none of " + handlers + " is a FUNC in vmlinux BTF"));
    }

    @Test
    void mapReferenceToAClosedDescriptorIsEbadf() {
        try (Arena arena = Arena.ofConfined()) {
            ProgLoadResult r = load(arena, SOCKET_FILTER, Insns.countInto(1 << 20), "bad_map", 1);
            assertEquals(Errno.EBADF, r.errno(), r.log());
        }
    }

    /**
     * A raw tracepoint link counts system calls; the cookie it is opened with (Linux 6.10) is
     * refused with a clear message before that, and shows in the link's info only where the
     * kernel's {@code bpf_link_info} has a raw tracepoint cookie (after 6.12).
     */
    @TestFactory
    Stream<DynamicTest> rawTracepointProgramCountsSyscalls() {
        KernelProbes.Probe cookie = KernelProbes.rawTracepointCookie();
        KernelProbes.Probe inInfo = KernelProbes.rawTracepointCookieInLinkInfo();
        return Stream.of(
                KernelProbes.branch("a raw tracepoint link with a cookie counts syscalls", cookie,
                        () -> rawTracepointCounts(0xc00c1eL, inInfo.present() ? 0xc00c1eL : 0), () -> {
                            try (Arena arena = Arena.ofConfined();
                                    Fd prog = loadOk(arena, RAW_TRACEPOINT, Insns.returning(0), "count_enter")) {
                                KernelException e = assertThrows(KernelException.class,
                                        () -> Bpf.rawTracepointOpen("sys_enter", prog, 0xc00c1eL));
                                assertEquals("EINVAL", e.errnoName());
                                assertTrue(e.getMessage().contains("raw tracepoint cookies need Linux 6.10"),
                                        e.getMessage());
                            }
                            rawTracepointCounts(0, 0);
                        }),
                KernelProbes.branch("the link info reports the raw tracepoint's cookie", inInfo,
                        () -> assertEquals(0xc00c1eL, rawTracepointLinkCookie(0xc00c1eL)),
                        () -> assertEquals(0L, rawTracepointLinkCookie(cookie.present() ? 0xc00c1eL : 0),
                                "no cookie field in the kernel's link info: bpfkit reads 0")));
    }

    private static long rawTracepointLinkCookie(long cookie) {
        try (Arena arena = Arena.ofConfined();
                Fd prog = loadOk(arena, RAW_TRACEPOINT, Insns.returning(0), "cookie");
                Fd link = Bpf.rawTracepointOpen("sys_enter", prog, cookie)) {
            return Bpf.linkInfo(link).cookie();
        }
    }

    private static void rawTracepointCounts(long cookie, long cookieInInfo) {
        try (Arena arena = Arena.ofConfined(); Fd map = counterMap("rawtp_count");
                Fd prog = loadOk(arena, RAW_TRACEPOINT, Insns.countInto(map.get()), "count_enter")) {
            assertArrayEquals(new int[] {Bpf.mapInfo(map).id()}, Bpf.progMapIds(prog));
            try (Fd link = Bpf.rawTracepointOpen("sys_enter", prog, cookie)) {
                for (int i = 0; i < 100; i++) {
                    Syscalls.getpid();
                }
                assertTrue(counterValue(map) >= 100, "count " + counterValue(map));
                LinkInfo info = Bpf.linkInfo(link);
                assertEquals(LINK_TYPE_RAW_TRACEPOINT, info.type());
                assertEquals("sys_enter", info.tpName());
                assertEquals(cookieInInfo, info.cookie());
                assertEquals(Bpf.progInfo(prog).id(), info.progId());
                boolean listed = false;
                for (int id = Bpf.linkGetNextId(0); id != 0; id = Bpf.linkGetNextId(id)) {
                    listed |= id == info.id();
                }
                assertTrue(listed);
                try (Fd again = Bpf.linkGetFdById(info.id())) {
                    assertEquals(info, Bpf.linkInfo(again));
                }
            }
            KernelException e = assertThrows(KernelException.class,
                    () -> Bpf.rawTracepointOpen("no_such_tracepoint_bpfkit", prog, 0));
            assertEquals("ENOENT", e.errnoName());
            assertTrue(e.getMessage().contains("no raw tracepoint 'no_such_tracepoint_bpfkit'"), e.getMessage());
        }
    }

    @Test
    void perfEventLinkRunsOnSamples() {
        try (Arena arena = Arena.ofConfined(); Fd map = counterMap("perf_count");
                Fd prog = loadOk(arena, PERF_EVENT, Insns.countInto(map.get()), "on_sample");
                Fd event = PerfEvents.open(new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                        .config(Perf.PERF_COUNT_SW_TASK_CLOCK).samplePeriod(100_000), 0, -1, null,
                        Perf.PERF_FLAG_FD_CLOEXEC, "task-clock");
                Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), event.get(), BPF_PERF_EVENT, 0,
                        new LinkCreateAttr.PerfEvent(5L), "on_sample"))) {
            assertEquals("link fd " + link.get() + " (on_sample)", link.toString());
            long end = System.nanoTime() + 2_000_000_000L;
            long x = 0;
            while (counterValue(map) == 0 && System.nanoTime() < end) {
                for (int i = 0; i < 1_000_000; i++) {
                    x += i ^ (x >>> 3);
                }
            }
            assertTrue(counterValue(map) > 0, "no samples (" + x + ")");
            assertEquals(LINK_TYPE_PERF_EVENT, Bpf.linkInfo(link).type());
        }
    }

    @Test
    void cgroupLinkCreateUpdateDetachAndLegacyAttach() throws IOException {
        Path cgroup2 = cgroup2Root();
        Path dir = cgroup2.resolve("bpfkit-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectory(dir);
        try (Arena arena = Arena.ofConfined();
                Fd cg = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0, "cgroup");
                Fd allow = Bpf.progLoad(ProgLoadAttr.builder(CGROUP_SKB, Insns.returning(1).toSegment(arena))
                        .license("GPL").name("allow").expectedAttachType(BPF_CGROUP_INET_EGRESS).build()).orThrow();
                Fd allow2 = Bpf.progLoad(ProgLoadAttr.builder(CGROUP_SKB, Insns.returning(1).toSegment(arena))
                        .license("GPL").name("allow2").expectedAttachType(BPF_CGROUP_INET_EGRESS).build())
                        .orThrow()) {
            int id1 = Bpf.progInfo(allow).id();
            int id2 = Bpf.progInfo(allow2).id();
            try (Fd link = Bpf.linkCreate(new LinkCreateAttr(allow.get(), cg.get(), BPF_CGROUP_INET_EGRESS, 0,
                    null, "allow"))) {
                assertEquals(LINK_TYPE_CGROUP, Bpf.linkInfo(link).type());
                QueryResult q = Bpf.progQuery(cg.get(), BPF_CGROUP_INET_EGRESS, 0, 8);
                assertArrayEquals(new int[] {id1}, q.progIds());
                assertEquals(1, q.count());

                Bpf.linkUpdate(link, allow2, null, 0);
                assertEquals(id2, Bpf.linkInfo(link).progId());
                KernelException wrongOld = assertThrows(KernelException.class,
                        () -> Bpf.linkUpdate(link, allow, allow, BpfFlags.BPF_F_REPLACE));
                assertEquals("EPERM", wrongOld.errnoName());

                // not an iterator link
                KernelException notIter = assertThrows(KernelException.class, () -> Bpf.iterCreate(link));
                assertTrue(notIter.getMessage().startsWith("BPF_ITER_CREATE of link 'allow' failed"),
                        notIter.getMessage());

                Bpf.linkDetach(link);
                assertEquals(0, Bpf.progQuery(cg.get(), BPF_CGROUP_INET_EGRESS, 0, 8).count());
            }

            // legacy attach, query, detach
            Bpf.progAttach(cg.get(), allow, BPF_CGROUP_INET_EGRESS, BpfFlags.BPF_F_ALLOW_MULTI);
            Bpf.progAttach(cg.get(), allow2, BPF_CGROUP_INET_EGRESS, BpfFlags.BPF_F_ALLOW_MULTI);
            QueryResult q = Bpf.progQuery(cg.get(), BPF_CGROUP_INET_EGRESS, 0, 8);
            assertEquals(BpfFlags.BPF_F_ALLOW_MULTI, q.attachFlags());
            assertArrayEquals(new int[] {id1, id2}, q.progIds());
            QueryResult countOnly = Bpf.progQuery(cg.get(), BPF_CGROUP_INET_EGRESS, 0, 0);
            assertEquals(2, countOnly.count());
            assertEquals(0, countOnly.progIds().length);
            Bpf.progDetach(cg.get(), allow, BPF_CGROUP_INET_EGRESS);
            Bpf.progDetach(cg.get(), allow2, BPF_CGROUP_INET_EGRESS);
            assertEquals(0, Bpf.progQuery(cg.get(), BPF_CGROUP_INET_EGRESS, 0, 8).count());
            KernelException none = assertThrows(KernelException.class,
                    () -> Bpf.progDetach(cg.get(), allow, BPF_CGROUP_INET_EGRESS));
            assertEquals("ENOENT", none.errnoName());
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @TestFactory
    DynamicTest tcxLinkOnLoopbackWithRevision() {
        return KernelProbes.branch("a tcx link on lo with an expected revision", KernelProbes.tcx(),
                BpfProgTest::tcxLinkOnLoopback, () -> {
                    try (Arena arena = Arena.ofConfined(); Fd prog = tcxProgram(arena)) {
                        KernelException e = assertThrows(KernelException.class, () -> Bpf.linkCreate(
                                new LinkCreateAttr(prog.get(), 1, BPF_TCX_INGRESS, 0, null, "tcx_next")));
                        assertEquals("EINVAL", e.errnoName());
                        assertTrue(e.getMessage().startsWith("BPF_LINK_CREATE"), e.getMessage());
                    }
                });
    }

    private static Fd tcxProgram(Arena arena) {
        return Bpf.progLoad(ProgLoadAttr.builder(SCHED_CLS, Insns.returning(-1).toSegment(arena)) // TCX_NEXT
                .license("GPL").name("tcx_next").expectedAttachType(BPF_TCX_INGRESS).build()).orThrow();
    }

    private static void tcxLinkOnLoopback() {
        int lo = 1; // the loopback device is ifindex 1
        try (Arena arena = Arena.ofConfined(); Fd prog = tcxProgram(arena)) {
            long before = Bpf.progQuery(lo, BPF_TCX_INGRESS, 0, 0).revision();
            try (Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), lo, BPF_TCX_INGRESS, 0,
                    new LinkCreateAttr.Relative(0, before), "tcx_next"))) {
                assertEquals(LINK_TYPE_TCX, Bpf.linkInfo(link).type());
                QueryResult q = Bpf.progQuery(lo, BPF_TCX_INGRESS, 0, 8);
                assertTrue(Arrays.stream(q.progIds()).anyMatch(id -> id == Bpf.progInfo(prog).id()), q.toString());
                assertTrue(q.revision() > before);
                // a stale expected revision is refused
                KernelException stale = assertThrows(KernelException.class, () -> Bpf.linkCreate(
                        new LinkCreateAttr(prog.get(), lo, BPF_TCX_INGRESS, 0, new LinkCreateAttr.Relative(0, before),
                                "tcx_stale")));
                assertEquals("ESTALE", stale.errnoName());
                assertTrue(stale.getMessage().contains("revision"), stale.getMessage());
            }
        }
    }

    @TestFactory
    DynamicTest netfilterLink() {
        return KernelProbes.branch("a netfilter link accepting on IPv4 local out", KernelProbes.netfilter(),
                BpfProgTest::netfilterLinkAccepts, () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(NETFILTER, Insns.returning(1)
                                .toSegment(arena)).license("GPL").name("nf_accept").expectedAttachType(BPF_NETFILTER)
                                .build());
                        assertFalse(r.ok());
                        assertEquals(Errno.EINVAL, r.errno());
                        assertTrue(r.exception().getMessage().startsWith("BPF_PROG_LOAD of program 'nf_accept' "
                                + "failed: EINVAL"), r.exception().getMessage());
                    }
                });
    }

    private static void netfilterLinkAccepts() {
        try (Arena arena = Arena.ofConfined();
                Fd prog = Bpf.progLoad(ProgLoadAttr.builder(NETFILTER, Insns.returning(1).toSegment(arena)) // NF_ACCEPT
                        .license("GPL").name("nf_accept").expectedAttachType(BPF_NETFILTER).build()).orThrow();
                Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), 0, BPF_NETFILTER, 0,
                        new LinkCreateAttr.Netfilter(2 /* NFPROTO_IPV4 */, 3 /* NF_INET_LOCAL_OUT */, 1, 0),
                        "nf_accept"))) {
            assertEquals(LINK_TYPE_NETFILTER, Bpf.linkInfo(link).type());
        }
    }

    @TestFactory
    DynamicTest uprobeMultiCountsLibcCalls() {
        return KernelProbes.branch("a uprobe.multi link on libc's getpid counts calls", KernelProbes.uprobeMulti(),
                BpfProgTest::uprobeMultiCounts, () -> {
                    try (Arena arena = Arena.ofConfined();
                            Fd prog = Bpf.progLoad(ProgLoadAttr.builder(KPROBE, Insns.returning(0).toSegment(arena))
                                    .license("GPL").name("on_getpid").expectedAttachType(BPF_TRACE_UPROBE_MULTI)
                                    .build()).orThrow()) {
                        MemorySegment offsets = arena.allocate(JAVA_LONG, 1);
                        offsets.set(JAVA_LONG, 0, libcGetpid().offset());
                        KernelException e = assertThrows(KernelException.class, () -> Bpf.linkCreate(
                                new LinkCreateAttr(prog.get(), 0, BPF_TRACE_UPROBE_MULTI, 0,
                                        new LinkCreateAttr.UprobeMulti(libcGetpid().path(), offsets, null, null, 1, 0,
                                                0), "on_getpid")));
                        assertTrue(e.errnoName().equals("EINVAL") || e.errnoName().equals("EOPNOTSUPP"),
                                e.getMessage());
                    }
                });
    }

    /** Where libc's getpid is: its file, and its offset in the file. */
    record FileOffset(String path, long offset) {
    }

    private static FileOffset libcGetpid() throws IOException {
        // getpid's file offset in libc: its address minus the start of its mapping, plus the mapping's offset
        long addr = java.lang.foreign.Linker.nativeLinker().defaultLookup().find("getpid").orElseThrow().address();
        String path = null;
        long offset = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+");
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (addr >= start && addr < end && f.length >= 6) {
                path = f[5];
                offset = addr - start + Long.parseUnsignedLong(f[2], 16);
            }
        }
        assertNotNull(path, "getpid is not in a file mapping");
        return new FileOffset(path, offset);
    }

    private static void uprobeMultiCounts() throws IOException {
        FileOffset getpid = libcGetpid();
        String path = getpid.path();
        long offset = getpid.offset();
        int pid = (int) ProcessHandle.current().pid();
        try (Arena arena = Arena.ofConfined(); Fd map = counterMap("uprobe_count");
                Fd prog = Bpf.progLoad(ProgLoadAttr.builder(KPROBE, Insns.countInto(map.get()).toSegment(arena))
                        .license("GPL").name("on_getpid").expectedAttachType(BPF_TRACE_UPROBE_MULTI).build())
                        .orThrow()) {
            MemorySegment offsets = arena.allocate(JAVA_LONG, 1);
            offsets.set(JAVA_LONG, 0, offset);
            MemorySegment cookies = arena.allocate(JAVA_LONG, 1);
            cookies.set(JAVA_LONG, 0, 99);
            try (Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), 0, BPF_TRACE_UPROBE_MULTI, 0,
                    new LinkCreateAttr.UprobeMulti(path, offsets, null, cookies, 1, 0, pid), "on_getpid"))) {
                assertEquals(LINK_TYPE_UPROBE_MULTI, Bpf.linkInfo(link).type());
                long before = counterValue(map);
                for (int i = 0; i < 10; i++) {
                    Syscalls.getpid();
                }
                assertTrue(counterValue(map) - before >= 10, "uprobe on " + path + "+0x"
                        + Long.toHexString(offset) + " counted " + (counterValue(map) - before));
            }
        }
    }

    static Path cgroup2Root() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[2].equals("cgroup2")) {
                return Path.of(f[1]);
            }
        }
        throw new IllegalStateException("no cgroup2 file system mounted (mount -t cgroup2 none /sys/fs/cgroup)");
    }

    @Test
    void progArrayHoldsPrograms() {
        try (Arena arena = Arena.ofConfined(); Fd progs = BpfMapTest.create(BpfMapTest.PROG_ARRAY, 4, 4, 4, 0, "jmp");
                Fd prog = loadOk(arena, SOCKET_FILTER, Insns.returning(7), "tail")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(4);
            key.set(JAVA_INT, 0, 2);
            value.set(JAVA_INT, 0, prog.get());
            MapCalls.of(progs).update(key, value, BpfFlags.BPF_ANY);
            assertTrue(MapCalls.of(progs).lookup(key, value));
            assertEquals(Bpf.progInfo(prog).id(), value.get(JAVA_INT, 0));
        }
    }

    @Test
    void progBindMapAndEnableStats() {
        try (Arena arena = Arena.ofConfined(); Fd map = counterMap("bound");
                Fd prog = loadOk(arena, SOCKET_FILTER, Insns.returning(0), "stats")) {
            Bpf.progBindMap(prog, map, 0);
            assertArrayEquals(new int[] {Bpf.mapInfo(map).id()}, Bpf.progMapIds(prog));
            try (Fd stats = Bpf.enableStats(BpfFlags.BPF_STATS_RUN_TIME)) {
                assertEquals("stats", stats.kind());
                Bpf.progTestRun(prog, TestRunAttr.builder().dataIn(arena.allocate(64)).repeat(10).build());
                assertTrue(Bpf.progInfo(prog).runCnt() >= 10, Bpf.progInfo(prog).toString());
            }
        }
    }

    // ---- BTF ----

    /** A valid BTF blob with one type, {@code int}. */
    static MemorySegment intBtf(Arena arena, int nameOff) {
        byte[] strings = "\0int\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int typeLen = 16;
        MemorySegment b = arena.allocate(24 + typeLen + strings.length, 4);
        b.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 0xeB9F);
        b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 1); // version
        b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0); // flags
        b.set(JAVA_INT, 4, 24); // hdr_len
        b.set(JAVA_INT, 8, 0); // type_off
        b.set(JAVA_INT, 12, typeLen);
        b.set(JAVA_INT, 16, typeLen); // str_off
        b.set(JAVA_INT, 20, strings.length);
        b.set(JAVA_INT, 24, nameOff);
        b.set(JAVA_INT, 28, 1 << 24); // BTF_KIND_INT
        b.set(JAVA_INT, 32, 4); // size
        b.set(JAVA_INT, 36, (1 << 24) | 32); // signed, 32 bits
        MemorySegment.copy(strings, 0, b, java.lang.foreign.ValueLayout.JAVA_BYTE, 40, strings.length);
        return b;
    }

    @Test
    void btfLoadOfAValidBlob() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = intBtf(arena, 1);
            BtfLoadResult r = Bpf.btfLoad(blob, 1, arena.allocate(4096), "int.btf");
            assertTrue(r.ok(), r.log());
            try (Fd btf = r.fd()) {
                assertEquals("btf fd " + btf.get() + " (int.btf)", btf.toString());
                BtfInfo info = Bpf.btfInfo(btf);
                assertEquals(blob.byteSize(), info.btfSize());
                assertFalse(info.kernelBtf());
                assertArrayEquals(blob.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), Bpf.btfData(btf));
                try (Fd again = Bpf.btfGetFdById(info.id())) {
                    assertEquals(info, Bpf.btfInfo(again));
                }
                List<String> kernel = new java.util.ArrayList<>();
                boolean listed = false;
                for (int id = Bpf.btfGetNextId(0); id != 0; id = Bpf.btfGetNextId(id)) {
                    listed |= id == info.id();
                    if (kernel.isEmpty()) {
                        try (Fd k = Bpf.btfGetFdById(id)) {
                            BtfInfo ki = Bpf.btfInfo(k);
                            if (ki.kernelBtf()) {
                                kernel.add(ki.name());
                            }
                        }
                    }
                }
                assertTrue(listed);
                assertEquals(List.of("vmlinux"), kernel);
            }
        }
    }

    @TestFactory
    DynamicTest btfLoadOfAnInvalidBlobKeepsTheLog() {
        return KernelProbes.branch("an invalid BTF blob is refused with its log", KernelProbes.logTrueSize(),
                () -> btfLoadOfAnInvalidBlob(true), () -> btfLoadOfAnInvalidBlob(false));
    }

    private static void btfLoadOfAnInvalidBlob(boolean logTrueSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = intBtf(arena, 1000); // name offset outside the strings
            BtfLoadResult r = Bpf.btfLoad(blob, 1, arena.allocate(4096), "bad.btf");
            assertFalse(r.ok());
            assertEquals(Errno.EINVAL, r.errno());
            assertTrue(r.log().contains("Invalid name_offset"), r.log());
            assertEquals(logTrueSize ? r.log().length() + 1 : 0, r.logTrueSize());
            KernelException e = r.exception();
            assertTrue(e.getMessage().startsWith("BPF_BTF_LOAD of BTF 'bad.btf' failed: EINVAL"), e.getMessage());
            assertTrue(e.getMessage().contains("Invalid name_offset"), e.getMessage());

            BtfLoadResult quiet = Bpf.btfLoad(blob, 0, null, "bad.btf");
            assertEquals(Errno.EINVAL, quiet.errno());
            assertEquals("", quiet.log());
        }
    }

    @Test
    void progLoadWithBtfFuncInfo() {
        // BTF: int, FUNC_PROTO returning int with no args, FUNC "ret3" -> func_info for insn 0
        try (Arena arena = Arena.ofConfined()) {
            byte[] strings = "\0int\0ret3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int[] types = {
                1, 1 << 24, 4, (1 << 24) | 32, // [1] int
                0, 13 << 24, 1, // [2] FUNC_PROTO, 0 params, returns [1]
                5, (12 << 24) | 1, 2, // [3] FUNC ret3 global -> [2]
            };
            int typeLen = types.length * 4;
            MemorySegment b = arena.allocate(24 + typeLen + strings.length, 4);
            b.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 0xeB9F);
            b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 1);
            b.set(JAVA_INT, 4, 24);
            b.set(JAVA_INT, 12, typeLen);
            b.set(JAVA_INT, 16, typeLen);
            b.set(JAVA_INT, 20, strings.length);
            for (int i = 0; i < types.length; i++) {
                b.set(JAVA_INT, 24 + 4L * i, types[i]);
            }
            MemorySegment.copy(strings, 0, b, java.lang.foreign.ValueLayout.JAVA_BYTE, 24 + typeLen, strings.length);
            try (Fd btf = Bpf.btfLoad(b, 1, arena.allocate(4096), "func.btf").orThrow()) {
                MemorySegment funcInfo = arena.allocate(8);
                funcInfo.set(JAVA_INT, 0, 0); // insn_off
                funcInfo.set(JAVA_INT, 4, 3); // type_id
                ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(SOCKET_FILTER, Insns.returning(3)
                        .toSegment(arena)).license("GPL").name("ret3").progBtfFd(btf.get())
                        .funcInfo(funcInfo, 8, 1).log(1, arena.allocate(8192)).build());
                assertTrue(r.ok(), r.log());
                try (Fd prog = r.fd()) {
                    ProgInfo info = Bpf.progInfo(prog);
                    assertEquals(Bpf.btfInfo(btf).id(), info.btfId());
                    assertEquals(1, info.nrFuncInfo());
                }
            }
        }
    }

    @Test
    void progLoadAttrValidatesItsInput() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class,
                    () -> ProgLoadAttr.builder(1, arena.allocate(12)).build(), "not a multiple of 8");
            assertThrows(IllegalArgumentException.class,
                    () -> ProgLoadAttr.builder(1, MemorySegment.ofArray(new long[2])).build(), "heap");
            assertThrows(IllegalArgumentException.class,
                    () -> ProgLoadAttr.builder(1, arena.allocate(16)).attachProgFd(5).attachBtfObjFd(6).build());
            ProgLoadAttr a = ProgLoadAttr.builder(1, arena.allocate(24)).build();
            assertEquals(3, a.insnCnt());
            ProgLoadAttr withFuncs = ProgLoadAttr.builder(1, arena.allocate(24)).funcInfo(arena.allocate(16), 8, 0)
                    .build();
            assertEquals(2, withFuncs.funcInfoCnt());
            assertNotNull(a.withLog(1, arena.allocate(8)).logBuf());
            assertEquals(Arrays.asList(1, 3), Arrays.asList(a.withLog(1, arena.allocate(8)).logLevel(),
                    a.insnCnt()));
        }
    }
}
