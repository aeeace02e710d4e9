package io.bpfkit.events;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.events.PerfRecordHandler;
import io.bpfkit.events.PollingReader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a perf buffer: a {@code PERF_EVENT_ARRAY} map that BPF programs write with
 * {@code bpf_perf_event_output}, as libbpf's {@code perf_buffer__poll} does. For each online CPU
 * the reader opens a {@code PERF_COUNT_SW_BPF_OUTPUT} event, maps its ring and stores the
 * event in the map's slot for that CPU. Records are handed over in place; one that wraps
 * around the end of its ring is first copied into a scratch buffer (allocated once). Records
 * the kernel dropped because a ring was full are reported per CPU through
 * {@link PerfRecordHandler#onLost}.
 *
 * <pre>{@code
 * try (PerfBufferReader reader = PerfBufferReader.builder(obj.map("events").orElseThrow(), handler)
 *         .pagesPerCpu(64).build()) {
 *     while (running) reader.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 */
public final class PerfBufferReader extends PollingReader {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long DATA_HEAD = 1024;
    private static final long DATA_TAIL = 1032;
    private static final int RECORD_LOST = Perf.PERF_RECORD_LOST;
    private static final int RECORD_SAMPLE = Perf.PERF_RECORD_SAMPLE;
    private static final int MAX_RECORD = 0xffff;

    private final List<OwnedFd> eventFds = new ArrayList<>();
    private final int[] cpus;
    /** Each ring's data, as handlers get it (a checked mapping). */
    private final MemorySegment[] datas;
    /** Addresses of each ring's metadata page and data, read by the consume loop (see there). */
    private final long[] metaAt;
    private final long[] dataAt;
    private final long dataSize;
    private final PerfRecordHandler handler;
    private final MemorySegment scratch;
    private final String mapName;

    private PerfBufferReader(String mapName, OwnedFd map, int maxEntries, int pages, PerfRecordHandler handler,
            int[] onlyCpus) {
        super(0);
        this.mapName = mapName;
        this.handler = handler;
        long page = Syscalls.pageSize();
        this.dataSize = pages * page;
        int[] online = onlyCpus != null ? onlyCpus : Cpus.online();
        List<Integer> use = new ArrayList<>();
        for (int c : online) {
            if (c < maxEntries) {
                use.add(c);
            }
        }
        this.cpus = use.stream().mapToInt(Integer::intValue).toArray();
        this.datas = new MemorySegment[cpus.length];
        this.metaAt = new long[cpus.length];
        this.dataAt = new long[cpus.length];
        this.scratch = arena.allocate(MAX_RECORD + 8, 8);
        try {
            PerfEventAttr attr = new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                    .config(Perf.PERF_COUNT_SW_BPF_OUTPUT).sampleType(Perf.PERF_SAMPLE_RAW).samplePeriod(1)
                    .wakeupEvents(1);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment key = tmp.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = tmp.allocate(ValueLayout.JAVA_INT);
                for (int i = 0; i < cpus.length; i++) {
                    OwnedFd ev = PerfEvents.open(attr, -1, cpus[i], null, Perf.PERF_FLAG_FD_CLOEXEC,
                            "bpf-output cpu " + cpus[i] + " for " + mapName);
                    eventFds.add(ev);
                    MemorySegment ring = Syscalls.mmap(ev.get(), page + dataSize,
                            Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, 0, arena,
                            "mmap of the perf ring of cpu " + cpus[i] + " for " + mapName);
                    datas[i] = ring.asSlice(page, dataSize);
                    metaAt[i] = ring.address();
                    dataAt[i] = ring.address() + page;
                    PerfEvents.enable(ev);
                    key.set(ValueLayout.JAVA_INT, 0, cpus[i]);
                    value.set(ValueLayout.JAVA_INT, 0, ev.get());
                    MapCalls.of(map).update(key, value, BpfFlags.BPF_ANY);
                    watch(ev.get(), i);
                }
            }
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
    }

    /** A reader for a loaded {@code PERF_EVENT_ARRAY} map. */
    public static Builder builder(LoadedMap map, PerfRecordHandler handler) {
        if (map.spec().mapType() != MapType.PERF_EVENT_ARRAY) {
            throw new BpfException("map '" + map.name() + "' is a " + map.spec().mapType()
                    + " map, not a perf buffer (BPF_MAP_TYPE_PERF_EVENT_ARRAY)");
        }
        return new Builder(map.name(), map.fd(), Bpf.mapInfo(map.fd()).maxEntries(), handler);
    }

    /** The CPUs this reader has a ring for, in ring order. */
    public int[] cpus() {
        return cpus.clone();
    }

    @Override
    protected int consumeAll() {
        int n = 0;
        for (int i = 0; i < cpus.length && !closedInHandler(); i++) {
            n += consume(i);
        }
        return n;
    }

    /**
     * Reads ring {@code i} from data_tail to data_head; returns the number of samples. The loop
     * reads headers at their addresses through {@link Syscalls#UNSCOPED_MEMORY} (it runs under
     * the poll lock, while the mapping is open): a checked segment would cost field loads and
     * checks on the chain from one header to the next, which is what the loop waits on. The
     * tail goes back to the kernel after the handler is done with a record, in steps of at most
     * a sixteenth of the ring and at the end of the pass, as the ring buffer reader does.
     */
    private int consume(int i) {
        final MemorySegment memory = Syscalls.UNSCOPED_MEMORY;
        final MemorySegment data = datas[i];
        final long ring = dataAt[i];
        final long headAt = metaAt[i] + DATA_HEAD;
        final long tailAt = metaAt[i] + DATA_TAIL;
        final long mask = dataSize - 1;
        final long releaseStep = Math.max(8, dataSize / 16);
        final int cpu = cpus[i];
        final PerfRecordHandler handler = this.handler;
        long head = (long) LONG.getAcquire(memory, headAt);
        long tail = (long) LONG.get(memory, tailAt);
        long released = tail;
        int n = 0;
        while (tail < head) {
            long at = tail & mask;
            // headers are 8-byte aligned and the ring a multiple of 8: a header never wraps
            int type = memory.get(ValueLayout.JAVA_INT, ring + at);
            int size = Short.toUnsignedInt(memory.get(ValueLayout.JAVA_SHORT, ring + at + 6));
            if (size < 8) {
                throw new BpfException("corrupt perf record of size " + size + " in the ring of cpu " + cpu
                        + " of " + mapName);
            }
            MemorySegment rec = data;
            long base = at;
            if (at + size > dataSize) {
                long first = dataSize - at;
                MemorySegment.copy(data, at, scratch, 0, first);
                MemorySegment.copy(data, 0, scratch, first, size - first);
                rec = scratch;
                base = 0;
            }
            try {
                if (type == RECORD_SAMPLE) {
                    int rawSize = rec.get(ValueLayout.JAVA_INT_UNALIGNED, base + 8);
                    n++;
                    handler.onRecord(cpu, rec, base + 12, Math.min(rawSize, size - 12));
                } else if (type == RECORD_LOST) {
                    handler.onLost(cpu, rec.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 16));
                }
            } catch (RuntimeException | Error e) {
                if (!closedInHandler() && tail != released) { // the record that failed stays in the ring
                    LONG.setRelease(memory, tailAt, tail);
                }
                throw e;
            }
            if (closedInHandler()) { // the mapping is gone
                return n;
            }
            tail += size;
            if (tail - released >= releaseStep) {
                LONG.setRelease(memory, tailAt, tail);
                released = tail;
            }
        }
        if (tail != released) {
            LONG.setRelease(memory, tailAt, tail);
        }
        return n;
    }

    @Override
    protected void release() {
        eventFds.forEach(OwnedFd::close);
    }

    @Override
    public String toString() {
        return "PerfBufferReader[" + mapName + ", " + cpus.length + " cpus" + (isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a perf buffer reader. */
    public static final class Builder {
        private final String name;
        private final OwnedFd map;
        private final int maxEntries;
        private final PerfRecordHandler handler;
        private int pages = 8;
        private int[] cpus;

        private Builder(String name, OwnedFd map, int maxEntries, PerfRecordHandler handler) {
            if (handler == null) {
                throw new IllegalArgumentException("no handler for perf buffer " + name);
            }
            this.name = name;
            this.map = map;
            this.maxEntries = maxEntries;
            this.handler = handler;
        }

        /** Data pages per CPU ring: a power of two (default 8). */
        public Builder pagesPerCpu(int n) {
            if (n <= 0 || Integer.bitCount(n) != 1) {
                throw new IllegalArgumentException("pages per CPU must be a power of two, got " + n);
            }
            pages = n;
            return this;
        }

        /** Only these CPUs (default: every online CPU the map has a slot for). */
        public Builder cpus(int... cpus) {
            this.cpus = cpus.clone();
            return this;
        }

        public PerfBufferReader build() {
            return new PerfBufferReader(name, map, maxEntries, pages, handler, cpus);
        }
    }
}
