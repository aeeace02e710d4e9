package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The built-in codecs: sizes, round trips at odd offsets, unsigned ranges, C strings. */
class CodecsTest {

    private static <T> T roundTrip(Codec<T> c, T v) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(c.size() + 3);
            c.encode(v, s, 3); // unaligned on purpose: batch buffers pack odd-sized keys
            return c.decode(s, 3);
        }
    }

    @Test
    void scalarsRoundTripWithTheirCSizes() {
        assertEquals((byte) -5, roundTrip(Codecs.int8(), (byte) -5));
        assertEquals(250, roundTrip(Codecs.uint8(), 250));
        assertEquals((short) -300, roundTrip(Codecs.int16(), (short) -300));
        assertEquals(65535, roundTrip(Codecs.uint16(), 65535));
        assertEquals(-7, roundTrip(Codecs.int32(), -7));
        assertEquals(4_000_000_000L, roundTrip(Codecs.uint32(), 4_000_000_000L));
        assertEquals(Long.MIN_VALUE, roundTrip(Codecs.int64(), Long.MIN_VALUE));
        assertEquals(-1L, roundTrip(Codecs.uint64(), -1L));
        assertEquals(1.5f, roundTrip(Codecs.float32(), 1.5f));
        assertEquals(-2.25, roundTrip(Codecs.float64(), -2.25));
        assertEquals(true, roundTrip(Codecs.bool(), true));
        assertEquals(1, Codecs.uint8().size());
        assertEquals(2, Codecs.int16().size());
        assertEquals(4, Codecs.uint32().size());
        assertEquals(8, Codecs.uint64().size());
        assertEquals(4, Codecs.int32().layout().byteAlignment());
        assertEquals(8, Codecs.float64().layout().byteAlignment());
    }

    @Test
    void unsignedValuesOutOfRangeAreRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(8);
            var e = assertThrows(CodecException.class, () -> Codecs.uint32().encode(-1L, s, 0));
            assertTrue(e.getMessage().contains("uint32"), e.getMessage());
            assertThrows(CodecException.class, () -> Codecs.uint8().encode(256, s, 0));
            assertThrows(CodecException.class, () -> Codecs.uint16().encode(-1, s, 0));
            s.set(ValueLayout.JAVA_INT, 0, -1);
            assertEquals(0xffff_ffffL, Codecs.uint32().decode(s, 0));
        }
    }

    @Test
    void fixedBytesAndCStrings() {
        assertArrayEquals(new byte[] {1, 2, 3, 4}, roundTrip(Codecs.bytes(4), new byte[] {1, 2, 3, 4}));
        assertThrows(CodecException.class, () -> roundTrip(Codecs.bytes(4), new byte[3]));
        assertEquals("comm", roundTrip(Codecs.cString(16), "comm"));
        assertEquals("", roundTrip(Codecs.cString(1), ""));
        var e = assertThrows(CodecException.class, () -> roundTrip(Codecs.cString(4), "four"));
        assertTrue(e.getMessage().contains("char[4]"), e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(4);
            s.fill((byte) 'x'); // a program may fill the array without a NUL
            assertEquals("xxxx", Codecs.cString(4).decode(s, 0));
            Codecs.cString(4).encode("ab", s, 0);
            assertArrayEquals(new byte[] {'a', 'b', 0, 0}, s.toArray(ValueLayout.JAVA_BYTE), "NUL padded");
        }
        assertThrows(IllegalArgumentException.class, () -> Codecs.bytes(0));
    }
}
