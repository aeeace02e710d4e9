package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.map.BpfStackTraceMap.BuildIdFrame;
import io.bpfkit.api.map.StackBuffers;
import io.bpfkit.events.RingBufferReader;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.link.MappedFiles;
import io.bpfkit.testing.KernelTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One user stack taken four ways per sample of a C program with a known hot function: stack map
 * ids (instruction pointers, and build ids with BPF_F_STACK_BUILD_ID) and bpf_get_stack buffers
 * in ring buffer records (ip form, and build-id form with BPF_F_USER_BUILD_ID). All four must
 * name the same frames.
 */
@KernelTest
class StackEventsKernelTest {
    @TempDir
    Path dir;

    private static List<String> names(List<StackSymbolizer.Frame> frames) {
        return frames.stream().map(StackSymbolizer.Frame::name).toList();
    }

    @Test
    void stackMapsAndBpfGetStackBuffersNameTheSameFramesThroughIpsAndBuildIds() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot", "-Wl,--build-id");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "600", "spin"));
        int pid = (int) p.pid();
        List<StackEventsProbe.StackEvent> events = new ArrayList<>();
        List<String[]> checked = new ArrayList<>();
        long fds = TestPrograms.openFds();
        try {
            // the kernel reads build ids from the page cache: let the binary run (and be read) first
            Thread.sleep(200);
            List<MappedFiles.Region> regions = MappedFiles.regions(pid);
            StackSymbolizer byIp = new StackSymbolizer(Path.of("/proc/kallsyms"), false, Duration.ofSeconds(1));
            StackSymbolizer byBuildId = new StackSymbolizer(Path.of("/proc/kallsyms"), false, Duration.ofSeconds(1));
            int validFrames = 0;
            try (StackEventsProbe probe = StackEventsProbeBinding.open().targetPid(pid).load();
                    Link _ = Attach.perfEvent(probe.onSample(), Profiler.eventAttr("cpu-clock", 999), pid, -1);
                    RingBufferReader reader = RingBufferReader.builder().add(probe.events(), events::add).build()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (checked.size() < 20 && System.nanoTime() < deadline) {
                    reader.poll(Duration.ofMillis(100));
                    for (StackEventsProbe.StackEvent e : events) {
                        if (e.ipStackId() < 0 || e.buildIdStackId() < 0 || e.ipBytes() <= 0 || e.buildIdBytes() <= 0) {
                            continue; // no user stack in this sample (-EFAULT), or a stack map collision
                        }
                        long[] mapIps = probe.ipStacks().stack(e.ipStackId());
                        List<BuildIdFrame> mapBuildIds = probe.buildIdStacks().buildIdStack(e.buildIdStackId());
                        long[] bufferIps = StackBuffers.ips(e.ips(), e.ipBytes());
                        List<BuildIdFrame> bufferBuildIds = StackBuffers.buildIdFrames(e.buildIds(), e.buildIdBytes());
                        assertTrue(mapIps != null && mapBuildIds != null, "stack ids " + e.ipStackId() + " "
                                + e.buildIdStackId());
                        List<String> a = names(byIp.user(pid, mapIps));
                        List<String> b = names(byIp.user(pid, bufferIps));
                        List<String> c = names(byBuildId.buildIds(pid, mapBuildIds));
                        List<String> d = names(byBuildId.buildIds(pid, bufferBuildIds));
                        String all = a + "\n" + b + "\n" + c + "\n" + d + "\n" + mapBuildIds + "\n" + byBuildId.notes();
                        assertEquals(a, b, all);
                        assertEquals(a, c, all);
                        assertEquals(a, d, all);
                        // the kernel's file offset is the one /proc/PID/maps gives for the same ip
                        assertEquals(mapIps.length, mapBuildIds.size(), all);
                        for (int i = 0; i < mapIps.length; i++) {
                            BuildIdFrame f = mapBuildIds.get(i);
                            if (f.status() == BuildIdFrame.Status.VALID) {
                                validFrames++;
                                long ip = mapIps[i];
                                MappedFiles.Region r = regions.stream().filter(x -> x.contains(ip)).findFirst().orElseThrow();
                                assertEquals(ip - r.start() + r.offset(), f.offset(), all);
                            } else {
                                assertEquals(mapIps[i], f.offset(), all);
                            }
                        }
                        checked.add(a.toArray(String[]::new));
                    }
                    events.clear();
                }
            }
            assertTrue(checked.size() >= 5, "samples with all four stacks: " + checked.size());
            assertTrue(checked.stream().anyMatch(s -> s.length >= 2 && s[0].equals("bpfkit_hot_spin")
                    && s[1].equals("main")), checked.stream().map(List::of).toList().toString());
            assertTrue(validFrames > 0, "the kernel read no build id in " + checked.size() + " stacks");
            assertTrue(byBuildId.notes().stream().noneMatch(n -> n.startsWith("no file")), byBuildId.notes().toString());
            assertEquals(fds, TestPrograms.openFds(), "the probe, its link and the reader are closed");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void buildIdsOfAnExitedProcessAreNamedThroughTheFileTheCallerAdds() throws Exception {
        Path hot = TestPrograms.buildHot(dir, "hot", "-Wl,--build-id");
        Process p = TestPrograms.startReady(List.of(hot.toString(), "600", "spin"));
        int pid = (int) p.pid();
        List<BuildIdFrame> stack = null;
        try {
            Thread.sleep(200);
            try (StackEventsProbe probe = StackEventsProbeBinding.open().targetPid(pid).load();
                    Link _ = Attach.perfEvent(probe.onSample(), Profiler.eventAttr("cpu-clock", 999), pid, -1)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (stack == null && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    for (int id : probe.buildIdStacks().stackIds()) {
                        List<BuildIdFrame> s = probe.buildIdStacks().buildIdStack(id);
                        if (s != null && s.size() >= 2 && s.stream().limit(2)
                                .allMatch(f -> f.status() == BuildIdFrame.Status.VALID)) {
                            stack = s;
                        }
                    }
                }
            }
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertTrue(stack != null, "no build-id stack of " + pid + " in 10 s");
        List<BuildIdFrame> frames = stack;
        // the process is gone: only the file the caller names can name its build id
        StackSymbolizer symbols = new StackSymbolizer(Path.of("/proc/kallsyms"), false, Duration.ofSeconds(1));
        Optional<String> id = symbols.addFile(hot);
        assertEquals(Optional.of(ElfSymbols.kernelForm(id.orElseThrow())), Optional.of(frames.get(0).buildIdHex()));
        List<String> names = names(symbols.buildIds(0, frames));
        assertEquals(List.of("bpfkit_hot_spin", "main"), names.subList(0, 2), names.toString());
        // libc's frames: a build id no file added has, printed as such and noted once
        for (int i = 2; i < frames.size(); i++) {
            BuildIdFrame f = frames.get(i);
            if (f.status() == BuildIdFrame.Status.VALID && !f.buildIdHex().equals(frames.get(0).buildIdHex())) {
                String expected = "[buildid " + f.buildIdHex().substring(0, 8) + "…]+0x"
                        + Long.toHexString(f.offset());
                assertEquals(expected, names.get(i), names.toString());
                assertTrue(symbols.notes().stream().anyMatch(n -> n.contains(f.buildIdHex())), symbols.notes().toString());
            }
        }
    }
}
