package io.bpfkit.examples.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.map.BpfArray;
import io.bpfkit.events.RingBufferReader;
import io.bpfkit.examples.binding.NestedProbe.BumpRecord;
import io.bpfkit.examples.binding.NestedProbe.Tally;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Maps of maps, global sections and a ring buffer of records through the generated
 * {@code NestedProbeBinding} only: the program runs with BPF_PROG_TEST_RUN and writes through
 * inner maps; Java reads and writes the same inner maps through typed inner handles, puts one
 * into a hash of maps, reads the sections and decodes the records with the generated codec.
 */
@KernelTest
class NestedBindingTest {

    /** Runs {@code bump(slot, index, tenant, value)}; returns the tables entry's hits. */
    private static int bump(NestedProbe p, int slot, int index, int tenant, long value) {
        return TestRun.of(p.bump()).arguments(slot, index, tenant, value).run().returnValue();
    }

    @Test
    void programAndJavaShareInnerMapsThroughTypedHandles() {
        NestedProbeBinding.Open open = NestedProbeBinding.open().scale(3);
        int firstId;
        try (NestedProbe p = open.load()) {
            assertEquals(2, p.tables().length());
            assertEquals(1, bump(p, 1, 2, 7, 5));                 // tables[1][2], tenant 7 has no map yet
            try (BpfArray<Tally> slotB = p.tables().get(1)) {
                assertEquals(new Tally(1, 15), slotB.get(2), "written by the program, scaled by .rodata");
                slotB.set(3, new Tally(40, -1));                  // written by Java, read by the program
            }
            assertEquals(41, bump(p, 1, 3, 7, 1));
            assertEquals(2, p.counters().getLong("misses"), "tenant 7 had no map twice");

            try (BpfArray<Tally> slotA = p.tables().get(0)) {
                p.byTenant().put(7, slotA);                        // the same inner map under a tenant
            }
            assertEquals(p.tables().innerMapId(0), p.byTenant().innerMapId(7));
            assertEquals(1, bump(p, 0, 0, 7, 2));                 // bumps slot_a twice: tables and tenant
            try (BpfArray<Tally> tenant = p.byTenant().get(7);
                 BpfArray<Tally> any = p.anyTables().get(0)) {
                assertEquals(new Tally(2, 6), tenant.get(0));
                assertEquals(new Tally(2, 6), any.get(0), "BpfMapOfMaps on the array of maps");
            }
            assertNull(p.byTenant().get(8));
            assertEquals(2, p.counters().getLong("misses"));

            List<BumpRecord> seen = new ArrayList<>();
            try (RingBufferReader reader = RingBufferReader.builder().add(p.records(), seen::add).build()) {
                assertEquals(3, reader.consume());
            }
            assertEquals(List.of(new BumpRecord(7, 2, 15), new BumpRecord(7, 3, 3), new BumpRecord(7, 0, 6)), seen);

            assertEquals(3, p.bumps());
            assertEquals(3, p.bss().getLong("bumps"), "the section and the @Global read the same mapping");
            assertEquals(7, p.counters().getInt("last_tenant"));
            assertEquals(List.of("misses", "last_tenant"), p.counters().variables());
            p.counters().setLong("misses", 0);                    // .data.* is writable after load
            bump(p, 0, 1, 9, 1);
            assertEquals(1, p.counters().getLong("misses"), "the program counts on from what Java wrote");

            assertTrue(p.rodata().readOnly());
            assertFalse(p.bss().readOnly());
            assertEquals(3, p.rodata().getLong("scale"));
            assertThrows(IllegalStateException.class, () -> p.rodata().setLong("scale", 1));
            assertSame(p.bss(), p.bss());
            firstId = p.tables().info().id();
        }
        try (NestedProbe again = open.load()) {                   // the same open handle, new kernel objects
            assertNotEquals(firstId, again.tables().info().id());
            assertEquals(0, again.counters().getLong("misses"));
            assertEquals(1, bump(again, 1, 0, 0, 1));
        }
    }
}
