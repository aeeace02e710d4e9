package io.bpfkit.testing;

import java.lang.reflect.Method;
import java.util.function.IntConsumer;

/**
 * Heap bytes a thread allocates per call of an operation, for tests that check a hot path
 * allocates nothing (or only its result). A report, not a benchmark: nothing is timed.
 */
public final class Allocations {
    private Allocations() {
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(tid)}, reached reflectively:
     * the runtime module does not read java.management, and tests compile inside it.
     */
    public static long allocatedBytes(long tid) {
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

    /**
     * Runs {@code op(i)} {@code 3 * calls} times to let the JIT compile it, then measures
     * {@code rounds} rounds of {@code calls} calls and returns the least bytes per call (the
     * first rounds may still run code the JIT has not finished with).
     */
    public static double bytesPerCall(int calls, int rounds, IntConsumer op) {
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 3 * calls; i++) {
            op.accept(i);
        }
        allocatedBytes(tid); // load the reflective path outside the measurement
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long before = allocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                op.accept(i);
            }
            best = Math.min(best, (double) (allocatedBytes(tid) - before) / calls);
        }
        return best;
    }
}
