package io.bpfkit.map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfQueue;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.BatchResult;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.FakeMapSyscalls;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.uapi.BpfCmd;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The errno paths of the typed map handles and {@link MapCalls}, driven through a
 * {@link FakeMapSyscalls}: no kernel, so every answer and error the handles document can be
 * reached, including those a kernel gives rarely (EPERM on a lookup, EINTR, batch commands
 * missing, ENOSPC from a lookup batch).
 */
class MapCallsErrnoTest {
    /** A descriptor number no call reaches: every call goes to the fake. */
    private static final Fd UNUSED_FD = Fd.of(Integer.MAX_VALUE, "map", "fake");

    private static MapRef ref(MapType type, int keySize, int valueSize, int maxEntries, FakeMapSyscalls fake) {
        return new MapRef(UNUSED_FD, new MapInfo(type.value(), 1, keySize, valueSize, maxEntries, 0, "counts", 0, 0, 0, 0,
                0, 0, 0L), fake);
    }

    /** The KernelException {@code call} throws, checked to name {@code operation} and {@code errno}. */
    private static KernelException fails(String operation, String errno, Executable call) {
        KernelException e = assertThrows(KernelException.class, call);
        assertEquals(operation, e.operation(), e.getMessage());
        assertEquals(errno, e.errnoName(), e.getMessage());
        return e;
    }

    private static BpfHashMap<Integer, Long> hash(int maxEntries, FakeMapSyscalls fake) {
        return BpfMaps.hash(ref(MapType.HASH, 4, 8, maxEntries, fake), Codecs.int32(), Codecs.int64());
    }

    @Test
    void absentKeyIsAnAnswer() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        assertNull(m.get(7));
        assertFalse(m.contains(7));
        assertFalse(m.delete(7));
        m.put(7, 70L);
        assertEquals(70L, m.get(7));
        assertTrue(m.contains(7));
        assertTrue(m.delete(7));
        assertEquals(0, fake.size());
    }

    @Test
    void updateFlagsAnswerFalseWhenTheirConditionFails() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        assertTrue(m.put(1, 10L, UpdateFlag.NO_EXIST));
        assertFalse(m.put(1, 11L, UpdateFlag.NO_EXIST), "key exists");
        assertFalse(m.put(2, 20L, UpdateFlag.EXIST), "key absent");
        assertTrue(m.put(1, 12L, UpdateFlag.EXIST));
        assertEquals(12L, m.get(1));
        assertNull(m.get(2));
    }

    @Test
    void fullMapThrowsE2bigNamingTheMapAndItsSize() {
        BpfHashMap<Integer, Long> m = hash(2, new FakeMapSyscalls(4, 8, 2));
        m.put(1, 1L);
        m.put(2, 2L);
        m.put(2, 3L); // replacing needs no room
        for (UpdateFlag flag : List.of(UpdateFlag.ANY, UpdateFlag.NO_EXIST)) {
            KernelException e = fails("BPF_MAP_UPDATE_ELEM of map 'counts'", "E2BIG", () -> m.put(3, 3L, flag));
            assertEquals(Errno.E2BIG, e.errno());
            assertTrue(e.getMessage().contains("the map is full (max_entries 2 reached)"), e.getMessage());
        }
    }

    @Test
    void epermNamesTheCallAndWhatToDo() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4)
                .failNext(BpfCmd.BPF_MAP_LOOKUP_ELEM, Errno.EPERM)
                .failNext(BpfCmd.BPF_MAP_DELETE_ELEM, Errno.EPERM);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        KernelException lookup = fails("BPF_MAP_LOOKUP_ELEM of map 'counts'", "EPERM", () -> m.get(1));
        assertTrue(lookup.getMessage().contains("CAP_BPF"), lookup.getMessage());
        fails("BPF_MAP_DELETE_ELEM of map 'counts'", "EPERM", () -> m.delete(1));
        assertNull(m.get(1), "the next call goes through");
    }

    @Test
    void eintrIsNotAnAbsentKey() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4).failNext(BpfCmd.BPF_MAP_LOOKUP_ELEM, Errno.EINTR)
                .failNext(BpfCmd.BPF_MAP_UPDATE_ELEM, Errno.EINTR);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        assertEquals(Errno.EINTR, fails("BPF_MAP_LOOKUP_ELEM of map 'counts'", "EINTR", () -> m.get(1)).errno());
        fails("BPF_MAP_UPDATE_ELEM of map 'counts'", "EINTR", () -> m.put(1, 1L));
        assertEquals(0, fake.size());
    }

    @Test
    void einvalOnAnUpdateNamesTheFlag() {
        BpfHashMap<Integer, Long> m = hash(4, new FakeMapSyscalls(4, 8, 4)
                .failNext(BpfCmd.BPF_MAP_UPDATE_ELEM, Errno.EINVAL));
        KernelException e = assertThrows(KernelException.class, () -> m.put(1, 1L, UpdateFlag.NO_EXIST));
        assertTrue(e.getMessage().contains("(BPF_NOEXIST)"), e.getMessage());
    }

    @Test
    void frozenMapRefusesWritesAndASecondFreeze() {
        BpfHashMap<Integer, Long> m = hash(4, new FakeMapSyscalls(4, 8, 4));
        m.put(1, 1L);
        m.freeze();
        KernelException write = fails("BPF_MAP_UPDATE_ELEM of map 'counts'", "EPERM", () -> m.put(1, 2L));
        assertTrue(write.getMessage().contains("frozen"), write.getMessage());
        assertEquals(1L, m.get(1), "still readable");
        KernelException twice = fails("BPF_MAP_FREEZE of map 'counts'", "EBUSY", m::freeze);
        assertTrue(twice.getMessage().contains("already frozen"), twice.getMessage());
    }

    @Test
    void closedHandleNeverReachesTheSyscalls() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        m.close();
        assertThrows(IllegalStateException.class, () -> m.get(1));
        assertThrows(IllegalStateException.class, () -> m.put(1, 1L));
        assertEquals(0, fake.calls(BpfCmd.BPF_MAP_LOOKUP_ELEM) + fake.calls(BpfCmd.BPF_MAP_UPDATE_ELEM));
    }

    @Test
    void queueAnswersFullAndEmpty() {
        FakeMapSyscalls fake = new FakeMapSyscalls(0, 8, 2);
        BpfQueue<Long> q = BpfMaps.queue(ref(MapType.QUEUE, 0, 8, 2, fake), Codecs.int64());
        assertNull(q.pop(), "empty");
        assertNull(q.peek(), "empty");
        assertTrue(q.push(1L));
        assertTrue(q.push(2L));
        assertFalse(q.push(3L), "full: E2BIG is an answer");
        q.pushOverwriting(3L); // drops 1
        assertEquals(2L, q.peek());
        assertEquals(2L, q.pop());
        assertEquals(3L, q.pop());
        assertNull(q.pop());
        fake.failNext(BpfCmd.BPF_MAP_UPDATE_ELEM, Errno.ENOMEM);
        fails("BPF_MAP_UPDATE_ELEM of map 'counts'", "ENOMEM", () -> q.push(4L));
        fake.failNext(BpfCmd.BPF_MAP_UPDATE_ELEM, Errno.E2BIG);
        assertThrows(KernelException.class, () -> q.pushOverwriting(4L), "E2BIG with BPF_EXIST is an error");
    }

    private static Map<Integer, Long> filled(BpfHashMap<Integer, Long> m, int n) {
        Map<Integer, Long> want = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            want.put(i, i * 10L);
        }
        assertEquals(n, m.putAll(want));
        return want;
    }

    @Test
    void iterationReadsByBatchByDefault() {
        for (MapType type : List.of(MapType.HASH, MapType.LRU_HASH)) {
            FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4);
            MapRef ref = ref(type, 4, 8, 4, fake);
            BpfHashMap<Integer, Long> m = type == MapType.HASH ? BpfMaps.hash(ref, Codecs.int32(), Codecs.int64())
                    : BpfMaps.lruHash(ref, Codecs.int32(), Codecs.int64());
            Map<Integer, Long> want = filled(m, 4);
            assertEquals(want, new TreeMap<>(m.snapshot()), type.libbpfName());
            Map<Integer, Long> each = new TreeMap<>();
            m.forEach(each::put);
            assertEquals(want, each);
            Map<Integer, Long> entries = new TreeMap<>();
            m.entries().forEach(e -> entries.put(e.getKey(), e.getValue()));
            assertEquals(want, entries);
            Set<Integer> keys = new TreeSet<>();
            m.keys().forEach(keys::add);
            assertEquals(want.keySet(), keys);
            assertEquals(0, fake.calls(BpfCmd.BPF_MAP_GET_NEXT_KEY), "no key by key walk: " + type.libbpfName());
            assertEquals(0, fake.calls(BpfCmd.BPF_MAP_LOOKUP_ELEM), "no lookup per key: " + type.libbpfName());
            // snapshot and forEach read chunks of max_entries (4): the first is full, so a second
            // batch says "end"; the lazy iterators' chunk (256) gets everything and the end at once
            assertEquals(6, fake.calls(BpfCmd.BPF_MAP_LOOKUP_BATCH), type.libbpfName());
            assertTrue(((KeyValueHandle<?, ?>) m).usesBatch());
        }
    }

    @Test
    void batchCommandsMissingFallBackToSingleCalls() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 16)
                .failNext(BpfCmd.BPF_MAP_UPDATE_BATCH, Errno.EINVAL);
        BpfHashMap<Integer, Long> m = hash(16, fake);
        Map<Integer, Long> want = filled(m, 10);
        assertEquals(10, fake.calls(BpfCmd.BPF_MAP_UPDATE_ELEM), "putAll wrote one by one");
        // a handle that saw EINVAL from a batch uses single calls for everything bulk
        assertEquals(want, new TreeMap<>(m.snapshot()));
        assertEquals(0, fake.calls(BpfCmd.BPF_MAP_LOOKUP_BATCH));
        assertTrue(fake.calls(BpfCmd.BPF_MAP_GET_NEXT_KEY) > 10);
        assertFalse(((KeyValueHandle<?, ?>) m).usesBatch());
        assertEquals(3, m.deleteAll(List.of(1, 2, 99, 3)));
        assertEquals(0, fake.calls(BpfCmd.BPF_MAP_DELETE_BATCH));
        assertEquals(7, fake.size());
    }

    @Test
    void lookupBatchMissingFallsBackToNextKey() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 16);
        BpfHashMap<Integer, Long> m = hash(16, fake);
        Map<Integer, Long> want = filled(m, 10);
        fake.failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, Errno.EOPNOTSUPP);
        assertEquals(want, new TreeMap<>(m.snapshot()));
        assertEquals(1, fake.calls(BpfCmd.BPF_MAP_LOOKUP_BATCH));
        assertEquals(11, fake.calls(BpfCmd.BPF_MAP_GET_NEXT_KEY), "ten keys and the end");
    }

    @Test
    void lookupBatchNoRoomGrowsTheChunk() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 16);
        BpfHashMap<Integer, Long> m = hash(16, fake);
        Map<Integer, Long> want = filled(m, 10);
        fake.failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, Errno.ENOSPC).failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, Errno.ENOSPC);
        assertEquals(want, new TreeMap<>(m.snapshot()));
        assertEquals(3, fake.calls(BpfCmd.BPF_MAP_LOOKUP_BATCH));
        assertTrue(((KeyValueHandle<?, ?>) m).usesBatch());
    }

    @Test
    void einvalFromALookupBatchPartWayIsAnError() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 4);
        BpfHashMap<Integer, Long> m = hash(4, fake);
        filled(m, 4); // the first batch (chunk = max_entries = 4) is full, so a second follows
        fake.failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, 0).failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, Errno.EINVAL);
        fails("BPF_MAP_LOOKUP_BATCH of map 'counts'", "EINVAL", m::snapshot);
    }

    @Test
    void updateBatchStoppingPartWaySaysHowFarItGot() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 3);
        BpfHashMap<Integer, Long> m = hash(3, fake);
        fails("BPF_MAP_UPDATE_BATCH (3 of 4 done) of map 'counts'", "E2BIG",
                () -> m.putAll(Map.of(1, 1L, 2, 2L, 3, 3L, 4, 4L)));
    }

    @Test
    void deleteBatchSkipsAbsentKeys() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 16);
        BpfHashMap<Integer, Long> m = hash(16, fake);
        filled(m, 6);
        assertEquals(4, m.deleteAll(List.of(0, 1, 42, 2, 43, 3)));
        assertEquals(3, fake.calls(BpfCmd.BPF_MAP_DELETE_BATCH), "restarted after each absent key");
        assertEquals(Map.of(4, 40L, 5, 50L), m.snapshot());
    }

    @Test
    void segmentCallsThroughTheSameSeam() {
        FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 8);
        MapCalls calls = MapCalls.of(UNUSED_FD, "raw", 8, fake);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            key.set(JAVA_INT, 0, 5);
            value.set(JAVA_LONG, 0, 55);
            assertTrue(calls.update(key, value, BpfFlags.BPF_NOEXIST));
            assertFalse(calls.update(key, value, BpfFlags.BPF_NOEXIST));
            value.set(JAVA_LONG, 0, 0);
            assertTrue(calls.lookup(key, value));
            assertEquals(55L, value.get(JAVA_LONG, 0));
            MemorySegment next = arena.allocate(4);
            assertTrue(calls.nextKey(null, next));
            assertFalse(calls.nextKey(next, next), "one key");

            MemorySegment out = arena.allocate(8);
            MemorySegment keys = arena.allocate(4 * 8);
            MemorySegment values = arena.allocate(8 * 8);
            fake.failNext(BpfCmd.BPF_MAP_LOOKUP_BATCH, Errno.ENOSPC);
            KernelException room = fails("BPF_MAP_LOOKUP_BATCH of map 'raw'", "ENOSPC",
                    () -> calls.lookupBatch(null, out, keys, values, 1, 0));
            assertTrue(room.getMessage().contains("count (1) is smaller than one hash bucket"), room.getMessage());
            assertEquals(new BatchResult(1, true), calls.lookupBatch(null, out, keys, values, 8, 0));
            assertEquals(new BatchResult(0, false), calls.deleteBatch(next.fill((byte) 1), 1, 0));
            assertTrue(calls.lookupAndDelete(key, value));
            assertFalse(calls.lookupAndDelete(key, value));

            fake.failNext(BpfCmd.BPF_MAP_GET_NEXT_KEY, Errno.EBADF);
            fails("BPF_MAP_GET_NEXT_KEY of map 'raw'", "EBADF", () -> calls.nextKey(null, next));
        }
    }
}
