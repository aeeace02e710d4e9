package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link Fd} ownership rules, and no descriptor leaks across many create/close cycles. */
@KernelTest
class BpfFdTest {

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static Fd newMap() {
        return BpfMapTest.create(BpfMapTest.ARRAY, 4, 4, 1, 0, "fdtest");
    }

    @Test
    void closeIsIdempotentAndAClosedHandleThrows() {
        Fd fd = newMap();
        int n = fd.get();
        assertFalse(fd.isClosed());
        assertEquals("map fd " + n + " (fdtest)", fd.toString());
        fd.close();
        assertTrue(fd.isClosed());
        fd.close(); // no-op, must not close whatever reuses the number
        fd.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, fd::get);
        assertEquals("closed: map fd closed (fdtest)", e.getMessage());
        assertEquals("map fd closed (fdtest)", fd.toString());
    }

    @Test
    void aReusedNumberIsNotClosedByTheOldHandle() {
        Fd first = newMap();
        int n = first.get();
        first.close();
        try (Fd second = newMap()) { // the lowest free number: very likely the same
            first.close();
            assertFalse(second.isClosed());
            Bpf.mapInfo(second); // still open
            if (second.get() == n) {
                assertThrows(IllegalStateException.class, first::get);
            }
        }
    }

    @Test
    void releaseGivesUpOwnership() {
        Fd fd = newMap();
        int n = fd.release();
        assertTrue(fd.isClosed());
        assertThrows(IllegalStateException.class, fd::release);
        fd.close(); // does not close n
        try (Fd owner = Fd.of(n, "map", "adopted")) {
            assertEquals("fdtest", Bpf.mapInfo(owner).name());
        }
    }

    @Test
    void ofRejectsNegativeNumbers() {
        assertThrows(IllegalArgumentException.class, () -> Fd.of(-1, "map", null));
        Fd anonymous = Fd.of(1 << 20, "prog", null);
        assertEquals("prog fd " + (1 << 20), anonymous.toString());
        anonymous.release();
    }

    @Test
    void concurrentClosesCloseOnce() throws Exception {
        for (int round = 0; round < 50; round++) {
            Fd fd = newMap();
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        fd.close();
                    } catch (Throwable x) {
                        errors.add(x);
                    }
                });
                ts.add(th);
            }
            start.countDown();
            for (Thread th : ts) {
                th.join();
            }
            assertEquals(List.of(), errors, "a second close reached close(2) (EBADF)");
            assertTrue(fd.isClosed());
        }
    }

    @Test
    void noDescriptorLeaksOverAThousandCycles() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            // warm up: lazily opened JDK files and the probe
            newMap().close();
            long before = openFds();
            for (int i = 0; i < 1000; i++) {
                try (Fd m = newMap(); Fd p = Bpf.progLoad(ProgLoadAttr.builder(1,
                        Insns.returning(i).toSegment(arena)).license("GPL").name("leak").build()).orThrow()) {
                    assertTrue(m.get() > 2 && p.get() > 2);
                }
                // failure paths must not leak either
                ProgLoadResult bad = Bpf.progLoad(ProgLoadAttr.builder(1, new Insns().exit().toSegment(arena))
                        .license("GPL").name("bad").build());
                assertFalse(bad.ok());
            }
            assertEquals(before, openFds(), "open descriptors before and after 1,000 create/close cycles");
        }
    }
}
