package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.bpfkit.object.MapType;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which map types get critical downcalls for their element commands: only those whose element
 * operations never sleep. A map of descriptors (map-in-map, program array, socket maps) must
 * keep the ordinary linkage, since its updates may wait for an RCU grace period or a lock, and a
 * critical downcall holds up every safepoint of the JVM while it runs.
 */
class MapSyscallsLinkageTest {
    private static final Set<MapType> NON_BLOCKING = EnumSet.of(MapType.HASH, MapType.ARRAY, MapType.PERCPU_HASH,
            MapType.PERCPU_ARRAY, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.LPM_TRIE, MapType.QUEUE,
            MapType.STACK, MapType.BLOOM_FILTER);

    @Test
    void onlyMapsWhoseElementOperationsNeverSleepGetCriticalCalls() {
        Fd unused = Fd.of(Integer.MAX_VALUE, "map", "unused"); // no call is made
        for (MapType type : MapType.values()) {
            boolean expected = NON_BLOCKING.contains(type);
            assertEquals(expected, MapSyscalls.nonBlockingElements(type.value()), type.libbpfName());
            MapCalls calls = MapCalls.of(unused, "m", 1, MapSyscalls.kernel(), type.value());
            assertEquals(expected, calls.nonBlocking(), type.libbpfName());
            assertEquals(expected, calls.withInvalidHint("hint").nonBlocking(), type.libbpfName());
        }
        assertFalse(MapCalls.of(unused).nonBlocking(), "a map of unknown type keeps the ordinary downcall");
        for (MapType blocking : EnumSet.of(MapType.HASH_OF_MAPS, MapType.ARRAY_OF_MAPS, MapType.PROG_ARRAY,
                MapType.SOCKMAP, MapType.SOCKHASH, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY)) {
            assertFalse(MapSyscalls.nonBlockingElements(blocking.value()), blocking.libbpfName());
        }
        assertFalse(MapSyscalls.nonBlockingElements(-1), "an unknown type");
    }
}
