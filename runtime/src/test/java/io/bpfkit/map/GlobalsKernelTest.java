package io.bpfkit.map;

import static io.bpfkit.map.Fixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.map.Fixture.Stats;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.testing.KernelTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** .bss, .data and .rodata variables through the mapped sections, beside the programs. */
@KernelTest
class GlobalsKernelTest {

    @Test
    void aFrozenDataSectionIsMappedReadOnlyAndSaysSoOnWrite() {
        try (LoadedObject obj = Fixture.load()) {
            io.bpfkit.sys.MapCalls.of(obj.maps().values().stream()
                    .filter(m -> m.spec().section().equals(".data")).findFirst().orElseThrow().fd()).freeze();
            try (BpfGlobals data = BpfMaps.globals(obj, ".data")) {
                assertTrue(data.readOnly());
                assertEquals(5L, data.getLong("data_total"));
                var e = assertThrows(IllegalStateException.class, () -> data.setLong("data_total", 1));
                assertTrue(e.getMessage().contains("frozen"), e.getMessage());
                run(obj, "write_all", 6, 10); // programs still write it, and the mapping shows it
                assertEquals(15L, data.getLong("data_total"));
                var again = assertThrows(io.bpfkit.api.KernelException.class, data::freeze);
                assertTrue(again.getMessage().contains("already frozen"), again.getMessage());
            }
        }
    }

    @Test
    void programWritesAreSeenInMemoryAndOursByThePrograms() {
        try (LoadedObject obj = Fixture.load();
                BpfGlobals bss = BpfMaps.globals(obj, ".bss");
                BpfGlobals data = BpfMaps.globals(obj, ".data");
                BpfGlobals rodata = BpfMaps.globals(obj, ".rodata")) {
            assertEquals(List.of("bss_hits", "bss_last", "bss_tail", "bss_stats", "bss_mixed"), bss.variables());
            assertEquals(5L, data.getLong("data_total"), "initial value");
            assertEquals(77, rodata.getInt("ro_limit"));
            run(obj, "write_all", 6, 10);
            run(obj, "write_all", 8, 20);
            assertEquals(2L, bss.getLong("bss_hits"), "no syscall: the mapping shows the program's writes");
            assertEquals(8, bss.getInt("bss_last"));
            assertEquals(35L, data.getLong("data_total"));

            bss.setLong("bss_hits", 100);
            data.setLong("data_total", 1000);
            run(obj, "write_all", 1, 1);
            assertEquals(101L, bss.getLong("bss_hits"), "the program saw our write");
            assertEquals(1001L, data.getLong("data_total"));

            Stats s = Fixture.written(3, 4);
            bss.set("bss_stats", RecordCodec.of(Stats.class), s);
            assertEquals(s, bss.get("bss_stats", RecordCodec.of(Stats.class)));
            assertEquals(64, bss.variable("bss_stats").byteSize());
            assertTrue(bss.segment().byteSize() >= 64 + 56);
            assertTrue(rodata.readOnly());
            var e = assertThrows(IllegalStateException.class, () -> rodata.setInt("ro_limit", 1));
            assertTrue(e.getMessage().contains("read-only after load") && e.getMessage().contains("before load"),
                    e.getMessage());
            // the raw views of a read-only section refuse writes (a write to the PROT_READ mapping
            // would otherwise crash the JVM)
            assertTrue(rodata.segment().isReadOnly() && rodata.variable("ro_limit").isReadOnly());
            assertThrows(IllegalArgumentException.class,
                    () -> rodata.variable("ro_limit").set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 1));
            assertEquals(77, rodata.getInt("ro_limit"));
            var e2 = assertThrows(LoadException.class, () -> bss.getInt("bss_hits"));
            assertTrue(e2.getMessage().contains("8 bytes"), e2.getMessage());
            var e3 = assertThrows(LoadException.class, () -> bss.getInt("nope"));
            assertTrue(e3.getMessage().contains("bss_hits"), e3.getMessage());
            assertThrows(LoadException.class, () -> BpfMaps.globals(obj, ".data.nope"));
        }
    }

    @Test
    void rodataIsSetBeforeLoad() {
        BpfObjectSpec spec = Fixture.spec();
        spec.map("maps_typed.rodata").or(() -> spec.maps().stream().filter(m -> m.section().equals(".rodata"))
                .findFirst()).orElseThrow().setVariable("ro_limit",
                        ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(5).array());
        try (LoadedObject obj = BpfLoader.load(spec); BpfGlobals rodata = BpfMaps.globals(obj, ".rodata")) {
            assertEquals(5, rodata.getInt("ro_limit"));
            assertEquals(5, run(obj, "write_all", 1, 1), "the program returns ro_limit");
        }
    }

    @Test
    void closedGlobalsThrow() {
        try (LoadedObject obj = Fixture.load()) {
            BpfGlobals bss = BpfMaps.globals(obj, ".bss");
            bss.close();
            assertThrows(IllegalStateException.class, () -> bss.getLong("bss_hits"));
            assertThrows(IllegalStateException.class, bss::segment);
        }
    }
}
