package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profiler on real processes: a C program built here with known hot functions, a child JVM
 * with a known hot method, processes that exit or do not exist.
 */
@KernelTest
class ProfilerKernelTest {
    @TempDir
    Path dir;

    /**
     * Profiles in windows of {@code window} until {@code enough} holds, at most 10 times: on a
     * loaded machine (other tests, emulators) far fewer samples arrive than asked for, and a
     * single short window may miss what the test looks for.
     */
    static Profile sampleUntil(Profiler profiler, Duration window, Predicate<Map<String, Long>> enough)
            throws InterruptedException {
        Profile last = null;
        for (int i = 0; i < 10; i++) {
            last = profiler.run(window);
            if (enough.test(last.folded())) {
                return last;
            }
        }
        return last;
    }

    private static String show(Map<String, Long> folded) {
        return folded.entrySet().stream().limit(15).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void namesTheHotFunctionsOfACProgramWithTheKernelFramesOfItsSystemCalls() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "600"));
        try {
            Predicate<String> spinning = s -> s.endsWith(";main;bpfkit_hot_spin");
            Predicate<String> inSyscall = s -> s.matches(".*;main;bpfkit_hot_syscalls;[^;]*_\\[k\\];.*getppid.*");
            Profile profile = sampleUntil(Profiler.builder().pid((int) p.pid()).frequency(999).build(),
                    Duration.ofMillis(1000), f -> f.keySet().stream().anyMatch(spinning)
                            && f.keySet().stream().anyMatch(inSyscall));
            Map<String, Long> folded = profile.folded();
            String text = show(folded);
            assertEquals(profile.samples(), folded.values().stream().mapToLong(Long::longValue).sum() + profile.lostSamples());
            // every stack is this process's, rooted at its command, and main is under each hot function
            assertTrue(folded.keySet().stream().allMatch(s -> s.startsWith("hot;")), text);
            assertTrue(folded.keySet().stream().anyMatch(spinning), text);
            // in a system call: user frames down to bpfkit_hot_syscalls, then only the kernel's, innermost last
            List<String> syscalls = folded.keySet().stream().filter(s -> s.contains(";main;bpfkit_hot_syscalls;")).toList();
            assertTrue(syscalls.stream().anyMatch(inSyscall), text);
            for (String s : syscalls) {
                String below = s.substring(s.indexOf(";bpfkit_hot_syscalls;") + ";bpfkit_hot_syscalls;".length());
                assertTrue(List.of(below.split(";")).stream().allMatch(f -> f.endsWith("_[k]")), s);
            }
            assertTrue(profile.toJson().contains("\"name\":\"bpfkit_hot_spin\",\"kind\":\"native\""), profile.toJson());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void namesTheHotMethodOfAJvmThroughItsPerfMapAskedForWithJcmd() throws Exception {
        Process p = TestPrograms.startReady(List.of(TestPrograms.java(), "-XX:+PreserveFramePointer", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), HotJava.class.getName(), "600"));
        try {
            // let C2 compile the loop before sampling
            Thread.sleep(700);
            // the JIT frame sits on the JVM's own frames: the unwinder got through it (frame pointers kept)
            Predicate<String> hotOnJvm = s -> s.matches(".*(JavaMain|JavaCalls|call_stub|thread_native_entry|"
                    + "start_thread).*;io\\.bpfkit\\.profile\\.HotJava\\.bpfkitHotLoop_\\[j\\].*");
            // jcmd starts a JVM: in the emulated guests that takes tens of seconds
            StackSymbolizer patient = new StackSymbolizer(Path.of("/proc/kallsyms"), true, Duration.ofSeconds(180));
            Profile profile = sampleUntil(Profiler.builder().pid((int) p.pid()).frequency(499).symbolizer(patient).build(),
                    Duration.ofMillis(1000), f -> f.keySet().stream().anyMatch(hotOnJvm));
            Map<String, Long> folded = profile.folded();
            String text = show(folded) + "\n" + profile.notes();
            assertTrue(folded.keySet().stream().anyMatch(hotOnJvm), text);
            assertTrue(profile.notes().stream().noneMatch(n -> n.contains("PreserveFramePointer")), text);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProcessThatExitsMidProfileEndsTheRunAndIsStillNamed() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "1.5"));
        Profile profile = Profiler.builder().pid((int) p.pid()).frequency(999).build().run(Duration.ofSeconds(20));
        // sampling stops with the process (loading and symbolizing take seconds more in the emulated guests)
        assertTrue(profile.duration().toSeconds() < 10, "the run ends with the process: " + profile.duration());
        assertTrue(profile.notes().stream().anyMatch(n -> n.startsWith("process " + p.pid() + " exited after ")),
                profile.notes().toString());
        // its mappings were read at the start: the frames are named although it is gone (an
        // [unknown] may still appear where the unwinder followed libc's frame-pointer-less frames)
        assertTrue(profile.samples() == 0 || profile.folded().keySet().stream().anyMatch(s -> s.contains(";main;bpfkit_hot_")),
                show(profile.folded()));
    }

    @Test
    void aProcessThatDoesNotExistIsRefused() throws Exception {
        long fds = TestPrograms.openFds();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Profiler.builder().pid(999_999_999).build().run(Duration.ofSeconds(1)));
        assertEquals("no process 999999999 to profile (/proc/999999999 does not exist)", e.getMessage());
        assertEquals(fds, TestPrograms.openFds());
    }

    @Test
    void aJvmWithoutPerfMapHasUnknownJitFramesAndSaysWhy() throws Exception {
        Process p = TestPrograms.startReady(List.of(TestPrograms.java(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), HotJava.class.getName(), "600"));
        try {
            Files.deleteIfExists(Path.of("/tmp/perf-" + p.pid() + ".map"));
            Thread.sleep(500);
            StackSymbolizer noJcmd = new StackSymbolizer(Path.of("/proc/kallsyms"), false, Duration.ofSeconds(1));
            Profile profile = sampleUntil(Profiler.builder().pid((int) p.pid()).frequency(499).symbolizer(noJcmd).build(),
                    Duration.ofMillis(800), f -> f.keySet().stream().anyMatch(s -> s.contains(";[unknown]_[j]")));
            String text = show(profile.folded()) + "\n" + profile.notes();
            assertTrue(profile.folded().keySet().stream().anyMatch(s -> s.contains(";[unknown]_[j]")), text);
            assertTrue(profile.notes().stream().anyMatch(n -> n.startsWith("JVM " + p.pid() + " has no perf map /tmp/perf-"
                    + p.pid() + ".map and was not asked for a fresh one (asking JVMs is off)")), text);
            assertTrue(profile.notes().stream().anyMatch(n -> n.startsWith("JVM " + p.pid()
                    + " does not have -XX:+PreserveFramePointer")), text);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void kernelOrUserStacksOnlyAndEvents() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "600"));
        try {
            long fds = TestPrograms.openFds();
            Profile user = sampleUntil(Profiler.builder().pid((int) p.pid()).frequency(999).stacks(false, true).build(),
                    Duration.ofMillis(500), f -> f.keySet().stream().anyMatch(s -> s.endsWith(";bpfkit_hot_syscalls")));
            assertTrue(user.folded().keySet().stream().noneMatch(s -> s.contains("_[k]")), show(user.folded()));
            assertTrue(user.folded().keySet().stream().anyMatch(s -> s.endsWith(";bpfkit_hot_syscalls")), show(user.folded()));
            Profile kernel = sampleUntil(Profiler.builder().pid((int) p.pid()).frequency(999).stacks(true, false).build(),
                    Duration.ofMillis(500), f -> f.keySet().stream().anyMatch(s -> s.startsWith("hot;entry_SYSCALL_64")));
            assertTrue(kernel.folded().keySet().stream().noneMatch(s -> s.contains("bpfkit_hot")), show(kernel.folded()));
            assertTrue(kernel.folded().keySet().stream().anyMatch(s -> s.startsWith("hot;entry_SYSCALL_64")),
                    show(kernel.folded()));
            assertEquals(fds, TestPrograms.openFds(), "every run closes its object, maps, programs and perf events");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertThrows(IllegalArgumentException.class, () -> Profiler.builder().stacks(false, false));
        assertThrows(IllegalArgumentException.class, () -> Profiler.builder().frequency(0));
        if (!Files.isDirectory(Path.of("/sys/bus/event_source/devices/cpu"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Profiler.builder().event("cycles").build().run(Duration.ofMillis(100)));
            assertTrue(e.getMessage().startsWith("event 'cycles' needs a hardware PMU and this machine has none"),
                    e.getMessage());
        } else {
            Profile cycles = Profiler.builder().event("cycles").frequency(999).build().run(Duration.ofMillis(300));
            assertTrue(cycles.duration().toMillis() >= 300);
        }
    }
}
