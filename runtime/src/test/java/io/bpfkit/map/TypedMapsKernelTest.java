package io.bpfkit.map;

import static io.bpfkit.map.Fixture.run;
import static io.bpfkit.map.Fixture.runOn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfArrayOfMaps;
import io.bpfkit.api.map.BpfBloomFilter;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfHashOfMaps;
import io.bpfkit.api.map.BpfLpmTrie;
import io.bpfkit.api.map.BpfLruHashMap;
import io.bpfkit.api.map.BpfLruPerCpuHashMap;
import io.bpfkit.api.map.BpfPerCpuArray;
import io.bpfkit.api.map.BpfPerCpuHashMap;
import io.bpfkit.api.map.BpfProgramArray;
import io.bpfkit.api.map.BpfQueue;
import io.bpfkit.api.map.BpfStack;
import io.bpfkit.api.map.LpmKey;
import io.bpfkit.api.map.MapInfo;
import io.bpfkit.api.map.PerCpuValues;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import io.bpfkit.check.Declared;
import io.bpfkit.check.HandleKind;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.map.Fixture.Small;
import io.bpfkit.map.Fixture.Stats;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.sys.Cpus;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.PinRoot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every typed handle on a real map, with values written by programs (BPF_PROG_TEST_RUN). */
@KernelTest
class TypedMapsKernelTest {

    @Test
    void hashOfRecordsWrittenByAProgram() {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Stats> stats = BpfMaps.hash(obj, "stats", Codecs.int32(),
                    RecordCodec.of(Stats.class));
            assertEquals(77, run(obj, "write_all", 3, 40));
            assertEquals(77, run(obj, "write_all", 4, 50));
            assertEquals(Fixture.written(3, 40), stats.get(3));
            assertEquals(Fixture.written(4, 50), stats.get(4));
            assertNull(stats.get(5), "absent key");
            assertTrue(stats.contains(3));
            assertFalse(stats.contains(5));

            Stats mine = Fixture.written(9, 1);
            assertFalse(stats.put(9, mine, UpdateFlag.EXIST), "EXIST on a new key");
            assertTrue(stats.put(9, mine, UpdateFlag.NO_EXIST));
            assertFalse(stats.put(9, mine, UpdateFlag.NO_EXIST), "NO_EXIST on an existing key");
            assertTrue(stats.put(9, Fixture.written(9, 2), UpdateFlag.EXIST));
            assertEquals(2, stats.get(9).calls());
            stats.put(10, mine);
            assertEquals(Set.of(3, 4, 9, 10), new TreeSet<>(stats.snapshot().keySet()));
            assertTrue(stats.delete(10));
            assertFalse(stats.delete(10));

            MapInfo info = stats.info();
            assertEquals("stats", info.name());
            assertEquals("hash", info.typeName());
            assertEquals(4, info.keySize());
            assertEquals(64, info.valueSize());
            assertEquals(1024, info.maxEntries());
            assertTrue(info.id() > 0);
        }
    }

    @Test
    void freezingAMappedArrayMapsItAgainReadOnly() throws Exception {
        try (LoadedObject obj = Fixture.load();
                BpfArray<Long> mapped = BpfMaps.array(obj, "mmap_array", Codecs.int64())) {
            mapped.set(1, 10L);
            java.lang.foreign.MemorySegment before = mapped.mapped().orElseThrow();
            int id = mapped.info().id();
            try (BpfArray<Long> other = BpfMaps.array(MapRef.byId(id), Codecs.int64())) {
                // another writable mapping: the kernel refuses, and this handle keeps its writable one;
                // a reader meanwhile never sees the mappings being swapped under it
                var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
                var done = new java.util.concurrent.atomic.AtomicBoolean();
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        while (!done.get()) {
                            assertEquals(10L, mapped.get(1));
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                try {
                    for (int i = 0; i < 200; i++) {
                        var busy = assertThrows(KernelException.class, mapped::freeze);
                        assertEquals("EBUSY", busy.errnoName());
                    }
                } finally {
                    done.set(true);
                    reader.join();
                }
                assertNull(failure.get());
                mapped.set(2, 20L);
                assertEquals(20L, other.get(2));
                assertFalse(mapped.mapped().orElseThrow().isReadOnly());
            }
            mapped.freeze();
            assertThrows(IllegalStateException.class, () -> before.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8),
                    "the writable mapping is gone");
            java.lang.foreign.MemorySegment after = mapped.mapped().orElseThrow();
            assertTrue(after.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> after.set(java.lang.foreign.ValueLayout.JAVA_LONG,
                    8, 1L), "a write through the read-only mapping throws, it does not kill the JVM");
            assertEquals(10L, mapped.get(1));
            var frozen = assertThrows(KernelException.class, () -> mapped.set(1, 11L));
            assertEquals("EPERM", frozen.errnoName());
            assertThrows(KernelException.class, mapped::clear);
            run(obj, "write_all", 18, 700); // mmap_array[2]: programs still write a frozen map
            assertEquals(700L, mapped.get(2));
            try (BpfArray<Long> again = BpfMaps.array(MapRef.byId(id), Codecs.int64())) {
                assertTrue(again.mapped().orElseThrow().isReadOnly(), "a frozen map is mapped read-only");
                assertEquals(700L, again.get(2));
            }
            // a read-only descriptor cannot be mapped at all: the handle reads through the kernel
            try (BpfArray<Long> readOnly = BpfMaps.array(MapRef.owning(io.bpfkit.sys.Bpf.mapGetFdById(id,
                    io.bpfkit.uapi.BpfFlags.BPF_F_RDONLY)), Codecs.int64())) {
                assertTrue(readOnly.mapped().isEmpty());
                assertEquals(700L, readOnly.get(2));
            }
        }
    }

    @Test
    void anArrayProgramsMayOnlyReadIsMappedReadOnlyAndWrittenThroughTheKernel() {
        var attr = io.bpfkit.sys.MapCreateAttr.builder(2, 4, 8, 4).name("ro_prog")
                .mapFlags(io.bpfkit.uapi.BpfFlags.BPF_F_MMAPABLE | io.bpfkit.uapi.BpfFlags.BPF_F_RDONLY_PROG).build();
        try (BpfArray<Long> array = BpfMaps.array(MapRef.owning(io.bpfkit.sys.Bpf.mapCreate(attr)), Codecs.int64())) {
            assertTrue(array.mapped().orElseThrow().isReadOnly(), "the kernel refuses a writable mapping (EACCES)");
            array.set(3, 33L);
            assertEquals(33L, array.get(3));
            assertEquals(33L, array.mapped().orElseThrow().getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, 3));
        }
    }

    private static BpfArray<Long> u64Array(String name, int length, int flags) {
        var attr = io.bpfkit.sys.MapCreateAttr.builder(2, 4, 8, length).name(name).mapFlags(flags).build();
        return BpfMaps.array(MapRef.owning(io.bpfkit.sys.Bpf.mapCreate(attr)), Codecs.int64());
    }

    @Test
    void bulkReadsOfAnArrayMappedOrNot() {
        for (int flags : new int[] {io.bpfkit.uapi.BpfFlags.BPF_F_MMAPABLE, 0}) {
            BpfArray<Long> array = u64Array("bulk", 64, flags);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                String how = flags != 0 ? "mapped" : "by system calls";
                assertEquals(flags != 0, array.mapped().isPresent(), how);
                for (int i = 0; i < 64; i++) {
                    array.set(i, i * 3L - 50);
                }
                long[] all = new long[64];
                array.getLongs(0, all, 0, 64);
                for (int i = 0; i < 64; i++) {
                    assertEquals(i * 3L - 50, all[i], how + ": element " + i);
                }
                long[] part = new long[8];
                array.getLongs(60, part, 3, 4);
                assertArrayEquals(new long[] {0, 0, 0, 130, 133, 136, 139, 0}, part, how);
                var segment = arena.allocate(5 * 8L, 8);
                array.copyTo(10, 5, segment);
                for (int i = 0; i < 5; i++) {
                    assertEquals((10 + i) * 3L - 50, segment.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, i), how);
                }
                array.copyTo(64, 0, segment); // an empty range at the end is a range
                var outside = assertThrows(IndexOutOfBoundsException.class, () -> array.getLongs(60, all, 0, 5));
                assertEquals("elements 60 .. 64 are outside array map 'bulk' of 64 elements", outside.getMessage());
                assertThrows(IndexOutOfBoundsException.class, () -> array.getLongs(-1, all, 0, 1));
                var shortArray = assertThrows(IndexOutOfBoundsException.class, () -> array.getLongs(0, part, 5, 4));
                assertTrue(shortArray.getMessage().contains("long[8] at 5"), shortArray.getMessage());
                var small = assertThrows(IllegalArgumentException.class, () -> array.copyTo(0, 6, segment));
                assertTrue(small.getMessage().contains("needs 48 bytes"), small.getMessage());
                var getOutside = assertThrows(IndexOutOfBoundsException.class, () -> array.get(64));
                assertTrue(getOutside.getMessage().contains("array map 'bulk'"), getOutside.getMessage());
                assertThrows(IndexOutOfBoundsException.class, () -> array.get(-1));
                if (flags != 0) {
                    array.freeze(); // mapped again, read-only: reads go on through the new mapping
                    assertEquals(13L, array.get(21));
                    array.getLongs(0, all, 0, 64);
                    assertEquals(139L, all[63]);
                }
                array.close();
                var closed = assertThrows(IllegalStateException.class, () -> array.getLongs(0, all, 0, 1));
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
                var closedGet = assertThrows(IllegalStateException.class, () -> array.get(1));
                assertTrue(closedGet.getMessage().contains("closed"), closedGet.getMessage());
            } finally {
                array.close(); // a second close does nothing
            }
        }
    }

    @Test
    void bulkCopyOfNarrowValuesKeepsTheKernelsStride() {
        for (int flags : new int[] {io.bpfkit.uapi.BpfFlags.BPF_F_MMAPABLE, 0}) {
            var attr = io.bpfkit.sys.MapCreateAttr.builder(2, 4, 4, 8).name("narrow").mapFlags(flags).build();
            try (BpfArray<Integer> array = BpfMaps.array(MapRef.owning(io.bpfkit.sys.Bpf.mapCreate(attr)),
                    Codecs.int32()); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                for (int i = 0; i < 8; i++) {
                    array.set(i, -i - 1);
                }
                assertEquals(-4, array.get(3));
                var segment = arena.allocate(8 * 8L, 8);
                segment.fill((byte) 0x55);
                array.copyTo(0, 8, segment);
                for (int i = 0; i < 8; i++) {
                    assertEquals(-i - 1, segment.get(java.lang.foreign.ValueLayout.JAVA_INT, i * 8L));
                    assertEquals(0, segment.get(java.lang.foreign.ValueLayout.JAVA_INT, i * 8L + 4), "padding");
                }
                var e = assertThrows(UnsupportedOperationException.class,
                        () -> array.getLongs(0, new long[8], 0, 8));
                assertTrue(e.getMessage().contains("are 4 bytes"), e.getMessage());
            }
        }
    }

    @Test
    void lruHashEvictsInsteadOfRefusing() {
        try (LoadedObject obj = Fixture.load()) {
            BpfLruHashMap<Integer, Long> lru = BpfMaps.lruHash(obj, "lru", Codecs.int32(), Codecs.int64());
            run(obj, "write_all", 1, 11);
            assertEquals(11L, lru.get(1));
            for (int i = 100; i < 400; i++) {
                lru.put(i, (long) i); // far more than max_entries (64): never E2BIG
            }
            int n = lru.snapshot().size();
            assertTrue(n <= 64 && n > 0, "size " + n);
            assertEquals(399L, lru.get(399), "the most recent survives");
        }
    }

    @Test
    void arraysBySyscallAndByMapping() {
        try (LoadedObject obj = Fixture.load()) {
            BpfArray<Long> plain = BpfMaps.array(obj, "array_u64", Codecs.int64());
            BpfArray<Long> mapped = BpfMaps.array(obj, "mmap_array", Codecs.uint64());
            assertTrue(plain.mapped().isEmpty());
            assertTrue(mapped.mapped().isPresent(), "BPF_F_MMAPABLE array is mapped");
            run(obj, "write_all", 18, 700); // array_u64[2], mmap_array[2]
            assertEquals(700L, plain.get(2));
            assertEquals(700L, mapped.get(2), "the program's write, seen in memory");
            assertEquals(0L, plain.get(15));
            assertEquals(16, plain.length());
            assertThrows(IndexOutOfBoundsException.class, () -> plain.get(16));
            assertNull(plain.get(Integer.valueOf(16)));
            mapped.set(5, 55L);
            plain.set(5, 56L);
            assertEquals(56L, plain.get(Integer.valueOf(5)));
            assertEquals(55L, mapped.mapped().orElseThrow().getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, 5));
            // a syscall lookup agrees with the mapping, and so does a second handle (by id, owning its fd)
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                var k = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 5);
                var v = a.allocate(java.lang.foreign.ValueLayout.JAVA_LONG);
                assertTrue(io.bpfkit.sys.MapCalls.of(obj.map("mmap_array").orElseThrow().fd()).lookup(k, v));
                assertEquals(55L, v.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            }
            try (BpfArray<Long> byId = BpfMaps.array(MapRef.byId(mapped.info().id()), Codecs.int64())) {
                assertEquals(55L, byId.get(5));
            }
            assertEquals(8, mapped.snapshot().size(), "array elements all exist");
            var e = assertThrows(UnsupportedOperationException.class, () -> plain.delete(1));
            assertTrue(e.getMessage().contains("'array_u64' always exist"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> mapped.deleteAll(List.of(1, 2)));
            mapped.clear();
            plain.clear();
            assertEquals(0L, mapped.get(2));
            assertEquals(0L, plain.get(2));
        }
    }

    @Test
    void perCpuValuesFromEachCpu() {
        int[] online = Cpus.online();
        int possible = Cpus.possibleCount();
        try (LoadedObject obj = Fixture.load()) {
            BpfPerCpuHashMap<Integer, Long> hash = BpfMaps.perCpuHash(obj, "pcpu_hash", Codecs.int32(),
                    Codecs.int64());
            BpfPerCpuArray<Small> array = BpfMaps.perCpuArray(obj, "pcpu_array", RecordCodec.of(Small.class));
            BpfLruPerCpuHashMap<Integer, Integer> lru = BpfMaps.lruPerCpuHash(obj, "lru_pcpu", Codecs.int32(),
                    Codecs.int32());
            for (int cpu : online) {
                assertEquals(0, runOn(obj, "per_cpu", cpu));
            }
            PerCpuValues<Long> h = hash.get(1);
            PerCpuValues<Small> a = array.get(0);
            PerCpuValues<Integer> l = lru.get(1);
            assertEquals(possible, h.cpus());
            assertEquals(possible, a.cpus(), "4-byte values, rounded to 8 per CPU by the kernel");
            long expectedSum = 0;
            for (int cpu : online) {
                assertEquals(cpu + 1L, h.get(cpu), "pcpu_hash on CPU " + cpu);
                assertEquals(cpu + 100, a.get(cpu).x(), "pcpu_array on CPU " + cpu);
                assertEquals(cpu + 1000, l.get(cpu), "lru_pcpu on CPU " + cpu);
                expectedSum += cpu + 1;
            }
            assertEquals(expectedSum, h.sum(x -> x));
            assertEquals(online[online.length - 1] + 1L, h.reduce(Math::max));

            hash.putOnEveryCpu(2, 5L);
            assertEquals(5L * possible, hash.get(2).sum(x -> x));
            List<Small> values = new ArrayList<>();
            for (int c = 0; c < possible; c++) {
                values.add(new Small(c * 10));
            }
            array.set(3, new PerCpuValues<>(values));
            assertEquals(new PerCpuValues<>(values), array.get(3));
            array.setOnEveryCpu(2, new Small(4));
            assertEquals(4L * possible, array.get(2).sum(Small::x));
            assertThrows(CodecException.class, () -> array.set(1, PerCpuValues.of(possible + 1,
                    new Small(1))));
            for (int cpu : online) { // and the program adds to what user space wrote
                runOn(obj, "per_cpu", cpu);
            }
            assertEquals(2L * (online[0] + 1), hash.get(1).get(online[0]));
            assertEquals(Set.of(1, 2), new TreeSet<>(hash.snapshot().keySet()), "per-CPU batch iteration");
            Map<Integer, PerCpuValues<Long>> all = hash.snapshot();
            assertEquals(5L * possible, all.get(2).sum(x -> x));
        }
    }

    @Test
    void lpmTrieLongestPrefix() {
        try (LoadedObject obj = Fixture.load()) {
            BpfLpmTrie<byte[], Integer> lpm = BpfMaps.lpmTrie(obj, "lpm", Codecs.bytes(4), Codecs.int32());
            assertEquals(32, lpm.maxPrefixLength());
            lpm.put(new LpmKey<>(8, new byte[] {10, 0, 0, 0}), 8);
            lpm.put(new LpmKey<>(16, new byte[] {10, 1, 0, 0}), 16);
            lpm.put(new LpmKey<>(24, new byte[] {10, 1, 2, 0}), 24);
            lpm.put(new LpmKey<>(0, new byte[] {0, 0, 0, 0}), 1); // default route
            assertEquals(24, lpm.longestMatch(new byte[] {10, 1, 2, 3}));
            assertEquals(16, lpm.longestMatch(new byte[] {10, 1, 9, 9}));
            assertEquals(8, lpm.longestMatch(new byte[] {10, 9, 9, 9}));
            assertEquals(1, lpm.longestMatch(new byte[] {11, 0, 0, 0}));
            // the program's lookups agree
            assertEquals(24, run(obj, "lpm_match", 10, 1, 2, 3));
            assertEquals(16, run(obj, "lpm_match", 10, 1, 200, 3));
            assertEquals(8, run(obj, "lpm_match", 10, 7, 2, 3));
            assertEquals(16, lpm.get(new LpmKey<>(16, new byte[] {10, 1, 0, 0})), "exact prefix lookup");
            assertTrue(lpm.delete(new LpmKey<>(24, new byte[] {10, 1, 2, 0})));
            assertEquals(16, run(obj, "lpm_match", 10, 1, 2, 3));
            // no batch commands for LPM tries: iteration falls back to get-next-key
            List<Integer> prefixes = new ArrayList<>();
            for (LpmKey<byte[]> k : lpm.keys()) {
                prefixes.add(k.prefixLength());
            }
            prefixes.sort(null);
            assertEquals(List.of(0, 8, 16), prefixes);
            assertEquals(3, lpm.snapshot().size());
            lpm.clear();
            assertNull(lpm.longestMatch(new byte[] {10, 1, 2, 3}));
            assertThrows(CodecException.class, () -> lpm.put(new LpmKey<>(33, new byte[4]), 1));
        }
    }

    @Test
    void queueAndStackOrder() {
        try (LoadedObject obj = Fixture.load()) {
            BpfQueue<Integer> queue = BpfMaps.queue(obj, "queue", Codecs.int32());
            BpfStack<Integer> stack = BpfMaps.stack(obj, "stack", Codecs.int32());
            run(obj, "push", 3, 100); // 100, 101, 102
            assertEquals(100, queue.peek());
            assertEquals(102, stack.peek());
            assertEquals(List.of(100, 101, 102), drain(queue::pop));
            assertEquals(List.of(102, 101, 100), drain(stack::pop));
            assertNull(queue.pop());
            assertNull(stack.peek());
            for (int i = 0; i < 8; i++) {
                assertTrue(queue.push(i));
            }
            assertFalse(queue.push(8), "full");
            queue.pushOverwriting(8); // drops the oldest (0)
            assertEquals(1, queue.pop());
        }
    }

    private static List<Integer> drain(java.util.function.Supplier<Integer> pop) {
        List<Integer> out = new ArrayList<>();
        for (Integer v; (v = pop.get()) != null; ) {
            out.add(v);
        }
        return out;
    }

    @Test
    void bloomFilterSeesBothSides() {
        try (LoadedObject obj = Fixture.load()) {
            BpfBloomFilter<Integer> bloom = BpfMaps.bloomFilter(obj, "bloom", Codecs.int32());
            assertEquals(0, run(obj, "bloom_add", 42));
            bloom.add(7);
            assertTrue(bloom.mightContain(42), "added by the program");
            assertEquals(1, run(obj, "bloom_check", 7), "added by user space, seen by the program");
            int falsePositives = 0;
            for (int v = 1000; v < 1100; v++) {
                falsePositives += bloom.mightContain(v) ? 1 : 0;
            }
            assertTrue(falsePositives < 50, "a 64-entry filter with 2 values says no to most: " + falsePositives);
        }
    }

    @Test
    void programArrayTailCalls() {
        try (LoadedObject obj = Fixture.load()) {
            BpfProgramArray jmp = BpfMaps.programArray(obj, "jmp");
            var bss = BpfMaps.globals(obj, ".bss");
            assertEquals(99, run(obj, "tail_entry", 1), "empty slot: falls through");
            jmp.set(1, obj.program("tail_one").orElseThrow());
            jmp.set(2, obj.program("tail_two").orElseThrow());
            assertEquals(1, run(obj, "tail_entry", 1));
            assertEquals(1, bss.getInt("bss_tail"));
            assertEquals(2, run(obj, "tail_entry", 2));
            assertEquals(2, bss.getInt("bss_tail"));
            assertEquals(obj.program("tail_two").orElseThrow().info().id(), jmp.programId(2).orElseThrow());
            assertTrue(jmp.clear(2));
            assertFalse(jmp.clear(2));
            assertTrue(jmp.programId(2).isEmpty());
            assertEquals(99, run(obj, "tail_entry", 2));
            assertEquals(4, jmp.length());
            assertThrows(IndexOutOfBoundsException.class, () -> jmp.set(4, obj.program("tail_one").orElseThrow()));
            bss.close();
        }
    }

    @Test
    void mapsOfMapsInnerLookups() {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashOfMaps<Integer, BpfArray<Long>> outerHash = BpfMaps.hashOfMaps(obj, "outer_hash", Codecs.int32(),
                    ref -> BpfMaps.array(ref, Codecs.int64()));
            BpfArrayOfMaps<BpfArray<Long>> outerArray = BpfMaps.arrayOfMaps(obj, "outer_array",
                    ref -> BpfMaps.array(ref, Codecs.int64()));
            BpfArray<Long> innerA = BpfMaps.array(obj, "inner_a", Codecs.int64());
            BpfArray<Long> innerB = BpfMaps.array(obj, "inner_b", Codecs.int64());

            assertEquals(1, run(obj, "inner_write", 0, 7, 1, 5), "empty slot");
            outerHash.put(7, innerB);
            assertEquals(0, run(obj, "inner_write", 0, 7, 1, 555));
            assertEquals(555L, innerB.get(1), "the program wrote through the outer map");
            assertEquals(0, run(obj, "inner_write", 1, 0, 3, 333), "outer_array[0] = inner_a from the object");
            assertEquals(333L, innerA.get(3));

            assertEquals(innerB.info().id(), outerHash.innerMapId(7).orElseThrow());
            try (BpfArray<Long> viaOuter = outerHash.get(7)) {
                assertEquals(555L, viaOuter.get(1), "inner handle opened by id");
                viaOuter.set(2, 22L);
            }
            assertEquals(22L, innerB.get(2));
            try (BpfArray<Long> viaOuter = outerArray.get(0)) {
                assertEquals(333L, viaOuter.get(3));
            }
            assertNull(outerArray.get(1));
            outerArray.put(1, innerB);
            assertEquals(0, run(obj, "inner_write", 1, 1, 0, 9));
            assertEquals(9L, innerB.get(0));
            assertTrue(outerHash.delete(7));
            assertNull(outerHash.get(7));
            assertEquals(2, outerArray.length());
        }
    }

    @Test
    void ringBufferAndPerfEventArrayMapSide() {
        // maps_btf pins one map by name: under a root of the test's own, not the shared bpffs
        try (PinRoot pins = PinRoot.create("maps");
                LoadedObject obj = io.bpfkit.load.BpfLoader.load(io.bpfkit.object.BpfObjects.open(
                        io.bpfkit.testing.TestObjects.path("maps_btf.bpf.o")),
                        io.bpfkit.load.LoadOptions.defaults().withPinRoot(pins.path()))) {
            var names = obj.maps().values().stream().filter(m -> m.spec().mapType() != null).toList();
            for (var m : names) {
                switch (m.spec().mapType()) {
                    case RINGBUF -> {
                        var rb = BpfMaps.ringBuffer(obj, m.name());
                        assertEquals(m.spec().maxEntries(), rb.ringSize());
                        assertEquals("ringbuf", rb.info().typeName());
                    }
                    case PERF_EVENT_ARRAY -> {
                        var pa = BpfMaps.perfEventArray(obj, m.name());
                        assertTrue(pa.slots() > 0);
                    }
                    default -> {
                    }
                }
            }
        }
    }

    @Test
    void wrongTypeOrSizeIsRefusedNamingBothSides() {
        try (LoadedObject obj = Fixture.load()) {
            var e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "array_u64", Codecs.int32(),
                    Codecs.int64()));
            assertTrue(e.getMessage().contains("has type array, not hash") && e.getMessage().contains("BpfMaps.array"),
                    e.getMessage());
            e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "stats", Codecs.int32(),
                    Codecs.int64()));
            assertTrue(e.getMessage().contains("map 'stats': value is 64 bytes (BTF type struct stats)")
                    && e.getMessage().contains("Codecs.int64() is 8 bytes"), e.getMessage());
            e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "stats", Codecs.int32(),
                    RecordCodec.of(RecordCodecTest.Swapped.class)));
            assertTrue(e.getMessage().contains("member 1 of record Swapped is 'small', struct stats has 'flags' there"),
                    e.getMessage());
            e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "nope", Codecs.int32(),
                    Codecs.int64()));
            assertTrue(e.getMessage().startsWith("map 'nope': object '") && e.getMessage().contains("has no such map"),
                    e.getMessage());
        }
    }

    /**
     * The same mismatch through a binding (its check at open, {@link BindingCheck#requireValid})
     * and through {@link BpfMaps} on the loaded object: both a {@link LoadException} naming the
     * map, the part and the same difference.
     */
    @Test
    void bindingAndBpfMapsRefuseTheSameMismatchAlike() {
        BpfObjectSpec spec = Fixture.spec();
        CType key = CType.integer(4, false);
        try (LoadedObject obj = Fixture.load()) {
            LoadException viaBinding = assertThrows(LoadException.class, () -> BindingCheck.requireValid(spec,
                    List.of(new Declared.MapHandle("stats()", "stats", HandleKind.HASH, key,
                            RecordCodec.of(RecordCodecTest.SignedCalls.class).ctype())), "t.Probe"));
            LoadException viaMaps = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "stats",
                    Codecs.int32(), RecordCodec.of(RecordCodecTest.SignedCalls.class)));
            String difference = "value does not match the object's struct stats: ";
            String member = "SignedCalls.calls is __s64 (signed: add @Unsigned), the object has __u64 (BTF int "
                    + "encoding: unsigned)";
            for (LoadException e : List.of(viaBinding, viaMaps)) {
                assertTrue(e.getMessage().contains("map 'stats'") && e.getMessage().contains(difference)
                        && e.getMessage().endsWith(member), e.getMessage());
            }

            viaBinding = assertThrows(LoadException.class, () -> BindingCheck.requireValid(spec,
                    List.of(new Declared.MapHandle("stats()", "stats", HandleKind.HASH, key,
                            CType.integer(8, false))), "t.Probe"));
            viaMaps = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "stats", Codecs.int32(),
                    Codecs.int64()));
            for (LoadException e : List.of(viaBinding, viaMaps)) {
                assertTrue(e.getMessage().contains("map 'stats'") && e.getMessage().contains("value")
                        && e.getMessage().contains(" 8 bytes") && e.getMessage().contains(" 64 bytes"), e.getMessage());
            }

            viaBinding = assertThrows(LoadException.class, () -> BindingCheck.requireValid(spec,
                    List.of(new Declared.MapHandle("nope()", "nope", HandleKind.HASH, key, key)), "t.Probe"));
            viaMaps = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "nope", Codecs.int32(),
                    Codecs.int32()));
            for (LoadException e : List.of(viaBinding, viaMaps)) {
                assertTrue(e.getMessage().contains("map 'nope'") && e.getMessage().contains("has no"), e.getMessage());
            }
        }
    }

    /**
     * Signedness, as a binding checks it: a record member without {@code @Unsigned} on a BTF
     * {@code __u64}, or {@code Codecs.uint32()} on a BTF {@code __s32}, is refused when the handle
     * is made (and its descriptor not leaked); {@code Codecs.int32()} carries either.
     */
    @Test
    void signednessMismatchIsRefused() {
        try (LoadedObject obj = Fixture.load()) {
            var e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "stats", Codecs.int32(),
                    RecordCodec.of(RecordCodecTest.SignedCalls.class)));
            assertEquals("map 'stats': value does not match the object's struct stats: record SignedCalls.calls is "
                    + "__s64 (signed: add @Unsigned), the object has __u64 (BTF int encoding: unsigned)", e.getMessage());
            e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "signed_vals", Codecs.uint32(),
                    Codecs.int64()));
            assertEquals("map 'signed_vals': key does not match the object's __s32: Codecs.uint32() is __u32 "
                    + "(unsigned), the object has __s32 (BTF int encoding: signed)", e.getMessage());
            e = assertThrows(LoadException.class, () -> BpfMaps.hash(obj, "signed_vals", Codecs.int32(),
                    Codecs.uint64()));
            assertTrue(e.getMessage().startsWith("map 'signed_vals': value does not match the object's __s64"),
                    e.getMessage());
            // per-CPU and array handles check their values the same way
            e = assertThrows(LoadException.class, () -> BpfMaps.perCpuArray(obj, "pcpu_array",
                    RecordCodec.of(SignedSmall.class)));
            assertTrue(e.getMessage().contains("record SignedSmall.x is __s32 (signed: add @Unsigned)"), e.getMessage());
            try (BpfHashMap<Integer, Long> ok = BpfMaps.hash(obj, "signed_vals", Codecs.int32(), Codecs.int64())) {
                ok.put(-1, -5L);
                assertEquals(-5L, ok.get(-1));
            }
            try (BpfHashMap<Integer, Stats> ok = BpfMaps.hash(obj, "stats", Codecs.int32(),
                    RecordCodec.of(Stats.class))) {
                run(obj, "write_all", 3, 1L << 63);
                assertEquals(Long.MIN_VALUE, ok.get(3).calls(), "the __u64 2^63, held bit for bit");
            }
        }
    }

    record SignedSmall(int x) {
    }

    @Test
    void closedHandlesAndObjectsThrow() {
        BpfHashMap<Integer, Long> lru;
        try (LoadedObject obj = Fixture.load()) {
            lru = BpfMaps.lruHash(obj, "lru", Codecs.int32(), Codecs.int64());
            BpfArray<Long> mapped = BpfMaps.array(obj, "mmap_array", Codecs.int64());
            mapped.close();
            mapped.close(); // idempotent
            assertThrows(IllegalStateException.class, () -> mapped.get(0));
            assertThrows(IllegalStateException.class, mapped::mapped);
            lru.put(1, 1L); // the object still owns the map
        }
        assertThrows(IllegalStateException.class, () -> lru.get(1), "object closed: its fd is gone");
    }

    @Test
    void freezePinAndOpenPinned() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("/sys/fs/bpf");
        String path = dir.resolve("bpfkit-maps-test-" + ProcessHandle.current().pid()).toString();
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> lru = BpfMaps.lruHash(obj, "lru", Codecs.int32(), Codecs.int64());
            lru.put(5, 50L);
            lru.pin(path);
            try (BpfLruHashMap<Integer, Long> again = BpfMaps.lruHash(BpfMaps.openPinned(path), Codecs.int32(),
                    Codecs.int64())) {
                assertEquals(50L, again.get(5));
                again.put(6, 60L);
                assertEquals(lru.info().id(), again.info().id());
            }
            assertEquals(60L, lru.get(6));
            lru.freeze();
            var e = assertThrows(KernelException.class, () -> lru.put(7, 70L));
            assertEquals("EPERM", e.errnoName());
            assertTrue(e.getMessage().contains("map 'lru'") && e.getMessage().contains("frozen"), e.getMessage());
            assertEquals(60L, lru.get(6), "reads still work");
            // a pinned map brings its BTF (the kernel's copy): records are checked against it too
            BpfMaps.hash(obj, "stats", Codecs.int32(), RecordCodec.of(Stats.class)).pin(path + "-stats");
            try (var ok = BpfMaps.hash(BpfMaps.openPinned(path + "-stats"), Codecs.int32(),
                    RecordCodec.of(Stats.class))) {
                assertTrue(ok.snapshot().isEmpty());
            }
            var mismatch = assertThrows(LoadException.class, () -> BpfMaps.hash(
                    BpfMaps.openPinned(path + "-stats"), Codecs.int32(), RecordCodec.of(RecordCodecTest.Swapped.class)));
            assertTrue(mismatch.getMessage().contains("struct stats has 'flags' there"), mismatch.getMessage());
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path));
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(path + "-stats"));
        }
        assertThrows(KernelException.class, () -> BpfMaps.openPinned(path));
    }

    /**
     * A plain put goes to the kernel without the errno capture and, only when it fails, again with
     * it: the error must still be the kernel's (E2BIG for a full hash), and nothing is written.
     */
    @Test
    void fullHashSaysSo() {
        try (BpfHashMap<Integer, Long> full = BpfMaps.hash(MapRef.owning(io.bpfkit.sys.Bpf.mapCreate(
                io.bpfkit.sys.MapCreateAttr.builder(1, 4, 8, 4).name("full").build())), Codecs.int32(),
                Codecs.int64())) {
            for (int i = 0; i < 4; i++) {
                full.put(i, i * 10L);
            }
            var e = assertThrows(KernelException.class, () -> full.put(4, 40L));
            assertEquals(io.bpfkit.sys.Errno.E2BIG, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("BPF_MAP_UPDATE_ELEM") && e.getMessage().contains("full"),
                    e.getMessage());
            assertNull(full.get(4));
            full.put(3, 33L); // replacing needs no room
            assertEquals(33L, full.get(3));
            assertTrue(full.delete(0));
            full.put(4, 40L);
            assertEquals(40L, full.get(4));
            assertFalse(full.put(5, 50L, UpdateFlag.EXIST), "an absent key is no error for EXIST");
        }
    }

    @Test
    void fullArraySaysSo() {
        try (LoadedObject obj = Fixture.load()) {
            BpfArray<Long> arr = BpfMaps.array(obj, "array_u64", Codecs.int64());
            Map<Integer, Long> m = new HashMap<>();
            for (int i = 0; i < 16; i++) {
                m.put(i, i * 2L);
            }
            assertEquals(16, arr.putAll(m));
            assertEquals(30L, arr.get(15));
            var e = assertThrows(KernelException.class, () -> arr.put(16, 1L));
            assertEquals(io.bpfkit.sys.Errno.E2BIG, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("array_u64"), e.getMessage());
            assertArrayEquals(new long[] {0, 2, 4}, new long[] {arr.get(0), arr.get(1), arr.get(2)});
        }
    }

    @Test
    void oneHandleSharedByThreads() throws Exception {
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Stats> stats = BpfMaps.hash(obj, "stats", Codecs.int32(),
                    RecordCodec.of(Stats.class));
            int threads = 4;
            int perThread = 200;
            List<Thread> ts = new ArrayList<>();
            var failures = new java.util.concurrent.ConcurrentLinkedQueue<Throwable>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int round = 0; round < 20; round++) {
                            for (int k = base; k < base + perThread; k++) {
                                stats.put(k, Fixture.written(k, round));
                                Stats back = stats.get(k);
                                if (!Fixture.written(k, round).equals(back)) {
                                    throw new AssertionError("key " + k + ": " + back);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertEquals(threads * perThread, stats.snapshot().size());
        }
    }

    /**
     * Only bpfkit's own codecs get the scratch memory unchecked (by address); any other codec
     * writes through a checked segment, so one that writes past its size fails with an
     * exception instead of overwriting memory, and the handle goes on working.
     */
    @Test
    void onlyBpfkitsOwnCodecsGetTheScratchMemoryUnchecked() {
        assertTrue(KeyValueHandle.ownCodec(Codecs.int32()));
        assertTrue(KeyValueHandle.ownCodec(Codecs.uint64()));
        assertTrue(KeyValueHandle.ownCodec(Codecs.cString(16)));
        assertTrue(KeyValueHandle.ownCodec(Codecs.bytes(4)));
        assertFalse(KeyValueHandle.ownCodec(RecordCodec.of(Small.class)));
        io.bpfkit.api.codec.Codec<Integer> overrunning = encodingAs(Codecs.int32(),
                (value, target, offset) -> target.set(java.lang.foreign.ValueLayout.JAVA_LONG, offset + 64, value));
        assertFalse(KeyValueHandle.ownCodec(overrunning));
        try (LoadedObject obj = Fixture.load()) {
            BpfHashMap<Integer, Long> bad = BpfMaps.hash(obj, "signed_vals", overrunning, Codecs.int64());
            assertThrows(IndexOutOfBoundsException.class, () -> bad.put(1, 2L));
            BpfHashMap<Integer, Long> good = BpfMaps.hash(obj, "signed_vals", Codecs.int32(), Codecs.int64());
            assertNull(good.get(1), "nothing was written");
            good.put(1, 2L);
            assertEquals(2L, good.get(1));
            assertThrows(IndexOutOfBoundsException.class, () -> bad.get(1), "after a failed call too");
        }
    }

    /**
     * A codec that itself calls the handle (here: the value's encoder looks up another key) runs
     * a call inside a call on one thread; the inner one must get scratch memory of its own, or
     * it overwrites the outer call's key.
     */
    @Test
    void aCallInsideACallKeepsItsOwnScratch() {
        try (LoadedObject obj = Fixture.load()) {
            var inner = new java.util.concurrent.atomic.AtomicReference<BpfHashMap<Integer, Long>>();
            io.bpfkit.api.codec.Codec<Long> reentrant = encodingAs(Codecs.int64(), (value, target, offset) -> {
                Long other = inner.get().get(1000); // a lookup of another key, mid-put
                Codecs.int64().encode(value + (other == null ? 0 : other), target, offset);
            });
            BpfHashMap<Integer, Long> plain = BpfMaps.hash(obj, "signed_vals", Codecs.int32(), Codecs.int64());
            BpfHashMap<Integer, Long> nesting = BpfMaps.hash(obj, "signed_vals", Codecs.int32(), reentrant);
            inner.set(nesting);
            plain.put(1000, 5L);
            nesting.put(7, 30L);
            assertEquals(35L, plain.get(7), "the outer put wrote its own key, with the inner lookup's value added");
            assertEquals(5L, plain.get(1000), "the inner lookup did not write");
        }
    }

    /** How a test codec writes a value. */
    interface Encoder<T> {
        void encode(T value, java.lang.foreign.MemorySegment target, long offset);
    }

    /** A codec of the test's own, not bpfkit's: {@code base}'s layout and decoding, {@code encoder}'s writing. */
    static <T> io.bpfkit.api.codec.Codec<T> encodingAs(io.bpfkit.api.codec.Codec<T> base, Encoder<T> encoder) {
        return new io.bpfkit.api.codec.Codec<>() {
            @Override
            public java.lang.foreign.MemoryLayout layout() {
                return base.layout();
            }

            @Override
            public void encode(T value, java.lang.foreign.MemorySegment target, long offset) {
                encoder.encode(value, target, offset);
            }

            @Override
            public T decode(java.lang.foreign.MemorySegment source, long offset) {
                return base.decode(source, offset);
            }
        };
    }
}
