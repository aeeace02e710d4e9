package io.bpfkit.bench;

import io.bpfkit.bench.ResultLines.Score;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of {@code scripts/bench --all}: every figure the issues ask for, with bpfkit's
 * number, libbpf's (or the baseline named in the figure), the ratio, the target and whether it
 * is met. Time ratios are bpfkit / libbpf (lower is better), throughput ratios libbpf /
 * bpfkit time (higher is better); the target column says which. Targets are judged on the
 * ratio of each side's best iteration, which other processes on the machine disturb least; the
 * ratio of means is printed beside it.
 *
 * <p>Usage: {@code Summary RESULT_LINES...} (the files {@link ResultLines} reads).
 */
public final class Summary {
    private final ResultLines r;
    private final List<String[]> rows = new ArrayList<>();

    private Summary(ResultLines r) {
        this.r = r;
    }

    /** Entry point. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Summary RESULT_LINES...");
            System.exit(2);
        }
        System.out.print(new Summary(ResultLines.read(args)).render());
    }

    /** How a ratio is formed (time or throughput) and whether it has a limit to reach. */
    private enum Target {
        TIME, THROUGHPUT, TIME_AT_MOST, THROUGHPUT_AT_LEAST;

        boolean throughput() {
            return this == THROUGHPUT || this == THROUGHPUT_AT_LEAST;
        }

        boolean judged() {
            return this == TIME_AT_MOST || this == THROUGHPUT_AT_LEAST;
        }
    }

    String render() {
        btfAndOpen();
        loads();
        core();
        maps();
        events();
        pmu();
        binding();
        javac();
        return table();
    }

    private void btfAndOpen() {
        pair("btf parse, file (vmlinux)", "btf-file", Target.TIME, 0);
        pair("btf parse, in memory (vmlinux)", "btf-mem", Target.TIME, 0);
        geoMean("open file, geo mean", "open-file", Target.TIME, 0);
        geoMean("open in memory, geo mean", "open-mem", Target.TIME, 0);
    }

    private void loads() {
        for (String key : keys("load")) {
            Target t = Target.TIME_AT_MOST;
            double limit = key.contains("core_heavy") ? 1.0 : 1.05;
            row("open+load+close " + RatioTable.label(key).substring("load ".length()), key, key, t, limit);
        }
        geoMean("open+load+close, geo mean", "load", Target.TIME_AT_MOST, 1.05);
    }

    private void core() {
        single("CO-RE per relocation, kernel BTF indexed", "core-relocate core_heavy", "< 1000 ns", 1000);
        single("CO-RE per relocation, cold candidate cache", "core-relocate-cold core_heavy", "", Double.NaN);
        single("kernel BTF parse + index + 165 relocations", "core-parse-index vmlinux", "", Double.NaN);
        single("kernel BTF parse + name index", "core-parse-name-index vmlinux", "", Double.NaN);
    }

    private void maps() {
        row("map lookup, hash u32->u64", "map-lookup hash-4-8", "map-lookup hash-4-8", Target.THROUGHPUT_AT_LEAST,
                0.95);
        row("map update, hash u32->u64", "map-update hash-4-8", "map-update hash-4-8", Target.THROUGHPUT_AT_LEAST,
                0.95);
        row("dump 1M hash, batch", "map-dump-batch hash-1M", "map-dump-batch hash-1M", Target.THROUGHPUT_AT_LEAST,
                0.9);
        row("dump 1M hash, key by key", "map-dump-keys hash-1M", "map-dump-keys hash-1M", Target.TIME, 0);
        Score batch = r.bpfkit().get("map-dump-batch hash-1M");
        Score keys = r.bpfkit().get("map-dump-keys hash-1M");
        if (batch != null && keys != null) {
            double speedup = keys.best() / batch.best();
            rows.add(new String[] {"dump 1M: bpfkit batch speed-up over key by key", "", "",
                fmt(keys.mean() / batch.mean(), "x"), fmt(speedup, "x"), "", ">= 10x",
                speedup >= 10 ? "met" : "NOT met"});
        }
        row("mmap'd array read", "map-mmap-read array-mmap", "map-mmap-read array-mmap", Target.TIME_AT_MOST, 1.5);
        row("mmap'd array bulk read (per element)", "map-mmap-bulk array-mmap", "map-mmap-bulk array-mmap",
                Target.TIME, 0);
    }

    private void events() {
        // Judged turn by turn in one JVM: JMH and the C harness run minutes apart, and the host's
        // sharing of a vCPU's core in between moves bpfkit's ratio by a third (scripts/bench).
        row("ring buffer, zero-copy, turn by turn in one JVM", "ringbuf-turns events", "ringbuf-turns events",
                Target.THROUGHPUT_AT_LEAST, 1.0);
        row("ring buffer, zero-copy view (per event)", "ringbuf-consume events", "ringbuf-consume events",
                Target.THROUGHPUT, 0);
        row("ring buffer, decoded by a codec", "ringbuf-codec-consume events", "ringbuf-consume events",
                Target.THROUGHPUT, 0);
        row("ring buffer, produce + consume", "ringbuf-e2e events", "ringbuf-e2e events", Target.THROUGHPUT, 0);
        row("perf buffer (per event)", "perf-consume events", "perf-consume events", Target.THROUGHPUT, 0);
        row("perf buffer, produce + consume", "perf-e2e events", "perf-e2e events", Target.THROUGHPUT, 0);
    }

    private void pmu() {
        single("PMU read, one counter on every CPU (Java)", "pmu-read-set pmu", "", Double.NaN);
        Score with = r.bpfkit().get("pmu-testrun-3-reads pmu");
        Score without = r.bpfkit().get("pmu-testrun-no-reads pmu");
        if (with != null && without != null) {
            rows.add(new String[] {"PMU read in BPF (test run delta / 3)", ns((with.mean() - without.mean()) / 3), "",
                "", "", "", "reported", ""});
        }
    }

    private void binding() {
        for (String op : List.of("lookup", "update")) {
            Score b = r.bpfkit().get("binding-" + op + " syscount");
            Score rt = r.bpfkit().get("runtime-" + op + " syscount");
            if (b == null || rt == null) {
                continue;
            }
            double best = b.best() / rt.best();
            rows.add(new String[] {"map " + op + ": binding (vs runtime API)", ns(b.mean()), ns(rt.mean()),
                fmt(b.mean() / rt.mean(), ""), fmt(best, ""), alloc("binding-" + op + " syscount"),
                "time <= 1.05 (same cost)", best <= 1.05 ? "met" : "NOT met"});
        }
    }

    private void javac() {
        double[] none = r.javac().get("none");
        for (Map.Entry<String, double[]> e : r.javac().entrySet()) {
            if (e.getKey().equals("none")) {
                continue;
            }
            double wall = medianOf(e.getValue(), 0);
            String what = e.getKey().equals("checked") ? "processor, object checked" : "processor, no object";
            rows.add(new String[] {"javac examples: " + what + " (vs none)", ms(wall),
                none == null ? "" : ms(medianOf(none, 0)), none == null ? "" : fmt(wall / medianOf(none, 0), ""), "",
                "", "reported", ""});
        }
        if (none != null) {
            rows.add(new String[] {"javac examples: no processor", ms(medianOf(none, 0)), "", "", "", "", "reported", ""});
        }
    }

    /** A bpfkit-only figure, with an absolute limit in ns when {@code limit} is a number. */
    private void single(String figure, String key, String target, double limit) {
        Score s = r.bpfkit().get(key);
        if (s == null) {
            return;
        }
        boolean judged = !Double.isNaN(limit);
        rows.add(new String[] {figure, ns(s.mean()), "", "", "", alloc(key), judged ? target : "reported",
            judged ? (s.best() < limit ? "met" : "NOT met") : ""});
    }

    private void pair(String figure, String op, Target t, double limit) {
        for (String key : keys(op)) {
            row(figure, key, key, t, limit);
        }
    }

    private void row(String figure, String key, String libbpfKey, Target t, double limit) {
        Score j = r.bpfkit().get(key);
        Score c = r.libbpf().get(libbpfKey);
        if (j == null && c == null) {
            String skip = r.skipped().get(key);
            if (skip != null) {
                rows.add(new String[] {figure, "skipped", "", "", "", "", skip, ""});
            }
            return;
        }
        double mean = Double.NaN;
        double best = Double.NaN;
        if (j != null && c != null) {
            boolean thrpt = t.throughput();
            mean = thrpt ? c.mean() / j.mean() : j.mean() / c.mean();
            best = thrpt ? c.best() / j.best() : j.best() / c.best();
        }
        rows.add(new String[] {figure, j == null ? "missing" : ns(j.mean()), c == null ? "missing" : ns(c.mean()),
            fmt(mean, ""), fmt(best, ""), alloc(key), target(t, limit), verdict(t, limit, best)});
    }

    private void geoMean(String figure, String op, Target t, double limit) {
        List<String> ks = keys(op).stream().filter(k -> r.libbpf().containsKey(k)).toList();
        if (ks.isEmpty()) {
            return;
        }
        double lj = 0;
        double lc = 0;
        double lm = 0;
        double lb = 0;
        for (String k : ks) {
            Score j = r.bpfkit().get(k);
            Score c = r.libbpf().get(k);
            lj += Math.log(j.mean());
            lc += Math.log(c.mean());
            lm += Math.log(j.mean() / c.mean());
            lb += Math.log(j.best() / c.best());
        }
        int n = ks.size();
        double best = Math.exp(lb / n);
        rows.add(new String[] {figure + " (" + n + " objects)", ns(Math.exp(lj / n)), ns(Math.exp(lc / n)),
            fmt(Math.exp(lm / n), ""), fmt(best, ""), "", target(t, limit), verdict(t, limit, best)});
    }

    /** bpfkit's items of one OP, sorted by label. */
    private List<String> keys(String op) {
        return r.bpfkit().keySet().stream().filter(k -> k.startsWith(op + " "))
                .sorted((a, b) -> RatioTable.label(a).compareTo(RatioTable.label(b))).toList();
    }

    private String alloc(String key) {
        Double b = r.alloc().get(key);
        return b == null ? "" : fmt(b, "");
    }

    private static String target(Target t, double limit) {
        return switch (t) {
            case TIME -> "reported (time)";
            case THROUGHPUT -> "reported (throughput)";
            case TIME_AT_MOST -> String.format(Locale.ROOT, "time <= %.2f", limit);
            case THROUGHPUT_AT_LEAST -> String.format(Locale.ROOT, "throughput >= %.2f", limit);
        };
    }

    private static String verdict(Target t, double limit, double ratio) {
        if (!t.judged()) {
            return "";
        }
        if (Double.isNaN(ratio)) {
            return "no figure";
        }
        boolean met = t == Target.TIME_AT_MOST ? ratio <= limit : ratio >= limit;
        return met ? "met" : "NOT met";
    }

    private static double medianOf(double[] pairs, int field) {
        double[] v = new double[pairs.length / 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = pairs[2 * i + field];
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String ns(double v) {
        if (Double.isNaN(v)) {
            return "?";
        }
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%,.2f ms", v / 1e6);
        }
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.1f µs", v / 1e3);
        }
        return String.format(Locale.ROOT, v < 100 ? "%.2f ns" : "%,.0f ns", v);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%,.0f ms", v);
    }

    private static String fmt(double v, String unit) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f%s", v, unit);
    }

    private String table() {
        String[] head = {"figure", "bpfkit", "libbpf C", "ratio", "ratio best", "B/op", "target", "status"};
        int[] w = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        for (String[] row : all) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : all) {
            sb.append("| ");
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                boolean right = i >= 1 && i <= 5;
                sb.append(right ? " ".repeat(w[i] - cell.length()) + cell : cell + " ".repeat(w[i] - cell.length()));
                sb.append(" |").append(i + 1 < row.length ? " " : "");
            }
            sb.append('\n');
            if (row == head) {
                sb.append('|');
                for (int i = 0; i < w.length; i++) {
                    boolean right = i >= 1 && i <= 5;
                    sb.append(right ? "-".repeat(w[i] + 1) + ":" : "-".repeat(w[i] + 2)).append('|');
                }
                sb.append('\n');
            }
        }
        if (!r.skipped().isEmpty()) {
            sb.append("\nnot measured (one side refuses the item; reasons cut, in full in detail.txt):\n");
            for (Map.Entry<String, String> e : r.skipped().entrySet()) {
                String why = e.getValue();
                sb.append("  ").append(RatioTable.label(e.getKey())).append(": ")
                        .append(why.length() > 90 ? why.substring(0, 90) + "..." : why).append('\n');
            }
        }
        return sb.toString();
    }
}
