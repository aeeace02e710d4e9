package io.bpfkit.profile;

import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.perfevent.PerfEventParser;
import io.bpfkit.perfevent.PerfEventSpec;
import io.bpfkit.profile.probe.ProfileProbe;
import io.bpfkit.profile.probe.ProfileProbeBinding;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sampling CPU profiler: a BPF program ({@code profile.bpf.c}) on a perf event per CPU
 * ({@code cpu-clock} at {@link Builder#frequency} Hz by default, which needs no hardware PMU; or
 * a PMU event such as {@code cycles}, named as {@code perf} names it) counts samples per
 * (process, kernel stack, user stack) in the kernel; at the end the stacks are read, symbolized
 * with a {@link StackSymbolizer} and returned as a {@link Profile}.
 *
 * <pre>{@code
 * Profile p = Profiler.builder()
 *         .pid(pid)                 // 0 (default): every process
 *         .frequency(99)            // samples per second and CPU
 *         .build()
 *         .run(Duration.ofSeconds(10));
 * p.writeFolded(Files.newBufferedWriter(Path.of("out.folded")));
 * }</pre>
 *
 * <p>Full Java stacks need the JVM to keep frame pointers ({@code -XX:+PreserveFramePointer}):
 * without it the kernel's frame-pointer unwinder stops at the first JIT-compiled frame, and the
 * stack shows only that frame (and what it called). A JVM's JIT code is named through its perf
 * map, which the symbolizer asks for with {@code jcmd} when needed.
 */
public final class Profiler {
    /** The default event: CPU time, a software event every kernel has. */
    public static final String CPU_CLOCK = "cpu-clock";
    private static final Path PMUS = Path.of("/sys/bus/event_source/devices");

    private final int pid;
    private final int frequency;
    private final boolean kernelStacks;
    private final boolean userStacks;
    private final String event;
    private final StackSymbolizer symbolizer;

    private Profiler(Builder b) {
        this.pid = b.pid;
        this.frequency = b.frequency;
        this.kernelStacks = b.kernelStacks;
        this.userStacks = b.userStacks;
        this.event = b.event;
        this.symbolizer = b.symbolizer != null ? b.symbolizer : new StackSymbolizer();
    }

    /** A profiler of every process, 99 Hz, kernel and user stacks, {@code cpu-clock}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a {@link Profiler}. */
    public static final class Builder {
        private int pid;
        private int frequency = 99;
        private boolean kernelStacks = true;
        private boolean userStacks = true;
        private String event = CPU_CLOCK;
        private StackSymbolizer symbolizer;

        private Builder() {
        }

        /** Samples only this process (its tgid); 0 samples every process but the idle task. */
        public Builder pid(int pid) {
            if (pid < 0) {
                throw new IllegalArgumentException("pid must be 0 (every process) or a process id: " + pid);
            }
            this.pid = pid;
            return this;
        }

        /** Samples per second on each CPU (1 .. 100000). */
        public Builder frequency(int hz) {
            if (hz < 1 || hz > 100_000) {
                throw new IllegalArgumentException("frequency must be 1 .. 100000 Hz: " + hz);
            }
            this.frequency = hz;
            return this;
        }

        /** Which halves of each stack to record; at least one. */
        public Builder stacks(boolean kernel, boolean user) {
            if (!kernel && !user) {
                throw new IllegalArgumentException("record kernel stacks, user stacks, or both");
            }
            this.kernelStacks = kernel;
            this.userStacks = user;
            return this;
        }

        /** The perf event to sample on, as perf names it: {@code cpu-clock} (default), {@code cycles}, ... */
        public Builder event(String event) {
            this.event = event;
            return this;
        }

        /** The symbolizer to use (its file cache is kept between runs). */
        public Builder symbolizer(StackSymbolizer symbolizer) {
            this.symbolizer = symbolizer;
            return this;
        }

        public Profiler build() {
            return new Profiler(this);
        }
    }

    /** The perf event attributes for {@code event} sampled at {@code frequency} Hz. */
    static PerfEventAttr eventAttr(String event, int frequency) {
        PerfEventAttr attr = new PerfEventAttr().sampleFreq(frequency).disabled(true);
        if (event.equals(CPU_CLOCK)) {
            return attr.type(Perf.PERF_TYPE_SOFTWARE).config(Perf.PERF_COUNT_SW_CPU_CLOCK);
        }
        PerfEventSpec spec = PerfEventParser.system().parse(event);
        if (spec.needsHardwarePmu() && !Files.isDirectory(PMUS.resolve("cpu")) && !Files.isDirectory(PMUS.resolve("cpu_core"))) {
            throw new IllegalArgumentException("event '" + event + "' needs a hardware PMU and this machine has none "
                    + "(no cpu in " + PMUS + ", as in most virtual machines); sample " + CPU_CLOCK + " instead");
        }
        return attr.type(spec.type()).config(spec.config()).config1(spec.config1()).config2(spec.config2());
    }

    /**
     * Samples for {@code duration} (less when the profiled process exits first, which the
     * profile's notes then say), then reads, symbolizes and returns the stacks.
     *
     * @throws IllegalArgumentException when the event is unknown or needs a PMU the machine lacks,
     *         or the process to profile does not exist
     * @throws io.bpfkit.api.BpfException when the program cannot be loaded or attached
     */
    public Profile run(Duration duration) throws InterruptedException {
        try (Session session = start()) {
            long deadline = session.started + duration.toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
                if (pid != 0 && !alive(pid)) {
                    session.notes.add(String.format(java.util.Locale.ROOT, "process %d exited after %.1f s of the "
                            + "%.1f s asked: the profile covers its life until then", pid,
                            (System.nanoTime() - session.started) / 1e9, duration.toMillis() / 1e3));
                    break;
                }
            }
            return session.stop();
        }
    }

    /**
     * Loads the program and starts sampling on every CPU; {@link Session#stop()} ends it and
     * returns the profile. For a caller that decides when to stop:
     *
     * <pre>{@code
     * try (Profiler.Session s = Profiler.builder().pid(pid).build().start()) {
     *     workload.run();
     *     Profile p = s.stop();
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException as {@link #run(Duration)}
     */
    public Session start() {
        PerfEventAttr attr = eventAttr(event, frequency);
        List<String> notes = new ArrayList<>();
        if (pid != 0) {
            if (!symbolizer.prepare(pid)) {
                throw new IllegalArgumentException("no process " + pid + " to profile (/proc/" + pid + " does not exist)");
            }
            javaNote(pid).ifPresent(notes::add);
        }
        ProfileProbe probe = ProfileProbeBinding.open().targetPid(pid).kernelStacks(kernelStacks ? 1 : 0)
                .userStacks(userStacks ? 1 : 0).load();
        try {
            return new Session(probe, Attach.perfEventPerCpu(probe.onSample(), attr), notes);
        } catch (RuntimeException e) {
            probe.close();
            throw e;
        }
    }

    /** A running profile: the program attached on every CPU until {@link #stop()} or {@link #close()}. */
    public final class Session implements AutoCloseable {
        private final ProfileProbe probe;
        private final List<Link> links;
        private final List<String> notes;
        private final long started = System.nanoTime();
        private boolean closed;

        private Session(ProfileProbe probe, List<Link> links, List<String> notes) {
            this.probe = probe;
            this.links = links;
            this.notes = notes;
        }

        /**
         * Stops sampling, reads and symbolizes the stacks, and closes the session.
         *
         * @throws IllegalStateException when the session was stopped or closed already
         */
        public Profile stop() {
            if (closed) {
                throw new IllegalStateException("this profiling session was stopped already");
            }
            links.forEach(Link::close);
            long sampledNanos = System.nanoTime() - started;
            try {
                List<Profile.Stack> stacks = read(probe);
                List<String> all = new ArrayList<>(notes);
                all.addAll(symbolizer.notes());
                symbolizer.newWindow();
                return new Profile(event, frequency, pid, Duration.ofNanos(sampledNanos), probe.samples(),
                        probe.lostSamples(), probe.stackErrors(), stacks, all);
            } finally {
                close();
            }
        }

        /** Stops sampling without reading anything; nothing happens when it was stopped already. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                links.forEach(Link::close);
                probe.close();
            }
        }
    }

    private List<Profile.Stack> read(ProfileProbe probe) {
        Map<Integer, long[]> stackCache = new HashMap<>();
        List<Profile.Stack> stacks = new ArrayList<>();
        probe.counts().forEach((key, count) -> {
            List<StackSymbolizer.Frame> frames = new ArrayList<>();
            long[] user = ips(probe, stackCache, key.userStack());
            long[] kernel = ips(probe, stackCache, key.kernelStack());
            List<StackSymbolizer.Frame> u = symbolizer.user(key.pid(), user);
            Collections.reverse(u);
            frames.addAll(u);
            if (key.userStack() < -1 && key.userStack() != -14 && userStacks) {
                frames.add(new StackSymbolizer.Frame("[user stack lost]", FrameKind.NATIVE, 0));
            }
            List<StackSymbolizer.Frame> k = symbolizer.kernel(kernel);
            Collections.reverse(k);
            frames.addAll(k);
            if (key.kernelStack() < -1 && key.kernelStack() != -14 && kernelStacks) {
                frames.add(new StackSymbolizer.Frame("[kernel stack lost]", FrameKind.KERNEL, 0));
            }
            stacks.add(new Profile.Stack(key.pid(), key.comm(), frames, count));
        });
        stacks.sort((a, b) -> Long.compare(b.count(), a.count()));
        return stacks;
    }

    private static long[] ips(ProfileProbe probe, Map<Integer, long[]> cache, int stackId) {
        if (stackId < 0) {
            return new long[0];
        }
        return cache.computeIfAbsent(stackId, id -> {
            long[] ips = probe.stacks().stack(id);
            return ips == null ? new long[0] : ips;
        });
    }

    /** False once the process is gone or a zombie (exited, not yet reaped by its parent). */
    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int end = stat.lastIndexOf(')');
            char state = end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A note when the process is a JVM that does not keep frame pointers, read from its command line. */
    private static java.util.Optional<String> javaNote(int pid) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ');
            boolean jvm = Files.readString(Path.of("/proc/" + pid + "/maps")).contains("/libjvm.so");
            if (jvm && !cmdline.contains("-XX:+PreserveFramePointer")) {
                return java.util.Optional.of("JVM " + pid + " does not have -XX:+PreserveFramePointer on its command line: "
                        + "its Java stacks are cut at the first JIT-compiled frame");
            }
        } catch (java.io.IOException e) {
            // gone already: the run says so
        }
        return java.util.Optional.empty();
    }
}
