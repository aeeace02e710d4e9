package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Libc;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kprobe family on a kernel function and a system call, where the kernel has kprobes (each
 * program sees the arguments and results of this process's own unlinkat calls, and stops when
 * detached) and where it has not (a clear {@link UnsupportedFeatureException} at attach; the
 * programs load, the kprobe program type exists either way). The kernel decides the branch:
 * {@link KernelProbes}.
 */
@KernelTest
class KprobeAttachTest {
    /** unlinkat(2) calls of files that exist; one more of a missing name follows them. */
    private static final int FILES = 5;
    private static final String[] SINGLE = {"on_unlink", "on_unlink_ret", "on_unlinkat", "on_unlinkat_ret"};
    private static final String[] MULTI = {"on_unlink_multi", "on_unlink_multi_ret"};

    @TestFactory
    Stream<DynamicTest> kprobeKretprobeKsyscallKretsyscall() {
        return Stream.of(KernelProbes.branch("kprobe, kretprobe, ksyscall and kretsyscall see unlinkat",
                KernelProbes.kprobes(), KprobeAttachTest::singleProbesSeeArgumentsAndResults,
                KprobeAttachTest::kprobesAreUnsupported));
    }

    @TestFactory
    Stream<DynamicTest> kprobeMulti() {
        return Stream.of(KernelProbes.branch("kprobe.multi and kretprobe.multi see do_unlinkat",
                KernelProbes.kprobeMulti("do_unlinkat"), KprobeAttachTest::multiProbesSeeAddressAndResult,
                KprobeAttachTest::multiProbesAreUnsupported));
    }

    @TestFactory
    Stream<DynamicTest> kprobeSession() {
        return Stream.of(KernelProbes.branch("kprobe.session runs at entry and return of do_unlinkat",
                KernelProbes.kprobeSession("do_unlinkat"), KprobeAttachTest::sessionRunsTwicePerCall,
                KprobeAttachTest::sessionIsUnsupported));
    }

    private static void singleProbesSeeArgumentsAndResults() throws IOException {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_effects.bpf.o"));
             Scratch dir = new Scratch(); BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            List<Link> links = attach(obj, SINGLE);
            int dfd = dir.unlinkEverything();
            assertEquals(FILES + 1, hits(bss, 0), "kprobe: one hit per do_unlinkat");
            assertEquals(dfd, bss.getLong("entry_dfd"), "kprobe: do_unlinkat's first argument, our directory fd");
            assertEquals(FILES + 1, hits(bss, 1), "kretprobe: one hit per return");
            assertEquals(-Errno.ENOENT, bss.getLong("exit_ret"), "kretprobe: the last call's -ENOENT");
            assertEquals(FILES + 2, hits(bss, 2), "ksyscall: every unlinkat, the rmdir included");
            assertEquals(Libc.AT_REMOVEDIR, bss.getLong("sys_flags"), "ksyscall: the last call's flags argument");
            assertEquals(FILES + 2, hits(bss, 3), "kretsyscall: every unlinkat");
            assertEquals(0, bss.getLong("sys_ret"), "kretsyscall: the rmdir succeeded");
            close(links);
            dir.unlinkEverything();
            assertEquals(FILES + 1, hits(bss, 0), "no hit once detached");
            assertEquals(FILES + 2, hits(bss, 2), "no hit once detached");
        }
    }

    private static void kprobesAreUnsupported() {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_effects.bpf.o"))) {
            for (String name : Stream.concat(Stream.of(SINGLE), Stream.of(MULTI)).toList()) {
                LoadedProgram p = obj.program(name).orElseThrow();
                assertTrue(AutoAttach.canAutoAttach(p), name + " names its target");
                UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                        () -> AutoAttach.attach(p), name);
                assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.feature().startsWith("kprobe") || e.feature().startsWith("kretprobe"), e.feature());
            }
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> Attach.kprobe(obj.program("on_unlink_ret").orElseThrow(), "do_unlinkat", 0, true));
            assertEquals("kretprobe", e.feature());
            assertTrue(obj.links().isEmpty());
        }
    }

    private static void multiProbesSeeAddressAndResult() throws IOException {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_effects.bpf.o"));
             Scratch dir = new Scratch(); BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            List<Link> links = attach(obj, MULTI);
            assertTrue(links.getFirst().name().contains("kprobe.multi do_unlinkat"), links.getFirst().name());
            dir.unlinkEverything();
            assertEquals(FILES + 1, hits(bss, 4), "kprobe.multi: one hit per do_unlinkat");
            assertEquals(kallsyms("do_unlinkat"), bss.getLong("multi_ip"),
                    "bpf_get_func_ip: do_unlinkat's address in /proc/kallsyms");
            assertEquals(FILES + 1, hits(bss, 5), "kretprobe.multi: one hit per return");
            assertEquals(-Errno.ENOENT, bss.getLong("multi_ret"), "kretprobe.multi: the last call's -ENOENT");
            close(links);
            dir.unlinkEverything();
            assertEquals(FILES + 1, hits(bss, 4), "no hit once detached");
        }
    }

    private static void multiProbesAreUnsupported() {
        KernelProbes.Probe multi = KernelProbes.kprobeMulti("do_unlinkat");
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_effects.bpf.o"))) {
            for (String name : MULTI) {
                UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                        () -> AutoAttach.attach(obj.program(name).orElseThrow()), name);
                assertEquals("kprobe.multi", e.feature(), e.getMessage());
                String why = KernelProbes.kprobes().present() ? "CONFIG_FPROBE" : "CONFIG_KPROBES";
                assertTrue(e.getMessage().contains(why), "the probe says " + multi.detail() + ": " + e.getMessage());
            }
            assertTrue(obj.links().isEmpty());
        }
    }

    private static void sessionRunsTwicePerCall() throws IOException {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_session.bpf.o"));
             Scratch dir = new Scratch(); BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            List<Link> links = attach(obj, "on_unlink_session");
            dir.unlinkEverything();
            assertEquals(FILES + 1, bss.getLong("entries"), "one entry run per do_unlinkat");
            assertEquals(FILES + 1, bss.getLong("returns"), "one return run per entry that returned 0");
            assertEquals(-Errno.ENOENT, bss.getLong("session_ret"), "the last call's -ENOENT, seen at return");
            close(links);
            dir.unlinkEverything();
            assertEquals(FILES + 1, bss.getLong("entries"), "no run once detached");
        }
    }

    private static void sessionIsUnsupported() {
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("kprobe_session.bpf.o"))) {
            UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                    () -> AutoAttach.attach(obj.program("on_unlink_session").orElseThrow()));
            assertEquals("kprobe.session", e.feature(), e.getMessage());
            String why = !KernelProbes.kprobes().present() ? "CONFIG_KPROBES"
                    : KernelProbes.kprobeMulti("do_unlinkat").present() ? "Linux 6.10" : "CONFIG_FPROBE";
            assertTrue(e.getMessage().contains(why), e.getMessage());
            assertTrue(obj.links().isEmpty());
        }
    }

    private static List<Link> attach(LoadedObject obj, String... programs) {
        List<Link> links = new ArrayList<>();
        for (String name : programs) {
            links.add(obj.own(AutoAttach.attach(obj.program(name).orElseThrow())));
        }
        return links;
    }

    private static void close(List<Link> links) {
        links.forEach(Link::close);
    }

    private static long hits(BpfGlobals bss, int index) {
        return bss.variable("hits").get(ValueLayout.JAVA_LONG, 8L * index);
    }

    /** A kernel function's address in /proc/kallsyms (vmlinux, not a module). */
    static long kallsyms(String function) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.map(l -> l.split("\\s+")).filter(f -> f.length == 3 && f[2].equals(function))
                    .mapToLong(f -> Long.parseUnsignedLong(f[0], 16)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + function + " in /proc/kallsyms"));
        }
    }

    /**
     * A directory of files to unlink: {@link #unlinkEverything} removes {@value FILES} files
     * with unlinkat(dirfd, name, 0), tries a missing name (ENOENT) and removes a subdirectory
     * with AT_REMOVEDIR, in that order, and returns the directory descriptor it used.
     */
    static final class Scratch implements AutoCloseable {
        private final Path dir;
        private final Fd fd;

        Scratch() throws IOException {
            dir = Files.createTempDirectory("bpfkit-unlink");
            fd = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0,
                    "directory");
        }

        int unlinkEverything() throws IOException {
            for (int i = 0; i < FILES; i++) {
                Files.createFile(dir.resolve("f" + i));
            }
            Files.createDirectory(dir.resolve("sub"));
            for (int i = 0; i < FILES; i++) {
                assertTrue(Libc.unlinkat(fd.get(), "f" + i, 0).ok(), "unlinkat f" + i);
            }
            Libc.Result missing = Libc.unlinkat(fd.get(), "missing", 0);
            assertFalse(missing.ok());
            assertEquals(Errno.ENOENT, missing.errno());
            assertTrue(Libc.unlinkat(fd.get(), "sub", Libc.AT_REMOVEDIR).ok(), "rmdir sub");
            return fd.get();
        }

        @Override
        public void close() throws IOException {
            fd.close();
            Files.delete(dir);
        }
    }
}
