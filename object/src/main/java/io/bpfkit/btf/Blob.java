package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.elf.CStrings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Unaligned reads (and the one write {@link BtfPatch} needs) of BTF's fixed-width fields in
 * either byte order. Each access picks one of two constant layouts so that the JIT can inline
 * it; a layout held in a field would not be.
 * Callers have checked bounds already, against lengths taken from the blob itself.
 */
final class Blob {
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int MAGIC = 0xEB9F;

    private Blob() {
    }

    static int u32(MemorySegment s, boolean bigEndian, long off) {
        return bigEndian ? s.get(INT_BE, off) : s.get(INT_LE, off);
    }

    static void putU32(MemorySegment s, boolean bigEndian, long off, int value) {
        if (bigEndian) {
            s.set(INT_BE, off, value);
        } else {
            s.set(INT_LE, off, value);
        }
    }

    static long u64(MemorySegment s, boolean bigEndian, long off) {
        return bigEndian ? s.get(LONG_BE, off) : s.get(LONG_LE, off);
    }

    /** Of two consecutive u32 fields read as one u64: the first. */
    static int firstOf(long pair, boolean bigEndian) {
        return (int) (bigEndian ? pair >>> 32 : pair);
    }

    /** Of two consecutive u32 fields read as one u64: the second. */
    static int secondOf(long pair, boolean bigEndian) {
        return (int) (bigEndian ? pair : pair >>> 32);
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    /**
     * The byte order announced by the 0xEB9F magic at offset 0 (BTF and BTF.ext alike).
     *
     * @return true for big endian
     */
    static boolean bigEndianFromMagic(MemorySegment s, String section) {
        if (s.byteSize() < 2) {
            throw new ObjectFormatException(section, 0, "no room for the 2-byte magic: the section has "
                    + s.byteSize() + " bytes");
        }
        int m = Short.toUnsignedInt(s.get(SHORT_LE, 0));
        if (m == MAGIC) {
            return false;
        }
        if (m == Short.toUnsignedInt(Short.reverseBytes((short) MAGIC))) {
            return true;
        }
        throw new ObjectFormatException(section, 0, String.format(
                "bad magic 0x%04x: %s data starts with 0xeb9f (either byte order)", m, section));
    }

    /** The NUL-terminated UTF-8 string at {@code off}, decoded once, straight from the backing array when there is one. */
    static String cString(MemorySegment s, long off) {
        if (off < 0 || off >= s.byteSize()) {
            return s.getString(off, StandardCharsets.UTF_8); // throws as MemorySegment does
        }
        return CStrings.decode(s, off, CStrings.strlen(s, off, s.byteSize()));
    }
}
