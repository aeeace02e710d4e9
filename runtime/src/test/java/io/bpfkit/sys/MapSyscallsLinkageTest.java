package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        for (MapType type : MapType.values()) {
            boolean expected = NON_BLOCKING.contains(type);
            assertTrue(MapSyscalls.nonBlockingElements(type.value()) == expected, type.libbpfName());
            assertSame(expected ? MapCalls.KERNEL_NON_BLOCKING : MapCalls.KERNEL, MapSyscalls.kernel(type.value()),
                    type.libbpfName());
        }
        for (MapType blocking : EnumSet.of(MapType.HASH_OF_MAPS, MapType.ARRAY_OF_MAPS, MapType.PROG_ARRAY,
                MapType.SOCKMAP, MapType.SOCKHASH, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY)) {
            assertFalse(MapSyscalls.nonBlockingElements(blocking.value()), blocking.libbpfName());
        }
        assertFalse(MapSyscalls.nonBlockingElements(-1), "an unknown type");
    }
}
