package io.bpfkit.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** perf_event_open, ioctl, read/write, epoll, mmap and process calls against the kernel. */
@KernelTest
class BpfSyscallsTest {

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x += x ^ 0x9e3779b9L;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    @Test
    void softwareCpuClockCountsThisProcess() {
        PerfEventAttr a = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE).config(Perf.PERF_COUNT_SW_CPU_CLOCK)
                .disabled(true).readFormat(Perf.PERF_FORMAT_TOTAL_TIME_ENABLED
                        | Perf.PERF_FORMAT_TOTAL_TIME_RUNNING);
        try (Fd ev = PerfEvents.open(a, 0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, "cpu-clock")) {
            assertEquals("perf event fd " + ev.get() + " (cpu-clock)", ev.toString());
            assertEquals(0, PerfEvents.readTimed(ev).value(), "disabled");
            PerfEvents.enable(ev);
            // cpu-clock of pid 0 counts this thread's CPU time: spin until it has 5 ms (the machine may be busy)
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (PerfEvents.readTimed(ev).value() < 5_000_000L && System.nanoTime() < deadline) {
                spin(1_000_000L);
            }
            PerfEvents.disable(ev);
            PerfEvents.Count c = PerfEvents.readTimed(ev);
            assertTrue(c.value() >= 5_000_000L, "cpu-clock counted only " + c.value() + " ns");
            assertTrue(c.timeEnabled() > 0 && c.timeRunning() > 0, c.toString());
            assertEquals(c.value(), c.scaled());
            assertTrue(PerfEvents.id(ev) > 0);
            PerfEvents.reset(ev);
            assertEquals(0, PerfEvents.readTimed(ev).value(), "reset");
        }
        PerfEventAttr plain = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                .config(Perf.PERF_COUNT_SW_TASK_CLOCK);
        try (Fd ev = PerfEvents.open(plain, 0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, "task-clock")) {
            spin(5_000_000L);
            assertTrue(PerfEvents.readCount(ev) > 0);
            KernelException notty = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(ev.get(), 0x1234L, 0L, "bogus ioctl on " + ev));
            assertEquals("ENOTTY", notty.errnoName());
        }
    }

    @Test
    void hardwareEventsWorkOrFailWithAHint() {
        PerfEventAttr a = new PerfEventAttr().type(Perf.PERF_TYPE_HARDWARE).config(Perf.PERF_COUNT_HW_CPU_CYCLES);
        try (Fd ev = PerfEvents.open(a, 0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, "cycles")) {
            assertTrue(ev.get() > 2); // a machine with a PMU
        } catch (KernelException e) {
            assertTrue(e.errnoName().equals("ENOENT") || e.errnoName().equals("EOPNOTSUPP"), e.getMessage());
            assertTrue(e.getMessage().startsWith("perf_event_open of event 'cycles'"), e.getMessage());
            if (e.errnoName().equals("ENOENT")) {
                assertTrue(e.getMessage().contains("PMU"), e.getMessage());
            }
        }
        PerfEventAttr bad = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE).config(1000);
        KernelException e = assertThrows(KernelException.class,
                () -> PerfEvents.open(bad, 0, -1, null, 0, "nonsense"));
        assertTrue(e.errnoName().equals("ENOENT") || e.errnoName().equals("EINVAL"), e.getMessage());
    }

    @Test
    void epollWakesUpOnRingBufferData() {
        int page = (int) Syscalls.pageSize();
        try (Arena arena = Arena.ofConfined();
                Fd rb = BpfMapTest.create(BpfMapTest.RINGBUF, 0, 0, 4 * page, 0, "events");
                Fd prog = BpfProgTest.loadOk(arena, BpfProgTest.RAW_TRACEPOINT, Insns.ringbufOutput(rb.get()),
                        "emit");
                Fd ep = Syscalls.epollCreate(Syscalls.EPOLL_CLOEXEC)) {
            Syscalls.epollCtl(ep, Syscalls.EPOLL_CTL_ADD, rb.get(), Syscalls.EPOLLIN, 0xfeedL);
            MemorySegment events = arena.allocate(Syscalls.EPOLL_EVENT, 4);
            assertEquals(0, Syscalls.epollWait(ep, events, 0), "nothing written yet");
            try (Fd link = Bpf.rawTracepointOpen("sys_enter", prog, 0)) {
                assertEquals("link", link.kind());
                Syscalls.getpid();
                int n = Syscalls.epollWait(ep, events, 5_000);
                assertEquals(1, n);
                assertTrue((Syscalls.epollEvents(events, 0) & Syscalls.EPOLLIN) != 0);
                assertEquals(0xfeedL, Syscalls.epollData(events, 0));
            }
            // the producer position page is readable by mmap
            MemorySegment consumer = Syscalls.mmap(rb.get(), page, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, 0, arena, "mmap of consumer page");
            MemorySegment producer = Syscalls.mmap(rb.get(), page, Syscalls.PROT_READ, Syscalls.MAP_SHARED, page,
                    arena, "mmap of producer page");
            assertEquals(0L, consumer.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            assertTrue(producer.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) > 0);
            Syscalls.epollCtl(ep, Syscalls.EPOLL_CTL_DEL, rb.get(), 0, 0);
        }
    }

    @Test
    void openReadWrite() {
        try (Arena arena = Arena.ofConfined();
                Fd comm = Syscalls.open("/proc/self/comm", Syscalls.O_RDONLY, 0, "file");
                Fd devNull = Syscalls.open("/dev/null", Syscalls.O_WRONLY, 0, "file")) {
            MemorySegment buf = arena.allocate(64);
            long n = Syscalls.read(comm.get(), buf, "read of " + comm);
            assertTrue(n > 1);
            String name = new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
            assertTrue(name.endsWith("\n"), name);
            assertEquals(n, Syscalls.write(devNull.get(), buf.asSlice(0, n), "write to /dev/null"));
        }
        KernelException e = assertThrows(KernelException.class,
                () -> Syscalls.open("/no/such/bpfkit/file", Syscalls.O_RDONLY, 0, "file"));
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open of /no/such/bpfkit/file", e.operation());
    }

    @Test
    void processCallsAndLimits() {
        assertEquals(ProcessHandle.current().pid(), Syscalls.getpid());
        int tid = Syscalls.gettid();
        assertTrue(tid > 0);
        int[] other = new int[1];
        Thread t = Thread.ofPlatform().start(() -> other[0] = Syscalls.gettid());
        try {
            t.join();
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
        assertNotEquals(tid, other[0]);
        Syscalls.Rlimit nofile = Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE);
        assertTrue(nofile.soft() > 0);
        assertTrue(nofile.hard() == Syscalls.RLIM_INFINITY || Long.compareUnsigned(nofile.soft(), nofile.hard()) <= 0);
        Syscalls.setrlimit(Syscalls.RLIMIT_NOFILE, nofile);
        assertEquals(nofile, Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE));
        Syscalls.Rlimit memlock = Syscalls.getrlimit(Syscalls.RLIMIT_MEMLOCK);
        assertTrue(memlock.soft() != 0, memlock.toString());
    }

    @Test
    void mmapOfAnonymousMemoryIsUnmappedWithItsArena() {
        long size = Syscalls.pageSize() * 2;
        MemorySegment kept;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = Syscalls.mmap(MemorySegment.NULL, size, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_PRIVATE | Syscalls.MAP_ANONYMOUS, -1, 0, arena, "anonymous mmap");
            assertEquals(size, m.byteSize());
            m.set(JAVA_BYTE, size - 1, (byte) 7);
            assertEquals(7, m.get(JAVA_BYTE, size - 1));
            kept = m;
        }
        assertThrows(IllegalStateException.class, () -> kept.get(JAVA_BYTE, 0), "arena closed");
        try (Arena arena = Arena.ofConfined()) {
            KernelException e = assertThrows(KernelException.class, () -> Syscalls.mmap(MemorySegment.NULL, 4096,
                    Syscalls.PROT_READ, Syscalls.MAP_SHARED, 1 << 20, 0, arena, "mmap of a closed fd"));
            assertEquals("EBADF", e.errnoName());
        }
    }
}
