package io.bpfkit.fuzz;

import io.bpfkit.fuzz.ObjectLayout.Field;
import io.bpfkit.fuzz.ObjectLayout.Role;
import io.bpfkit.fuzz.ObjectLayout.Span;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes mutants of well-formed eBPF objects. Each mutant is the seed with one to eight stacked
 * mutations; most overwrite a field the {@link ObjectLayout} found with a value chosen for the
 * field's role (sizes, offsets, counts, section and symbol indexes, BTF type ids and string
 * offsets, kind bits), the rest are structural (swapped or re-pointed section headers, BTF type
 * cycles, renamed sections and types, sections transplanted from another object) or blind
 * (bit flips, truncation, spliced, inserted or deleted chunks).
 *
 * <p>Deterministic: the same seed object, the same other objects and the same random source
 * give the same mutant, so a case is reproduced from the fuzz seed and its iteration number.
 */
public final class Mutator {

    /** A mutant and the steps that made it, in order. */
    public record Mutant(byte[] bytes, List<String> steps) {
        public String description() {
            return String.join("; ", steps);
        }
    }

    private static final long[] CONSTANTS = {
        0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fff_ffffL, 0x8000_0000L, 0xffff_fffeL, 0xffff_ffffL, 0x1_0000_0000L, 0x7fff_ffff_ffff_ffffL,
        0x8000_0000_0000_0000L, -1L, -2L, -8L, 1L << 40,
    };
    private static final int[] OPCODES = {0x18, 0x85, 0x95, 0x07, 0xb7, 0x05, 0x00, 0x61, 0x79, 0xbf};

    private final List<ObjectLayout> all;

    /** @param all every seed object, for transplanting sections between them */
    public Mutator(List<ObjectLayout> all) {
        this.all = List.copyOf(all);
    }

    /** A mutant of {@code seed}. */
    public Mutant mutate(ObjectLayout seed, SplittableRandom rnd) {
        byte[] b = seed.bytes().clone();
        List<String> steps = new ArrayList<>();
        int n;
        int roll = rnd.nextInt(100);
        if (roll < 50) {
            n = 1;
        } else if (roll < 80) {
            n = 2 + rnd.nextInt(2);
        } else {
            n = 4 + rnd.nextInt(5);
        }
        for (int i = 0; i < n; i++) {
            b = step(seed, b, rnd, steps);
        }
        return new Mutant(b, steps);
    }

    private byte[] step(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        int r = rnd.nextInt(100);
        if (r < 38) {
            return setField(seed, b, rnd, steps, null);
        } else if (r < 45) {
            return btfInfo(seed, b, rnd, steps);
        } else if (r < 51) {
            return btfCycle(seed, b, rnd, steps);
        } else if (r < 58) {
            return flipBits(seed, b, rnd, steps);
        } else if (r < 63) {
            return randomBytes(seed, b, rnd, steps);
        } else if (r < 67) {
            return truncate(seed, b, rnd, steps);
        } else if (r < 74) {
            return rename(seed, b, rnd, steps);
        } else if (r < 77) {
            return unterminate(seed, b, rnd, steps);
        } else if (r < 81) {
            return splice(b, rnd, steps);
        } else if (r < 84) {
            return insertOrDelete(b, rnd, steps);
        } else if (r < 90) {
            return sectionHeaders(seed, b, rnd, steps);
        } else if (r < 94) {
            return transplant(seed, b, rnd, steps);
        } else {
            return symbols(seed, b, rnd, steps);
        }
    }

    // ---------------------------------------------------------------- fields

    private byte[] setField(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps, Role only) {
        Field f = only == null ? anyField(seed, rnd) : pick(seed.fields(only), rnd);
        if (f == null || !Bytes.fits(b, f.offset(), f.width())) {
            return flipBits(seed, b, rnd, steps);
        }
        long old = Bytes.get(b, f.offset(), f.width(), seed.order());
        long v = value(seed, f, old, rnd);
        write(b, f, v, seed.order(), steps, old);
        return b;
    }

    private static void write(byte[] b, Field f, long v, ByteOrder order, List<String> steps, long old) {
        Bytes.put(b, f.offset(), f.width(), v, order);
        steps.add("set " + f.name() + " @0x" + Integer.toHexString(f.offset()) + " (u" + 8 * f.width() + ") 0x"
                + Long.toHexString(old) + " -> 0x" + Long.toHexString(mask(v, f.width())));
    }

    private static Field anyField(ObjectLayout seed, SplittableRandom rnd) {
        List<List<Field>> regions = new ArrayList<>(seed.regions().values());
        if (regions.isEmpty()) {
            return null;
        }
        return pick(regions.get(rnd.nextInt(regions.size())), rnd);
    }

    private static <T> T pick(List<T> list, SplittableRandom rnd) {
        return list.isEmpty() ? null : list.get(rnd.nextInt(list.size()));
    }

    private static long mask(long v, int width) {
        return width == 8 ? v : v & ((1L << (8 * width)) - 1);
    }

    /** A value for a field, chosen for its role. */
    private long value(ObjectLayout seed, Field f, long old, SplittableRandom rnd) {
        int r = rnd.nextInt(100);
        if (r < 20) {
            return CONSTANTS[rnd.nextInt(CONSTANTS.length)];
        }
        if (r < 35) {
            long[] deltas = {1, -1, 2, -2, 4, -4, 8, -8, 12, -12, 16, 24, 64, -64};
            return old + deltas[rnd.nextInt(deltas.length)];
        }
        if (r < 45) {
            long[] nums = seed.numbers();
            return nums[rnd.nextInt(nums.length)] + rnd.nextInt(3) - 1;
        }
        if (r < 50) {
            return rnd.nextLong();
        }
        int types = Math.max(1, seed.btfTypeCount());
        return switch (f.role()) {
            case TYPE_ID -> switch (rnd.nextInt(6)) {
                case 0 -> f.context() > 0 ? f.context() : 0;
                case 1 -> types;
                case 2 -> types - 1;
                case 3 -> 0;
                default -> rnd.nextInt(types + 2);
            };
            case SECTION_INDEX -> switch (rnd.nextInt(6)) {
                case 0 -> seed.sectionCount();
                case 1 -> seed.sectionCount() - 1;
                case 2 -> new long[] {0xfff1, 0xfff2, 0xff00, 0xffff}[rnd.nextInt(4)];
                default -> rnd.nextInt(seed.sectionCount() + 1);
            };
            case SYMBOL_INDEX -> switch (rnd.nextInt(4)) {
                case 0 -> seed.symbolCount();
                case 1 -> seed.symbolCount() - 1;
                default -> rnd.nextInt(Math.max(1, seed.symbolCount()));
            };
            case STRING_OFFSET -> {
                Span t = pick(seed.stringTables(), rnd);
                int len = t == null ? 64 : t.length();
                yield switch (rnd.nextInt(5)) {
                    case 0 -> len;
                    case 1 -> len - 1;
                    case 2 -> len + 1;
                    default -> rnd.nextInt(len + 1);
                };
            }
            case OFFSET, SIZE, COUNT -> switch (rnd.nextInt(6)) {
                case 0 -> seed.bytes().length;
                case 1 -> seed.bytes().length - old;
                case 2 -> old * 2;
                case 3 -> old / 2;
                case 4 -> old ^ (1L << rnd.nextInt(8 * f.width()));
                default -> rnd.nextLong(Math.max(1, seed.bytes().length * 2L));
            };
            case ENTSIZE -> new long[] {0, 1, 8, 12, 16, 24, 32, 40, 64, 65}[rnd.nextInt(10)];
            case FLAGS, PLAIN -> old ^ (1L << rnd.nextInt(8 * f.width()));
            case KIND -> f.width() == 1 ? rnd.nextInt(256) : rnd.nextInt(32) == 0 ? rnd.nextLong() : rnd.nextInt(24);
            case OPCODE -> OPCODES[rnd.nextInt(OPCODES.length)];
            case REGS -> rnd.nextInt(256);
            case BTF_INFO -> old ^ (1L << rnd.nextInt(32));
        };
    }

    /** Changes a BTF type's kind, vlen or kind_flag. */
    private byte[] btfInfo(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        Field f = pick(seed.fields(Role.BTF_INFO), rnd);
        if (f == null || !Bytes.fits(b, f.offset(), 4)) {
            return setField(seed, b, rnd, steps, null);
        }
        long old = Bytes.get(b, f.offset(), 4, seed.order());
        long v = switch (rnd.nextInt(4)) {
            case 0 -> {
                int kind = rnd.nextInt(5) == 0 ? rnd.nextInt(32) : 1 + rnd.nextInt(19);
                yield (old & ~(0x1fL << 24)) | (long) kind << 24;
            }
            case 1 -> (old & ~0xffffL) | new long[] {0, 1, 2, 3, 0xffff, 0x8000, 0x100}[rnd.nextInt(7)];
            case 2 -> (old & ~0xffffL) | ((old + (rnd.nextBoolean() ? 1 : -1)) & 0xffff);
            default -> old ^ 0x8000_0000L;
        };
        write(b, f, v, seed.order(), steps, old);
        return b;
    }

    /** Points a BTF type at itself, or two types at each other. */
    private byte[] btfCycle(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        List<Field> refs = seed.btfTypeRefs();
        Field f = pick(refs, rnd);
        if (f == null || !Bytes.fits(b, f.offset(), 4)) {
            return setField(seed, b, rnd, steps, null);
        }
        Field g = pick(refs, rnd);
        if (rnd.nextBoolean() || g == f || !Bytes.fits(b, g.offset(), 4)) {
            write(b, f, f.context(), seed.order(), steps, Bytes.get(b, f.offset(), 4, seed.order()));
        } else {
            write(b, f, g.context(), seed.order(), steps, Bytes.get(b, f.offset(), 4, seed.order()));
            write(b, g, f.context(), seed.order(), steps, Bytes.get(b, g.offset(), 4, seed.order()));
        }
        return b;
    }

    // ---------------------------------------------------------------- blind

    /** A span to aim a blind mutation at: a section (mostly) or the whole file. */
    private static int[] target(ObjectLayout seed, byte[] b, SplittableRandom rnd) {
        Span s = rnd.nextInt(4) == 0 ? null : pick(seed.sections(), rnd);
        int start = 0;
        int len = b.length;
        if (s != null && s.offset() < b.length && s.length() > 0) {
            start = s.offset();
            len = Math.min(s.length(), b.length - start);
        }
        return new int[] {start, Math.max(0, len)};
    }

    private byte[] flipBits(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        int[] t = target(seed, b, rnd);
        if (t[1] == 0) {
            return b;
        }
        int flips = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 8);
        StringBuilder sb = new StringBuilder("flip bits");
        for (int i = 0; i < flips; i++) {
            int at = t[0] + rnd.nextInt(t[1]);
            int bit = rnd.nextInt(8);
            b[at] ^= (byte) (1 << bit);
            sb.append(" 0x").append(Integer.toHexString(at)).append('.').append(bit);
        }
        steps.add(sb.toString());
        return b;
    }

    private byte[] randomBytes(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        int[] t = target(seed, b, rnd);
        if (t[1] == 0) {
            return b;
        }
        int at = t[0] + rnd.nextInt(t[1]);
        int len = Math.min(1 + rnd.nextInt(16), b.length - at);
        byte fill = new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80, 0x41}[rnd.nextInt(5)];
        boolean random = rnd.nextBoolean();
        for (int i = 0; i < len; i++) {
            b[at + i] = random ? (byte) rnd.nextInt(256) : fill;
        }
        steps.add("overwrite " + len + " bytes at 0x" + Integer.toHexString(at) + " with "
                + (random ? "random bytes" : "0x" + Integer.toHexString(fill & 0xff)));
        return b;
    }

    private byte[] truncate(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        int len;
        Span s = pick(seed.sections(), rnd);
        if (s != null && rnd.nextBoolean()) {
            len = (rnd.nextBoolean() ? s.offset() : s.offset() + s.length()) + rnd.nextInt(33) - 16;
        } else {
            len = rnd.nextInt(Math.max(1, b.length));
        }
        len = Math.clamp(len, 0, b.length);
        steps.add("truncate to " + len + " bytes");
        return Arrays.copyOf(b, len);
    }

    private byte[] splice(byte[] b, SplittableRandom rnd, List<String> steps) {
        if (b.length < 2) {
            return b;
        }
        int len = 1 + rnd.nextInt(Math.min(256, b.length - 1));
        int from = rnd.nextInt(b.length - len + 1);
        int to = rnd.nextInt(b.length - len + 1);
        System.arraycopy(b, from, b, to, len);
        steps.add("copy " + len + " bytes from 0x" + Integer.toHexString(from) + " to 0x" + Integer.toHexString(to));
        return b;
    }

    private byte[] insertOrDelete(byte[] b, SplittableRandom rnd, List<String> steps) {
        if (b.length < 2) {
            return b;
        }
        int at = rnd.nextInt(b.length);
        int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
        if (rnd.nextBoolean()) {
            byte[] out = new byte[b.length + len];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(b, at, out, at, len); // the chunk, twice
            System.arraycopy(b, at, out, at + len, b.length - at);
            steps.add("duplicate " + len + " bytes at 0x" + Integer.toHexString(at));
            return out;
        }
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        steps.add("delete " + len + " bytes at 0x" + Integer.toHexString(at));
        return out;
    }

    // ---------------------------------------------------------------- strings

    /** Renames a section, symbol or BTF type by overwriting its string in place (never longer). */
    private byte[] rename(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        Span t = pick(seed.stringTables(), rnd);
        if (t == null || t.length() < 2 || t.offset() + t.length() > b.length) {
            return b;
        }
        int start = t.offset() + rnd.nextInt(t.length() - 1);
        while (start > t.offset() && b[start - 1] != 0) {
            start--;
        }
        int end = start;
        while (end < t.offset() + t.length() && b[end] != 0) {
            end++;
        }
        int room = end - start;
        List<String> dict = seed.dictionary();
        String old = new String(b, start, room, StandardCharsets.UTF_8);
        for (int tries = 0; tries < 8; tries++) {
            String n = dict.get(rnd.nextInt(dict.size()));
            byte[] nb = n.getBytes(StandardCharsets.UTF_8);
            if (nb.length <= room && !n.equals(old)) {
                System.arraycopy(nb, 0, b, start, nb.length);
                Arrays.fill(b, start + nb.length, end, (byte) 0);
                steps.add("rename \"" + old + "\" in " + t.name() + " @0x" + Integer.toHexString(start) + " to \""
                        + n + "\"");
                return b;
            }
        }
        return b;
    }

    /** Removes a string's terminating NUL. */
    private byte[] unterminate(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        Span t = pick(seed.stringTables(), rnd);
        if (t == null || t.length() == 0 || t.offset() + t.length() > b.length) {
            return b;
        }
        int at = rnd.nextInt(3) == 0 ? t.offset() + t.length() - 1 : t.offset() + rnd.nextInt(t.length());
        while (at < t.offset() + t.length() - 1 && b[at] != 0) {
            at++;
        }
        b[at] = 'A';
        steps.add("replace byte 0x" + Integer.toHexString(at) + " of " + t.name() + " (a NUL) with 'A'");
        return b;
    }

    // ---------------------------------------------------------------- structure

    private byte[] sectionHeaders(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        Span x = pick(seed.sections(), rnd);
        Span y = pick(seed.sections(), rnd);
        if (x == null || x == y || !Bytes.fits(b, x.headerOffset(), 64) || !Bytes.fits(b, y.headerOffset(), 64)) {
            return setField(seed, b, rnd, steps, null);
        }
        int hx = x.headerOffset();
        int hy = y.headerOffset();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                byte[] tmp = Arrays.copyOfRange(b, hx, hx + 64);
                System.arraycopy(b, hy, b, hx, 64);
                System.arraycopy(tmp, 0, b, hy, 64);
                steps.add("swap section headers of " + x.name() + " and " + y.name());
            }
            case 1 -> {
                System.arraycopy(b, hy + 24, b, hx + 24, 16);
                steps.add("point " + x.name() + " at the bytes of " + y.name());
            }
            case 2 -> {
                System.arraycopy(b, hy + 4, b, hx + 4, 4);
                steps.add("give " + x.name() + " the sh_type of " + y.name());
            }
            default -> {
                System.arraycopy(b, hy + 40, b, hx + 40, 8);
                steps.add("give " + x.name() + " the sh_link and sh_info of " + y.name());
            }
        }
        return b;
    }

    /** Replaces a section's bytes with those of the same section (or another) of another object. */
    private byte[] transplant(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        Span x = pick(seed.sections(), rnd);
        ObjectLayout other = pick(all, rnd);
        if (x == null || other == null) {
            return b;
        }
        Span y = other.section(x.name());
        if (y == null || rnd.nextInt(4) == 0) {
            y = pick(other.sections(), rnd);
        }
        if (y == null || !Bytes.fits(b, x.headerOffset(), 64) || y.offset() + y.length() > other.bytes().length) {
            return b;
        }
        if (y.length() <= x.length() && x.offset() + y.length() <= b.length && rnd.nextBoolean()) {
            System.arraycopy(other.bytes(), y.offset(), b, x.offset(), y.length());
            Bytes.put(b, x.headerOffset() + 32, 8, y.length(), seed.order());
            steps.add("overwrite " + x.name() + " with " + y.name() + " of " + other.name() + " in place");
            return b;
        }
        int at = (b.length + 7) & ~7;
        byte[] out = Arrays.copyOf(b, at + y.length());
        System.arraycopy(other.bytes(), y.offset(), out, at, y.length());
        Bytes.put(out, x.headerOffset() + 24, 8, at, seed.order());
        Bytes.put(out, x.headerOffset() + 32, 8, y.length(), seed.order());
        steps.add("replace " + x.name() + " with " + y.name() + " of " + other.name() + " appended at 0x"
                + Integer.toHexString(at));
        return out;
    }

    /** Copies a symbol's value, size, section or type to another symbol. */
    private byte[] symbols(ObjectLayout seed, byte[] b, SplittableRandom rnd, List<String> steps) {
        List<Field> values = seed.fields(Role.OFFSET).stream().filter(f -> f.name().endsWith("st_value")).toList();
        Field f = pick(values, rnd);
        Field g = pick(values, rnd);
        if (f == null || f == g) {
            return setField(seed, b, rnd, steps, null);
        }
        int fo = f.offset() - 8;
        int go = g.offset() - 8;
        if (!Bytes.fits(b, fo, 24) || !Bytes.fits(b, go, 24)) {
            return b;
        }
        switch (rnd.nextInt(3)) {
            case 0 -> {
                System.arraycopy(b, go + 8, b, fo + 8, 16);
                steps.add("copy st_value and st_size of " + g.name() + " to " + f.name());
            }
            case 1 -> {
                System.arraycopy(b, go + 6, b, fo + 6, 2);
                steps.add("copy st_shndx of " + g.name() + " to " + f.name());
            }
            default -> {
                System.arraycopy(b, go + 4, b, fo + 4, 2);
                steps.add("copy st_info and st_other of " + g.name() + " to " + f.name());
            }
        }
        return b;
    }
}
