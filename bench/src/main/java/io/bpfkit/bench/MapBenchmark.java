package io.bpfkit.bench;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.map.MapRef;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.MapCreateAttr;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Typed map handles doing what {@code maps_bench.c} does with libbpf, on maps of the same
 * shape (u32 keys, u64 values): single lookups and updates on a 1024-element hash, a whole
 * dump of an {@code entries}-element hash by batch ({@code forEach}) and key by key
 * (get-next-key + a typed lookup), and reads of a mapped {@code BPF_F_MMAPABLE} array (one
 * element at a time, and the whole array into a {@code long[]}). Keys
 * and values are boxed once in setup, so what is measured is the handle. Needs root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MapBenchmark {
    private static final int SMALL = 1024;
    /** Operations per benchmark call: maps_bench.c's per_call for lookups and updates. */
    private static final int PER_CALL = 1000;
    private static final int BPF_MAP_TYPE_HASH = 1;
    private static final int BPF_MAP_TYPE_ARRAY = 2;

    /** Elements of the dumped hash. */
    @Param("1000000")
    public int entries;

    private final Integer[] keys = new Integer[SMALL];
    private final Long[] values = new Long[SMALL];
    private final long[] bulk = new long[SMALL];
    private BpfHashMap<Integer, Long> small;
    private BpfHashMap<Integer, Long> big;
    private BpfArray<Long> mapped;
    private MapCalls bigCalls;
    private Arena arena;
    private MemorySegment prevKey;
    private MemorySegment nextKey;
    private int next;
    private long sum;
    private final BiConsumer<Integer, Long> adder = (k, v) -> sum += v;

    @Setup
    public void setup(BenchmarkParams params) {
        for (int i = 0; i < SMALL; i++) {
            keys[i] = i;
            values[i] = (long) i * 3;
        }
        arena = Arena.ofShared();
        prevKey = arena.allocate(4);
        nextKey = arena.allocate(4);
        String b = params.getBenchmark();
        if (b.endsWith(".lookup") || b.endsWith(".update")) {
            small = BpfMaps.hash(create(BPF_MAP_TYPE_HASH, SMALL, 0), Codecs.int32(), Codecs.int64());
            fill(small, SMALL);
            // Measured only once C2 is done: a compiler thread on the other CPU of a 2-CPU
            // machine would share it with the kernel's side of every call.
            Prewarm.untilSteady(b, b.endsWith(".lookup") ? this::lookup : () -> {
                update();
                return null;
            });
        } else if (b.endsWith(".dumpBatch") || b.endsWith(".dumpKeys")) {
            MapRef ref = create(BPF_MAP_TYPE_HASH, entries, 0);
            bigCalls = MapCalls.of(ref.fd());
            big = BpfMaps.hash(ref, Codecs.int32(), Codecs.int64());
            fill(big, entries);
        } else {
            mapped = BpfMaps.array(create(BPF_MAP_TYPE_ARRAY, SMALL, BpfFlags.BPF_F_MMAPABLE), Codecs.int64());
            if (mapped.mapped().isEmpty()) {
                throw new IllegalStateException("the array is not mapped");
            }
        }
    }

    private static MapRef create(int type, int max, int flags) {
        return MapRef.owning(Bpf.mapCreate(MapCreateAttr.builder(type, 4, 8, max).mapFlags(flags).name("bench")
                .build()));
    }

    private static void fill(BpfHashMap<Integer, Long> map, int n) {
        Map<Integer, Long> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(i, i * 3L);
        }
        map.putAll(m);
    }

    @TearDown
    public void tearDown() {
        for (var m : new io.bpfkit.api.map.BpfMap[] {small, big, mapped}) {
            if (m != null) {
                m.close();
            }
        }
        arena.close();
    }

    /**
     * Typed lookups ({@code bpf_map_lookup_elem}), {@value #PER_CALL} per call as maps_bench.c
     * times them, so that what is measured between two system calls is the lookup on both sides
     * and not the harness: on a kernel with page-table isolation and no PCID every system call
     * empties the TLB, and JMH's own bookkeeping between calls would pay page walks C's loop does not.
     */
    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    public long lookup() {
        long sum = 0;
        for (int n = 0; n < PER_CALL; n++) {
            sum += small.get(keys[next++ & (SMALL - 1)]);
        }
        return sum;
    }

    /** Typed updates ({@code bpf_map_update_elem(BPF_ANY)}), {@value #PER_CALL} per call (see {@link #lookup}). */
    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    public void update() {
        for (int n = 0; n < PER_CALL; n++) {
            int i = next++ & (SMALL - 1);
            small.put(keys[i], values[i]);
        }
    }

    /** The whole map through {@code forEach} (batch lookups of 8192), values summed. */
    @Benchmark
    public long dumpBatch() {
        sum = 0;
        big.forEach(adder);
        return sum;
    }

    /** The whole map key by key: get-next-key, then a typed lookup of each key. */
    @Benchmark
    public long dumpKeys() {
        long s = 0;
        boolean first = true;
        while (bigCalls.nextKey(first ? null : prevKey, nextKey)) {
            Long v = big.get(nextKey.get(ValueLayout.JAVA_INT, 0));
            if (v != null) {
                s += v;
            }
            MemorySegment.copy(nextKey, 0, prevKey, 0, 4);
            first = false;
        }
        return s;
    }

    /**
     * Elements of a mapped array through the typed {@code get(int)}: memory reads, no system
     * call; {@value #PER_CALL} per call, as maps_bench.c's loop reads them, so that JMH's own
     * per-call bookkeeping (about as long as a read) is not counted as the read's.
     */
    @Benchmark
    @OperationsPerInvocation(PER_CALL)
    public long mmapRead() {
        long sum = 0;
        BpfArray<Long> m = mapped;
        int i = next;
        for (int n = 0; n < PER_CALL; n++) {
            sum += m.get(i++ & (SMALL - 1));
        }
        next = i;
        return sum;
    }

    /** A whole mapped array of {@value #SMALL} u64 values into a {@code long[]}: per element. */
    @Benchmark
    @OperationsPerInvocation(SMALL)
    public long mmapBulkRead() {
        mapped.getLongs(0, bulk, 0, SMALL);
        return bulk[next++ & (SMALL - 1)];
    }
}
