package io.bpfkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result lines every harness writes (fields separated by blanks), read into maps keyed by
 * {@code "OP PATH"}:
 * <ul>
 * <li>{@code bpfkit|libbpf OP PATH MEAN_NS SPREAD_NS BEST_NS N [CPU_NS BEST_CPU_NS]}: from
 *     {@link JmhRunner} and the C harnesses (open_bench, maps_bench, events_bench);
 * <li>{@code alloc OP PATH BYTES_PER_OP}: JMH's {@code -prof gc} through {@link JmhRunner};
 * <li>{@code skip OP PATH REASON...}: an item one side refuses (scripts/bench, open_bench);
 * <li>{@code javac MODE WALL_MS CPU_MS}: one javac run over the examples (scripts/bench).
 * </ul>
 * Files that do not exist are ignored (a part of a run that did not get that far).
 */
record ResultLines(Map<String, Score> bpfkit, Map<String, Score> libbpf, Map<String, Double> alloc,
        Map<String, String> skipped, Map<String, double[]> javac) {

    /** One side's measurement of one item. */
    record Score(double mean, double spread, double best, double cpu) {
    }

    static String key(String op, String path) {
        return op + " " + path;
    }

    /** A figure as Java or awk print it (awk's printf writes NaN, a spread of two iterations, as "nan"). */
    private static double number(String figure) {
        return figure.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(figure);
    }

    static ResultLines read(String... files) throws IOException {
        ResultLines r = new ResultLines(new LinkedHashMap<>(), new LinkedHashMap<>(), new TreeMap<>(), new TreeMap<>(),
                new LinkedHashMap<>());
        for (String arg : files) {
            Path file = Path.of(arg);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if ((f[0].equals("bpfkit") || f[0].equals("libbpf")) && f.length >= 6) {
                    Score s = new Score(number(f[3]), number(f[4]), number(f[5]),
                            f.length >= 8 ? number(f[7]) : Double.NaN);
                    (f[0].equals("bpfkit") ? r.bpfkit : r.libbpf).put(key(f[1], f[2]), s);
                } else if (f[0].equals("alloc") && f.length >= 4) {
                    r.alloc.put(key(f[1], f[2]), number(f[3]));
                } else if (f[0].equals("skip") && f.length >= 3) {
                    String[] g = line.trim().split("\\s+", 4);
                    r.skipped.merge(key(g[1], g[2]), g.length == 4 ? g[3] : "", (a, b) -> a + "; " + b);
                } else if (f[0].equals("javac") && f.length >= 4) {
                    double[] runs = r.javac.getOrDefault(f[1], new double[0]);
                    double[] more = java.util.Arrays.copyOf(runs, runs.length + 2);
                    more[runs.length] = Double.parseDouble(f[2]);
                    more[runs.length + 1] = Double.parseDouble(f[3]);
                    r.javac.put(f[1], more);
                }
            }
        }
        return r;
    }
}
