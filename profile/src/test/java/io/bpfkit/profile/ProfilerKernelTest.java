package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    private static String show(Map<String, Long> folded) {
        return folded.entrySet().stream().limit(15).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void namesTheHotFunctionsOfACProgramWithTheKernelFramesOfItsSystemCalls() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "3"));
        try {
            Profile profile = Profiler.builder().pid((int) p.pid()).frequency(999).build().run(Duration.ofMillis(1500));
            Map<String, Long> folded = profile.folded();
            String text = show(folded);
            assertTrue(profile.samples() > 100, profile.samples() + " samples\n" + text);
            assertEquals(profile.samples(), folded.values().stream().mapToLong(Long::longValue).sum() + profile.lostSamples());
            // every stack is this process's, rooted at its command and main
            assertTrue(folded.keySet().stream().allMatch(s -> s.startsWith("hot;")), text);
            long spin = folded.entrySet().stream().filter(e -> e.getKey().endsWith(";main;bpfkit_hot_spin"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(spin > profile.samples() / 10, spin + " spin samples\n" + text);
            // in a system call: user frames down to bpfkit_hot_syscalls, then the kernel's, innermost last
            List<String> syscalls = folded.keySet().stream().filter(s -> s.contains(";main;bpfkit_hot_syscalls;")).toList();
            assertFalse(syscalls.isEmpty(), text);
            assertTrue(syscalls.stream().anyMatch(s -> s.matches(".*;bpfkit_hot_syscalls;[^;]*_\\[k\\];.*getppid.*")),
                    String.join("\n", syscalls));
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
                "-cp", System.getProperty("java.class.path"), HotJava.class.getName(), "6"));
        try {
            // let C2 compile the loop before sampling
            Thread.sleep(700);
            Profile profile = Profiler.builder().pid((int) p.pid()).frequency(499).build().run(Duration.ofMillis(1500));
            Map<String, Long> folded = profile.folded();
            String text = show(folded) + "\n" + profile.notes();
            long hot = folded.entrySet().stream()
                    .filter(e -> e.getKey().contains(";io.bpfkit.profile.HotJava.bpfkitHotLoop_[j]"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(hot > profile.samples() / 2, hot + " of " + profile.samples() + " samples in the hot method\n" + text);
            // the JIT frame sits on the JVM's own frames: the unwinder got through it (frame pointers kept)
            assertTrue(folded.keySet().stream().anyMatch(s -> s.matches(".*(JavaMain|JavaCalls|call_stub|thread_native_entry|"
                    + "start_thread).*;io\\.bpfkit\\.profile\\.HotJava\\.bpfkitHotLoop_\\[j\\].*")), text);
            assertTrue(profile.notes().stream().noneMatch(n -> n.contains("PreserveFramePointer")), text);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
