package io.bpfkit.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Map commands against the kernel: every common map type, element and batch operations, pinning, mmap. */
@KernelTest
class BpfMapTest {
    static final int HASH = 1;
    static final int ARRAY = 2;
    static final int PROG_ARRAY = 3;
    static final int PERF_EVENT_ARRAY = 4;
    static final int PERCPU_HASH = 5;
    static final int PERCPU_ARRAY = 6;
    static final int LRU_HASH = 9;
    static final int LPM_TRIE = 11;
    static final int ARRAY_OF_MAPS = 12;
    static final int HASH_OF_MAPS = 13;
    static final int QUEUE = 22;
    static final int STACK = 23;
    static final int RINGBUF = 27;
    static final int BLOOM_FILTER = 30;

    static Fd create(int type, int key, int value, int max, int flags, String name) {
        return Bpf.mapCreate(MapCreateAttr.builder(type, key, value, max).mapFlags(flags).name(name).build());
    }

    @Test
    void everyCommonMapTypeIsCreatedWithItsAttributes() {
        record Case(int type, int key, int value, int max, int flags, String name) {
        }
        int page = (int) Syscalls.pageSize();
        Case[] cases = {
            new Case(HASH, 4, 8, 64, 0, "hash"),
            new Case(ARRAY, 4, 8, 64, 0, "array"),
            new Case(PERCPU_HASH, 4, 8, 64, 0, "percpu_hash"),
            new Case(PERCPU_ARRAY, 4, 8, 64, 0, "percpu_array"),
            new Case(LRU_HASH, 4, 8, 64, 0, "lru_hash"),
            new Case(LPM_TRIE, 8, 8, 64, BpfFlags.BPF_F_NO_PREALLOC, "lpm"),
            new Case(QUEUE, 0, 8, 64, 0, "queue"),
            new Case(STACK, 0, 8, 64, 0, "stack"),
            new Case(BLOOM_FILTER, 0, 8, 64, 0, "bloom"),
            new Case(RINGBUF, 0, 0, 4 * page, 0, "ringbuf"),
            new Case(PERF_EVENT_ARRAY, 4, 4, Cpus.possibleCount(), 0, "perf_events"),
            new Case(PROG_ARRAY, 4, 4, 8, 0, "progs"),
        };
        for (Case c : cases) {
            try (Fd m = create(c.type, c.key, c.value, c.max, c.flags, c.name)) {
                MapInfo info = Bpf.mapInfo(m);
                assertEquals(c.type, info.type(), c.name);
                assertEquals(c.key, info.keySize(), c.name);
                assertEquals(c.value, info.valueSize(), c.name);
                assertEquals(c.max, info.maxEntries(), c.name);
                assertEquals(c.flags, info.mapFlags(), c.name);
                assertEquals(c.name, info.name());
                assertTrue(info.id() > 0);
                assertEquals("map fd " + m.get() + " (" + c.name + ")", m.toString());
            }
        }
    }

    @Test
    void longNamesAreTruncatedTo15Bytes() {
        try (Fd m = create(HASH, 4, 4, 1, 0, "a_name_much_longer_than_fifteen")) {
            assertEquals("a_name_much_lon", Bpf.mapInfo(m).name());
        }
    }

    @Test
    void hashElementOperations() {
        try (Arena arena = Arena.ofConfined(); Fd m = create(HASH, 4, 8, 16, 0, "elems")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            for (int k = 1; k <= 5; k++) {
                key.set(JAVA_INT, 0, k);
                value.set(JAVA_LONG, 0, k * 100L);
                MapCalls.of(m).update(key, value, BpfFlags.BPF_NOEXIST);
            }
            key.set(JAVA_INT, 0, 3);
            assertTrue(MapCalls.of(m).lookup(key, value));
            assertEquals(300L, value.get(JAVA_LONG, 0));

            // NOEXIST on an existing key, EXIST on a missing one: answers, not errors
            assertFalse(MapCalls.of(m).update(key, value, BpfFlags.BPF_NOEXIST), "key 3 exists");
            key.set(JAVA_INT, 0, 99);
            assertFalse(MapCalls.of(m).update(key, value, BpfFlags.BPF_EXIST), "key 99 is absent");
            assertFalse(MapCalls.of(m).lookup(key, value), "absent key");
            assertFalse(MapCalls.of(m).delete(key), "deleting an absent key");

            // iterate with get_next_key
            Set<Integer> keys = new HashSet<>();
            MemorySegment next = arena.allocate(4);
            MemorySegment cur = null;
            while (MapCalls.of(m).nextKey(cur, next)) {
                keys.add(next.get(JAVA_INT, 0));
                if (cur == null) {
                    cur = arena.allocate(4);
                }
                MemorySegment.copy(next, 0, cur, 0, 4);
            }
            assertEquals(Set.of(1, 2, 3, 4, 5), keys);

            key.set(JAVA_INT, 0, 2);
            assertTrue(MapCalls.of(m).delete(key));
            assertFalse(MapCalls.of(m).lookup(key, value));

            // lookup-and-delete on a hash map
            key.set(JAVA_INT, 0, 4);
            assertTrue(MapCalls.of(m).lookupAndDelete(key, value));
            assertEquals(400L, value.get(JAVA_LONG, 0));
            assertFalse(MapCalls.of(m).lookup(key, value));

            // full map: E2BIG
            try (Fd small = create(HASH, 4, 8, 1, 0, "small")) {
                key.set(JAVA_INT, 0, 1);
                MapCalls.of(small).update(key, value, BpfFlags.BPF_ANY);
                key.set(JAVA_INT, 0, 2);
                KernelException full = assertThrows(KernelException.class,
                        () -> MapCalls.of(small).update(key, value, BpfFlags.BPF_ANY));
                assertEquals("E2BIG", full.errnoName());
                assertTrue(full.getMessage().startsWith("BPF_MAP_UPDATE_ELEM of map 'small' failed: E2BIG"),
                        full.getMessage());
            }
        }
    }

    @Test
    void perCpuArrayHoldsOneValuePerPossibleCpu() {
        int n = Cpus.possibleCount();
        try (Arena arena = Arena.ofConfined(); Fd m = create(PERCPU_ARRAY, 4, 4, 4, 0, "pcpu")) {
            MemorySegment key = arena.allocate(4);
            key.set(JAVA_INT, 0, 2);
            MemorySegment values = arena.allocate(8L * n, 8); // round_up(4, 8) per CPU
            for (int cpu = 0; cpu < n; cpu++) {
                values.set(JAVA_INT, 8L * cpu, 10 + cpu);
            }
            MapCalls.of(m).update(key, values, BpfFlags.BPF_ANY);
            MemorySegment back = arena.allocate(8L * n, 8);
            assertTrue(MapCalls.of(m).lookup(key, back));
            for (int cpu = 0; cpu < n; cpu++) {
                assertEquals(10 + cpu, back.get(JAVA_INT, 8L * cpu));
            }
        }
    }

    @Test
    void lruAndPercpuHashAcceptUpdates() {
        int n = Cpus.possibleCount();
        try (Arena arena = Arena.ofConfined(); Fd lru = create(LRU_HASH, 4, 8, 2, 0, "lru");
                Fd pch = create(PERCPU_HASH, 4, 8, 4, 0, "pch")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8L * n, 8);
            for (int k = 0; k < 10; k++) { // more than max_entries: the LRU evicts
                key.set(JAVA_INT, 0, k);
                value.set(JAVA_LONG, 0, k);
                MapCalls.of(lru).update(key, value, BpfFlags.BPF_ANY);
            }
            key.set(JAVA_INT, 0, 9);
            assertTrue(MapCalls.of(lru).lookup(key, value));
            assertEquals(9L, value.get(JAVA_LONG, 0));

            for (int cpu = 0; cpu < n; cpu++) {
                value.set(JAVA_LONG, 8L * cpu, 1000L + cpu);
            }
            MapCalls.of(pch).update(key, value, BpfFlags.BPF_ANY);
            MemorySegment back = arena.allocate(8L * n, 8);
            assertTrue(MapCalls.of(pch).lookup(key, back));
            assertEquals(1000L + n - 1, back.get(JAVA_LONG, 8L * (n - 1)));
        }
    }

    @Test
    void lpmTrieMatchesTheLongestPrefix() {
        try (Arena arena = Arena.ofConfined(); Fd m = create(LPM_TRIE, 8, 8, 16, BpfFlags.BPF_F_NO_PREALLOC, "lpm")) {
            MemorySegment key = arena.allocate(8);
            MemorySegment value = arena.allocate(8);
            // 10.0.0.0/8 -> 8, 10.1.0.0/16 -> 16
            key.set(JAVA_INT, 0, 8);
            key.asSlice(4).copyFrom(MemorySegment.ofArray(new byte[] {10, 0, 0, 0}));
            value.set(JAVA_LONG, 0, 8);
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            key.set(JAVA_INT, 0, 16);
            key.asSlice(4).copyFrom(MemorySegment.ofArray(new byte[] {10, 1, 0, 0}));
            value.set(JAVA_LONG, 0, 16);
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);

            key.set(JAVA_INT, 0, 32);
            key.asSlice(4).copyFrom(MemorySegment.ofArray(new byte[] {10, 1, 2, 3}));
            assertTrue(MapCalls.of(m).lookup(key, value));
            assertEquals(16L, value.get(JAVA_LONG, 0));
            key.asSlice(4).copyFrom(MemorySegment.ofArray(new byte[] {10, 2, 2, 3}));
            assertTrue(MapCalls.of(m).lookup(key, value));
            assertEquals(8L, value.get(JAVA_LONG, 0));
            key.asSlice(4).copyFrom(MemorySegment.ofArray(new byte[] {11, 2, 2, 3}));
            assertFalse(MapCalls.of(m).lookup(key, value));
        }
    }

    @Test
    void queueIsFifoStackIsLifoAndEmptyPopsReturnFalse() {
        try (Arena arena = Arena.ofConfined(); Fd q = create(QUEUE, 0, 8, 8, 0, "queue");
                Fd s = create(STACK, 0, 8, 8, 0, "stack")) {
            MemorySegment value = arena.allocate(8);
            for (long v = 1; v <= 3; v++) {
                value.set(JAVA_LONG, 0, v);
                MapCalls.of(q).update(null, value, BpfFlags.BPF_ANY);
                MapCalls.of(s).update(null, value, BpfFlags.BPF_ANY);
            }
            // peek
            assertTrue(MapCalls.of(q).lookup(null, value));
            assertEquals(1L, value.get(JAVA_LONG, 0));
            long[] fromQueue = new long[3];
            long[] fromStack = new long[3];
            for (int i = 0; i < 3; i++) {
                assertTrue(MapCalls.of(q).lookupAndDelete(null, value));
                fromQueue[i] = value.get(JAVA_LONG, 0);
                assertTrue(MapCalls.of(s).lookupAndDelete(null, value));
                fromStack[i] = value.get(JAVA_LONG, 0);
            }
            assertArrayEquals(new long[] {1, 2, 3}, fromQueue);
            assertArrayEquals(new long[] {3, 2, 1}, fromStack);
            assertFalse(MapCalls.of(q).lookupAndDelete(null, value), "empty queue");
            assertFalse(MapCalls.of(s).lookupAndDelete(null, value), "empty stack");
        }
    }

    @Test
    void bloomFilterHasNoFalseNegatives() {
        try (Arena arena = Arena.ofConfined();
                Fd b = Bpf.mapCreate(MapCreateAttr.builder(BLOOM_FILTER, 0, 8, 100).name("bloom").mapExtra(3)
                        .build())) {
            assertEquals(3L, Bpf.mapInfo(b).mapExtra());
            MemorySegment value = arena.allocate(8);
            for (long v = 0; v < 50; v++) {
                value.set(JAVA_LONG, 0, v * 7919);
                MapCalls.of(b).update(null, value, BpfFlags.BPF_ANY);
            }
            for (long v = 0; v < 50; v++) {
                value.set(JAVA_LONG, 0, v * 7919);
                assertTrue(MapCalls.of(b).lookup(null, value), "member " + v);
            }
        }
    }

    @Test
    void arrayOfMapsTakesAnInnerMapTemplateAndHoldsMaps() {
        try (Arena arena = Arena.ofConfined(); Fd inner = create(ARRAY, 4, 8, 4, 0, "inner");
                Fd outer = Bpf.mapCreate(MapCreateAttr.builder(ARRAY_OF_MAPS, 4, 4, 2).innerMapFd(inner.get())
                        .name("outer").build());
                Fd hom = Bpf.mapCreate(MapCreateAttr.builder(HASH_OF_MAPS, 4, 4, 2).innerMapFd(inner.get())
                        .name("hom").build())) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(4);
            key.set(JAVA_INT, 0, 1);
            value.set(JAVA_INT, 0, inner.get());
            MapCalls.of(outer).update(key, value, BpfFlags.BPF_ANY);
            MapCalls.of(hom).update(key, value, BpfFlags.BPF_ANY);
            // user space reads back the inner map's id
            assertTrue(MapCalls.of(outer).lookup(key, value));
            assertEquals(Bpf.mapInfo(inner).id(), value.get(JAVA_INT, 0));
            assertTrue(MapCalls.of(hom).lookup(key, value));
            assertEquals(Bpf.mapInfo(inner).id(), value.get(JAVA_INT, 0));
            assertEquals(ARRAY_OF_MAPS, Bpf.mapInfo(outer).type());
        }
    }

    @Test
    void perfEventArrayTakesPerfEventDescriptors() {
        try (Arena arena = Arena.ofConfined();
                Fd m = create(PERF_EVENT_ARRAY, 4, 4, Cpus.possibleCount(), 0, "pmu");
                Fd ev = PerfEvents.open(new PerfEventAttr().type(Perf.PERF_TYPE_SOFTWARE)
                        .config(Perf.PERF_COUNT_SW_CPU_CLOCK), -1, 0, null, Perf.PERF_FLAG_FD_CLOEXEC, "cpu-clock")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(4);
            key.set(JAVA_INT, 0, 0);
            value.set(JAVA_INT, 0, ev.get());
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            assertTrue(MapCalls.of(m).delete(key));
        }
    }

    @Test
    void batchOperationsOnAHashMap() {
        int n = 100;
        try (Arena arena = Arena.ofConfined(); Fd m = create(HASH, 4, 8, 128, 0, "batch")) {
            MemorySegment keys = arena.allocate(4L * n, 8);
            MemorySegment values = arena.allocate(8L * n, 8);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(JAVA_INT, i, i + 1);
                values.setAtIndex(JAVA_LONG, i, (i + 1) * 11L);
            }
            BatchResult up = MapCalls.of(m).updateBatch(keys, values, n, BpfFlags.BPF_ANY);
            assertEquals(new BatchResult(n, true), up);

            // read back in chunks of 16
            Map<Integer, Long> seen = new HashMap<>();
            MemorySegment in = arena.allocate(8);
            MemorySegment out = arena.allocate(8);
            MemorySegment k = arena.allocate(4L * 16, 8);
            MemorySegment v = arena.allocate(8L * 16, 8);
            boolean first = true;
            int calls = 0;
            while (true) {
                BatchResult r = MapCalls.of(m).lookupBatch(first ? null : in, out, k, v, 16, 0);
                calls++;
                for (int i = 0; i < r.count(); i++) {
                    seen.put(k.getAtIndex(JAVA_INT, i), v.getAtIndex(JAVA_LONG, i));
                }
                if (r.done()) {
                    break;
                }
                MemorySegment.copy(out, 0, in, 0, 8);
                first = false;
                assertTrue(calls < 100, "lookup batch does not end");
            }
            assertEquals(n, seen.size());
            for (int i = 1; i <= n; i++) {
                assertEquals(i * 11L, seen.get(i));
            }

            // delete 10 keys by batch, one of them missing
            MemorySegment del = arena.allocate(4L * 10, 8);
            for (int i = 0; i < 10; i++) {
                del.setAtIndex(JAVA_INT, i, i + 1);
            }
            assertEquals(new BatchResult(10, true), MapCalls.of(m).deleteBatch(del, 10, 0));
            BatchResult again = MapCalls.of(m).deleteBatch(del, 10, 0);
            assertEquals(new BatchResult(0, false), again, "first key is missing now");

            // lookup-and-delete the rest in one go
            MemorySegment allKeys = arena.allocate(4L * 128, 8);
            MemorySegment allValues = arena.allocate(8L * 128, 8);
            BatchResult rest = MapCalls.of(m).lookupAndDeleteBatch(null, out, allKeys, allValues, 128, 0);
            assertEquals(n - 10, rest.count());
            assertTrue(rest.done());
            MemorySegment key = arena.allocate(4);
            assertFalse(MapCalls.of(m).nextKey(null, key), "map is empty");
        }
    }

    @Test
    void lookupBatchOnAnArray() {
        try (Arena arena = Arena.ofConfined(); Fd m = create(ARRAY, 4, 8, 8, 0, "abatch")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            for (int i = 0; i < 8; i++) {
                key.set(JAVA_INT, 0, i);
                value.set(JAVA_LONG, 0, -i);
                MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            }
            MemorySegment out = arena.allocate(4);
            MemorySegment k = arena.allocate(4L * 8, 8);
            MemorySegment v = arena.allocate(8L * 8, 8);
            BatchResult r = MapCalls.of(m).lookupBatch(null, out, k, v, 8, 0);
            assertEquals(8, r.count());
            for (int i = 0; i < 8; i++) {
                assertEquals(i, k.getAtIndex(JAVA_INT, i));
                assertEquals(-i, v.getAtIndex(JAVA_LONG, i));
            }
        }
    }

    @Test
    void frozenMapRefusesUpdatesWithEperm() {
        try (Arena arena = Arena.ofConfined(); Fd m = create(ARRAY, 4, 8, 1, 0, "frozen")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            value.set(JAVA_LONG, 0, 5);
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            MapCalls.of(m).freeze();
            KernelException e = assertThrows(KernelException.class, () -> MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY));
            assertEquals("EPERM", e.errnoName());
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
            assertTrue(MapCalls.of(m).lookup(key, value), "still readable");
            // frozen maps lose write permission, so a second freeze is refused (EPERM on 6.18, EBUSY before)
            KernelException twice = assertThrows(KernelException.class, () -> MapCalls.of(m).freeze());
            assertTrue(twice.errnoName().equals("EPERM") || twice.errnoName().equals("EBUSY"), twice.getMessage());
        }
    }

    @Test
    void pinGetAndUnpin() throws IOException {
        Path dir = Path.of("/sys/fs/bpf");
        Path pin = dir.resolve("bpfkit-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try (Arena arena = Arena.ofConfined(); Fd m = create(HASH, 4, 8, 4, 0, "pinned")) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            key.set(JAVA_INT, 0, 1);
            value.set(JAVA_LONG, 0, 77);
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            Bpf.objPin(m, pin.toString());
            try {
                assertTrue(Files.exists(pin));
                KernelException twice = assertThrows(KernelException.class, () -> Bpf.objPin(m, pin.toString()));
                assertEquals("EEXIST", twice.errnoName());
                try (Fd again = Bpf.objGet(pin.toString(), 0, "map")) {
                    assertNotEquals(m.get(), again.get());
                    assertEquals(Bpf.mapInfo(m), Bpf.mapInfo(again));
                    value.set(JAVA_LONG, 0, 0);
                    assertTrue(MapCalls.of(again).lookup(key, value));
                    assertEquals(77L, value.get(JAVA_LONG, 0));
                }
                try (Fd ro = Bpf.objGet(pin.toString(), BpfFlags.BPF_F_RDONLY, "map")) {
                    KernelException e = assertThrows(KernelException.class,
                            () -> MapCalls.of(ro).update(key, value, BpfFlags.BPF_ANY));
                    assertEquals("EPERM", e.errnoName());
                }
            } finally {
                Files.deleteIfExists(pin);
            }
            KernelException gone = assertThrows(KernelException.class, () -> Bpf.objGet(pin.toString(), 0, "map"));
            assertEquals("ENOENT", gone.errnoName());
            assertTrue(gone.getMessage().contains("nothing is pinned at " + pin), gone.getMessage());
        }
    }

    @Test
    void mapIdsAndFdById() {
        try (Fd m = create(HASH, 4, 4, 1, 0, "by_id")) {
            int id = Bpf.mapInfo(m).id();
            boolean found = false;
            for (int i = Bpf.mapGetNextId(0); i != 0; i = Bpf.mapGetNextId(i)) {
                if (i == id) {
                    found = true;
                }
            }
            assertTrue(found, "map id " + id + " listed");
            try (Fd again = Bpf.mapGetFdById(id, 0)) {
                assertEquals("by_id", Bpf.mapInfo(again).name());
            }
        }
        KernelException e = assertThrows(KernelException.class, () -> Bpf.mapGetFdById(Integer.MAX_VALUE, 0));
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void mmapableArrayIsSharedWithLookups() {
        int entries = 512;
        try (Arena arena = Arena.ofConfined();
                Fd m = create(ARRAY, 4, 8, entries, BpfFlags.BPF_F_MMAPABLE, "mmapped")) {
            long size = Math.max(Syscalls.pageSize(), 8L * entries);
            MemorySegment mem = Syscalls.mmap(m.get(), size, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, 0, arena, "mmap of " + m);
            assertEquals(size, mem.byteSize());
            mem.setAtIndex(JAVA_LONG, 3, 0x1234_5678_9abcL);
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            key.set(JAVA_INT, 0, 3);
            assertTrue(MapCalls.of(m).lookup(key, value));
            assertEquals(0x1234_5678_9abcL, value.get(JAVA_LONG, 0));
            // and the other way round
            key.set(JAVA_INT, 0, 7);
            value.set(JAVA_LONG, 0, -1L);
            MapCalls.of(m).update(key, value, BpfFlags.BPF_ANY);
            assertEquals(-1L, mem.getAtIndex(JAVA_LONG, 7));
            // a mapped map cannot be frozen
            assertEquals("EBUSY", assertThrows(KernelException.class, () -> MapCalls.of(m).freeze()).errnoName());
        }
        // a map without BPF_F_MMAPABLE cannot be mapped
        try (Arena arena = Arena.ofConfined(); Fd m = create(ARRAY, 4, 8, 512, 0, "plain")) {
            KernelException e = assertThrows(KernelException.class, () -> Syscalls.mmap(m.get(), 4096,
                    Syscalls.PROT_READ, Syscalls.MAP_SHARED, 0, arena, "mmap of " + m));
            assertTrue(e.errnoName().equals("EINVAL") || e.errnoName().equals("EPERM"), e.getMessage());
        }
    }

    @Test
    void errnoNamesInExceptions() {
        // EINVAL: a hash map with key size 0
        KernelException inval = assertThrows(KernelException.class, () -> create(HASH, 0, 8, 4, 0, "bad"));
        assertEquals("EINVAL", inval.errnoName());
        assertTrue(inval.getMessage().startsWith("BPF_MAP_CREATE of map 'bad' failed: EINVAL (errno 22); "),
                inval.getMessage());
        assertEquals("BPF_MAP_CREATE of map 'bad'", inval.operation());

        // EBADF: a descriptor that is not open
        try (Arena arena = Arena.ofConfined()) {
            Fd ghost = Fd.of(1 << 20, "map", "ghost");
            KernelException badf = assertThrows(KernelException.class,
                    () -> MapCalls.of(ghost).lookup(arena.allocate(4), arena.allocate(8)));
            assertEquals("EBADF", badf.errnoName());
            assertTrue(badf.getMessage().startsWith("BPF_MAP_LOOKUP_ELEM of map 'ghost' failed: EBADF"),
                    badf.getMessage());
            ghost.release(); // never close a number we do not own
        }

        // EBADF: an inner map fd that is not a map
        KernelException inner = assertThrows(KernelException.class, () -> Bpf.mapCreate(
                MapCreateAttr.builder(ARRAY_OF_MAPS, 4, 4, 1).innerMapFd(1 << 20).name("outer").build()));
        assertEquals("EBADF", inner.errnoName());

        // ENOENT: nothing pinned
        KernelException noent = assertThrows(KernelException.class,
                () -> Bpf.objGet("/sys/fs/bpf/bpfkit-does-not-exist-" + System.nanoTime(), 0, "map"));
        assertEquals("ENOENT", noent.errnoName());
    }

    @Test
    void heapSegmentsAreRefused() {
        try (Fd m = create(HASH, 4, 8, 1, 0, "heap")) {
            MemorySegment heapKey = MemorySegment.ofArray(new byte[4]);
            MemorySegment heapValue = MemorySegment.ofArray(new byte[8]);
            assertThrows(IllegalArgumentException.class, () -> MapCalls.of(m).lookup(heapKey, heapValue));
        }
    }

    @Test
    void closedMapHandleThrowsIllegalState() {
        Fd m = create(HASH, 4, 8, 1, 0, "closed");
        m.close();
        try (Arena arena = Arena.ofConfined()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MapCalls.of(m).lookup(arena.allocate(4), arena.allocate(8)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }
}
