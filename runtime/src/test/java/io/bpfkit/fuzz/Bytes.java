package io.bpfkit.fuzz;

import java.nio.ByteOrder;

/** Reads and writes fixed-width unsigned fields of a byte array in either byte order, for tests. */
public final class Bytes {
    private Bytes() {
    }

    /** Reads a {@code width}-byte (1, 2, 4 or 8) unsigned field; the caller checks bounds. */
    public static long get(byte[] b, int off, int width, ByteOrder order) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            v |= (long) (b[off + i] & 0xff) << shift;
        }
        return v;
    }

    /** Writes the low {@code width} bytes of {@code value}; the caller checks bounds. */
    public static void put(byte[] b, int off, int width, long value, ByteOrder order) {
        for (int i = 0; i < width; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            b[off + i] = (byte) (value >>> shift);
        }
    }

    /** Whether a {@code width}-byte field at {@code off} lies inside {@code b}. */
    public static boolean fits(byte[] b, long off, int width) {
        return off >= 0 && off + width <= b.length;
    }

    public static long u16(byte[] b, int off, ByteOrder order) {
        return get(b, off, 2, order);
    }

    public static long u32(byte[] b, int off, ByteOrder order) {
        return get(b, off, 4, order);
    }

    public static long u64(byte[] b, int off, ByteOrder order) {
        return get(b, off, 8, order);
    }

    /** The byte order an ELF file announces in {@code e_ident[EI_DATA]} (little endian when unclear). */
    public static ByteOrder elfOrder(byte[] b) {
        return b.length > 5 && b[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
