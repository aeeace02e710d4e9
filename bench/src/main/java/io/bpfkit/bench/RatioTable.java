package io.bpfkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts JMH's results (CSV, {@code -rf csv}) beside open_bench's (its stdout) and prints one
 * table: item, bpfkit ns/op, libbpf ns/op, bpfkit/libbpf. Lower is better; 1.0 is parity.
 *
 * <p>open_bench lines: {@code result OP PATH MEAN_NS SD_NS OPS} and
 * {@code skip OP PATH REASON...}; OP is one of {@code open-file}, {@code open-mem},
 * {@code btf-file}, {@code btf-mem}. JMH benchmark methods map onto the same OPs.
 */
public final class RatioTable {
    private RatioTable() {
    }

    /** One side's measurement of one item. */
    record Score(double ns, double err) {
    }

    /** Keeps the OP order of the table, then items by name. */
    private static final List<String> OPS = List.of("btf-file", "btf-mem", "open-file", "open-mem");

    private static final Map<String, String> JMH_OPS = Map.of(
            "OpenBenchmark.openFile", "open-file",
            "OpenBenchmark.openBytes", "open-mem",
            "BtfBenchmark.parseFile", "btf-file",
            "BtfBenchmark.parseSegment", "btf-mem");

    /**
     * Entry point: {@code RatioTable JMH_CSV LINES...}, where each LINES file holds open_bench's
     * output or {@code skip} lines written by scripts/bench (a refusal by bpfkit, for example).
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: RatioTable JMH_RESULTS.csv OPEN_BENCH_OUTPUT [SKIP_LINES...]");
            System.exit(2);
        }
        Map<String, Score> java = Files.exists(Path.of(args[0])) ? readJmh(Path.of(args[0])) : Map.of();
        Map<String, Score> c = new TreeMap<>();
        Map<String, String> skipped = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            for (String line : Files.readAllLines(Path.of(args[i]))) {
                String[] f = line.trim().split("\\s+", 4);
                if (f[0].equals("result") && f.length == 4) {
                    String[] g = line.trim().split("\\s+");
                    c.put(key(g[1], g[2]), new Score(Double.parseDouble(g[3]), Double.parseDouble(g[4])));
                } else if (f[0].equals("skip") && f.length >= 3) {
                    skipped.merge(key(f[1], f[2]), f.length == 4 ? f[3] : "", (a, b) -> a + "; " + b);
                }
            }
        }
        System.out.print(render(java, c, skipped));
    }

    static String key(String op, String path) {
        return op + " " + path;
    }

    /** Reads JMH's CSV: Benchmark, Mode, Threads, Samples, Score, Score Error, Unit, Param: ... */
    static Map<String, Score> readJmh(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        Map<String, Score> out = new LinkedHashMap<>();
        if (lines.isEmpty()) {
            return out;
        }
        List<String> header = splitCsv(lines.get(0));
        int bench = header.indexOf("Benchmark");
        int score = header.indexOf("Score");
        int error = header.indexOf("Score Error (99.9%)");
        int unit = header.indexOf("Unit");
        int object = header.indexOf("Param: object");
        int btf = header.indexOf("Param: btf");
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = splitCsv(line);
            if (f.size() != header.size()) {
                continue;
            }
            String name = f.get(bench);
            String op = null;
            for (Map.Entry<String, String> e : JMH_OPS.entrySet()) {
                if (name.endsWith("." + e.getKey())) {
                    op = e.getValue();
                }
            }
            if (op == null || !f.get(unit).equals("ns/op")) {
                continue; // a secondary result (profilers) or an unknown benchmark
            }
            String param = op.startsWith("btf") ? f.get(btf) : f.get(object);
            double err = error < 0 || f.get(error).isEmpty() || f.get(error).equals("NaN")
                    ? Double.NaN : Double.parseDouble(f.get(error));
            out.put(key(op, param), new Score(Double.parseDouble(f.get(score)), err));
        }
        return out;
    }

    /** JMH quotes every text field and never puts a quote inside one. */
    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    static String render(Map<String, Score> java, Map<String, Score> c, Map<String, String> skipped) {
        TreeMap<String, String> items = new TreeMap<>((a, b) -> {
            int oa = OPS.indexOf(a.substring(0, a.indexOf(' ')));
            int ob = OPS.indexOf(b.substring(0, b.indexOf(' ')));
            return oa != ob ? Integer.compare(oa, ob) : a.compareTo(b);
        });
        for (String k : java.keySet()) {
            items.put(k, label(k));
        }
        for (String k : c.keySet()) {
            items.put(k, label(k));
        }
        for (String k : skipped.keySet()) {
            items.remove(k);
        }
        int width = Math.max(4, items.values().stream().mapToInt(String::length).max().orElse(4));
        StringBuilder sb = new StringBuilder();
        String fmt = "%-" + width + "s  %14s  %8s  %14s  %8s  %13s%n";
        sb.append(String.format(Locale.ROOT, fmt, "item", "bpfkit ns/op", "±99.9%", "libbpf ns/op", "±sd",
                "bpfkit/libbpf"));
        sb.append("-".repeat(width + 2 + 14 + 2 + 8 + 2 + 14 + 2 + 8 + 2 + 13)).append('\n');
        Map<String, double[]> logSums = new LinkedHashMap<>(); // op -> {sum of ln(ratio), count}
        for (Map.Entry<String, String> e : items.entrySet()) {
            Score j = java.get(e.getKey());
            Score n = c.get(e.getKey());
            String ratio = "-";
            if (j != null && n != null && n.ns() > 0) {
                double r = j.ns() / n.ns();
                ratio = String.format(Locale.ROOT, "%.2f", r);
                String op = e.getKey().substring(0, e.getKey().indexOf(' '));
                double[] s = logSums.computeIfAbsent(op, x -> new double[2]);
                s[0] += Math.log(r);
                s[1]++;
                double[] all = logSums.computeIfAbsent("all", x -> new double[2]);
                all[0] += Math.log(r);
                all[1]++;
            }
            sb.append(String.format(Locale.ROOT, fmt, e.getValue(),
                    j == null ? "missing" : ns(j.ns()), j == null ? "" : ns(j.err()),
                    n == null ? "missing" : ns(n.ns()), n == null ? "" : ns(n.err()), ratio));
        }
        if (!logSums.isEmpty()) {
            sb.append('\n').append("geometric mean of bpfkit/libbpf:");
            for (String op : OPS) {
                double[] s = logSums.get(op);
                if (s != null) {
                    sb.append(String.format(Locale.ROOT, "  %s %.2f (%d)", op, Math.exp(s[0] / s[1]), (int) s[1]));
                }
            }
            double[] all = logSums.get("all");
            sb.append(String.format(Locale.ROOT, "  all %.2f (%d)%n", Math.exp(all[0] / all[1]), (int) all[1]));
        }
        if (!skipped.isEmpty()) {
            sb.append('\n').append("skipped on both sides (one of them refuses the item):").append('\n');
            for (Map.Entry<String, String> e : skipped.entrySet()) {
                sb.append("  ").append(label(e.getKey())).append(": ").append(e.getValue()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String ns(double v) {
        if (Double.isNaN(v)) {
            return "?";
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** "open-file runtime/target/test-bpf/core.bpf.o" becomes "open-file runtime/core.bpf.o". */
    static String label(String key) {
        int sp = key.indexOf(' ');
        String op = key.substring(0, sp);
        String path = key.substring(sp + 1);
        String file = path.substring(path.lastIndexOf('/') + 1);
        int target = path.lastIndexOf("/target/");
        String where = "";
        if (target > 0) {
            String module = path.substring(0, target);
            where = module.substring(module.lastIndexOf('/') + 1) + "/";
        }
        return op + " " + where + file;
    }
}
