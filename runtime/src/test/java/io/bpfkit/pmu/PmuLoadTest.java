package io.bpfkit.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.pmu.PmuCounter;
import io.bpfkit.api.pmu.PmuReading;
import io.bpfkit.api.pmu.PmuValue;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadInChild;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.Feature;
import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import io.bpfkit.uapi.MapInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * pmu.bpf.o end to end: counters declared in the object are opened on every CPU and placed in
 * their maps; read_counters, run on each CPU through BPF_PROG_TEST_RUN, reads them with
 * bpf_perf_event_read_value; Java reads the same events. Where the machine has a hardware PMU,
 * "cycles" counts cycles; where it has none (VMs, the CI host), it falls back to cpu-clock (see
 * the fixture's header). Which of these, and of the other host-dependent branches, ran is in
 * each test's display name (see {@link HostFeatures}).
 */
@KernelTest
class PmuLoadTest {
    /** struct cpu_out of pmu.bpf.c. */
    private static final long CYCLES = 0;
    private static final long CPU_CLOCK = 24;
    private static final long TASK_CLOCK = 48;
    private static final long ERRORS = 72;
    private static final long RUNS = 96;
    private static final long CPU_OUT_SIZE = 104;
    private static final int BPF_F_TEST_RUN_ON_CPU = 1;

    static BpfObjectSpec open() {
        return BpfObjects.open(TestObjects.path("pmu.bpf.o"));
    }

    @Test
    void objectDeclaresItsCountersInBtf() {
        MapSpec cycles = open().map("cycles").orElseThrow();
        assertEquals(1, cycles.pmuCounters().size());
        assertEquals("cycles", cycles.pmuCounter(0).event());
        assertEquals("cpu-clock", cycles.pmuCounter(0).fallback());
        MapSpec clocks = open().map("clocks").orElseThrow();
        assertEquals(2, clocks.pmuCounters().size());
        assertEquals("task-clock", clocks.pmuCounter(1).event());
        assertEquals(null, clocks.pmuCounter(1).fallback());
        assertTrue(open().map("plain").orElseThrow().pmuCounters().isEmpty());
    }

    @TestFactory
    DynamicTest bpfReadsEachCpusCountersAndTheyRise() {
        return HostFeatures.hardwarePmu().test(
                "cycles counts on the PMU: counts rise, running <= enabled, scaled >= counted",
                () -> readEachCpusCounters(true),
                "cycles falls back to cpu-clock, with a warning that says so", () -> readEachCpusCounters(false));
    }

    private static void readEachCpusCounters(boolean hardwarePmu) {
        BpfObjectSpec spec = open();
        try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
            PmuCounter cycles = obj.pmuCounter("cycles", 0);
            if (hardwarePmu) {
                assertFalse(cycles.isFallback(), "a hardware PMU counts cycles itself: " + cycles);
                assertEquals("cycles", cycles.event());
                assertTrue(obj.warnings().stream().noneMatch(w -> w.contains("no PMU here")),
                        obj.warnings().toString());
            } else {
                assertTrue(cycles.isFallback(), "no hardware PMU here: " + cycles);
                assertEquals("cpu-clock", cycles.event());
                assertTrue(obj.warnings().stream().anyMatch(w -> w.contains("no PMU here for cycles")
                        && w.contains("counting cpu-clock")), obj.warnings().toString());
            }
            assertTrue(obj.pmuCounters("plain").isEmpty());

            int possible = Cpus.possibleCount();
            assertEquals(possible, mapInfo(obj, "cycles").maxEntries(), "one slot per possible CPU");
            assertEquals(2L * possible, mapInfo(obj, "clocks").maxEntries(), "two counters per CPU");

            for (int cpu : Cpus.online()) {
                runOn(obj, "read_counters", cpu);
                MemorySegment first = cpuOut(obj, cpu, arena);
                assertNoErrors(first, cpu);
                for (long field : new long[] {CYCLES, CPU_CLOCK, TASK_CLOCK}) {
                    PmuValue v = value(first, field);
                    assertTrue(v.counter() > 0 && v.enabled() > 0 && v.running() > 0, "cpu " + cpu + " @" + field + ": " + v);
                    if (field == CYCLES && hardwarePmu) {
                        // a hardware counter may share the PMU with others: it runs at most while enabled,
                        // and the scaled count estimates what it would have counted all along
                        assertTrue(v.running() <= v.enabled(), "cpu " + cpu + " cycles: " + v);
                        assertEquals((double) v.counter() * v.enabled() / v.running(), v.scaled(), 1.0, v.toString());
                        assertTrue(v.scaled() >= v.counter(), v.toString());
                    } else {
                        assertEquals(v.enabled(), v.running(), "software events never multiplex");
                    }
                }
                busy(2_000_000);
                runOn(obj, "read_counters", cpu);
                MemorySegment second = cpuOut(obj, cpu, arena);
                assertNoErrors(second, cpu);
                assertEquals(2, second.get(ValueLayout.JAVA_LONG, RUNS));
                for (long field : new long[] {CYCLES, CPU_CLOCK, TASK_CLOCK}) {
                    assertTrue(value(second, field).counter() > value(first, field).counter(),
                            "cpu " + cpu + " @" + field + " rises: " + value(first, field) + " -> " + value(second, field));
                }
                // Java reads the same events, later: at least what BPF saw
                PmuValue java = cycles.read().cpu(cpu);
                assertTrue(java.counter() >= value(second, CYCLES).counter(), java + " vs " + value(second, CYCLES));
            }
        }
    }

    @Test
    void javaReadsDeltasAndControlsTheCounters() throws InterruptedException {
        try (LoadedObject obj = BpfLoader.load(open())) {
            PmuCounter cpuClock = obj.pmuCounter("clocks", 0);
            assertFalse(cpuClock.isFallback());
            PmuReading a = cpuClock.read();
            assertEquals(Cpus.possibleCount(), a.cpus().size());
            Thread.sleep(20);
            PmuReading delta = cpuClock.read().minus(a);
            // cpu-clock counts nanoseconds on each CPU: 20 ms on each of the online CPUs
            assertTrue(delta.scaled() >= 15_000_000L * Cpus.online().length, "delta " + delta);

            cpuClock.disable();
            PmuReading stopped = cpuClock.read();
            Thread.sleep(10);
            assertEquals(stopped.total().counter(), cpuClock.read().total().counter(), "disabled counters stand still");
            cpuClock.reset();
            assertTrue(cpuClock.read().total().counter() < stopped.total().counter(), "reset starts from zero");
            cpuClock.enable();
            Thread.sleep(10);
            assertTrue(cpuClock.read().total().counter() > 0);
        }
    }

    @Test
    void javaChoosesTheEventsBeforeLoad() {
        BpfObjectSpec spec = open();
        spec.map("clocks").orElseThrow().pmuCounter(1).event("context-switches");
        spec.map("cycles").orElseThrow().pmuCounter(0, "task-clock", null);
        try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
            assertEquals("context-switches", obj.pmuCounter("clocks", 1).event());
            assertEquals("task-clock", obj.pmuCounter("cycles", 0).event());
            assertFalse(obj.pmuCounter("cycles", 0).isFallback());
            int cpu = Cpus.online()[0];
            runOn(obj, "read_counters", cpu);
            assertNoErrors(cpuOut(obj, cpu, arena), cpu);
        }
        assertEquals("task-clock", open().map("clocks").orElseThrow().pmuCounter(1).event(), "the file is untouched");
    }

    @TestFactory
    DynamicTest withoutAFallbackTheHardwareEventLoadsOrIsAClearError() {
        return HostFeatures.hardwarePmu().test("cycles without a fallback loads and counts", () -> {
            BpfObjectSpec spec = open();
            spec.map("cycles").orElseThrow().pmuCounter(0).fallback(null);
            try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
                assertEquals("cycles", obj.pmuCounter("cycles", 0).event());
                assertFalse(obj.pmuCounter("cycles", 0).isFallback());
                int cpu = Cpus.online()[0];
                runOn(obj, "read_counters", cpu);
                MemorySegment out = cpuOut(obj, cpu, arena);
                assertNoErrors(out, cpu);
                assertTrue(value(out, CYCLES).counter() > 0, value(out, CYCLES).toString());
            }
        }, "a missing PMU is a clear error naming the counter and errno, and leaks nothing", () -> {
            BpfObjectSpec spec = open();
            spec.map("cycles").orElseThrow().pmuCounter(0).fallback(null);
            long before = openFds();
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec));
            assertEquals("map 'cycles' PMU counter 0", e.element());
            assertTrue(e.getMessage().contains("no hardware PMU on this machine: cycles returned "
                    + HostFeatures.hardwarePmu().evidence().replaceFirst(".*: ", "")), e.getMessage());
            assertEquals(before, openFds(), "the half-made object is closed");
        });
    }

    @Test
    void anUnknownEventIsAClearErrorAndLeaksNothing() throws IOException {
        BpfObjectSpec spec = open();
        long before = openFds();
        spec.map("cycles").orElseThrow().pmuCounter(0).event("cyclez");
        LoadException unknown = assertThrows(LoadException.class, () -> BpfLoader.load(spec));
        assertTrue(unknown.getMessage().contains("perf event 'cyclez': unknown event"), unknown.getMessage());
        assertEquals(before, openFds());
    }

    @TestFactory
    DynamicTest withoutCapPerfmonTheErrorNamesTheSettingToChange() {
        // CAP_BPF alone creates the maps; per-CPU perf events then need CAP_PERFMON or
        // perf_event_paranoid <= 0, and the raw_tp program needs CAP_PERFMON either way
        return HostFeatures.cpuWidePerfEventsWithoutCapPerfmon().test(
                "the counters open; loading the raw_tp program is the EPERM", () -> {
                    Tools.Result r = Tools.runJavaWithCapabilities("-all,+bpf", LoadInChild.class,
                            TestObjects.path("pmu.bpf.o").toString());
                    assertEquals(3, r.exitCode(), r.out() + r.stderr());
                    assertFalse(r.out().contains("PMU counter"), r.out());
                    assertTrue(r.out().contains("KernelException: BPF_PROG_LOAD of program 'read_counters' failed: "
                            + "EPERM") && r.out().contains("CAP_PERFMON"), r.out());
                }, "opening the counters fails naming CAP_PERFMON and perf_event_paranoid's value", () -> {
                    Tools.Result r = Tools.runJavaWithCapabilities("-all,+bpf", LoadInChild.class,
                            TestObjects.path("pmu.bpf.o").toString());
                    assertEquals(3, r.exitCode(), r.out() + r.stderr());
                    assertTrue(r.out().contains("LoadException: map 'cycles' PMU counter 0")
                            && r.out().contains("per-CPU counters need CAP_PERFMON")
                            && r.out().contains("/proc/sys/kernel/perf_event_paranoid at 0 or lower (it is "
                            + HostFeatures.perfEventParanoid() + ")"), r.out());
                });
    }

    @TestFactory
    DynamicTest aDynamicSysfsPmuCountsToo() {
        Feature sysfs = HostFeatures.sysfsPmuEvent();
        return sysfs.test("the named event opens through the PMU's sysfs type and counts", () -> {
            // e.g. msr/tsc/ (x86 VMs; msr accepts no :u/:k bits) or the core PMU's cycles
            String event = sysfs.value().orElseThrow();
            BpfObjectSpec spec = open();
            spec.map("cycles").orElseThrow().pmuCounter(0).event(event);
            try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
                assertEquals(event, obj.pmuCounter("cycles", 0).event());
                int cpu = Cpus.online()[0];
                runOn(obj, "read_counters", cpu);
                long first = value(cpuOut(obj, cpu, arena), CYCLES).counter();
                runOn(obj, "read_counters", cpu);
                MemorySegment out = cpuOut(obj, cpu, arena);
                assertNoErrors(out, cpu);
                assertTrue(first > 0 && value(out, CYCLES).counter() > first, event + " counts: " + first + " -> "
                        + value(out, CYCLES));
            }
        }, "a named event of a PMU this machine lacks is a clear error naming the PMU", () -> {
            BpfObjectSpec spec = open();
            spec.map("cycles").orElseThrow().pmuCounter(0).event("msr/tsc/");
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
            assertEquals("map 'cycles' PMU counter 0", e.element());
            assertTrue(e.getMessage().contains("perf event 'msr/tsc/': ") && (e.getMessage().contains(
                    "no PMU 'msr' on this machine") || e.getMessage().contains("PMU 'msr' has no term or event 'tsc'")),
                    e.getMessage());
        });
    }

    @Test
    void reloadingTheSameSpecOpensFreshCountersAndLeaksNothing() throws IOException {
        BpfObjectSpec spec = open();
        long before = openFds();
        for (int i = 0; i < 20; i++) {
            try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
                int cpu = Cpus.online()[i % Cpus.online().length];
                runOn(obj, "read_counters", cpu);
                assertNoErrors(cpuOut(obj, cpu, arena), cpu);
            }
        }
        assertEquals(before, openFds());
        LoadedObject closed = BpfLoader.load(spec);
        PmuCounter c = closed.pmuCounter("clocks", 0);
        closed.close();
        assertThrows(IllegalStateException.class, c::read);
    }

    private static void runOn(LoadedObject obj, String program, int cpu) {
        OwnedFd prog = obj.program(program).orElseThrow().fd();
        assertEquals(0, Bpf.progTestRun(prog, TestRunAttr.builder().flags(BPF_F_TEST_RUN_ON_CPU).cpu(cpu).build()).retval());
    }

    private static MemorySegment cpuOut(LoadedObject obj, int cpu, Arena arena) {
        LoadedMap bss = obj.map("pmu.bss").orElseThrow();
        MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment value = arena.allocate(bss.spec().valueSize());
        assertTrue(MapCalls.of(bss.fd()).lookup(key, value));
        long base = bss.spec().variable("out").orElseThrow().offset();
        return value.asSlice(base + cpu * CPU_OUT_SIZE, CPU_OUT_SIZE);
    }

    private static PmuValue value(MemorySegment out, long offset) {
        return new PmuValue(out.get(ValueLayout.JAVA_LONG, offset), out.get(ValueLayout.JAVA_LONG, offset + 8),
                out.get(ValueLayout.JAVA_LONG, offset + 16));
    }

    private static void assertNoErrors(MemorySegment out, int cpu) {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, out.get(ValueLayout.JAVA_LONG, ERRORS + 8L * i), "bpf_perf_event_read_value #" + i + " on cpu " + cpu);
        }
    }

    private static MapInfo mapInfo(LoadedObject obj, String map) {
        return Bpf.mapInfo(obj.map(map).orElseThrow().fd());
    }

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x += end;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
