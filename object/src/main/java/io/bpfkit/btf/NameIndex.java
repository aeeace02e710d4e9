package io.bpfkit.btf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Type ids by name, for the types stored in one {@link Btf} (not its base). Hashes the name
 * bytes where they lie in the string section, so building it creates no strings: vmlinux has
 * over 100k names and a lookup usually wants one or two of them.
 */
final class NameIndex {
    private final Btf btf;
    private final int first;
    /** Bucket heads: (id - first + 1), 0 for none. */
    private final int[] heads;
    /** Next in bucket, indexed by id - first, same encoding; lowest ids come first in a bucket. */
    private final int[] next;
    private final int mask;

    NameIndex(Btf btf) {
        this.btf = btf;
        this.first = btf.firstId();
        int n = btf.localCount();
        int cap = Integer.highestOneBit(Math.max(16, n) * 2 - 1) << 1;
        this.heads = new int[cap];
        this.next = new int[n];
        this.mask = cap - 1;
        // Backwards, so that each bucket ends up in ascending id order.
        for (int i = n - 1; i >= 0; i--) {
            int off = btf.nameOffset(first + i);
            if (off == 0) {
                continue;
            }
            int h = hash(btf.stringSegment(off), btf.stringPosition(off)) & mask;
            next[i] = heads[h];
            heads[h] = i + 1;
        }
    }

    /** The lowest id with this name (and kind, unless kind is -1), or -1. */
    int first(byte[] name, int kind) {
        for (int e = heads[hash(name) & mask]; e != 0; e = next[e - 1]) {
            int id = first + e - 1;
            if ((kind < 0 || btf.rawKind(id) == kind) && matches(id, name)) {
                return id;
            }
        }
        return -1;
    }

    /** Every id with this name, ascending. */
    int[] all(byte[] name) {
        int[] out = new int[4];
        int n = 0;
        for (int e = heads[hash(name) & mask]; e != 0; e = next[e - 1]) {
            int id = first + e - 1;
            if (matches(id, name)) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = id;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private boolean matches(int id, byte[] name) {
        int off = btf.nameOffset(id);
        if (off == 0) {
            return false;
        }
        MemorySegment s = btf.stringSegment(off);
        long p = btf.stringPosition(off);
        // The string section ends in NUL, so reading name.length + 1 bytes from a valid offset
        // either stays inside it or stops at a mismatch first.
        for (int i = 0; i < name.length; i++) {
            if (p + i >= s.byteSize() || s.get(ValueLayout.JAVA_BYTE, p + i) != name[i]) {
                return false;
            }
        }
        return p + name.length < s.byteSize() && s.get(ValueLayout.JAVA_BYTE, p + name.length) == 0;
    }

    private static final long HIGH_BITS = 0x8080808080808080L;
    /**
     * Hashes the NUL-terminated bytes at {@code p}, eight at a time (little-endian words, the
     * bytes after the terminator masked off), so that the same name hashes the same from the
     * string section and from a query.
     */
    private static int hash(MemorySegment s, long p) {
        long end = s.byteSize();
        long h = 0;
        while (true) {
            long w;
            if (p + 8 <= end) {
                w = s.get(Blob.LONG_LE, p);
            } else {
                w = 0;
                for (int i = 0; p + i < end; i++) {
                    w |= (s.get(ValueLayout.JAVA_BYTE, p + i) & 0xffL) << (8 * i);
                }
            }
            long zeros = (w - 0x0101010101010101L) & ~w & HIGH_BITS;
            if (zeros != 0) {
                int bytes = Long.numberOfTrailingZeros(zeros) >>> 3;
                w = bytes == 0 ? 0 : w & (-1L >>> (64 - 8 * bytes));
            }
            h = (h ^ w) * 0x9E3779B97F4A7C15L;
            if (zeros != 0) {
                return spread((int) (h ^ (h >>> 32)));
            }
            p += 8;
        }
    }

    private static int hash(byte[] name) {
        byte[] terminated = Arrays.copyOf(name, name.length + 1);
        return hash(MemorySegment.ofArray(terminated), 0);
    }

    private static int spread(int h) {
        return h ^ (h >>> 16) ^ (h >>> 7);
    }
}
