package io.bpfkit.btf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One pass over the types stored in a {@link Btf} (not its base) that finds, for a set of
 * wanted names at once, the types named exactly so or so followed by {@code "___"} (CO-RE's
 * flavour candidates). CO-RE asks vmlinux for a few dozen names per load; a process that loads
 * once would pay more for hashing all of vmlinux's 100k+ names into a {@link NameIndex} than for
 * the searches. The pass runs once per process and mostly in the interpreter, so it does as
 * little per type as it can: the first two bytes of the name, read straight from the blob's
 * array when it has one, against a table of the wanted names' first two bytes.
 */
final class NameSearch {
    private static final byte UNDERSCORE = '_';

    private final byte[][] names;
    /** Per two-byte key (first byte | second << 8): the first entry + 1, 0 for none. */
    private final int[] heads = new int[1 << 16];
    private final int[] entryName;
    private final int[] entryNext;
    private final int[][] found;
    private final int[] counts;

    private NameSearch(List<String> wanted) {
        int n = wanted.size();
        names = new byte[n][];
        entryName = new int[n * 2];
        entryNext = new int[n * 2];
        found = new int[n][];
        counts = new int[n];
        int entries = 0;
        for (int i = 0; i < n; i++) {
            byte[] b = wanted.get(i).getBytes(StandardCharsets.UTF_8);
            names[i] = b;
            if (b.length == 0) {
                continue;
            }
            // A one-byte name's key ends at its NUL; its flavours' key has '_' there.
            int second = b.length > 1 ? b[1] & 0xff : 0;
            entries = add(entries, (b[0] & 0xff) | second << 8, i);
            if (b.length == 1) {
                entries = add(entries, (b[0] & 0xff) | UNDERSCORE << 8, i);
            }
        }
    }

    private int add(int entries, int key, int name) {
        entryName[entries] = name;
        entryNext[entries] = heads[key];
        heads[key] = entries + 1;
        return entries + 1;
    }

    /**
     * For each name, the ids (ascending) of the local types named exactly it or starting with
     * it followed by {@code "___"}. An empty name finds nothing.
     */
    static int[][] namedOrFlavored(Btf btf, List<String> names) {
        NameSearch s = new NameSearch(names);
        if (!s.scanArray(btf)) {
            s.scanSegments(btf);
        }
        int[][] out = s.found;
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] == null ? new int[0] : Arrays.copyOf(out[i], s.counts[i]);
        }
        return out;
    }

    /**
     * The pass over a blob read into a byte array (vmlinux's and modules' BTF are), with plain
     * array reads: in the interpreter a memory segment read costs many times as much.
     *
     * @return false when the blob is not in a byte array
     */
    private boolean scanArray(Btf btf) {
        MemorySegment data = btf.data();
        MemorySegment strings = btf.localStrings();
        if (!(data.heapBase().orElse(null) instanceof byte[] a) || strings.heapBase().orElse(null) != a
                || data.address() + data.byteSize() > a.length) {
            return false;
        }
        ArrayPass pass = new ArrayPass(btf, a, (int) (data.address() + btf.typeStart()), (int) strings.address(),
                (int) (strings.address() + strings.byteSize()));
        int count = btf.localCount();
        // In chunks: a method called many times is compiled after a few thousand types, while
        // one long loop runs interpreted until its back-edge count calls for OSR, after half
        // of vmlinux's types. Thread CPU of a cold search of vmlinux, median of six: 6.3 ms
        // in chunks of 16, 8.0 of 64, 8.8 of 512, 9.5 in one loop.
        for (int from = 0; from < count; from += CHUNK) {
            pass.scan(from, Math.min(count, from + CHUNK));
        }
        return true;
    }

    private static final int CHUNK = 16;

    /** The state of {@link #scanArray}'s pass, in fields so that each chunk is a short call. */
    private final class ArrayPass {
        final Btf btf;
        final byte[] a;
        final boolean be;
        final int typeBase;
        final int strStart;
        final int strEnd;
        final int strBase;
        final int[] offsets;
        final int first;

        ArrayPass(Btf btf, byte[] a, int typeBase, int strStart, int strEnd) {
            this.btf = btf;
            this.a = a;
            this.be = btf.isBigEndian();
            this.typeBase = typeBase;
            this.strStart = strStart;
            this.strEnd = strEnd;
            this.strBase = btf.stringBase();
            this.offsets = btf.typeOffsets();
            this.first = btf.firstId();
        }

        void scan(int from, int to) {
            byte[] a = this.a;
            int[] offsets = this.offsets;
            int[] heads = NameSearch.this.heads;
            for (int i = from; i < to; i++) {
                int at = typeBase + offsets[i];
                int off = be
                        ? (a[at] & 0xff) << 24 | (a[at + 1] & 0xff) << 16 | (a[at + 2] & 0xff) << 8 | (a[at + 3] & 0xff)
                        : (a[at] & 0xff) | (a[at + 1] & 0xff) << 8 | (a[at + 2] & 0xff) << 16 | (a[at + 3] & 0xff) << 24;
                if (off == 0) {
                    continue;
                }
                if (off < strBase) {
                    checkSegment(btf, first + i, off); // a split blob's type named by a base string
                    continue;
                }
                // parse checked every type's name offset against the section, which ends in NUL:
                // a non-NUL byte always has one more after it.
                int p = strStart + off - strBase;
                int b0 = a[p] & 0xff;
                for (int e = heads[b0 == 0 ? 0 : b0 | (a[p + 1] & 0xff) << 8]; e != 0; e = entryNext[e - 1]) {
                    int w = entryName[e - 1];
                    if (matches(a, p, strEnd, names[w])) {
                        note(w, first + i);
                    }
                }
            }
        }
    }

    /** The same pass through memory segment reads, for blobs not in an array (mapped, or native). */
    private void scanSegments(Btf btf) {
        int first = btf.firstId();
        int count = btf.localCount();
        for (int i = 0; i < count; i++) {
            int off = btf.nameOffset(first + i);
            if (off != 0) {
                checkSegment(btf, first + i, off);
            }
        }
    }

    private void checkSegment(Btf btf, int id, int off) {
        MemorySegment s = btf.stringSegment(off);
        long p = btf.stringPosition(off);
        int b0 = s.get(ValueLayout.JAVA_BYTE, p) & 0xff;
        int key = b0 == 0 ? 0 : b0 | (s.get(ValueLayout.JAVA_BYTE, p + 1) & 0xff) << 8;
        for (int e = heads[key]; e != 0; e = entryNext[e - 1]) {
            int w = entryName[e - 1];
            if (matches(s, p, names[w])) {
                note(w, id);
            }
        }
    }

    private void note(int wanted, int id) {
        int[] ids = found[wanted];
        if (ids == null) {
            ids = found[wanted] = new int[4];
        } else if (counts[wanted] == ids.length) {
            ids = found[wanted] = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[counts[wanted]++] = id;
    }

    /** Whether the NUL-terminated name at {@code p} is {@code name}, or {@code name} and then {@code "___"}. */
    private static boolean matches(byte[] a, int p, int end, byte[] name) {
        int n = name.length;
        if (p + n >= end) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a[p + i] != name[i]) {
                return false;
            }
        }
        byte next = a[p + n];
        return next == 0 || next == UNDERSCORE && p + n + 2 < end && a[p + n + 1] == UNDERSCORE
                && a[p + n + 2] == UNDERSCORE;
    }

    private static boolean matches(MemorySegment s, long p, byte[] name) {
        long end = s.byteSize();
        int n = name.length;
        if (p + n >= end) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, p + i) != name[i]) {
                return false;
            }
        }
        byte next = s.get(ValueLayout.JAVA_BYTE, p + n);
        return next == 0 || next == UNDERSCORE && p + n + 2 < end && s.get(ValueLayout.JAVA_BYTE, p + n + 1) == UNDERSCORE
                && s.get(ValueLayout.JAVA_BYTE, p + n + 2) == UNDERSCORE;
    }
}
