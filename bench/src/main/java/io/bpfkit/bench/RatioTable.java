package io.bpfkit.bench;

import io.bpfkit.bench.ResultLines.Score;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts the two sides' results next to each other and prints one table: item, bpfkit ns/op,
 * libbpf ns/op, bpfkit/libbpf (lower is better; 1.0 is parity), then the same ratio over each
 * side's fastest iteration and over process CPU time per operation: both are disturbed less
 * than the mean wall time when other processes share the CPUs.
 *
 * <p>Reads line files (fields separated by blanks): {@code bpfkit|libbpf OP PATH MEAN_NS
 * SPREAD_NS BEST_NS N [CPU_NS BEST_CPU_NS]} (from {@link JmhRunner} and open_bench) and {@code skip OP PATH
 * REASON...} (from open_bench and scripts/bench). OP is {@code open-file}, {@code open-mem},
 * {@code btf-file}, {@code btf-mem} or {@code load} (open + load + close); a skip's OP may be
 * {@code open} (both object ops).
 */
public final class RatioTable {
    private RatioTable() {
    }

    /** The OP order of the table; items are sorted by name within an OP. */
    private static final List<String> OPS = List.of("btf-file", "btf-mem", "open-file", "open-mem", "load",
            "map-lookup", "map-update", "map-dump-batch", "map-dump-keys", "map-mmap-read",
            "map-mmap-bulk");

    /** Entry point: {@code RatioTable FILE...}. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: RatioTable RESULT_LINES...");
            System.exit(2);
        }
        ResultLines r = ResultLines.read(args);
        System.out.print(render(r.bpfkit(), r.libbpf(), r.skipped()));
        System.out.print(mapTargets(r.bpfkit(), r.libbpf(), r.alloc()));
    }

    /**
     * The map benchmarks' targets: lookup and update at least 0.95 of C's throughput, a batch
     * dump at least 0.9 of C's and at least 10 times faster than key by key, a mapped array read
     * at most 1.5 times C's time; and the heap
     * allocated per operation (JMH's {@code -prof gc}).
     */
    static String mapTargets(Map<String, Score> bpfkit, Map<String, Score> libbpf, Map<String, Double> alloc) {
        StringBuilder sb = new StringBuilder();
        String[][] targets = {{"map-lookup hash-4-8", "0.95"}, {"map-update hash-4-8", "0.95"},
            {"map-dump-batch hash-1M", "0.90"}};
        for (String[] t : targets) {
            Score j = bpfkit.get(t[0]);
            Score c = libbpf.get(t[0]);
            if (j == null || c == null) {
                continue;
            }
            if (sb.isEmpty()) {
                sb.append('\n').append("map targets (throughput bpfkit/libbpf = libbpf ns / bpfkit ns; higher is "
                        + "better):\n");
            }
            double mean = c.mean() / j.mean();
            double best = c.best() / j.best();
            double cpu = c.cpu() / j.cpu();
            sb.append(String.format(Locale.ROOT, "  %-24s mean %5.2f  best %5.2f  cpu %5.2f   target >= %s (best): %s%n",
                    t[0], mean, best, cpu, t[1], best >= Double.parseDouble(t[1]) ? "met" : "NOT met"));
        }
        Score batch = bpfkit.get("map-dump-batch hash-1M");
        Score keys = bpfkit.get("map-dump-keys hash-1M");
        if (batch != null && keys != null) {
            double speedup = keys.mean() / batch.mean();
            sb.append(String.format(Locale.ROOT, "  %-24s batch is %.1fx faster than key by key (bpfkit)   "
                    + "target >= 10: %s%n", "map-dump", speedup, speedup >= 10 ? "met" : "NOT met"));
        }
        Score read = bpfkit.get("map-mmap-read array-mmap");
        Score cRead = libbpf.get("map-mmap-read array-mmap");
        if (read != null && cRead != null) {
            double best = read.best() / cRead.best();
            sb.append(String.format(Locale.ROOT, "  %-24s mean %5.2f  best %5.2f  (time bpfkit/C)    target <= 1.5 "
                    + "(best): %s%n", "map-mmap-read", read.mean() / cRead.mean(), best, best <= 1.5 ? "met" : "NOT met"));
        }
        if (!alloc.isEmpty()) {
            sb.append('\n').append("bpfkit heap allocation per operation (JMH -prof gc, gc.alloc.rate.norm):\n");
            for (Map.Entry<String, Double> e : alloc.entrySet()) {
                sb.append(String.format(Locale.ROOT, "  %-32s %12.2f B/op%n", label(e.getKey()), e.getValue()));
            }
        }
        return sb.toString();
    }

    static String render(Map<String, Score> bpfkit, Map<String, Score> libbpf, Map<String, String> skipped) {
        TreeMap<String, String> items = new TreeMap<>((a, b) -> {
            int oa = OPS.indexOf(a.substring(0, a.indexOf(' ')));
            int ob = OPS.indexOf(b.substring(0, b.indexOf(' ')));
            return oa != ob ? Integer.compare(oa, ob) : label(a).compareTo(label(b));
        });
        for (String k : bpfkit.keySet()) {
            items.put(k, label(k));
        }
        for (String k : libbpf.keySet()) {
            items.put(k, label(k));
        }
        int width = Math.max(4, items.values().stream().mapToInt(String::length).max().orElse(4));
        String fmt = "%-" + width + "s  %13s %11s  %13s %9s  %13s  %9s  %7s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, fmt, "item", "bpfkit ns/op", "±99.9%", "libbpf ns/op", "±sd",
                "bpfkit/libbpf", "best/best", "cpu/cpu"));
        sb.append("-".repeat(width + 2 + 13 + 1 + 11 + 2 + 13 + 1 + 9 + 2 + 13 + 2 + 9 + 2 + 7)).append('\n');
        // op -> {mean ratio, best ratio, cpu ratio}
        Map<String, List<double[]>> ratios = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : items.entrySet()) {
            Score j = bpfkit.get(e.getKey());
            Score c = libbpf.get(e.getKey());
            String ratio = "-";
            String bestRatio = "-";
            String cpuRatio = "-";
            if (j != null && c != null && c.mean() > 0 && c.best() > 0) {
                double r = j.mean() / c.mean();
                double b = j.best() / c.best();
                double u = j.cpu() / c.cpu(); // NaN when a side did not measure it
                ratio = String.format(Locale.ROOT, "%.2f", r);
                bestRatio = String.format(Locale.ROOT, "%.2f", b);
                cpuRatio = Double.isNaN(u) ? "-" : String.format(Locale.ROOT, "%.2f", u);
                String op = e.getKey().substring(0, e.getKey().indexOf(' '));
                ratios.computeIfAbsent(op, x -> new ArrayList<>()).add(new double[] {r, b, u});
                ratios.computeIfAbsent("all", x -> new ArrayList<>()).add(new double[] {r, b, u});
            }
            sb.append(String.format(Locale.ROOT, fmt, e.getValue(),
                    j == null ? "missing" : ns(j.mean()), j == null ? "" : ns(j.spread()),
                    c == null ? "missing" : ns(c.mean()), c == null ? "" : ns(c.spread()),
                    ratio, bestRatio, cpuRatio));
        }
        if (!ratios.isEmpty()) {
            sb.append('\n').append("geometric means of bpfkit/libbpf (mean, best/best, cpu/cpu):\n");
            List<String> order = new ArrayList<>(OPS);
            order.add("all");
            for (String op : order) {
                List<double[]> rs = ratios.get(op);
                if (rs == null) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "  %-9s %5.2f  %5.2f  %5.2f   (%d items)%n", op,
                        geomean(rs, 0), geomean(rs, 1), geomean(rs, 2), rs.size()));
            }
        }
        if (!skipped.isEmpty()) {
            sb.append('\n').append("skipped on both sides (one of them refuses the item):").append('\n');
            for (Map.Entry<String, String> e : skipped.entrySet()) {
                sb.append("  ").append(label(e.getKey())).append(": ").append(e.getValue()).append('\n');
            }
        }
        return sb.toString();
    }

    private static double geomean(List<double[]> rs, int index) {
        double sum = 0;
        for (double[] r : rs) {
            sum += Math.log(r[index]);
        }
        return Math.exp(sum / rs.size());
    }

    private static String ns(double v) {
        if (Double.isNaN(v)) {
            return "?";
        }
        return String.format(Locale.ROOT, v < 100 ? "%.1f" : "%,.0f", v); // a mapped read is about a nanosecond
    }

    /** "open-file runtime/target/test-bpf/core.bpf.o" becomes "open-file runtime/core.bpf.o". */
    static String label(String key) {
        int sp = key.indexOf(' ');
        String op = key.substring(0, sp);
        String path = key.substring(sp + 1);
        String file = path.substring(path.lastIndexOf('/') + 1);
        int target = path.lastIndexOf("/target/");
        String where = "";
        if (path.contains("/libbpf-tools-")) {
            where = "libbpf-tools/";
        } else if (path.startsWith("target/selftests/") || path.contains("/target/selftests/")) {
            where = "selftests/";
        } else if (target >= 0) {
            String module = path.substring(0, target);
            where = module.substring(module.lastIndexOf('/') + 1) + "/";
        }
        return op + " " + where + file;
    }
}
