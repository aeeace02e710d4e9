package io.bpfkit.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.events.Pollers;
import io.bpfkit.link.AutoAttach;
import io.bpfkit.link.Link;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.Event;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Events emitted by events.bpf.o reach the reader exactly: count, order, content. */
@KernelTest
// Polls block in epoll_wait, which no interrupt ends: the timeout runs each test on its own thread.
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RingBufferReaderTest {

    /** Runs emit_rb: {@code count} events from {@code start}; returns how many were reserved. */
    static int emit(LoadedObject obj, long start, long count, long discardEvery, int ring) {
        return TestRun.of(Events.program(obj, "emit_rb")).arguments(start, count, discardEvery, ring).run()
                .returnValue();
    }

    @Test
    void zeroCopyViewsArriveInOrderWithTheirContent() {
        try (LoadedObject obj = Events.load()) {
            List<Event> got = new ArrayList<>();
            try (RingBufferReader r = RingBufferReader.builder()
                    .add(obj.map("rb").orElseThrow(), (data, off, len) -> {
                        assertEquals(32, len);
                        got.add(Event.CODEC.decode(data, off));
                    }).build()) {
                assertEquals(1000, emit(obj, 0, 1000, 0, 0));
                assertEquals(1000, r.poll(Duration.ofSeconds(5)));
                assertEquals(0, r.consume());
                assertEquals(0, r.available(0));
            }
            assertEquals(1000, got.size());
            for (int i = 0; i < 1000; i++) {
                Event e = got.get(i);
                assertEquals(i, e.seq());
                assertTrue(e.wellFormed(), e.toString());
                assertEquals(0, e.tag());
            }
        }
    }

    @Test
    void discardedRecordsAreSkipped() {
        try (LoadedObject obj = Events.load()) {
            List<Long> seqs = new ArrayList<>();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(),
                    Event.CODEC, e -> seqs.add(e.seq())).build()) {
                assertEquals(300, emit(obj, 0, 300, 3, 0));
                assertEquals(200, r.poll(Duration.ofSeconds(5)));
            }
            assertEquals(200, seqs.size());
            assertTrue(seqs.stream().noneMatch(s -> s % 3 == 0));
            assertEquals(299L, seqs.getLast());
        }
    }

    @Test
    void aHandlerThatThrowsSkipsItsRecordAndTheNextPassGoesOnAfterIt() {
        try (LoadedObject obj = Events.load()) {
            List<Long> seqs = new ArrayList<>();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(),
                    Event.CODEC, e -> {
                        seqs.add(e.seq());
                        if (e.seq() == 4 || e.seq() == 7) {
                            throw new IllegalArgumentException("refused " + e.seq());
                        }
                    }).build()) {
                // 0, 3, 6 and 9 discarded: each failure follows a discarded record
                assertEquals(10, emit(obj, 0, 10, 3, 0));
                assertEquals("refused 4", assertThrows(IllegalArgumentException.class, r::consume).getMessage());
                assertEquals("refused 7", assertThrows(IllegalArgumentException.class, r::consume).getMessage());
                assertEquals(1, r.consume()); // record 8, then the discarded 9
                assertEquals(0, r.available(0));
            }
            assertEquals(List.of(1L, 2L, 4L, 5L, 7L, 8L), seqs);
        }
    }

    @Test
    void severalRingBuffersInOneReader() {
        try (LoadedObject obj = Events.load()) {
            long[] perTag = new long[2];
            try (RingBufferReader r = RingBufferReader.builder()
                    .add(obj.map("rb").orElseThrow(), Event.CODEC, e -> perTag[e.tag()]++)
                    .add(obj.map("rb2").orElseThrow(), (data, off, len) -> perTag[data.get(ValueLayout.JAVA_INT, off + 20)]++)
                    .build()) {
                assertEquals(2, r.ringCount());
                emit(obj, 0, 50, 0, 0);
                emit(obj, 0, 70, 0, 1);
                int n = 0;
                while (n < 120) {
                    int got = r.poll(Duration.ofSeconds(5));
                    assertTrue(got > 0, "events pending");
                    n += got;
                }
                assertEquals(120, n);
            }
            assertEquals(50, perTag[0]);
            assertEquals(70, perTag[1]);
        }
    }

    @Test
    void aFullRingRefusesReservationsAndWrapsAroundOnceRead() {
        try (LoadedObject obj = Events.load()) {
            // rb2 holds 16 KiB: 409 records of 40 bytes; the rest of a burst is refused
            AtomicLong next = new AtomicLong();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb2").orElseThrow(), Event.CODEC,
                    e -> assertEquals(next.getAndIncrement(), e.seq())).build()) {
                int first = emit(obj, 0, 1000, 0, 1);
                assertEquals(16 * 1024 / 40, first);
                long sent = first;
                for (int round = 0; round < 30; round++) { // 30 times around a 16 KiB ring
                    r.consume();
                    sent += emit(obj, sent, 400, 0, 1);
                }
                r.consume();
                assertEquals(sent, next.get());
            }
        }
    }

    @Test
    void aRingSizeOfNoPowerOfTwoPagesIsRoundedUpAsLibbpfDoes() {
        io.bpfkit.object.BpfObjectSpec spec = Events.spec();
        // the kernel refuses 5000 itself (EINVAL); the spec holds what libbpf's would, 8192
        assertEquals(8192, spec.map("rb2").orElseThrow().maxEntries(5000).maxEntries());
        long expected = Math.max(8192, io.bpfkit.sys.Syscalls.pageSize());
        try (LoadedObject obj = io.bpfkit.load.BpfLoader.load(spec)) {
            assertEquals(expected, io.bpfkit.sys.Bpf.mapInfo(obj.map("rb2").orElseThrow().fd()).maxEntries());
            AtomicLong next = new AtomicLong();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb2").orElseThrow(), Event.CODEC,
                    e -> assertEquals(next.getAndIncrement(), e.seq())).build()) {
                int first = emit(obj, 0, 1000, 0, 1);
                assertEquals(expected / 40, first, "the ring holds what the kernel made, not 5000 bytes");
                long sent = first;
                for (int round = 0; round < 10; round++) { // the reader's mask is the kernel's size
                    r.consume();
                    sent += emit(obj, sent, 100, 0, 1);
                }
                r.consume();
                assertEquals(sent, next.get());
            }
        }
    }

    @Test
    void recordsOfEveryLengthArriveWholeAcrossTheEndOfTheRing() {
        try (LoadedObject obj = Events.load()) {
            // lengths 1..61 bytes (8-byte rounded steps of 16..72 with the header), 30 passes
            // through a 16 KiB ring, so records of every length start near its end
            AtomicLong next = new AtomicLong();
            List<String> wrong = new ArrayList<>();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb2").orElseThrow(), (data, off, len) -> {
                long seq = next.getAndIncrement();
                if (len != 1 + seq % 61) {
                    wrong.add("record " + seq + ": length " + len);
                }
                for (int i = 0; i < len; i++) {
                    if (data.get(ValueLayout.JAVA_BYTE, off + i) != (byte) seq) {
                        wrong.add("record " + seq + ": byte " + i);
                        break;
                    }
                }
            }).build()) {
                long sent = 0;
                for (int round = 0; round < 30; round++) {
                    int n = TestRun.of(Events.program(obj, "emit_rb_sized")).arguments(sent, 300).run().returnValue();
                    assertEquals(300, n, "a pass fits in the ring");
                    sent += n;
                    assertEquals(n, r.consume());
                }
                assertEquals(sent, next.get());
                assertEquals(0, r.available(0));
            }
            assertEquals(List.of(), wrong);
        }
    }

    @Test
    void aMillionEventsBurstReachAVirtualThreadReaderExactly() throws Exception {
        final long total = 1_000_000;
        Checker checker = new Checker();
        try (LoadedObject obj = Events.load();
             RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), checker).build()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong received = new AtomicLong();
            Thread consumer = Thread.ofVirtual().start(() -> {
                try {
                    while (received.get() < total) {
                        received.addAndGet(r.poll(Duration.ofMillis(100)));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            long sent = 0;
            while (sent < total && failure.get() == null) {
                int n = emit(obj, sent, Math.min(20_000, total - sent), 0, 0);
                sent += n;
                if (n == 0) {
                    Thread.sleep(1); // ring full: let the reader catch up
                }
            }
            consumer.join(60_000);
            if (failure.get() != null) {
                throw new AssertionError("reader failed", failure.get());
            }
            assertEquals(total, received.get());
            assertEquals(total, checker.expected, "every sequence number once, in order");
        }
    }

    /** Checks every record is the next sequence number with the right content, without allocating. */
    static final class Checker implements io.bpfkit.api.events.RecordHandler {
        long expected;

        @Override
        public void onRecord(java.lang.foreign.MemorySegment data, long offset, int length) {
            long seq = data.get(ValueLayout.JAVA_LONG, offset);
            if (seq != expected || length != 32 || data.get(ValueLayout.JAVA_LONG, offset + 8) != Event.valueOf(seq)
                    || data.get(ValueLayout.JAVA_LONG, offset + 24) != ~seq) {
                throw new AssertionError("record " + expected + ": got seq " + seq + ", length " + length);
            }
            expected++;
        }
    }

    @Test
    void busyPollModeAndEventsFromATracepoint() {
        try (LoadedObject obj = Events.load();
             Link tp = AutoAttach.attach(Events.program(obj, "tp_getppid"))) {
            List<Event> got = new ArrayList<>();
            try (RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), Event.CODEC, got::add)
                    .busyPoll(Duration.ofMillis(2)).build()) {
                assertEquals(0, r.poll(Duration.ZERO), "nothing yet: spins 2 ms, then gives up");
                Events.getppid(5);
                int n = 0;
                while (n < 5) {
                    int polled = r.poll(Duration.ofSeconds(5));
                    assertTrue(polled > 0, "events pending: " + n + " of 5 so far");
                    n += polled;
                }
            }
            assertEquals(5, got.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(i, got.get(i).seq());
                assertEquals(2, got.get(i).tag());
            }
            assertTrue(tp.isBpfLink());
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedPoller() throws Exception {
        try (LoadedObject obj = Events.load()) {
            RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), (d, o, l) -> { })
                    .build();
            AtomicLong result = new AtomicLong(-1);
            long before = Pollers.sleeps(r);
            Thread poller = Thread.ofPlatform().name("rb-poller").start(() -> result.set(r.poll(Duration.ofMinutes(10))));
            Pollers.awaitAsleep(r, before, poller, Duration.ofSeconds(30)); // close must be what wakes it
            // close waits for the poller to leave: if it is not woken, close does not return either
            CompletableFuture.runAsync(r::close).get(30, TimeUnit.SECONDS);
            poller.join(10_000);
            assertTrue(!poller.isAlive(), "the poller woke up");
            assertEquals(0, result.get());
            assertTrue(r.isClosed());
            assertThrows(IllegalStateException.class, () -> r.poll(Duration.ZERO));
            assertThrows(IllegalStateException.class, r::consume);
            r.close(); // idempotent
        }
    }

    @Test
    void aCommittedRecordWakesABlockedPoller() throws Exception {
        try (LoadedObject obj = Events.load();
             RingBufferReader r = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), (d, o, l) -> { })
                     .build()) {
            AtomicLong result = new AtomicLong(-1);
            long before = Pollers.sleeps(r);
            Thread poller = Thread.ofPlatform().name("rb-poller").start(() -> result.set(r.poll(Duration.ofMinutes(10))));
            Pollers.awaitAsleep(r, before, poller, Duration.ofSeconds(30)); // the record must be what wakes it
            assertEquals(3, emit(obj, 0, 3, 0, 0));
            poller.join(10_000);
            assertTrue(!poller.isAlive(), "the poller woke up");
            assertEquals(3, result.get(), "and handled the records");
        }
    }

    @Test
    void closingFromInsideAHandlerStopsCleanly() {
        try (LoadedObject obj = Events.load()) {
            AtomicLong seen = new AtomicLong();
            RingBufferReader[] holder = new RingBufferReader[1];
            holder[0] = RingBufferReader.builder().add(obj.map("rb").orElseThrow(), (d, o, l) -> {
                if (seen.incrementAndGet() == 10) {
                    holder[0].close();
                }
            }).build();
            emit(obj, 0, 100, 0, 0);
            assertEquals(10, holder[0].poll(Duration.ofSeconds(5)));
            assertTrue(holder[0].isClosed());
        }
    }

    @Test
    void onlyRingBufferMapsAreAccepted() {
        try (LoadedObject obj = Events.load()) {
            BpfException e = assertThrows(BpfException.class,
                    () -> RingBufferReader.builder().add(obj.map("pb").orElseThrow(), (d, o, l) -> { }));
            assertTrue(e.getMessage().contains("not a ring buffer"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> RingBufferReader.builder().build());
        }
    }
}
