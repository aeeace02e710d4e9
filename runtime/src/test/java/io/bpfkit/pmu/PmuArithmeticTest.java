package io.bpfkit.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.pmu.PmuMetrics;
import io.bpfkit.api.pmu.PmuReading;
import io.bpfkit.api.pmu.PmuValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scaling for multiplexing, deltas and derived metrics, on synthetic enabled/running times. */
class PmuArithmeticTest {

    @Test
    void scaledCountsEstimateTheFullIntervalWhenMultiplexed() {
        assertEquals(1000, new PmuValue(1000, 50, 50).scaled(), "never multiplexed: the raw count");
        assertEquals(4000, new PmuValue(1000, 400, 100).scaled(), 1e-9, "on the PMU a quarter of the time");
        assertEquals(0, new PmuValue(0, 400, 0).scaled(), "never ran");
        assertEquals(0.25, new PmuValue(1000, 400, 100).runningFraction(), 1e-12);
    }

    @Test
    void deltasSubtractAllThreeFieldsPerCpu() {
        PmuReading before = new PmuReading("cycles", List.of(0, 1),
                List.of(new PmuValue(100, 1000, 500), new PmuValue(10, 1000, 1000)));
        PmuReading after = new PmuReading("cycles", List.of(0, 1),
                List.of(new PmuValue(300, 3000, 1000), new PmuValue(40, 2000, 2000)));
        PmuReading d = after.minus(before);
        assertEquals(new PmuValue(200, 2000, 500), d.cpu(0));
        assertEquals(new PmuValue(30, 1000, 1000), d.cpu(1));
        // each CPU scaled on its own: 200 * 2000/500 + 30
        assertEquals(830, d.scaled(), 1e-9);
        assertEquals(new PmuValue(230, 3000, 1500), d.total());
        assertThrows(IllegalArgumentException.class, () -> after.minus(
                new PmuReading("cycles", List.of(0), List.of(PmuValue.ZERO))));
        assertThrows(IllegalArgumentException.class, () -> d.cpu(7));
    }

    @Test
    void metricsAsPerfStatPrintsThem() {
        PmuReading cycles = reading(2_000_000);
        PmuReading instructions = reading(3_000_000);
        assertEquals(1.5, PmuMetrics.instructionsPerCycle(instructions, cycles), 1e-12);
        assertEquals(2.5, PmuMetrics.missPercent(reading(50), reading(2000)), 1e-12);
        assertEquals(0.5, PmuMetrics.stalledCyclesPerInstruction(reading(1_500_000), reading(1_000_000),
                instructions), 1e-12);
        assertEquals(2.0, PmuMetrics.gigahertz(cycles, reading(1_000_000)), 1e-12);
        assertEquals(1.5, PmuMetrics.cpusUtilized(reading(3_000), 2_000), 1e-12);
        assertTrue(Double.isNaN(PmuMetrics.instructionsPerCycle(instructions, reading(0))));
    }

    private static PmuReading reading(long count) {
        return new PmuReading("e", List.of(0), List.of(new PmuValue(count, 10, 10)));
    }
}
