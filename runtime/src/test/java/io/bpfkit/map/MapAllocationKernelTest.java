package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.testing.Allocations;
import io.bpfkit.testing.KernelTest;
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

    static double bytesPerCall(java.util.function.IntConsumer op) {
        return Allocations.bytesPerCall(CALLS, 5, op);
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
            long[] all = new long[mapped.length()];
            report("array getLongs (mmap)", bytesPerCall(i -> mapped.getLongs(0, all, 0, all.length)), 0);
            assertTrue(all[3] == value, "the bulk read saw element 3");

        }
    }

    private static void report(String op, double bytes, int bound) {
        System.out.printf("%-22s %6.1f bytes/op%n", op, bytes);
        // a little slack for the odd TLAB refill or JIT deoptimization during the run
        assertTrue(bytes <= bound + 2, op + " allocates " + bytes + " bytes per call (bound " + bound + ")");
    }
}
