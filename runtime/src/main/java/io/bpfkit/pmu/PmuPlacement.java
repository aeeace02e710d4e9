package io.bpfkit.pmu;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.PmuCounterSpec;
import io.bpfkit.perfevent.PerfEventParser;
import io.bpfkit.perfevent.PerfEventSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opens the perf events a PERF_EVENT_ARRAY map declares ({@link MapSpec#pmuCounters()}) on every
 * online CPU and stores them in the map at {@code counter * possibleCpus + cpu}, where
 * {@code bpf_perf_event_read_value} finds them. A counter whose event has no PMU on this machine
 * (ENOENT, ENODEV, ENXIO, EOPNOTSUPP) opens its fallback instead, as {@code perf stat} falls back
 * from {@code cycles} to {@code cpu-clock}.
 *
 * <p>The map keeps the entries as long as the loader's map file descriptor is open, that is for
 * the loaded object's lifetime; the events' descriptors are the object's too, for reading from
 * Java.
 */
public final class PmuPlacement {
    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");

    private final PerfEventParser parser;
    private final int[] possible;
    private final boolean[] online;

    private PmuPlacement(PerfEventParser parser, int[] possible, int[] onlineCpus) {
        this.parser = parser;
        this.possible = possible;
        int max = Arrays.stream(possible).max().orElse(0);
        this.online = new boolean[max + 1];
        for (int cpu : onlineCpus) {
            if (cpu <= max) {
                online[cpu] = true;
            }
        }
    }

    /** Placement on this machine's CPUs, with events resolved against its sysfs. */
    public static PmuPlacement system() {
        return new PmuPlacement(PerfEventParser.system(), Cpus.possible(), Cpus.online());
    }

    /** The slots a map with these counters needs: counters × possible CPUs. */
    public static long slotsNeeded(MapSpec m) {
        return (long) m.pmuCounters().size() * Cpus.possibleCount();
    }

    /**
     * Opens and places every counter of {@code m}.
     *
     * @param own takes ownership of each event as soon as it is open (so a later failure closes it)
     * @param warnings receives one line per counter that fell back
     * @throws LoadException naming the map and counter: unknown event, no PMU without a
     *     fallback, missing privilege, a map too small for its counters
     */
    public List<PmuCounterSet> place(MapSpec m, OwnedFd map, Consumer<OwnedFd> own, List<String> warnings) {
        long needed = (long) m.pmuCounters().size() * Cpus.possibleCount();
        List<PmuCounterSet> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            for (PmuCounterSpec c : m.pmuCounters()) {
                String element = "map '" + m.name() + "' PMU counter " + c.index();
                if (m.maxEntries() != 0 && m.maxEntries() < needed) {
                    throw new LoadException(element, "the map has " + m.maxEntries() + " entries, its "
                            + m.pmuCounters().size() + " counters need " + needed + " (counters × possible CPUs); "
                            + "leave max_entries 0 to get that size");
                }
                out.add(placeCounter(m, c, element, map, own, warnings, key, value));
            }
        }
        return out;
    }

    private PmuCounterSet placeCounter(MapSpec m, PmuCounterSpec c, String element, OwnedFd map, Consumer<OwnedFd> own,
                                       List<String> warnings, MemorySegment key, MemorySegment value) {
        PerfEventSpec requested = parse(element, c.event());
        PerfEventSpec counted = requested;
        OwnedFd[] events = new OwnedFd[possible.length];
        int first = firstOnline();
        try {
            events[first] = open(counted, first, own);
        } catch (KernelException e) {
            if (!noSuchPmu(e.errno())) {
                throw refusal(element, counted, first, e);
            }
            if (c.fallback() == null) {
                throw new LoadException(element, "no hardware PMU on this machine: " + c.event() + " returned "
                        + e.errnoName() + "; declare a fallback event (BPFKIT_PMU_FALLBACK in C, "
                        + "@HwPmu(fallback = ...) in Java) such as cpu-clock to count that instead", e);
            }
            counted = parse(element + " fallback", c.fallback());
            try {
                events[first] = open(counted, first, own);
            } catch (KernelException f) {
                f.addSuppressed(e);
                throw refusal(element + " fallback", counted, first, f);
            }
            warnings.add(element + ": no PMU here for " + c.event() + " (" + e.errnoName() + "), counting "
                    + c.fallback() + " instead");
        }
        for (int i = 0; i < possible.length; i++) {
            int cpu = possible[i];
            if (i != first && online[cpu]) {
                try {
                    events[i] = open(counted, cpu, own);
                } catch (KernelException e) {
                    throw refusal(element, counted, cpu, e);
                }
            }
        }
        int cpus = Cpus.possibleCount();
        for (int i = 0; i < possible.length; i++) {
            if (events[i] != null) {
                key.set(ValueLayout.JAVA_INT, 0, c.index() * cpus + possible[i]);
                value.set(ValueLayout.JAVA_INT, 0, events[i].get());
                MapCalls.of(map).update(key, value, BpfFlags.BPF_ANY);
            }
        }
        return new PmuCounterSet(m.name(), c.index(), c.event(), counted.text(), possible, events);
    }

    private int firstOnline() {
        for (int i = 0; i < possible.length; i++) {
            if (online[possible[i]]) {
                return i;
            }
        }
        throw new LoadException("PMU counters", "no CPU is online");
    }

    private PerfEventSpec parse(String element, String event) {
        try {
            return parser.parse(event);
        } catch (LoadException | IllegalArgumentException e) {
            throw new LoadException(element, e.getMessage(), e);
        }
    }

    private static OwnedFd open(PerfEventSpec event, int cpu, Consumer<OwnedFd> own) {
        OwnedFd fd = PerfEvents.open(counterAttr(event), -1, cpu, null, Perf.PERF_FLAG_FD_CLOEXEC, event.text());
        own.accept(fd);
        return fd;
    }

    /** The errnos with which perf_event_open says this machine has no such PMU. */
    static boolean noSuchPmu(int errno) {
        return errno == Errno.ENOENT || errno == Errno.ENODEV || errno == Errno.ENXIO || errno == Errno.EOPNOTSUPP;
    }

    private static LoadException refusal(String element, PerfEventSpec event, int cpu, KernelException e) {
        String why = switch (e.errno()) {
            case Errno.EACCES, Errno.EPERM -> "per-CPU counters need CAP_PERFMON (or root), or "
                    + PARANOID + " at 0 or lower (it is " + paranoid() + ")";
            case Errno.EINVAL -> "the kernel refuses the attributes" + (event.excludeUser() || event.excludeKernel()
                    ? "; some PMUs (msr, ...) accept no :u/:k modifier" : "");
            case Errno.EBUSY -> "the PMU is busy with a pinned or exclusive event";
            default -> e.getMessage();
        };
        return new LoadException(element, "perf_event_open of " + event.text() + " on CPU " + cpu + " failed with "
                + e.errnoName() + ": " + why, e);
    }

    private static String paranoid() {
        try {
            return Files.readString(PARANOID).strip();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /**
     * The attribute for a counting event (no sampling) that reports enabled and running time,
     * as a PERF_EVENT_ARRAY slot needs it: not inherited, enabled from the start.
     */
    static PerfEventAttr counterAttr(PerfEventSpec event) {
        return new PerfEventAttr()
                .type(event.type())
                .config(event.config())
                .config1(event.config1())
                .config2(event.config2())
                .config3(event.config3())
                .readFormat(Perf.PERF_FORMAT_TOTAL_TIME_ENABLED | Perf.PERF_FORMAT_TOTAL_TIME_RUNNING)
                .excludeUser(event.excludeUser())
                .excludeKernel(event.excludeKernel())
                .excludeHv(event.excludeHv())
                .preciseIp(event.preciseIp());
    }
}
