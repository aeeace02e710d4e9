package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Ring buffer sizes are rounded up to a power-of-two number of pages, as libbpf does (at open too). */
class RingSizeTest {

    @Test
    void sizesAreRoundedUpToAPowerOfTwoNumberOfPages() {
        assertEquals(4096, MapSpec.ringBufferSize(1, 4096));
        assertEquals(4096, MapSpec.ringBufferSize(4096, 4096));
        assertEquals(8192, MapSpec.ringBufferSize(4097, 4096));
        assertEquals(16384, MapSpec.ringBufferSize(3 * 4096, 4096), "three pages is no power of two");
        assertEquals(256 * 1024, MapSpec.ringBufferSize(256 * 1024, 4096));
        assertEquals(65536, MapSpec.ringBufferSize(5000, 65536), "64 KiB pages");
        assertEquals(1L << 31, MapSpec.ringBufferSize((1L << 30) + 1, 4096));
    }

    @Test
    void whatNoSizeReachesGoesToTheKernelAsItIs() {
        assertEquals(0, MapSpec.ringBufferSize(0, 4096), "no size: the kernel says what is wrong");
        assertEquals(0xFFFF_FFFFL, MapSpec.ringBufferSize(0xFFFF_FFFFL, 4096), "above 2^31, below 2^32");
    }

    @Test
    void aRingBufferSpecHoldsTheRoundedSizeInWhateverOrderItIsSet() {
        assertEquals(4096, map().type(MapType.RINGBUF).maxEntries(1000).maxEntries());
        assertEquals(8192, map().maxEntries(5000).type(MapType.USER_RINGBUF).maxEntries());
        assertEquals(1000, map().type(MapType.HASH).maxEntries(1000).maxEntries(), "not a ring");
        assertEquals(0, map().type(MapType.RINGBUF).maxEntries(), "no size: left for the kernel");
    }

    private static MapSpec map() {
        return new MapSpec("m", MapSpec.Definition.BTF, ".maps", 0);
    }
}
