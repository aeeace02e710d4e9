package io.bpfkit.sys;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code perf_event_open(2)} and the perf event ioctls: opening counters for PMU and software
 * events, enabling them, attaching BPF programs to them, reading their counts.
 *
 * <pre>{@code
 * PerfEventAttr a = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
 *         .config(Perf.PERF_COUNT_SW_CPU_CLOCK).disabled(true);
 * try (Fd ev = PerfEvents.open(a, 0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, "cpu-clock")) {
 *     PerfEvents.enable(ev);
 *     ... work ...
 *     long nanos = PerfEvents.readCount(ev);
 * }
 * }</pre>
 */
public final class PerfEvents {
    private PerfEvents() {
    }

    /**
     * {@code perf_event_open(attr, pid, cpu, group, flags)}.
     *
     * @param pid 0 for this process, -1 for all (with a cpu), or a pid
     * @param cpu -1 for any, or a CPU number
     * @param group the group leader, or null
     * @param name the event's name for messages and the label, e.g. {@code cpu-clock}
     */
    public static Fd open(PerfEventAttr attr, int pid, int cpu, OwnedFd group, long flags, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr.toSegment(arena);
            int fd = Syscalls.perfEventOpen(a, pid, cpu, group == null ? -1 : group.get(), flags,
                    "perf_event_open of event '" + name + "' (" + attr + ", pid " + pid + ", cpu " + cpu + ")");
            return Fd.of(fd, "perf event", name);
        }
    }

    /** {@code PERF_EVENT_IOC_ENABLE}. */
    public static void enable(OwnedFd event) {
        Syscalls.ioctl(event.get(), Perf.PERF_EVENT_IOC_ENABLE, 0L, "PERF_EVENT_IOC_ENABLE of " + event);
    }

    /** {@code PERF_EVENT_IOC_DISABLE}. */
    public static void disable(OwnedFd event) {
        Syscalls.ioctl(event.get(), Perf.PERF_EVENT_IOC_DISABLE, 0L, "PERF_EVENT_IOC_DISABLE of " + event);
    }

    /** {@code PERF_EVENT_IOC_RESET}. */
    public static void reset(OwnedFd event) {
        Syscalls.ioctl(event.get(), Perf.PERF_EVENT_IOC_RESET, 0L, "PERF_EVENT_IOC_RESET of " + event);
    }

    /** {@code PERF_EVENT_IOC_SET_BPF}: runs {@code prog} on each overflow (kprobe/tracepoint/perf_event programs). */
    public static void setBpf(OwnedFd event, OwnedFd prog) {
        Syscalls.ioctl(event.get(), Perf.PERF_EVENT_IOC_SET_BPF, prog.get(), "PERF_EVENT_IOC_SET_BPF of " + prog + " on " + event);
    }

    /** {@code PERF_EVENT_IOC_ID}: the event's unique id. */
    public static long id(OwnedFd event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            Syscalls.ioctl(event.get(), Perf.PERF_EVENT_IOC_ID, out, "PERF_EVENT_IOC_ID of " + event);
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** A count as {@code read(2)} returns it with {@code TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING}. */
    public record Count(long value, long timeEnabled, long timeRunning) {
        /** The value scaled for multiplexing: {@code value * enabled / running}. */
        public long scaled() {
            if (timeRunning == 0 || timeRunning == timeEnabled) {
                return timeRunning == 0 && timeEnabled != 0 ? 0 : value;
            }
            return (long) ((double) value * timeEnabled / timeRunning);
        }
    }

    /** Reads the counter of an event opened with read_format 0. */
    public static long readCount(OwnedFd event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ValueLayout.JAVA_LONG);
            long n = Syscalls.read(event.get(), buf, "read of " + event);
            if (n != 8) {
                throw new BpfException("read of " + event + " returned " + n + " bytes, expected 8");
            }
            return buf.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * Reads an event opened with {@code read_format = TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING}
     * (and optionally {@code ID} / {@code LOST}, which are skipped).
     */
    public static Count readTimed(OwnedFd event) {
        try (Arena arena = Arena.ofConfined()) {
            return readTimed(event, arena.allocate(ValueLayout.JAVA_LONG, 5), "read of " + event);
        }
    }

    /**
     * As {@link #readTimed(OwnedFd)}, into the caller's {@code scratch} (24 bytes for exactly
     * {@code TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING}, 40 to allow {@code ID} / {@code LOST}), so
     * a caller that reads often reuses one buffer.
     *
     * @param operation what the read is, for the exception when it fails
     */
    public static Count readTimed(OwnedFd event, MemorySegment scratch, String operation) {
        long n = Syscalls.read(event.get(), scratch, operation);
        if (n < 24) {
            throw new BpfException(operation + " returned " + n
                    + " bytes: was it opened with TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING?");
        }
        return new Count(scratch.getAtIndex(ValueLayout.JAVA_LONG, 0), scratch.getAtIndex(ValueLayout.JAVA_LONG, 1),
                scratch.getAtIndex(ValueLayout.JAVA_LONG, 2));
    }
}
