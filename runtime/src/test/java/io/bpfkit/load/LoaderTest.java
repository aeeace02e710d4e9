package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.VerifierException;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Loads the test objects into the kernel, runs their programs and checks what they wrote. */
@KernelTest
class LoaderTest {

    static BpfObjectSpec open(String name) {
        return BpfObjects.open(TestObjects.path(name));
    }

    static int run(LoadedObject obj, String program) {
        OwnedFd fd = obj.program(program).orElseThrow().fd();
        return Bpf.progTestRun(fd, TestRunAttr.NONE).retval();
    }

    /** Runs a packet program on a zeroed 64-byte frame. */
    static int runOnPacket(LoadedObject obj, String program) {
        OwnedFd fd = obj.program(program).orElseThrow().fd();
        try (Arena arena = Arena.ofConfined()) {
            return Bpf.progTestRun(fd, TestRunAttr.builder().dataIn(arena.allocate(64)).build()).retval();
        }
    }

    /** The bytes of element 0 of a (global data) array map. */
    static MemorySegment value(LoadedObject obj, String map, int key, Arena arena) {
        LoadedMap m = obj.map(map).orElseThrow();
        MemorySegment k = arena.allocate(ValueLayout.JAVA_INT);
        k.set(ValueLayout.JAVA_INT, 0, key);
        MemorySegment v = arena.allocate(m.spec().valueSize());
        assertTrue(MapCalls.of(m.fd()).lookup(k, v), "element " + key + " of " + map);
        return v;
    }

    static long offset(LoadedObject obj, String map, String variable) {
        return obj.map(map).orElseThrow().spec().variable(variable).orElseThrow().offset();
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void globalDataIsInitializedRelocatedAndWritten() {
        BpfObjectSpec spec = open("globals.bpf.o");
        try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
            assertEquals(42, run(obj, "update_globals"), "returns ro_u32");
            MemorySegment bss = value(obj, "globals.bss", 0, arena);
            assertEquals((byte) 0x14, bss.get(ValueLayout.JAVA_BYTE, offset(obj, "globals.bss", "bss_u8")));
            assertEquals((short) 0x2233, bss.get(ValueLayout.JAVA_SHORT, offset(obj, "globals.bss", "bss_u16")));
            assertEquals(0x4455665d, bss.get(ValueLayout.JAVA_INT, offset(obj, "globals.bss", "bss_u32")));
            assertEquals(0x0102030405061708L, bss.get(ValueLayout.JAVA_LONG, offset(obj, "globals.bss", "bss_u64")));
            assertEquals(193, bss.get(ValueLayout.JAVA_LONG, offset(obj, "globals.bss", "bss_static")));
            MemorySegment data = value(obj, "globals.data", 0, arena);
            assertEquals(2, data.get(ValueLayout.JAVA_INT, offset(obj, "globals.data", "data_counter")));
            MemorySegment custom = value(obj, ".data.custom", 0, arena);
            assertEquals(101, custom.get(ValueLayout.JAVA_INT, 0));
            MapInfo rodata = Bpf.mapInfo(obj.map("globals.rodata").orElseThrow().fd());
            assertEquals(0x480, rodata.mapFlags());
            assertEquals("globals.rodata", rodata.name());
        }
    }

    @Test
    void rodataSetBeforeLoadIsWhatTheProgramSees() {
        BpfObjectSpec spec = open("globals.bpf.o");
        spec.dataMap(".rodata").orElseThrow().setVariable("ro_u32", new byte[] {0x78, 0x56, 0x34, 0x12});
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertEquals(0x12345678, run(obj, "update_globals"));
            KernelException frozen = assertThrows(KernelException.class, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment k = arena.allocate(ValueLayout.JAVA_INT);
                    MapCalls.of(obj.map("globals.rodata").orElseThrow().fd()).update(k, arena.allocate(40), BpfFlags.BPF_ANY);
                }
            });
            assertEquals("EPERM", frozen.errnoName(), ".rodata is frozen after load");
        }
    }

    @Test
    void subprogramsCallbacksAndCallsAreLinked() {
        BpfObjectSpec spec = open("programs.bpf.o");
        spec.program("dump_task").orElseThrow().autoload(false); // reads task->pid through CO-RE
        try (LoadedObject obj = BpfLoader.load(spec); Arena arena = Arena.ofConfined()) {
            assertEquals(45, run(obj, "run_loop"));
            long x = 45 ^ 0x9e3779b97f4a7c15L;
            long expected = ((x << 13) | (x >>> 51)) + 1;
            MemorySegment bss = value(obj, "programs.bss", 0, arena);
            assertEquals(expected, bss.get(ValueLayout.JAVA_LONG, offset(obj, "programs.bss", "loop_mix")));
            // count_hit(HIT_LOOP = 11) ran once.
            assertEquals(1, bss.get(ValueLayout.JAVA_LONG, offset(obj, "programs.bss", "hits") + 11 * 8));
            LoadedProgram loop = obj.program("run_loop").orElseThrow();
            assertEquals(4, loop.linked().subprograms().size(), "loop_step, mix_step, rotate_bits, count_hit: "
                    + loop.linked().subprograms());
            assertTrue(loop.info().xlatedProgLen() > 0);
            // tp_btf needed an attach BTF id from the kernel's BTF.
            assertNotNull(obj.program("btf_enter").orElseThrow().fd());
            assertEquals(ProgramType.TRACING.value(), obj.program("btf_enter").orElseThrow().info().type());
        }
    }

    @Test
    void programArrayAndMapOfMapsAreFilledFromValues() {
        try (LoadedObject obj = BpfLoader.load(open("tailcall.bpf.o")); Arena arena = Arena.ofConfined()) {
            assertEquals(7, runOnPacket(obj, "entry"), "the tail call into step_two happened");
            assertEquals(2, value(obj, "tailcall.bss", 0, arena).get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, runOnPacket(obj, "via_inner"));
            assertEquals(1234, value(obj, "inner_x", 1, arena).get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void everyBtfMapKindIsCreatedAndPinnedByName() throws IOException {
        try (PinRoot pins = PinRoot.create("test")) {
            Path root = pins.path();
            LoadOptions options = LoadOptions.defaults().withPinRoot(root);
            BpfObjectSpec spec = open("maps_btf.bpf.o");
            try (LoadedObject first = BpfLoader.load(spec, options)) {
                assertTrue(Files.exists(root.resolve("pinned_cnt")));
                assertFalse(first.map("pinned_cnt").orElseThrow().reusedPin());
                assertEquals(spec.maps().size(), first.maps().size());
                MapInfo perf = Bpf.mapInfo(first.map("events_perf").orElseThrow().fd());
                assertEquals(io.bpfkit.sys.Cpus.possibleCount(), perf.maxEntries());
                assertEquals("a_map_name_long", Bpf.mapInfo(first.map("a_map_name_longer_than_15")
                        .orElseThrow().fd()).name());
                assertTrue(first.btf().isPresent(), first.warnings().toString());
                assertTrue(first.warnings().stream().anyMatch(w -> w.contains("hash_mixed")), first.warnings().toString());
                try (LoadedObject second = BpfLoader.load(spec, options)) {
                    assertTrue(second.map("pinned_cnt").orElseThrow().reusedPin());
                    assertEquals(Bpf.mapInfo(first.map("pinned_cnt").orElseThrow().fd()).id(),
                            Bpf.mapInfo(second.map("pinned_cnt").orElseThrow().fd()).id());
                }
            }
            BpfObjectSpec incompatible = open("maps_btf.bpf.o");
            incompatible.map("pinned_cnt").orElseThrow().maxEntries(2);
            LoadException e = assertThrows(LoadException.class, () -> BpfLoader.load(incompatible, options));
            assertTrue(e.getMessage().contains("not compatible") && e.getMessage().contains("max entries 1 vs 2"),
                    e.getMessage());
        }
    }

    @Test
    void aLogBufferTooSmallForTheRefusalGrowsUntilTheLogFits() {
        // 128 bytes (the least the kernel takes) cannot hold the refusal: the loader must grow the
        // buffer, from log_true_size where the kernel reports it (6.4+), by steps before that.
        BpfObjectSpec spec = open("verifier_reject.bpf.o");
        LoadOptions tiny = new LoadOptions(LoadOptions.DEFAULT_PIN_ROOT, 1, 128, null, false);
        VerifierException e = assertThrows(VerifierException.class, () -> BpfLoader.load(spec, tiny));
        assertTrue(e.log().contains("invalid mem access 'map_value_or_null'"), e.log());
        assertTrue(e.log().length() > 128, "the whole log, not the first 128 bytes");
    }

    @Test
    void verifierRejectionCarriesLogInstructionAndSourceLine() {
        BpfObjectSpec spec = open("verifier_reject.bpf.o");
        VerifierException e = assertThrows(VerifierException.class, () -> BpfLoader.load(spec));
        assertEquals("unchecked", e.program());
        assertTrue(e.log().contains("invalid mem access 'map_value_or_null'"), e.log());
        assertTrue(e.instruction() >= 0);
        assertNotNull(e.sourceLine());
        assertTrue(e.sourceLine().startsWith("verifier_reject.bpf.c:") && e.sourceLine().contains("BAD"),
                e.sourceLine());
        assertTrue(e.getMessage().contains("map_value_or_null"), e.getMessage());
        spec.program("unchecked").orElseThrow().autoload(false);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertEquals(3, run(obj, "fine"));
            assertTrue(obj.program("unchecked").isEmpty());
        }
    }

    @Test
    void unloadableObjectsAreRefusedClearly() {
        LoadException be = assertThrows(LoadException.class, () -> BpfLoader.load(open("globals.bpfeb.o")));
        assertTrue(be.getMessage().contains("big-endian"), be.getMessage());
        LoadException unknown = assertThrows(LoadException.class, () -> BpfLoader.load(open("unknown_section.bpf.o")));
        assertTrue(unknown.getMessage().contains("bpfkit_unknown/foo"), unknown.getMessage());
    }

    @Test
    void failedLoadClosesWhatItMadeAndRemovesItsPins() throws IOException {
        BpfObjectSpec spec = open("maps_btf.bpf.o");
        spec.map("events_rb").orElseThrow().flags(1); // BPF_F_NO_PREALLOC: no flag of a ring buffer, EINVAL
        try (PinRoot pins = PinRoot.create("failed")) {
            long before = openFds();
            KernelException e = assertThrows(KernelException.class,
                    () -> BpfLoader.load(spec, LoadOptions.defaults().withPinRoot(pins.path())));
            assertTrue(e.getMessage().contains("events_rb"), e.getMessage());
            assertEquals(before, openFds(), "no fd left behind");
            assertFalse(Files.exists(pins.path().resolve("pinned_cnt")), "the pin this load made is gone");

            // a pin that was there before the load is someone else's: a failed load keeps it
            BpfObjectSpec good = open("maps_btf.bpf.o");
            BpfLoader.load(good, LoadOptions.defaults().withPinRoot(pins.path())).close();
            assertThrows(KernelException.class,
                    () -> BpfLoader.load(spec, LoadOptions.defaults().withPinRoot(pins.path())));
            assertTrue(Files.exists(pins.path().resolve("pinned_cnt")), "the reused pin stays");
        }
    }

    @Test
    void loadCloseLoadLeavesNoFds() throws IOException {
        BpfObjectSpec spec = open("tailcall.bpf.o");
        try (LoadedObject warm = BpfLoader.load(spec)) {
            assertEquals(7, runOnPacket(warm, "entry"));
        }
        long before = openFds();
        for (int i = 0; i < 1000; i++) {
            LoadedObject obj = BpfLoader.load(spec);
            obj.close();
            obj.close();
        }
        assertEquals(before, openFds());
        LoadedObject closed = BpfLoader.load(spec);
        closed.close();
        assertThrows(IllegalStateException.class, closed::maps);
    }

    @Test
    void theSpecIsNotChangedByLoading() {
        BpfObjectSpec spec = open("globals.bpf.o");
        String before = spec.maps().toString() + spec.programs();
        try (LoadedObject obj = BpfLoader.load(spec)) {
            obj.spec().map("globals.data").orElseThrow().maxEntries(1);
        }
        assertEquals(before, spec.maps().toString() + spec.programs());
        MapSpec data = spec.dataMap(".data").orElseThrow();
        assertEquals(1, data.maxEntries());
    }
}
