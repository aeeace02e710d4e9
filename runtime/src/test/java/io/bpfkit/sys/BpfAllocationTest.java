package io.bpfkit.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.Allocations;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Reports the heap allocated per element operation (the hot path must not allocate). A report,
 * not a benchmark: nothing is timed, and the only assertion is a generous bound that catches
 * an Arena or a boxed value per call.
 */
@KernelTest
class BpfAllocationTest {
    private static final int CALLS = 100_000;

    static double bytesPerCall(java.util.function.IntConsumer op) {
        return Allocations.bytesPerCall(CALLS, 1, op);
    }

    @Test
    void elementOperationsDoNotAllocatePerCall() {
        try (Arena arena = Arena.ofConfined();
                Fd map = BpfMapTest.create(BpfMapTest.HASH, 4, 8, 1024, 0, "alloc")) {
            MapCalls calls = MapCalls.of(map);
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            MemorySegment next = arena.allocate(4);
            double update = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                value.set(JAVA_LONG, 0, i);
                calls.update(key, value, BpfFlags.BPF_ANY);
            });
            double lookup = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                calls.lookup(key, value);
            });
            double miss = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, 5000 + i);
                calls.lookup(key, value);
            });
            double nextKey = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, i & 1023);
                calls.nextKey(key, next);
            });
            double delete = bytesPerCall(i -> {
                key.set(JAVA_INT, 0, 5000 + i);
                calls.delete(key);
            });
            System.out.printf("bytes allocated per call over %,d calls: update %.2f, lookup %.2f, "
                    + "lookup miss %.2f, get_next_key %.2f, delete miss %.2f%n",
                    CALLS, update, lookup, miss, nextKey, delete);
            for (double d : new double[] {update, lookup, miss, nextKey, delete}) {
                assertTrue(d < 16, "an element operation allocates " + d + " bytes per call");
            }
        }
    }
}
