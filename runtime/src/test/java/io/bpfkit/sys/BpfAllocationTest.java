package io.bpfkit.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * Reports the heap allocated per element operation (the hot path must not allocate). A report,
 * not a benchmark: nothing is timed, and the only assertion is a generous bound that catches
 * an Arena or a boxed value per call.
 */
@KernelTest
class BpfAllocationTest {
    private static final int CALLS = 100_000;

    interface Op {
        void run(int i);
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(tid)}, reached reflectively:
     * the runtime module does not read java.management, and tests compile inside it.
     */
    static long allocatedBytes(long tid) {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes",
                    long.class);
            return (long) m.invoke(mx, tid);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no thread allocation counter in this JVM", e);
        }
    }

    static double bytesPerCall(Op op) {
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 3 * CALLS; i++) { // warm up: let the JIT compile the path
            op.run(i);
        }
        allocatedBytes(tid); // load the reflective path outside the measurement
        long before = allocatedBytes(tid);
        for (int i = 0; i < CALLS; i++) {
            op.run(i);
        }
        long after = allocatedBytes(tid);
        return (double) (after - before) / CALLS;
    }

    @Test
    void elementOperationsDoNotAllocatePerCall() {
        try (Arena arena = Arena.ofConfined();
                Fd map = BpfMapTest.create(BpfMapTest.HASH, 4, 8, 1024, 0, "alloc")) {
            MemorySegment attr = Bpf.newScratch(arena);
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            MemorySegment next = arena.allocate(4);
            double update = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                value.set(JAVA_LONG, 0, i);
                Bpf.mapUpdate(attr, map, key, value, Bpf.BPF_ANY);
            });
            double lookup = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                Bpf.mapLookup(attr, map, key, value);
            });
            double lookupThreadScratch = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                Bpf.mapLookup(map, key, value);
            });
            double miss = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, 5000 + i);
                Bpf.mapLookup(attr, map, key, value);
            });
            double nextKey = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                Bpf.mapGetNextKey(attr, map, key, next);
            });
            double delete = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, 5000 + i);
                Bpf.mapDelete(attr, map, key);
            });
            System.out.printf("bytes allocated per call over %,d calls: update %.2f, lookup %.2f, "
                    + "lookup (thread scratch) %.2f, lookup miss %.2f, get_next_key %.2f, delete miss %.2f%n",
                    CALLS, update, lookup, lookupThreadScratch, miss, nextKey, delete);
            for (double d : new double[] {update, lookup, lookupThreadScratch, miss, nextKey, delete}) {
                assertTrue(d < 16, "an element operation allocates " + d + " bytes per call");
            }
        }
    }
}
