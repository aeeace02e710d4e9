package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Ring buffer sizes are rounded up to a power-of-two number of pages, as libbpf does. */
class RingSizeTest {

    @Test
    void sizesAreRoundedUpToAPowerOfTwoNumberOfPages() {
        assertEquals(4096, ObjectLoader.ringSize(1, 4096));
        assertEquals(4096, ObjectLoader.ringSize(4096, 4096));
        assertEquals(8192, ObjectLoader.ringSize(4097, 4096));
        assertEquals(16384, ObjectLoader.ringSize(3 * 4096, 4096), "three pages is no power of two");
        assertEquals(256 * 1024, ObjectLoader.ringSize(256 * 1024, 4096));
        assertEquals(65536, ObjectLoader.ringSize(5000, 65536), "64 KiB pages");
        assertEquals(1L << 31, ObjectLoader.ringSize((1L << 30) + 1, 4096));
    }

    @Test
    void whatNoSizeReachesGoesToTheKernelAsItIs() {
        assertEquals(0, ObjectLoader.ringSize(0, 4096), "no size: the kernel says what is wrong");
        assertEquals(0xFFFF_FFFFL, ObjectLoader.ringSize(0xFFFF_FFFFL, 4096), "above 2^31, below 2^32");
    }
}
