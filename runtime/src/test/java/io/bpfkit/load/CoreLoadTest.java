package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.VerifierException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * CO-RE against the running kernel: core.bpf.c reads the current task through relocated
 * offsets, and what it read is compared with what Java knows about this process and with the
 * kernel's BTF. Also: a reachable unsatisfiable relocation gives a verifier error naming it.
 */
@KernelTest
class CoreLoadTest {
    private static final Path TRACING = Path.of("/sys/kernel/tracing/events");

    /** Attaches a tracepoint program to this thread's events (perf_event_open pid 0 + SET_BPF). */
    static Fd attachTracepoint(LoadedObject obj, String program, String category, String event) throws IOException {
        long id = Long.parseLong(Files.readString(TRACING.resolve(category).resolve(event).resolve("id")).strip());
        Fd ev = PerfEvents.open(new PerfEventAttr().type(Perf.PERF_TYPE_TRACEPOINT).config(id).samplePeriod(1),
                0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, category + ":" + event);
        PerfEvents.setBpf(ev, obj.program(program).orElseThrow().fd());
        PerfEvents.enable(ev);
        return ev;
    }

    /** Opens an object whose .rodata target_tgid limits it to this process. */
    static BpfObjectSpec openForThisProcess(String object) {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(object));
        spec.dataMap(".rodata").orElseThrow().setVariable("target_tgid", ByteBuffer.allocate(4)
                .order(ByteOrder.nativeOrder()).putInt((int) ProcessHandle.current().pid()).array());
        return spec;
    }

    static byte[] bss(LoadedObject obj, String map) {
        try (Arena arena = Arena.ofConfined()) {
            return LoaderTest.value(obj, map, 0, arena).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        b.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    @Test
    void coreReadsOfTheCurrentTaskMatchTheProcess() throws IOException {
        BpfObjectSpec spec = openForThisProcess("core.bpf.o");
        int tgid = (int) ProcessHandle.current().pid();
        spec.program("core_exec").orElseThrow().autoload(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            int tid;
            Fd ev = attachTracepoint(obj, "core_getpid", "syscalls", "sys_enter_getpid");
            try {
                tid = Syscalls.gettid();
                assertEquals(tgid, Syscalls.getpid());
            } finally {
                ev.close();
            }
            ByteBuffer out = ByteBuffer.wrap(bss(obj, "core.bss")).order(ByteOrder.nativeOrder());
            int base = (int) LoaderTest.offset(obj, "core.bss", "out");
            Btf vmlinux = KernelBtf.vmlinux();
            int task = vmlinux.findId("task_struct", BtfKind.STRUCT).orElseThrow();
            String comm = Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
            assertEquals(tid, out.getInt(base), "pid");
            assertEquals(tgid, out.getInt(base + 4), "tgid");
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), out.getInt(base + 8), "ppid");
            assertEquals(comm, cString(out, base + 12, 16), "comm");
            // struct core_result's layout: u32s from offset 28, state (u64) at 48, sid_value at 96.
            assertEquals(1, out.getInt(base + 28), "pid_exists");
            assertEquals(0, out.getInt(base + 32), "fake_exists");
            assertEquals(0, out.getInt(base + 36), "fake_value");
            assertEquals(0, out.getInt(base + 40), "state_v0_exists");
            assertEquals(1, out.getInt(base + 44), "state_v1_exists");
            assertEquals(0, out.getLong(base + 48), "state: running");
            assertEquals(4, out.getInt(base + 56), "pid_size");
            assertEquals(16, out.getInt(base + 60), "comm_size");
            long pidOffset = ((io.bpfkit.btf.BtfType.Struct) vmlinux.type(task)).members().stream()
                    .filter(m -> m.name().equals("pid")).findFirst().orElseThrow().bitOffset() / 8;
            assertEquals(pidOffset, out.getInt(base + 64), "pid_offset");
            assertEquals(1, out.getInt(base + 68), "task_exists");
            assertEquals(0, out.getInt(base + 72), "fake_type_exists");
            assertEquals(vmlinux.resolveSize(task), out.getInt(base + 76), "task_size");
            assertEquals(1, out.getInt(base + 80), "task_matches");
            assertEquals(task, out.getInt(base + 84), "task_btf_id");
            assertEquals(1, out.getInt(base + 88), "sid_exists");
            assertEquals(0, out.getInt(base + 92), "fake_enum_exists");
            assertEquals(3, out.getLong(base + 96), "sid_value");
            assertEquals(4, out.getLong(base + 104), "max_value");
            assertEquals(0, out.getLong(base + 112), "in_execve");
            assertTrue(out.getLong(base + 120) >= 1, "hits");
        }
    }

    @TestFactory
    DynamicTest aCoreHeavyObjectReadsTheProcessThroughManyRelocations() {
        // se.deadline, se.min_vruntime and se.slice came with the EEVDF scheduler (6.6); the
        // object reads them behind bpf_core_field_exists, so it loads on older kernels too.
        return KernelProbes.branch("core_heavy.bpf.o on this kernel's task_struct",
                KernelProbes.kernelBtfMember("sched_entity", "deadline"),
                () -> coreHeavyReadsTheProcess(true), () -> coreHeavyReadsTheProcess(false));
    }

    private static void coreHeavyReadsTheProcess(boolean eevdf) throws IOException {
        BpfObjectSpec spec = openForThisProcess("core_heavy.bpf.o");
        assertEquals(165, spec.program("heavy_getpid").orElseThrow().extInfo().coreRelocations().size());
        int tgid = (int) ProcessHandle.current().pid();
        try (LoadedObject obj = BpfLoader.load(spec)) {
            int tid;
            Fd ev = attachTracepoint(obj, "heavy_getpid", "syscalls", "sys_enter_getpid");
            try {
                tid = Syscalls.gettid();
                Syscalls.getpid();
            } finally {
                ev.close();
            }
            // The map's name is the object name cut to fit the kernel's 15 characters, then ".bss".
            String bssMap = obj.maps().values().stream().filter(m -> m.spec().section().equals(".bss")).findFirst()
                    .orElseThrow().name();
            ByteBuffer out = ByteBuffer.wrap(bss(obj, bssMap)).order(ByteOrder.nativeOrder());
            int base = (int) LoaderTest.offset(obj, bssMap, "heavy");
            String status = Files.readString(Path.of("/proc/self/status"));
            int uid = Integer.parseInt(statusField(status, "Uid").split("\\s+")[0]);
            int level = statusField(status, "NSpid").split("\\s+").length - 1;
            assertEquals(tid, out.getInt(base), "pid");
            assertEquals(tgid, out.getInt(base + 4), "tgid");
            assertEquals(uid, out.getInt(base + 8), "uid");
            assertEquals(level, out.getInt(base + 12), "pid namespace level");
            assertTrue(out.getInt(base + 16) > 1, "nr_threads of a JVM");
            assertEquals(0, out.getInt(base + 20), "fields the kernel lacks read nothing");
            assertEquals(16, out.getLong(base + 24 + 150 * 8), "sizeof comm");
            assertEquals(KernelBtf.vmlinux().resolveSize(KernelBtf.vmlinux().findId("task_struct", BtfKind.STRUCT)
                    .orElseThrow()), out.getLong(base + 24 + 152 * 8), "sizeof task_struct");
            assertEquals(1, out.getLong(base + 24 + 155 * 8), "mm->brk exists");
            assertTrue(out.getLong(base + 24 + 123 * 8) > 0, "se.sum_exec_runtime of a running thread");
            if (eevdf) {
                // an EEVDF entity's deadline is its vruntime plus its slice: past 0 once it ran
                assertTrue(out.getLong(base + 24 + 120 * 8) > 0, "se.deadline read");
                assertTrue(out.getLong(base + 24 + 126 * 8) > 0, "se.slice read");
            } else {
                assertEquals(0, out.getLong(base + 24 + 120 * 8), "se.deadline, absent, not read");
                assertEquals(0, out.getLong(base + 24 + 121 * 8), "se.min_vruntime, absent, not read");
                assertEquals(0, out.getLong(base + 24 + 126 * 8), "se.slice, absent, not read");
            }
        }
    }

    private static String statusField(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        throw new AssertionError(name + " not in /proc/self/status");
    }

    @Test
    void theExecBitfieldIsSetWhileExecing() throws Exception {
        BpfObjectSpec spec = openForThisProcess("core.bpf.o");
        int tgid = (int) ProcessHandle.current().pid();
        spec.program("core_getpid").orElseThrow().autoload(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            long id = Long.parseLong(Files.readString(TRACING.resolve("sched/sched_process_exec/id")).strip());
            // A tracepoint takes a program once: one event, on CPU 0, and the exec pinned there.
            java.util.List<Fd> events = new java.util.ArrayList<>();
            try {
                Fd ev = PerfEvents.open(new PerfEventAttr().type(Perf.PERF_TYPE_TRACEPOINT).config(id)
                        .samplePeriod(1), -1, 0, null, Perf.PERF_FLAG_FD_CLOEXEC, "sched:sched_process_exec");
                events.add(ev);
                PerfEvents.setBpf(ev, obj.program("core_exec").orElseThrow().fd());
                PerfEvents.enable(ev);
                Process child = new ProcessBuilder("taskset", "-c", "0", "/bin/true").start();
                assertEquals(0, child.waitFor());
                ByteBuffer out = ByteBuffer.wrap(bss(obj, "core.bss")).order(ByteOrder.nativeOrder());
                int base = (int) LoaderTest.offset(obj, "core.bss", "exec_out");
                assertEquals(child.pid(), out.getInt(base), "pid");
                assertEquals(tgid, out.getInt(base + 4), "ppid");
                assertEquals("true", cString(out, base + 8, 16), "comm");
                assertEquals(1, out.getLong(base + 24), "in_execve");
                assertTrue(out.getLong(base + 32) >= 1, "hits");
            } finally {
                events.forEach(Fd::close);
            }
        }
    }

    @Test
    void aReachablePoisonedRelocationNamesTheRelocationAndLine() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("core_poison.bpf.o"));
        VerifierException e = assertThrows(VerifierException.class, () -> BpfLoader.load(spec));
        assertTrue(e.log().contains("unknown#195896080"), e.log());
        assertNotNull(e.sourceLine());
        assertTrue(e.sourceLine().contains("core_poison.bpf.c"), e.sourceLine());
        LoadException cause = assertInstanceOf(LoadException.class, e.getCause());
        assertTrue(cause.getMessage().contains("bpfkit_no_such_field"), cause.getMessage());
        assertTrue(cause.getMessage().contains("CO-RE relocation #"), cause.getMessage());
    }

    @Test
    void aCallerSuppliedTargetBtfReplacesTheKernels(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // The running kernel's own BTF as a file: the same result as without it.
        Path copy = tmp.resolve("vmlinux.btf");
        Files.write(copy, Files.readAllBytes(KernelBtf.VMLINUX));
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("core.bpf.o"));
        try (LoadedObject obj = BpfLoader.load(spec, LoadOptions.defaults().withTargetBtf(copy))) {
            assertEquals(2, obj.programs().size());
        }
        Path missing = tmp.resolve("none.btf");
        assertThrows(io.bpfkit.api.BpfException.class,
                () -> BpfLoader.load(spec, LoadOptions.defaults().withTargetBtf(missing)));
    }

}
