package io.bpfkit.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * NUL-terminated strings in string tables (ELF {@code .strtab}, BTF strings): found 8 bytes at
 * a time and decoded once, straight from the backing array when there is one. Both tables
 * are read on every open, and vmlinux BTF holds 100k+ names.
 */
public final class CStrings {
    private static final ValueLayout.OfLong LONG_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CStrings() {
    }

    /** Length of the NUL-terminated string at {@code off}, searching no further than {@code end}. */
    public static int strlen(MemorySegment s, long off, long end) {
        long p = off;
        while (p + 8 <= end) {
            long w = s.get(LONG_LE, p);
            long z = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (z != 0) {
                return (int) (p - off) + (Long.numberOfTrailingZeros(z) >>> 3);
            }
            p += 8;
        }
        while (p < end && s.get(ValueLayout.JAVA_BYTE, p) != 0) {
            p++;
        }
        return (int) (p - off);
    }

    /** UTF-8 decoding of {@code len} bytes at {@code off}. */
    public static String decode(MemorySegment s, long off, int len) {
        if (len == 0) {
            return "";
        }
        if (s.heapBase().orElse(null) instanceof byte[] array) {
            return new String(array, (int) (s.address() + off), len, StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[len];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, bytes, 0, len);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
