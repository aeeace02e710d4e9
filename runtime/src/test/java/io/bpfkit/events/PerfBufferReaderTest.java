package io.bpfkit.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.events.PerfRecordHandler;
import io.bpfkit.events.Pollers;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.run.TestRun;
import io.bpfkit.sys.Cpus;
import io.bpfkit.testing.Event;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Events emitted with bpf_perf_event_output on chosen CPUs reach the perf buffer reader exactly. */
@KernelTest
// Polls block in epoll_wait, which no interrupt ends: the timeout runs each test on its own thread.
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PerfBufferReaderTest {

    static int emit(LoadedObject obj, int cpu, long start, long count, boolean keepGoing) {
        return TestRun.of(Events.program(obj, "emit_pb")).arguments(start, count, keepGoing ? 1 : 0).cpu(cpu).run()
                .returnValue();
    }

    /** Collects decoded events per CPU and lost counts. */
    static final class Collect implements PerfRecordHandler {
        final Map<Integer, List<Event>> byCpu = new HashMap<>();
        final AtomicLong lost = new AtomicLong();
        long records;

        @Override
        public void onRecord(int cpu, MemorySegment data, long offset, int length) {
            assertTrue(length >= 32, "raw sample of " + length + " bytes");
            Event e = Event.CODEC.decode(data, offset);
            assertEquals(cpu, e.cpu(), "the ring of the CPU that wrote it");
            byCpu.computeIfAbsent(cpu, c -> new ArrayList<>()).add(e);
            records++;
        }

        @Override
        public void onLost(int cpu, long count) {
            lost.addAndGet(count);
        }
    }

    @Test
    void eventsFromEachCpuArriveInTheirOwnRing() {
        int[] online = Cpus.online();
        try (LoadedObject obj = Events.load()) {
            Collect got = new Collect();
            try (PerfBufferReader r = PerfBufferReader.builder(obj.map("pb").orElseThrow(), got).build()) {
                assertArrayEquals(online, r.cpus());
                long start = 0;
                for (int cpu : online) {
                    assertEquals(300, emit(obj, cpu, start, 300, false));
                    start += 1000;
                }
                long n = 0;
                while (n < 300L * online.length) {
                    int k = r.poll(Duration.ofSeconds(5));
                    assertTrue(k > 0, "records pending");
                    n += k;
                }
            }
            for (int i = 0; i < online.length; i++) {
                List<Event> l = got.byCpu.get(online[i]);
                assertEquals(300, l.size());
                for (int j = 0; j < 300; j++) {
                    assertEquals(i * 1000L + j, l.get(j).seq());
                    assertTrue(l.get(j).wellFormed());
                }
            }
            assertEquals(0, got.lost.get());
        }
    }

    @Test
    void recordsWrapAroundTheEndOfAOnePageRing() {
        try (LoadedObject obj = Events.load()) {
            Collect got = new Collect();
            // a sample is 48 bytes (8 header + 4 size + 32 data + 4 padding): 4096 is no multiple of 48
            try (PerfBufferReader r = PerfBufferReader.builder(obj.map("pb").orElseThrow(), got).pagesPerCpu(1)
                    .cpus(0).build()) {
                long sent = 0;
                for (int round = 0; round < 40; round++) {
                    sent += emit(obj, 0, sent, 50, false);
                    r.consume();
                }
                assertEquals(2000, sent);
            }
            List<Event> l = got.byCpu.get(0);
            assertEquals(2000, l.size());
            for (int j = 0; j < 2000; j++) {
                assertEquals(j, l.get(j).seq());
                assertTrue(l.get(j).wellFormed(), "record " + j + " intact across the wrap");
            }
        }
    }

    /**
     * A handler that throws stops the pass at its record, which stays in the ring: the next pass
     * starts with it, and every record before it was handed over once (the reader returns the
     * ring's space in steps, so this checks the step and the throw meet at the right place).
     */
    @Test
    void aRecordWhoseHandlerThrowsComesAgainAndNothingBeforeItDoes() {
        try (LoadedObject obj = Events.load()) {
            List<Long> seen = new ArrayList<>();
            long[] failAt = {37};
            PerfRecordHandler h = new PerfRecordHandler() {
                @Override
                public void onRecord(int cpu, MemorySegment data, long offset, int length) {
                    long seq = Event.CODEC.decode(data, offset).seq();
                    if (seq == failAt[0]) {
                        failAt[0] = -1;
                        throw new IllegalStateException("handler failed on " + seq);
                    }
                    seen.add(seq);
                }

                @Override
                public void onLost(int cpu, long count) {
                    throw new AssertionError("lost " + count);
                }
            };
            try (PerfBufferReader r = PerfBufferReader.builder(obj.map("pb").orElseThrow(), h).pagesPerCpu(2)
                    .cpus(0).build()) {
                assertEquals(80, emit(obj, 0, 0, 80, false));
                var e = assertThrows(IllegalStateException.class, r::consume);
                assertTrue(e.getMessage().contains("37"), e.getMessage());
                assertEquals(37, seen.size());
                assertEquals(43, r.consume());
            }
            assertEquals(80, seen.size());
            for (int j = 0; j < 80; j++) {
                assertEquals(j, seen.get(j));
            }
        }
    }

    @Test
    void aFullRingReportsLostSamples() {
        try (LoadedObject obj = Events.load()) {
            Collect got = new Collect();
            try (PerfBufferReader r = PerfBufferReader.builder(obj.map("pb").orElseThrow(), got).pagesPerCpu(1)
                    .cpus(0).build()) {
                int written = emit(obj, 0, 0, 512, true); // the ring holds 85 of them
                assertTrue(written < 512, "some did not fit: " + written);
                r.consume();
                emit(obj, 0, 512, 1, false); // the kernel writes its LOST record before this one
                r.consume();
                assertEquals(written + 1, got.records);
                assertEquals(512 - written, got.lost.get(), "every refused sample counted as lost");
            }
        }
    }

    @Test
    void onlyPerfEventArraysAreAcceptedAndCloseIsClean() throws Exception {
        try (LoadedObject obj = Events.load()) {
            BpfException e = assertThrows(BpfException.class,
                    () -> PerfBufferReader.builder(obj.map("rb").orElseThrow(), new Collect()));
            assertTrue(e.getMessage().contains("not a perf buffer"), e.getMessage());
            PerfBufferReader r = PerfBufferReader.builder(obj.map("pb").orElseThrow(), new Collect()).build();
            long before = Pollers.sleeps(r);
            Thread poller = Thread.ofPlatform().name("pb-poller").start(() -> r.poll(Duration.ofMinutes(10)));
            Pollers.awaitAsleep(r, before, poller, Duration.ofSeconds(30)); // close must be what wakes it
            // close waits for the poller to leave: if it is not woken, close does not return either
            CompletableFuture.runAsync(r::close).get(30, TimeUnit.SECONDS);
            poller.join(10_000);
            assertTrue(!poller.isAlive(), "the poller woke up");
            assertThrows(IllegalStateException.class, r::consume);
        }
    }
}
