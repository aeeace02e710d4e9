package io.bpfkit.bench;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.events.PerfRecordHandler;
import io.bpfkit.api.events.RecordHandler;
import io.bpfkit.events.PerfBufferReader;
import io.bpfkit.events.RingBufferReader;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events through bpfkit's readers, the same stream as {@code events_bench.c} consumes with
 * libbpf: {@code events_bench.bpf.o}'s producers run by BPF_PROG_TEST_RUN. The "consume"
 * benchmarks time only the reader: the batch is produced before each invocation
 * ({@link Level#Invocation} setup, untimed); "e2e" times produce + consume. Scores are per
 * event ({@code OperationsPerInvocation} is the batch), so {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} is bytes allocated per event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventsBenchmark {
    /** Ring buffer batch: must match {@code events_bench}'s BATCH. */
    public static final int RING_BATCH = 10_000;
    /** Perf buffer batch: produce_pb writes at most 512 per run. */
    public static final int PERF_BATCH = 512;

    /** struct event, decoded: the codec path. */
    public record Event(long seq, long value, int cpu, int tag, long pad) {
    }

    static final Codec<Event> CODEC = new Codec<>() {
        private final StructLayout layout = MemoryLayout.structLayout(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG);

        @Override
        public MemoryLayout layout() {
            return layout;
        }

        @Override
        public void encode(Event v, MemorySegment s, long o) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, o, v.seq());
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, o + 8, v.value());
            s.set(ValueLayout.JAVA_INT_UNALIGNED, o + 16, v.cpu());
            s.set(ValueLayout.JAVA_INT_UNALIGNED, o + 20, v.tag());
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, o + 24, v.pad());
        }

        @Override
        public Event decode(MemorySegment s, long o) {
            return new Event(s.get(ValueLayout.JAVA_LONG_UNALIGNED, o), s.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8),
                    s.get(ValueLayout.JAVA_INT_UNALIGNED, o + 16), s.get(ValueLayout.JAVA_INT_UNALIGNED, o + 20),
                    s.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 24));
        }
    };

    /** The loaded stream and the readers, shared by a benchmark and its batch setup. */
    @State(Scope.Thread)
    public static class Stream {
        @Param("bench/target/bench-bpf/events_bench.bpf.o")
        public String object;

        @Param("64")
        public int perfPages;

        private LoadedObject obj;
        private LoadedProgram produceRb;
        private LoadedProgram producePb;
        private Arena arena;
        private TestRunAttr ringRun;
        private TestRunAttr perfRun;
        private RingBufferReader zeroCopy;
        private RingBufferReader decoded;
        private PerfBufferReader perf;
        private long sink;
        private long handled;

        @Setup(Level.Trial)
        public void setup(org.openjdk.jmh.infra.BenchmarkParams params) {
            obj = BpfLoader.load(BpfObjects.open(Path.of(object)));
            produceRb = obj.program("produce_rb").orElseThrow();
            producePb = obj.program("produce_pb").orElseThrow();
            arena = Arena.ofConfined();
            ringRun = TestRunAttr.builder().ctxIn(arena.allocateFrom(ValueLayout.JAVA_LONG, RING_BATCH)).build();
            perfRun = TestRunAttr.builder().ctxIn(arena.allocateFrom(ValueLayout.JAVA_LONG, PERF_BATCH)).build();
            RecordHandler view = (data, offset, length) -> {
                sink += data.get(ValueLayout.JAVA_LONG, offset);
                handled++;
            };
            zeroCopy = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), view).build();
            decoded = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), CODEC, e -> {
                sink += e.seq();
                handled++;
            }).build();
            perf = PerfBufferReader.builder(obj.map("pb").orElseThrow(), new PerfRecordHandler() {
                @Override
                public void onRecord(int cpu, MemorySegment data, long offset, int length) {
                    sink += data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
                    handled++;
                }

                @Override
                public void onLost(int cpu, long count) {
                    throw new IllegalStateException("lost " + count + " samples on cpu " + cpu);
                }
            }).pagesPerCpu(perfPages).build();
            // Measured only once C2 is done with this benchmark's reader (see Prewarm), and
            // only that reader warmed, so that its handler call site sees one handler type.
            String b = params.getBenchmark();
            boolean ring = b.contains(".ringbuf");
            io.bpfkit.api.events.EventReader reader = !ring ? perf : b.contains("Codec") ? decoded : zeroCopy;
            Prewarm.untilSteady(b, () -> ring ? ringRound(reader) : perfRound(reader));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            zeroCopy.close();
            decoded.close();
            perf.close();
            obj.close();
            arena.close();
        }

        /** One batch through the ring buffer: produced by a test run, drained by {@code reader}. */
        private long ringRound(io.bpfkit.api.events.EventReader reader) {
            produce(produceRb, ringRun, RING_BATCH);
            return drain(reader, RING_BATCH);
        }

        /** One batch through the perf buffer (see {@link #ringRound}). */
        private long perfRound(io.bpfkit.api.events.EventReader reader) {
            produce(producePb, perfRun, PERF_BATCH);
            return drain(reader, PERF_BATCH);
        }

        private void produce(LoadedProgram p, TestRunAttr run, int batch) {
            int n = Bpf.progTestRun(p.fd(), run).retval();
            if (n != batch) {
                throw new IllegalStateException("produced " + n + " of " + batch);
            }
        }

        private long drain(io.bpfkit.api.events.EventReader r, int batch) {
            handled = 0;
            long idle = 0;
            while (handled < batch) {
                if (r.poll(Duration.ZERO) == 0 && ++idle == 10_000_000) {
                    throw new IllegalStateException("only " + handled + " of " + batch + " events arrived in " + r);
                }
            }
            return sink;
        }
    }

    /**
     * Untimed: the next batch of ring buffer records. The benchmark reaches the stream through
     * this state: JMH 1.37 gives a benchmark method parameter and a setup parameter of the same
     * state class two different instances.
     */
    @State(Scope.Thread)
    public static class RingBatch {
        Stream stream;

        @Setup(Level.Invocation)
        public void produce(Stream s) {
            stream = s;
            s.produce(s.produceRb, s.ringRun, RING_BATCH);
        }
    }

    /** Untimed: the next batch of perf samples (see {@link RingBatch}). */
    @State(Scope.Thread)
    public static class PerfBatch {
        Stream stream;

        @Setup(Level.Invocation)
        public void produce(Stream s) {
            stream = s;
            s.produce(s.producePb, s.perfRun, PERF_BATCH);
        }
    }

    /** The reader alone, zero-copy views. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(RING_BATCH)
    public long ringbufConsume(RingBatch batch) {
        return batch.stream.drain(batch.stream.zeroCopy, RING_BATCH);
    }

    /** The reader alone, each record decoded into a record object. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(RING_BATCH)
    public long ringbufCodecConsume(RingBatch batch) {
        return batch.stream.drain(batch.stream.decoded, RING_BATCH);
    }

    /** Produce + consume, zero-copy. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(RING_BATCH)
    public long ringbufE2e(Stream s) {
        return s.ringRound(s.zeroCopy);
    }

    /** The perf buffer reader alone. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(PERF_BATCH)
    public long perfConsume(PerfBatch batch) {
        return batch.stream.drain(batch.stream.perf, PERF_BATCH);
    }

    /** Produce + consume through the perf buffer. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(PERF_BATCH)
    public long perfE2e(Stream s) {
        return s.perfRound(s.perf);
    }
}
