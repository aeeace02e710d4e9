package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.RingBufferFullException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfUserRingBuffer;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Java produces into user_ringbuf.bpf.o's user ring buffer (16 KiB), its {@code drain}
 * program consumes with {@code bpf_user_ringbuf_drain} and sums what it read into .bss.
 */
@KernelTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UserRingBufferKernelTest {
    /** {@code struct command}: 16 bytes, 24 in the ring with its header. */
    record Command(@Unsigned long seq, @Unsigned int value, @Unsigned int weight) {
    }

    private static final long RING = 16 * 1024;
    private static final long PER_SAMPLE = 24;

    static LoadedObject load() {
        return BpfLoader.load(BpfObjects.open(TestObjects.path("user_ringbuf.bpf.o")));
    }

    static BpfUserRingBuffer<Command> ring(LoadedObject obj) {
        return BpfMaps.userRingBuffer(obj, "urb", RecordCodec.of(Command.class));
    }

    /** Runs the drain program once; returns bpf_user_ringbuf_drain's return value. */
    static int drain(LoadedObject obj) {
        return TestRun.of(obj.program("drain").orElseThrow()).run().returnValue();
    }

    @Test
    void typedRecordsRoundTripThroughTheProgram() {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            assertEquals(RING, urb.ringSize());
            assertEquals(RING - 8, urb.maxSampleSize());
            long value = 0;
            long weight = 0;
            for (int i = 0; i < 500; i++) {
                assertTrue(urb.offer(new Command(i, i * 3 + 1, 0xffff_fff0 + i % 7)), "room for record " + i);
                value += i * 3 + 1;
                weight += Integer.toUnsignedLong(0xffff_fff0 + i % 7);
            }
            assertEquals(500 * PER_SAMPLE, urb.pendingBytes());
            assertEquals(500, drain(obj));
            assertEquals(0, urb.pendingBytes());
            assertEquals(500, bss.getLong("drained"));
            assertEquals(value, bss.getLong("sum_value"));
            assertEquals(weight, bss.getLong("sum_weight"));
            assertEquals(0, bss.getLong("out_of_order"));
            assertEquals(500, bss.getLong("next_seq"));
            assertEquals(0, drain(obj), "nothing left");
        }
    }

    @Test
    void discardedSamplesAreSkippedByTheDrain() {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            for (int i = 0; i < 30; i++) {
                BpfUserRingBuffer.Sample s = urb.tryReserve(16);
                assertNotNull(s);
                urb.codec().encode(new Command(i % 3 == 0 ? 1000 + i : i - i / 3 - 1, 10, 1), s.data(), 0);
                if (i % 3 == 0) {
                    s.discard();
                } else {
                    s.submit();
                }
                assertThrows(IllegalStateException.class, s::submit, "a sample is finished once");
            }
            assertEquals(20, drain(obj), "the helper counts samples read, not discarded ones");
            assertEquals(20, bss.getLong("drained"));
            assertEquals(200, bss.getLong("sum_value"));
            assertEquals(0, bss.getLong("out_of_order"), "the drain never saw a discarded sample");
            assertEquals(0, urb.pendingBytes(), "discarded space is given back too");
        }
    }

    @Test
    void aFullRingRefusesThenTakesSamplesOnceDrained() {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            int fits = (int) (RING / PER_SAMPLE);
            for (int i = 0; i < fits; i++) {
                assertTrue(urb.offer(new Command(i, 1, 1)));
            }
            assertFalse(urb.offer(new Command(fits, 1, 1)), "full");
            assertEquals(RING - fits * PER_SAMPLE, 16, "16 bytes left: a sample of 9 bytes takes 24");
            assertNull(urb.tryReserve(9));
            long start = System.nanoTime();
            RingBufferFullException e = assertThrows(RingBufferFullException.class,
                    () -> urb.submit(new Command(fits, 1, 1), Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - start >= 190_000_000L, "waited for the timeout");
            assertTrue(e.getMessage().contains("'urb'") && e.getMessage().contains("16-byte sample")
                    && e.getMessage().contains("bpf_user_ringbuf_drain"), e.getMessage());

            // an interrupted producer stops waiting and keeps its interrupt status
            Thread.currentThread().interrupt();
            io.bpfkit.api.BpfException interrupted = assertThrows(io.bpfkit.api.BpfException.class,
                    () -> urb.submit(new Command(fits, 1, 1), Duration.ofSeconds(30)));
            assertTrue(Thread.interrupted(), "interrupt status kept");
            assertTrue(interrupted.getMessage().startsWith("interrupted while waiting"), interrupted.getMessage());

            // a producer blocked on a full ring goes on once the program frees room
            bss.setLong("limit", 10);
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(
                    () -> urb.submit(new Command(fits, 1, 1), Duration.ofSeconds(30)));
            sleep(100);
            assertFalse(blocked.isDone(), "still waiting for room");
            assertEquals(10, drain(obj));
            blocked.join();
            bss.setLong("limit", 0);
            assertEquals(fits - 10 + 1, drain(obj));
            assertEquals(fits + 1, bss.getLong("drained"));
            assertEquals(0, bss.getLong("out_of_order"));
        }
    }

    @Test
    void manySamplesWrapTheRingInOrder() {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            // 16 KiB is not a multiple of 24: samples straddle the ring's end as it wraps
            long seq = 0;
            long value = 0;
            for (int round = 0; round < 40; round++) {
                while (urb.offer(new Command(seq, (int) (seq * 7), 1))) {
                    value += seq * 7;
                    seq++;
                }
                drain(obj);
            }
            assertTrue(seq > 40 * (RING / PER_SAMPLE) - 40, "went around the ring 40 times: " + seq);
            assertEquals(seq, bss.getLong("drained"));
            assertEquals(seq, bss.getLong("next_seq"));
            assertEquals(value, bss.getLong("sum_value"));
            assertEquals(0, bss.getLong("out_of_order"));
        }
    }

    @Test
    void rawSamplesOfManySizesAndSeveralProducerThreads() throws Exception {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            // raw samples of 16 to 16 + 60 bytes, a command at the front, filled behind it
            long value = 0;
            for (int i = 0; i < 200; i++) {
                BpfUserRingBuffer.Sample s = urb.reserve(16 + i % 61, Duration.ofSeconds(5));
                s.data().fill((byte) 0x5a);
                urb.codec().encode(new Command(i, i, 2), s.data(), 0);
                s.submit();
                value += i;
                if (i % 50 == 49) {
                    drain(obj);
                }
            }
            BpfUserRingBuffer.Sample tiny = urb.tryReserve(4); // shorter than a command: the drain says so
            tiny.data().set(ValueLayout.JAVA_INT, 0, 7);
            tiny.submit();
            drain(obj);
            assertEquals(200, bss.getLong("drained"));
            assertEquals(value, bss.getLong("sum_value"));
            assertEquals(1, bss.getLong("short_samples"));
            assertEquals(0, bss.getLong("out_of_order"));

            // four threads produce 2000 records each, blocking when full, while this one drains
            List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                producers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 2000; i++) {
                        urb.submit(new Command(0, thread + 1, 1), Duration.ofSeconds(30));
                    }
                }, r -> Thread.ofPlatform().start(r)));
            }
            bss.setLong("drained", 0);
            bss.setLong("sum_value", 0);
            while (bss.getLong("drained") < 8000) {
                drain(obj);
                assertFalse(producers.stream().anyMatch(CompletableFuture::isCompletedExceptionally));
            }
            CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).join();
            assertEquals(8000, bss.getLong("drained"));
            assertEquals(2000 * (1 + 2 + 3 + 4), bss.getLong("sum_value"));
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        try (LoadedObject obj = load(); BpfUserRingBuffer<Command> urb = ring(obj)) {
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> urb.tryReserve(RING));
            assertTrue(big.getMessage().contains("'urb'") && big.getMessage().contains(RING + " bytes")
                    && big.getMessage().contains((RING - 8) + " bytes"), big.getMessage());
            assertThrows(IllegalArgumentException.class, () -> urb.reserve(-1, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> urb.submit(new Command(0, 0, 0), Duration.ofMillis(-1)));
            assertEquals(0, urb.pendingBytes(), "nothing reserved by refused calls");

            LoadException wrongType = assertThrows(LoadException.class,
                    () -> BpfMaps.userRingBuffer(obj, bssMap(obj), Codecs.int64()));
            assertTrue(wrongType.getMessage().contains("not user_ringbuf"), wrongType.getMessage());
            LoadException tooBig = assertThrows(LoadException.class,
                    () -> BpfMaps.userRingBuffer(obj, "urb", Codecs.bytes((int) RING)));
            assertTrue(tooBig.getMessage().contains("does not fit a ring of " + RING), tooBig.getMessage());
        }
    }

    @Test
    void closeUnmapsTheRingAndClosesItsDescriptors() throws IOException {
        try (LoadedObject obj = load()) {
            // warm up: classes, the epoll path
            exercise(obj);
            long fds = openFds();
            long mappings = ringMappings();
            for (int i = 0; i < 20; i++) {
                exercise(obj);
            }
            assertEquals(fds, openFds(), "descriptors leaked");
            assertEquals(mappings, ringMappings(), "mappings leaked");

            BpfUserRingBuffer<Command> urb = ring(obj);
            BpfUserRingBuffer.Sample held = urb.tryReserve(16);
            urb.close();
            assertThrows(IllegalStateException.class, () -> urb.offer(new Command(0, 0, 0)));
            assertThrows(IllegalStateException.class, () -> held.data().set(ValueLayout.JAVA_LONG, 0, 1));
            assertThrows(IllegalStateException.class, held::submit);
        }
    }

    private static void exercise(LoadedObject obj) {
        try (BpfUserRingBuffer<Command> urb = ring(obj)) {
            while (urb.offer(new Command(0, 0, 0))) {
                // fill it
            }
            assertThrows(RingBufferFullException.class, () -> urb.submit(new Command(0, 0, 0), Duration.ofMillis(1)));
            drain(obj);
        }
    }

    /** The .bss map's name, which the loader prefixes with the object's name. */
    private static String bssMap(LoadedObject obj) {
        return obj.maps().values().stream().filter(m -> m.spec().isGlobalData() && m.spec().section().equals(".bss"))
                .findFirst().orElseThrow().name();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Mappings of BPF maps in this process (/proc/self/maps names them anon_inode:bpf-map). */
    private static long ringMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("bpf-map")).count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
