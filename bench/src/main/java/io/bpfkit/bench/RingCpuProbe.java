package io.bpfkit.bench;

import io.bpfkit.api.events.RecordHandler;
import io.bpfkit.events.RingBufferReader;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the ring buffer's records are when the reader drains them: the same batch as
 * {@code EventsBenchmark.ringbufConsume} (produced by a test run of {@code produce_rb}, then
 * drained by a zero-copy {@link RingBufferReader}, timed), in blocks of rounds that alternate,
 * in one process, between the thread free to run on any CPU (as JMH runs it), produce and
 * consume pinned to the same CPU, and produce pinned to one CPU and consume to the other. Each
 * round records the CPU at produce and at consume ({@code sched_getcpu}), the thread's
 * migrations ({@code /proc/thread-self/sched}) and involuntary context switches
 * ({@code getrusage(RUSAGE_THREAD)}) over the round, and a fixed arithmetic loop's time on the
 * consuming CPU (how fast that CPU is at that moment, memory aside), and the same for six
 * independent chains (how much of the core's execution resources it gets). Each batch is drained
 * by bpfkit's reader and by libbpf's {@code ring_buffer__poll} ({@code events_floor.c}, loaded
 * into this JVM) one after the other, so both meet the same CPU state. Prints one line per
 * round to the trace file and a summary per condition. Mode {@code pinning} alternates all the
 * conditions; mode {@code bench} leaves the thread free (as JMH and the C harness run) and
 * appends {@code ringbuf-turns} result lines for {@code scripts/bench --events}.
 *
 * <pre>{@code
 * java -cp ... io.bpfkit.bench.RingCpuProbe bench/target/bench-bpf/events_bench.bpf.o \
 *     bench/target/c-current/libevents_floor.so 60 pinning trace.txt
 * }</pre>
 */
@SuppressWarnings("restricted") // sched_setaffinity, sched_getcpu and getrusage through FFM
public final class RingCpuProbe {
    private static final int BATCH = EventsBenchmark.RING_BATCH;
    private static final int ROUNDS_PER_BLOCK = 40;
    private static final int TURNS_PER_ITERATION = 1000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SET_AFFINITY = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("sched_setaffinity"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle GET_CPU = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("sched_getcpu"), FunctionDescriptor.of(ValueLayout.JAVA_INT),
            Linker.Option.critical(false));
    private static final MethodHandle GET_RUSAGE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("getrusage"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final int RUSAGE_THREAD = 1;
    /** struct rusage: ru_nivcsw is the last of its 16 longs after two struct timevals. */
    private static final long RU_NIVCSW = 8 * 17;

    /** -1: any CPU. */
    private record Condition(String name, int produceCpu, int consumeCpu) {
    }

    private record Round(String condition, String consumer, int cpuBeforeProduce, int cpuAfterProduce,
            int cpuConsumeStart, int cpuConsumeEnd, double nsPerRecord, double canaryNs, double wideCanaryNs,
            long migrations, long involuntary) {
        boolean sameCpu() {
            return cpuBeforeProduce == cpuAfterProduce && cpuAfterProduce == cpuConsumeStart
                    && cpuConsumeStart == cpuConsumeEnd;
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment mask = arena.allocate(8);
    private final MemorySegment rusage = arena.allocate(8 * 18);
    private long sink;
    private long handled;

    private RingCpuProbe() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 4 || !(args[3].equals("pinning") || args[3].equals("bench"))) {
            System.err.println("usage: RingCpuProbe OBJECT LIBEVENTS_FLOOR_SO SECONDS pinning|bench [TRACE_FILE]"
                    + " [RESULT_FILE]");
            System.exit(2);
        }
        new RingCpuProbe().run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]),
                args[3].equals("bench"), args.length > 4 ? Path.of(args[4]) : null,
                args.length > 5 ? Path.of(args[5]) : null);
    }

    private void run(Path object, Path floorLibrary, int seconds, boolean bench, Path traceFile, Path resultFile)
            throws Throwable {
        SymbolLookup floor = SymbolLookup.libraryLookup(floorLibrary, Arena.global());
        MethodHandle floorOpen = LINKER.downcallHandle(floor.findOrThrow("events_floor_open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle floorDrain = LINKER.downcallHandle(floor.findOrThrow("events_floor_drain"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            throw new IllegalStateException("needs two CPUs, has " + cpus);
        }
        List<Condition> conditions = bench ? List.of(new Condition("free", -1, -1))
                : List.of(new Condition("free", -1, -1), new Condition("same0", 0, 0), new Condition("same1", 1, 1),
                        new Condition("cross01", 0, 1), new Condition("cross10", 1, 0));
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(object))) {
            LoadedProgram produce = obj.program("produce_rb").orElseThrow();
            TestRunAttr runAttr = TestRunAttr.builder().ctxIn(arena.allocateFrom(ValueLayout.JAVA_LONG, BATCH)).build();
            RecordHandler view = (data, offset, length) -> {
                sink += data.get(ValueLayout.JAVA_LONG, offset);
                handled++;
            };
            try (RingBufferReader reader = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), view).build()) {
                if ((int) floorOpen.invokeExact(obj.map("rb").orElseThrow().fd().get()) != 0) {
                    throw new IllegalStateException("libbpf's ring_buffer__new failed");
                }
                Drain java = () -> drain(reader);
                Drain c = () -> {
                    if ((long) floorDrain.invokeExact((long) BATCH) != BATCH) {
                        throw new IllegalStateException("ring_buffer__poll failed");
                    }
                };
                long warmEnd = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < warmEnd) {
                    produce(produce, runAttr);
                    java.run();
                    produce(produce, runAttr);
                    c.run();
                    canary();
                    wideCanary();
                }
                List<Round> rounds = new ArrayList<>();
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                for (int block = 0; System.nanoTime() < end; block++) {
                    Condition cond = conditions.get(block % conditions.size());
                    for (int i = 0; i < ROUNDS_PER_BLOCK; i++) {
                        // both consumers in turn, the order alternating, so that each pair saw the same CPU state
                        boolean javaFirst = (i & 1) == 0;
                        rounds.add(round(cond, javaFirst ? "bpfkit" : "libbpf", produce, runAttr, javaFirst ? java : c));
                        rounds.add(round(cond, javaFirst ? "libbpf" : "bpfkit", produce, runAttr, javaFirst ? c : java));
                    }
                }
                setAffinity(-1);
                report(rounds, conditions, traceFile);
                if (resultFile != null) {
                    results(rounds, resultFile);
                }
            }
        }
    }

    private interface Drain {
        void run() throws Throwable;
    }

    private Round round(Condition c, String consumer, LoadedProgram produce, TestRunAttr runAttr, Drain drain)
            throws Throwable {
        setAffinity(c.produceCpu());
        long migrations = migrations();
        long involuntary = involuntarySwitches();
        int beforeProduce = cpu();
        produce(produce, runAttr);
        int afterProduce = cpu();
        // The same system call in every condition between produce and consume (it empties the
        // TLB on a kernel with page-table isolation and no PCID).
        setAffinity(c.consumeCpu());
        double canary = canary();
        double wide = wideCanary();
        int consumeStart = cpu();
        long t0 = System.nanoTime();
        drain.run();
        long t = System.nanoTime() - t0;
        int consumeEnd = cpu();
        return new Round(c.name(), consumer, beforeProduce, afterProduce, consumeStart, consumeEnd, (double) t / BATCH, canary, wide,
                migrations() - migrations, involuntarySwitches() - involuntary);
    }

    private void produce(LoadedProgram p, TestRunAttr run) {
        int n = Bpf.progTestRun(p.fd(), run).retval();
        if (n != BATCH) {
            throw new IllegalStateException("produced " + n + " of " + BATCH);
        }
    }

    private void drain(RingBufferReader r) {
        handled = 0;
        long idle = 0;
        while (handled < BATCH) {
            if (r.poll(Duration.ZERO) == 0 && ++idle == 10_000_000) {
                throw new IllegalStateException("only " + handled + " of " + BATCH + " events arrived");
            }
        }
    }

    /** A dependent chain of multiply-adds: its time moves with the CPU's speed, not with memory. */
    private double canary() {
        long t0 = System.nanoTime();
        long x = sink | 1;
        for (int i = 0; i < 20_000; i++) {
            x = x * 0x9e3779b97f4a7c15L + i;
        }
        long t = System.nanoTime() - t0;
        sink += x;
        return t;
    }

    /**
     * Four independent chains of multiply-adds: its time moves with the share of the core's
     * execution resources this thread gets (a busy SMT sibling on the host halves it), where
     * {@link #canary()}, one dependent chain, is bound by latency and does not.
     */
    private double wideCanary() {
        long t0 = System.nanoTime();
        long a = sink | 1;
        long b = a + 1;
        long c = a + 2;
        long d = a + 3;
        long e = a + 4;
        long f = a + 5;
        for (int i = 0; i < 5_000; i++) {
            a = a * 0x9e3779b97f4a7c15L + i;
            b = b * 0x9e3779b97f4a7c15L + i;
            c = c * 0x9e3779b97f4a7c15L + i;
            d = d * 0x9e3779b97f4a7c15L + i;
            e = e * 0x9e3779b97f4a7c15L + i;
            f = f * 0x9e3779b97f4a7c15L + i;
        }
        long t = System.nanoTime() - t0;
        sink += a ^ b ^ c ^ d ^ e ^ f;
        return t;
    }

    private void setAffinity(int cpu) throws Throwable {
        mask.set(ValueLayout.JAVA_LONG, 0, cpu < 0 ? 0b11 : 1L << cpu);
        int rc = (int) SET_AFFINITY.invokeExact(0, 8L, mask);
        if (rc != 0) {
            throw new IllegalStateException("sched_setaffinity(" + cpu + ") failed");
        }
    }

    private static int cpu() throws Throwable {
        return (int) GET_CPU.invokeExact();
    }

    private long involuntarySwitches() throws Throwable {
        int rc = (int) GET_RUSAGE.invokeExact(RUSAGE_THREAD, rusage);
        if (rc != 0) {
            throw new IllegalStateException("getrusage failed");
        }
        return rusage.get(ValueLayout.JAVA_LONG, RU_NIVCSW);
    }

    private static long migrations() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/sched"))) {
            if (line.startsWith("se.nr_migrations")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IllegalStateException("no se.nr_migrations in /proc/thread-self/sched");
    }

    /** One turn of each consumer under the same condition, back to back. */
    private record Pair(Round bpfkit, Round libbpf) {
        /** libbpf's time over bpfkit's: bpfkit's throughput as a share of libbpf's. */
        double ratio() {
            return libbpf.nsPerRecord() / bpfkit.nsPerRecord();
        }

        String group() {
            return bpfkit.condition() + " (" + bpfkit.cpuAfterProduce() + ">" + bpfkit.cpuConsumeStart()
                    + (bpfkit.sameCpu() && libbpf.sameCpu() ? "" : ", moved") + ")";
        }
    }

    private static void report(List<Round> rounds, List<Condition> conditions, Path traceFile) throws IOException {
        if (traceFile != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(traceFile))) {
                out.println("# condition consumer cpu_before_produce cpu_after_produce cpu_consume_start"
                        + " cpu_consume_end ns_per_record canary_ns wide_canary_ns migrations involuntary_switches");
                for (Round r : rounds) {
                    out.printf("%s %s %d %d %d %d %.3f %.0f %.0f %d %d%n", r.condition(), r.consumer(),
                            r.cpuBeforeProduce(), r.cpuAfterProduce(), r.cpuConsumeStart(), r.cpuConsumeEnd(),
                            r.nsPerRecord(), r.canaryNs(), r.wideCanaryNs(), r.migrations(), r.involuntary());
                }
            }
        }
        Map<String, List<Pair>> groups = new LinkedHashMap<>();
        for (Condition c : conditions) {
            for (int i = 0; i + 1 < rounds.size(); i += 2) {
                Round a = rounds.get(i);
                Round b = rounds.get(i + 1);
                if (a.condition().equals(c.name())) {
                    Pair p = a.consumer().equals("bpfkit") ? new Pair(a, b) : new Pair(b, a);
                    groups.computeIfAbsent(p.group(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        System.out.printf("%-24s %6s | %-17s | %-17s | %-17s %7s | %7s %7s%n", "condition (cpu p>c)", "pairs",
                "bpfkit p10/50/90", "libbpf p10/50/90", "ratio p10/50/90", "ratio<1", "canary", "inv.sw");
        for (Map.Entry<String, List<Pair>> g : groups.entrySet()) {
            List<Pair> ps = g.getValue();
            double[] java = sorted(ps.stream().mapToDouble(p -> p.bpfkit().nsPerRecord()).toArray());
            double[] c = sorted(ps.stream().mapToDouble(p -> p.libbpf().nsPerRecord()).toArray());
            double[] ratio = sorted(ps.stream().mapToDouble(Pair::ratio).toArray());
            double[] canary = sorted(ps.stream().mapToDouble(p -> p.bpfkit().canaryNs()).toArray());
            long below = Arrays.stream(ratio).filter(v -> v < 1).count();
            long inv = ps.stream().mapToLong(p -> p.bpfkit().involuntary() + p.libbpf().involuntary()).sum();
            System.out.printf("%-24s %6d | %s | %s | %s %6.1f%% | %7.0f %7d%n", g.getKey(), ps.size(), pct(java), pct(c),
                    pct(ratio), 100.0 * below / ps.size(), canary[canary.length / 2], inv);
        }
    }

    /**
     * The turns as result lines ({@link ResultLines}: {@code ringbuf-turns events}, one line per
     * side; mean over the turns no other process or migration interrupted, best over iterations
     * of {@value #TURNS_PER_ITERATION} such turns),
     * and how the turns split between a core of its own and a core shared on the host: a turn
     * counts as shared when the multiply-add canary on the consuming CPU took 10 % longer than
     * the run's 10th percentile (it is flat while the core is the thread's alone).
     */
    private static void results(List<Round> rounds, Path resultFile) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        int preempted = 0;
        for (int i = 0; i + 1 < rounds.size(); i += 2) {
            Round a = rounds.get(i);
            Round b = rounds.get(i + 1);
            // A turn the scheduler interrupted (another process ran, or the thread moved) adds
            // milliseconds to one side's 30 us: such pairs are left out, and counted.
            if (a.involuntary() + b.involuntary() + a.migrations() + b.migrations() != 0) {
                preempted++;
                continue;
            }
            pairs.add(a.consumer().equals("bpfkit") ? new Pair(a, b) : new Pair(b, a));
        }
        double[] bestOf = {Double.MAX_VALUE, Double.MAX_VALUE};
        double[] sum = new double[2];
        for (int from = 0; from < pairs.size(); from += TURNS_PER_ITERATION) {
            List<Pair> it = pairs.subList(from, Math.min(pairs.size(), from + TURNS_PER_ITERATION));
            double java = it.stream().mapToDouble(p -> p.bpfkit().nsPerRecord()).average().orElseThrow();
            double c = it.stream().mapToDouble(p -> p.libbpf().nsPerRecord()).average().orElseThrow();
            if (it.size() == TURNS_PER_ITERATION || from == 0) {
                bestOf[0] = Math.min(bestOf[0], java);
                bestOf[1] = Math.min(bestOf[1], c);
            }
            sum[0] += java * it.size();
            sum[1] += c * it.size();
        }
        long records = (long) pairs.size() * BATCH;
        double[] wide = sorted(pairs.stream().mapToDouble(p -> p.bpfkit().wideCanaryNs()).toArray());
        double sharedAbove = wide[wide.length / 10] * 1.1;
        List<Pair> shared = pairs.stream().filter(p -> p.bpfkit().wideCanaryNs() > sharedAbove).toList();
        List<Pair> own = pairs.stream().filter(p -> p.bpfkit().wideCanaryNs() <= sharedAbove).toList();
        try (PrintStream out = new PrintStream(Files.newOutputStream(resultFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
            out.printf("bpfkit ringbuf-turns events %.3f NaN %.3f %d%n", sum[0] / pairs.size(), bestOf[0], records);
            out.printf("libbpf ringbuf-turns events %.3f NaN %.3f %d%n", sum[1] / pairs.size(), bestOf[1], records);
        }
        System.out.printf("%d turns (%d more left out: preempted or moved): core to itself in %d (libbpf/bpfkit %s),"
                + " shared on the host in %d (%s)%n", pairs.size(), preempted, own.size(), ratioOfMeans(own),
                shared.size(), ratioOfMeans(shared));
    }

    private static String ratioOfMeans(List<Pair> pairs) {
        if (pairs.isEmpty()) {
            return "-";
        }
        double java = pairs.stream().mapToDouble(p -> p.bpfkit().nsPerRecord()).average().orElseThrow();
        double c = pairs.stream().mapToDouble(p -> p.libbpf().nsPerRecord()).average().orElseThrow();
        return String.format("%.2f, %.2f vs %.2f ns", c / java, java, c);
    }

    private static double[] sorted(double[] v) {
        Arrays.sort(v);
        return v;
    }

    private static String pct(double[] v) {
        return String.format("%5.2f %5.2f %5.2f", v[v.length / 10], v[v.length / 2], v[v.length * 9 / 10]);
    }
}
