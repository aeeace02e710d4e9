package io.bpfkit.map;

import static io.bpfkit.map.Fixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.testing.KernelTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Batch operations on 100,000 elements, and iteration while another thread deletes. */
@KernelTest
class MapBulkKernelTest {
    private static final int N = 100_000;

    @Test
    void batchLookupOfWhatAProgramWrote() {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> big = BpfMaps.hash(obj, "big", Codecs.int32(), Codecs.int64());
            assertEquals(N, run(obj, "fill_big", N), "bpf_loop iterations");
            Map<Integer, Long> all = big.snapshot();
            assertEquals(N, all.size());
            for (int i = 0; i < N; i++) {
                assertEquals(i * 3L + 1, all.get(i), "big[" + i + "]");
            }
            long[] sum = {0};
            int[] count = {0};
            big.forEach((k, v) -> {
                sum[0] += v;
                count[0]++;
            });
            assertEquals(N, count[0]);
            assertEquals(3L * N * (N - 1) / 2 + N, sum[0]);
            int lazily = 0;
            for (var e : big.entries()) {
                assertEquals(e.getKey() * 3L + 1, e.getValue());
                lazily++;
            }
            assertEquals(N, lazily);
            assertTrue(((KeyValueHandle<?, ?>) big).usesBatch(), "hash maps are read with BPF_MAP_LOOKUP_BATCH");
        }
    }

    @Test
    void batchUpdateAndDelete() {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> big = BpfMaps.hash(obj, "big", Codecs.int32(), Codecs.int64());
            Map<Integer, Long> in = new HashMap<>();
            for (int i = 0; i < N; i++) {
                in.put(i, -(long) i);
            }
            assertEquals(N, big.putAll(in));
            assertEquals(in, big.snapshot());
            List<Integer> evens = new ArrayList<>();
            for (int i = 0; i < N; i += 2) {
                evens.add(i);
            }
            evens.add(N + 5); // absent: skipped, not an error
            evens.add(3 * N);
            assertEquals(N / 2, big.deleteAll(evens));
            Map<Integer, Long> left = big.snapshot();
            assertEquals(N / 2, left.size());
            assertTrue(left.keySet().stream().allMatch(k -> k % 2 == 1));
            big.clear();
            assertEquals(0, big.snapshot().size());
            assertTrue(!big.keys().iterator().hasNext());
        }
    }

    @Test
    void iterationSurvivesConcurrentDeletes() throws Exception {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> big = BpfMaps.hash(obj, "big", Codecs.int32(), Codecs.int64());
            run(obj, "fill_big", N);
            // Another thread deletes every key divisible by 3 while this one iterates; keys
            // that are never deleted must all be seen, and none twice.
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread deleter = Thread.ofPlatform().start(() -> {
                try {
                    started.await();
                    for (int i = 0; i < N; i += 3) {
                        big.delete(i);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Set<Integer> seen = new HashSet<>();
            int returned = 0;
            for (Integer k : big.keys()) {
                if (returned++ == 100) {
                    started.countDown();
                }
                assertTrue(seen.add(k), "key " + k + " returned twice");
            }
            started.countDown();
            deleter.join();
            if (failure.get() != null) {
                throw new AssertionError("deleter failed", failure.get());
            }
            for (int i = 0; i < N; i++) {
                if (i % 3 != 0) {
                    assertTrue(seen.contains(i), "key " + i + " was never deleted but not returned");
                }
            }
            assertEquals(N - (N + 2) / 3, big.snapshot().size());
        }
    }

    @Test
    void iterationSurvivesDeletingTheCurrentKey() {
        try (LoadedObject obj = Fixture.load()) {
            var lpm = BpfMaps.lpmTrie(obj, "lpm", Codecs.bytes(4), Codecs.int32());
            for (int i = 0; i < 40; i++) {
                lpm.put(new io.bpfkit.api.map.LpmKey<>(24, new byte[] {10, 0, (byte) i, 0}), i);
            }
            Set<Integer> seen = new HashSet<>();
            for (var e : lpm.entries()) {
                assertTrue(seen.add(e.getValue()), "twice: " + e.getValue());
                lpm.delete(e.getKey()); // the cursor's own position disappears
            }
            assertEquals(40, seen.size());
            assertEquals(0, lpm.snapshot().size());

        }
    }

    /**
     * Kernels before 5.6 have no batch commands: the handle then reads key by key with
     * get-next-key (which restarts from the first key when the previous one is gone) and writes
     * and deletes one element per call. Forced here on a kernel that has them.
     */
    @Test
    void singleCallFallbackDoesEverythingTheBatchPathDoes() {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> big = BpfMaps.hash(obj, "big", Codecs.int32(), Codecs.int64());
            ((KeyValueHandle<?, ?>) big).forceSingleCalls();
            int n = 3000;
            Map<Integer, Long> in = new HashMap<>();
            for (int i = 0; i < n; i++) {
                in.put(i, i * 7L);
            }
            assertEquals(n, big.putAll(in));
            assertEquals(in, big.snapshot());
            Set<Integer> seen = new HashSet<>();
            for (var e : big.entries()) {
                assertTrue(seen.add(e.getKey()), "twice: " + e.getKey());
                assertEquals(e.getKey() * 7L, e.getValue());
                if (e.getKey() % 2 == 0) {
                    big.delete(e.getKey()); // get-next-key from a deleted key restarts the walk
                }
            }
            assertEquals(n, seen.size());
            assertEquals(n / 2, big.snapshot().size());
            assertEquals(n / 4, big.deleteAll(java.util.stream.IntStream.range(0, n).filter(i -> i % 4 == 1)
                    .boxed().toList()));
            big.clear();
            assertEquals(0, big.snapshot().size());
            assertTrue(!((KeyValueHandle<?, ?>) big).usesBatch());
        }
    }
}
