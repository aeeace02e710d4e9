package io.bpfkit.sys;

import io.bpfkit.api.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The CPUs of this machine as the kernel lists them in {@code /sys/devices/system/cpu}:
 * {@code possible} (what per-CPU maps are sized for) and {@code online}.
 *
 * <pre>{@code
 * int n = Cpus.possibleCount();            // values in a per-CPU map lookup
 * int[] online = Cpus.online();            // e.g. [0, 1, 2, 3]
 * Cpus.parseList("0-3,5");                  // [0, 1, 2, 3, 5]
 * }</pre>
 */
public final class Cpus {
    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");
    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private static volatile int[] possible;

    private Cpus() {
    }

    /** The possible CPUs (read once; it does not change while the system runs). */
    public static int[] possible() {
        int[] p = possible;
        if (p == null) {
            p = read(POSSIBLE);
            possible = p;
        }
        return p.clone();
    }

    /** How many CPUs are possible: the number of values of a per-CPU map element. */
    public static int possibleCount() {
        int[] p = possible;
        if (p == null) {
            p = read(POSSIBLE);
            possible = p;
        }
        return p.length;
    }

    /** The CPUs online now. */
    public static int[] online() {
        return read(ONLINE);
    }

    private static int[] read(Path p) {
        try {
            return parseList(Files.readString(p));
        } catch (IOException e) {
            throw new BpfException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a kernel CPU list such as {@code 0-3,5,7-8} into sorted CPU numbers.
     *
     * @throws IllegalArgumentException for text that is not a CPU list
     */
    public static int[] parseList(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return new int[0];
        }
        int[] out = new int[8];
        int n = 0;
        for (String part : s.split(",")) {
            String r = part.strip();
            int dash = r.indexOf('-');
            int lo;
            int hi;
            try {
                lo = Integer.parseInt(dash < 0 ? r : r.substring(0, dash));
                hi = dash < 0 ? lo : Integer.parseInt(r.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new BpfException("not a CPU list: '" + text + "'", e);
            }
            if (lo < 0 || hi < lo || hi > 1 << 20) {
                throw new BpfException("not a CPU range: '" + r + "' in '" + text + "'");
            }
            for (int c = lo; c <= hi; c++) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = c;
            }
        }
        int[] res = Arrays.copyOf(out, n);
        Arrays.sort(res);
        return Arrays.stream(res).distinct().toArray();
    }
}
