package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.api.map.BpfArena;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * arena.bpf.o in the kernel, where it has arenas (Linux 6.9): the __arena globals' C values
 * are in the arena's memory before any program runs, what program {@code fill} writes (the
 * globals, a page it allocated and the pointer to it) reads back through {@link BpfArena},
 * what Java writes the programs see, {@code map_extra} places the arena, and closing unmaps it
 * and leaks no descriptor. Where the kernel has no arenas (EINVAL: 6.1) the load is a clear
 * {@link UnsupportedFeatureException}; where it refuses them (EPERM: the locked-down CI host) a
 * {@link KernelException} naming the arena. The kernel decides the branch: {@link KernelProbes#arena()}.
 */
@KernelTest
class ArenaTest {

    @TestFactory
    Stream<DynamicTest> arenas() {
        KernelProbes.Probe arena = KernelProbes.arena();
        return Stream.of(
                KernelProbes.branch("__arena globals start with their C values; program writes read back", arena,
                        ArenaTest::programWritesReadBack, ArenaTest::loadIsRefused),
                KernelProbes.branch("values set on the spec and written from Java reach the programs", arena,
                        ArenaTest::javaWritesReachPrograms, ArenaTest::loadIsRefused),
                KernelProbes.branch("map_extra places the arena; a pinned arena maps there again", arena,
                        ArenaTest::mapExtraPlacesTheArena, ArenaTest::loadIsRefused),
                KernelProbes.branch("an address in use is refused, not overwritten", arena,
                        ArenaTest::addressInUseIsRefused, ArenaTest::loadIsRefused),
                KernelProbes.branch("closing unmaps the arena and closes every descriptor", arena,
                        ArenaTest::closeUnmapsAndLeaksNothing, ArenaTest::loadIsRefused),
                KernelProbes.branch("KernelFeatures answers as the probe", arena,
                        () -> assertTrue(KernelFeatures.running().has(KernelFeature.ARENA)), ArenaTest::featureIsAbsent));
    }

    private static BpfObjectSpec open() {
        return BpfObjects.open(TestObjects.path("arena.bpf.o"));
    }

    private static int run(LoadedObject obj, String program) {
        return Bpf.progTestRun(obj.program(program).orElseThrow().fd(), TestRunAttr.NONE).retval();
    }

    private static int[] marks(BpfArena arena) {
        return arena.global("marks").toArray(ValueLayout.JAVA_INT);
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    // ---- present ------------------------------------------------------------------------

    private static void programWritesReadBack() {
        try (LoadedObject obj = BpfLoader.load(open()); BpfArena arena = BpfMaps.arena(obj, "arena")) {
            long page = Syscalls.pageSize();
            assertEquals(4 * page, arena.segment().byteSize(), "max_entries pages");
            assertEquals(obj.map("arena").orElseThrow().arenaMemory().orElseThrow().address(), arena.address(),
                    "the handle uses the load's mapping");
            assertEquals(List.of("counter", "marks", "page_ptr"), arena.globals());
            assertEquals(40, arena.getLong("counter"), "C initial value, before any program ran");
            assertArrayEquals(new int[] {1, 2, 3, 4}, marks(arena));
            assertEquals(0, arena.getLong("page_ptr"));

            assertEquals(0, run(obj, "fill"), "bpf_arena_alloc_pages found a page");
            assertEquals(42, arena.getLong("counter"));
            assertArrayEquals(new int[] {10, 20, 30, 40}, marks(arena));
            long p = arena.getLong("page_ptr");
            long offset = p - arena.address();
            assertTrue(offset >= page && offset < 4 * page && offset % page == 0,
                    "a whole page after the globals' page: offset " + offset);
            MemorySegment words = arena.at(p, 16);
            assertEquals(0xa11ce, words.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(40, words.get(ValueLayout.JAVA_LONG, 8), "counter's value when fill ran");
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                    () -> arena.at(arena.address() + 4 * page - 8, 16));
            assertTrue(outside.getMessage().contains("not inside arena"), outside.getMessage());
            LoadException size = assertThrows(LoadException.class, () -> arena.getInt("counter"));
            assertTrue(size.getMessage().contains("is 8 bytes"), size.getMessage());
        }
    }

    private static void javaWritesReachPrograms() {
        BpfObjectSpec spec = open();
        spec.map("arena").orElseThrow().setVariable("counter", u64(1000));
        try (LoadedObject obj = BpfLoader.load(spec); BpfArena arena = BpfMaps.arena(obj, "arena")) {
            assertEquals(1000, arena.getLong("counter"), "the spec's value, copied in at load");
            assertEquals(0, run(obj, "bump"));
            assertEquals(1001, arena.getLong("counter"));
            arena.setLong("counter", 5);
            assertEquals(0, run(obj, "bump"));
            assertEquals(6, arena.getLong("counter"), "the program saw Java's write");
        }
    }

    /** A free range of {@code pages} pages that does not cross a 4 GiB boundary (the kernel's rule for arenas). */
    private static long freeRange(long pages) {
        long length = pages * Syscalls.pageSize();
        try (Arena probe = Arena.ofConfined()) {
            MemorySegment m = Syscalls.mmap(MemorySegment.NULL, 2 * length, Syscalls.PROT_READ,
                    Syscalls.MAP_PRIVATE | Syscalls.MAP_ANONYMOUS, -1, 0, probe, "mmap of a probe range");
            long start = m.address();
            return (start >>> 32) == ((start + length - 1) >>> 32) ? start : start + length;
        }
    }

    private static void mapExtraPlacesTheArena() throws IOException {
        long address = freeRange(4);
        BpfObjectSpec spec = open();
        spec.map("arena").orElseThrow().mapExtra(address);
        try (PinRoot pins = PinRoot.create("arena")) {
            Path pin = pins.path().resolve("arena");
            try (LoadedObject obj = BpfLoader.load(spec); BpfArena arena = BpfMaps.arena(obj, "arena")) {
                assertEquals(address, arena.address(), "mapped at map_extra");
                assertEquals(0, run(obj, "fill"));
                arena.pin(pin.toString());
            }
            assertFalse(mapped(address), "the object unmapped it");
            // The pin keeps the arena (and its pages); a handle maps it where it was created for.
            try (BpfArena pinned = BpfMaps.arena(BpfMaps.openPinned(pin.toString()))) {
                assertEquals(address, pinned.address());
                assertEquals(List.of(), pinned.globals(), "no spec at hand for a pinned arena");
                assertEquals(42, pinned.segment().get(ValueLayout.JAVA_LONG, 0), "counter, as fill left it");
                long p = pinned.segment().get(ValueLayout.JAVA_LONG, 24);
                assertEquals(0xa11ce, pinned.at(p, 8).get(ValueLayout.JAVA_LONG, 0));
            }
            assertFalse(mapped(address), "the handle unmapped its own mapping");
            Files.delete(pin);
        }
    }

    private static void addressInUseIsRefused() throws IOException {
        long fds = openFds();
        try (Arena held = Arena.ofConfined()) {
            MemorySegment mine = Syscalls.mmap(MemorySegment.NULL, 4 * Syscalls.pageSize(),
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_PRIVATE | Syscalls.MAP_ANONYMOUS, -1, 0,
                    held, "mmap of memory in the way");
            mine.set(ValueLayout.JAVA_LONG, 0, 0x5afe);
            BpfObjectSpec spec = open();
            spec.map("arena").orElseThrow().mapExtra(mine.address());
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(spec).close());
            assertTrue(e.getMessage().contains("already in use in this process"), e.getMessage());
            assertEquals(0x5afe, mine.get(ValueLayout.JAVA_LONG, 0), "the memory in the way is untouched");
        }
        assertEquals(fds, openFds(), "the failed load closed what it made");
    }

    private static void closeUnmapsAndLeaksNothing() throws IOException {
        long fds = openFds();
        MemorySegment segment;
        long address;
        try (LoadedObject obj = BpfLoader.load(open())) {
            BpfArena arena = BpfMaps.arena(obj, "arena");
            segment = arena.segment();
            address = arena.address();
            assertTrue(mapped(address));
            arena.close();
            assertThrows(IllegalStateException.class, arena::segment, "a closed handle");
            assertEquals(40, segment.get(ValueLayout.JAVA_LONG, 0), "the object still holds the mapping");
        }
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_LONG, 0));
        assertFalse(mapped(address), "unmapped with the object");
        assertEquals(fds, openFds());
    }

    // ---- absent -------------------------------------------------------------------------

    private static void loadIsRefused() throws IOException {
        KernelProbes.Probe probe = KernelProbes.arena();
        long fds = openFds();
        BpfException e = assertThrows(BpfException.class, () -> BpfLoader.load(open()).close());
        if (probe.errno() == Errno.EINVAL) {
            UnsupportedFeatureException u = assertInstanceOf(UnsupportedFeatureException.class, e, e.toString());
            assertEquals("arena", u.feature());
            assertEquals("6.9", u.firstKernel());
            assertTrue(e.getMessage().contains("map 'arena' is an arena"), e.getMessage());
        } else {
            KernelException k = assertInstanceOf(KernelException.class, e, e.toString());
            assertEquals(probe.errno(), k.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("arena map"), e.getMessage());
        }
        assertEquals(fds, openFds(), "the failed load closed what it made");
    }

    private static void featureIsAbsent() {
        KernelProbes.Probe probe = KernelProbes.arena();
        if (probe.errno() == Errno.EINVAL) {
            assertFalse(KernelFeatures.running().has(KernelFeature.ARENA));
        } else {
            KernelException e = assertThrows(KernelException.class, () -> KernelFeatures.running().has(KernelFeature.ARENA));
            assertEquals(probe.errno(), e.errno());
            assertTrue(e.getMessage().contains("cannot tell whether the kernel supports arena"), e.getMessage());
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Whether {@code address} is inside a mapping of this process ({@code /proc/self/maps}). */
    private static boolean mapped(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            long from = Long.parseUnsignedLong(range[0], 16);
            long to = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, from) >= 0 && Long.compareUnsigned(address, to) < 0) {
                return true;
            }
        }
        return false;
    }

}
