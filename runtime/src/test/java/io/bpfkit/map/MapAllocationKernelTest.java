package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.testing.KernelTest;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * Reports the heap allocated per typed operation: nothing beyond the returned value (a boxed
 * {@code Long}: 24 bytes with the usual 12-byte object header, or nothing when the JIT removes
 * the box). A report with a bound, not a benchmark; nothing is timed.
 */
@KernelTest
class MapAllocationKernelTest {
    private static final int CALLS = 50_000;
    /** The returned value: a {@code Long} is at most 24 bytes (header, 8 bytes, alignment). */
    private static final int LONG_BOX = 24;

    interface Op {
        void run(int i);
    }

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

    /** The least of a few measured rounds: the first ones may run before C2 removes the box. */
    static double bytesPerCall(Op op) {
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 4 * CALLS; i++) {
            op.run(i);
        }
        allocatedBytes(tid);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = allocatedBytes(tid);
            for (int i = 0; i < CALLS; i++) {
                op.run(i);
            }
            best = Math.min(best, (double) (allocatedBytes(tid) - before) / CALLS);
        }
        return best;
    }

    @Test
    void hotOperationsAllocateOnlyTheResult() {
        Integer key = 7;          // boxed once, outside the measurement
        Long value = 1234567L;
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> hash = BpfMaps.hash(obj, "big", Codecs.int32(), Codecs.int64());
            BpfArray<Long> mapped = BpfMaps.array(obj, "mmap_array", Codecs.int64());
            BpfArray<Long> plain = BpfMaps.array(obj, "array_u64", Codecs.int64());
            hash.put(key, value);
            mapped.set(3, value);
            plain.set(3, value);
            report("hash put", bytesPerCall(i -> hash.put(key, value)), 0);
            report("hash contains", bytesPerCall(i -> hash.contains(key)), 0);
            report("hash get", bytesPerCall(i -> hash.get(key)), LONG_BOX);
            report("array get (syscall)", bytesPerCall(i -> plain.get(3)), LONG_BOX);
            report("array get (mmap)", bytesPerCall(i -> mapped.get(3)), LONG_BOX);
            report("array set (mmap)", bytesPerCall(i -> mapped.set(3, value)), 0);
        }
    }

    private static void report(String op, double bytes, int bound) {
        System.out.printf("%-22s %6.1f bytes/op%n", op, bytes);
        // a little slack for the odd TLAB refill or JIT deoptimization during the run
        assertTrue(bytes <= bound + 2, op + " allocates " + bytes + " bytes per call (bound " + bound + ")");
    }
}
