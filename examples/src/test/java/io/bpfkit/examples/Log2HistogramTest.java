package io.bpfkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The biolatency-style bars: from the first to the last non-empty slot, the fullest 40 stars wide. */
class Log2HistogramTest {

    @Test
    void drawsTheNonEmptySpanScaledToTheFullestSlot() {
        long[] slots = new long[8];
        slots[2] = 1;
        slots[4] = 4;
        assertEquals("""
                     usecs               : count    distribution
                         4 -> 7          : 1        |**********                              |
                         8 -> 15         : 0        |                                        |
                        16 -> 31         : 4        |****************************************|
                """, Log2Histogram.draw(slots, "usecs"));
        assertEquals(5, Log2Histogram.total(slots));
    }

    @Test
    void slotZeroStartsAtZeroAndTheLastIsOpen() {
        long[] slots = {3, 0, 0, 1};
        assertEquals("""
                     nsecs               : count    distribution
                         0 -> 1          : 3        |****************************************|
                         2 -> 3          : 0        |                                        |
                         4 -> 7          : 0        |                                        |
                         8 -> ...        : 1        |*************                           |
                """, Log2Histogram.draw(slots, "nsecs"));
        assertEquals("     nsecs               : count    distribution\n", Log2Histogram.draw(new long[4], "nsecs"));
    }
}
