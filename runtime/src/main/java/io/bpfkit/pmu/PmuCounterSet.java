package io.bpfkit.pmu;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.pmu.PmuCounter;
import io.bpfkit.api.pmu.PmuReading;
import io.bpfkit.api.pmu.PmuValue;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.PerfEvents;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One PMU counter of a PERF_EVENT_ARRAY map: its perf event on each CPU. The events belong to
 * the loaded object that opened them ({@link #fds()} are closed with it); reads go straight to
 * the events with {@code read(2)} into reused memory.
 */
public final class PmuCounterSet implements PmuCounter {
    private static final long VALUE_BYTES = 3 * Long.BYTES;

    private final String map;
    private final int index;
    private final String requestedEvent;
    private final String event;
    private final List<Integer> cpus;
    /** Per entry of {@link #cpus}: the event, or null for a CPU that was offline at load. */
    private final OwnedFd[] events;
    private final String[] readOperations;
    private final MemorySegment scratch = Arena.ofAuto().allocate(VALUE_BYTES, Long.BYTES);

    PmuCounterSet(String map, int index, String requestedEvent, String event, int[] cpus, OwnedFd[] events) {
        this.map = map;
        this.index = index;
        this.requestedEvent = requestedEvent;
        this.event = event;
        this.cpus = Collections.unmodifiableList(Arrays.stream(cpus).boxed().toList());
        this.events = events.clone();
        this.readOperations = new String[events.length];
        for (int i = 0; i < events.length; i++) {
            readOperations[i] = "read of PMU counter " + index + " (" + event + ") of map '" + map + "' on CPU " + cpus[i];
        }
    }

    @Override
    public String map() {
        return map;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String requestedEvent() {
        return requestedEvent;
    }

    @Override
    public String event() {
        return event;
    }

    /** The CPUs in reading order (every possible CPU). */
    public List<Integer> cpus() {
        return cpus;
    }

    /** The open events (offline CPUs have none), for the owner to close. */
    public List<OwnedFd> fds() {
        List<OwnedFd> out = new ArrayList<>();
        for (OwnedFd fd : events) {
            if (fd != null) {
                out.add(fd);
            }
        }
        return out;
    }

    @Override
    public synchronized PmuReading read() {
        PmuValue[] values = new PmuValue[events.length];
        for (int i = 0; i < events.length; i++) {
            values[i] = events[i] == null ? PmuValue.ZERO : readOne(i);
        }
        return new PmuReading(event, cpus, List.of(values));
    }

    private PmuValue readOne(int i) {
        // a 24-byte buffer: the read fails unless the event reports exactly count, enabled, running
        PerfEvents.Count c = PerfEvents.readTimed(events[i], scratch, readOperations[i]);
        return new PmuValue(c.value(), c.timeEnabled(), c.timeRunning());
    }

    @Override
    public void enable() {
        fds().forEach(PerfEvents::enable);
    }

    @Override
    public void disable() {
        fds().forEach(PerfEvents::disable);
    }

    @Override
    public void reset() {
        fds().forEach(PerfEvents::reset);
    }

    @Override
    public String toString() {
        return "PmuCounter[" + map + "#" + index + ", " + event + (isFallback() ? " (fallback for " + requestedEvent + ")" : "")
                + "]";
    }
}
