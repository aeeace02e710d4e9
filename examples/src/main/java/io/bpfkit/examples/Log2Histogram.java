package io.bpfkit.examples;

import java.util.Locale;

/**
 * Draws a log2 histogram (slot k counts values in {@code [2^k, 2^(k+1))}, slot 0 also 0 and 1)
 * as terminal bars, the way BCC's biolatency does:
 *
 * <pre>
 *      usecs               : count    distribution
 *       4096 -> 8191       : 2        |*****                                   |
 *       8192 -> 16383      : 16       |****************************************|
 * </pre>
 *
 * Only the slots from the first to the last non-empty one are drawn.
 */
public final class Log2Histogram {
    private static final int BAR = 40;

    private Log2Histogram() {
    }

    /** The histogram of {@code slots} with values in {@code unit} ("usecs", "nsecs"), lines ending in a newline. */
    public static String draw(long[] slots, String unit) {
        int first = -1;
        int last = -1;
        long max = 0;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != 0) {
                first = first < 0 ? i : first;
                last = i;
                max = Math.max(max, slots[i]);
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%10s%-14s : count    distribution%n", unit, ""));
        for (int i = Math.max(first, 0); i <= last; i++) {
            long low = i == 0 ? 0 : 1L << i;
            long high = (1L << (i + 1)) - 1;
            int stars = (int) (slots[i] * BAR / max);
            String range = i == slots.length - 1 ? String.format(Locale.ROOT, "%10d -> ...", low)
                    : String.format(Locale.ROOT, "%10d -> %-10d", low, high);
            sb.append(String.format(Locale.ROOT, "%-24s : %-8d |%-" + BAR + "s|%n", range, slots[i],
                    "*".repeat(stars)));
        }
        return sb.toString();
    }

    /** The sum of the slots. */
    public static long total(long[] slots) {
        long sum = 0;
        for (long s : slots) {
            sum += s;
        }
        return sum;
    }
}
