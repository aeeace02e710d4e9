package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * vmlinux_task.bpf.c, compiled by the build against the vmlinux.h bpfkit generated, loaded
 * and run in this thread (BPF_PROG_TEST_RUN of a raw_tp program runs in the caller): what it
 * read from {@code current} is this thread and process; the sizes and offsets it compiled in
 * from the header are those of the BTF the header was made from (the build machine's kernel,
 * kept beside the header as vmlinux.btf), and those its CO-RE relocations gave are the running
 * kernel's. On the build machine the two are the same kernel; on another (scripts/kernels) the
 * object still reads this thread right, which is what CO-RE is for. Loaded once by libbpf
 * (bpftool prog loadall, which applies the CO-RE relocations every vmlinux.h field access
 * makes) and once by bpfkit.
 */
@KernelTest
class VmlinuxHeaderKernelTest {
    private static final String OBJECT = "vmlinux_task.bpf.o";
    private static final String PROGRAM = "vmlinux_task";

    /** struct vmlinux_result, as the fixture declares it. */
    record Result(int pid, int tgid, int ppid, int hits, String comm, long taskSizeHeader, long pidOffsetHeader,
            long taskSizeCore, long pidOffsetCore) {
        static Result of(MemorySegment v) {
            byte[] comm = v.asSlice(16, 16).toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < comm.length && comm[len] != 0) {
                len++;
            }
            return new Result(v.get(ValueLayout.JAVA_INT, 0), v.get(ValueLayout.JAVA_INT, 4),
                    v.get(ValueLayout.JAVA_INT, 8), v.get(ValueLayout.JAVA_INT, 12),
                    new String(comm, 0, len, StandardCharsets.UTF_8), v.get(ValueLayout.JAVA_LONG, 32),
                    v.get(ValueLayout.JAVA_LONG, 40), v.get(ValueLayout.JAVA_LONG, 48), v.get(ValueLayout.JAVA_LONG, 56));
        }
    }

    @Test
    void loadedByLibbpfItSeesThisThreadThroughTheKernelsLayouts() throws Exception {
        Path bpftool = TestTools.requireBpftool();
        Path pins = Path.of("/sys/fs/bpf/bpfkit-vmlinux-h-" + ProcessHandle.current().pid());
        Path progs = pins.resolve("progs");
        Path maps = pins.resolve("maps");
        Files.createDirectories(pins);
        try {
            Tools.Result load = Tools.run(60, bpftool.toString(), "prog", "loadall", TestObjects.path(OBJECT).toString(),
                    progs.toString(), "pinmaps", maps.toString());
            assertEquals(0, load.exitCode(), "libbpf refused the object built against our vmlinux.h:\n" + load.stderr());
            Path bss;
            try (Stream<Path> s = Files.list(maps)) {
                bss = s.filter(p -> p.getFileName().toString().endsWith("bss")).findFirst().orElseThrow();
            }
            try (Fd prog = Bpf.objGet(progs.resolve(PROGRAM).toString(), 0, "program");
                    Fd map = Bpf.objGet(bss.toString(), 0, "map")) {
                assertEquals(0, Bpf.progTestRun(prog, TestRunAttr.NONE).retval());
                assertIsThisThread(read(map), 1);
            }
        } finally {
            removeAll(pins);
        }
    }

    @Test
    void loadedByBpfkitItSeesThisThreadThroughTheKernelsLayouts() throws Exception {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path(OBJECT));
        try (LoadedObject obj = BpfLoader.load(spec)) {
            OwnedFd prog = obj.program(PROGRAM).orElseThrow().fd();
            String bss = spec.dataMap(".bss").orElseThrow().name();
            assertEquals(0, Bpf.progTestRun(prog, TestRunAttr.NONE).retval());
            assertEquals(0, Bpf.progTestRun(prog, TestRunAttr.NONE).retval());
            assertIsThisThread(read(obj.map(bss).orElseThrow().fd()), 2);
        }
    }

    private static Result read(OwnedFd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(64);
            assertTrue(MapCalls.of(map).lookup(key, value), ".bss element 0");
            return Result.of(value);
        }
    }

    /** The BTF the build made vmlinux.h from (scripts/build-bpf.sh keeps a copy beside it). */
    private static Btf headerSource() throws IOException {
        String dir = System.getProperty("bpfkit.generatedBpfInclude");
        assertTrue(dir != null, "the build sets bpfkit.generatedBpfInclude");
        Path btf = Path.of(dir, "vmlinux.btf");
        assertTrue(Files.isRegularFile(btf), btf + ": the BTF vmlinux.h was made from");
        return BtfFiles.read(btf);
    }

    private static BtfType.Struct taskStruct(Btf btf) {
        return (BtfType.Struct) btf.find("task_struct", BtfKind.STRUCT).orElseThrow();
    }

    private static long pidOffset(BtfType.Struct task) {
        return task.members().stream().filter(m -> m.name().equals("pid")).findFirst().orElseThrow().bitOffset() / 8;
    }

    private static void assertIsThisThread(Result r, int hits) throws IOException {
        int tid = Syscalls.gettid();
        BtfType.Struct task = taskStruct(KernelBtf.vmlinux());
        BtfType.Struct headerTask = taskStruct(headerSource());
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        String comm = Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();

        assertEquals(tid, r.pid(), "current->pid is this thread");
        assertEquals(ProcessHandle.current().pid(), r.tgid(), "current->tgid is this process");
        parent.ifPresent(p -> assertEquals(p.pid(), r.ppid(), "current->real_parent->tgid is the parent process"));
        assertEquals(comm, r.comm(), "current->comm is this thread's name");
        assertEquals(hits, r.hits());
        assertEquals(headerTask.size(), r.taskSizeHeader(),
                "sizeof(struct task_struct) in vmlinux.h, as in the BTF it was made from");
        assertEquals(pidOffset(headerTask), r.pidOffsetHeader(),
                "offsetof(struct task_struct, pid) in vmlinux.h, as in the BTF it was made from");
        assertEquals(task.size(), r.taskSizeCore(), "bpf_core_type_size(struct task_struct), the running kernel's");
        assertEquals(pidOffset(task), r.pidOffsetCore(),
                "bpf_core_field_offset(struct task_struct, pid), the running kernel's");
    }

    private static void removeAll(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
