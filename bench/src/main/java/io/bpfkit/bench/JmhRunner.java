package io.bpfkit.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with its usual command line, then appends one line per benchmark and parameter to
 * a results file, in open_bench's form:
 * {@code bpfkit OP PATH MEAN_NS ERROR_NS BEST_ITERATION_NS ITERATIONS CPU_NS BEST_CPU_NS},
 * and, with {@code -prof gc}, {@code alloc OP PATH BYTES_PER_OP}; where ERROR is JMH's 99.9% confidence half-width (NaN with fewer than two iterations), BEST
 * is the fastest measured iteration of all forks, and the CPU fields are process CPU time per
 * operation from {@link CpuTimeProfiler} (NaN when that profiler is not on the command line).
 *
 * <p>Usage: {@code JmhRunner RESULTS_FILE [JMH ARGUMENTS...]}.
 */
public final class JmhRunner {
    /**
     * JMH benchmark method to the OP names the C harnesses use; for the map benchmarks, OP and
     * the fixed item name (maps_bench's and events_bench's PATH; a name of our own where C has no
     * counterpart).
     */
    static final Map<String, String> OPS = Map.ofEntries(
            Map.entry(OpenBenchmark.class.getName() + ".openFile", "open-file"),
            Map.entry(OpenBenchmark.class.getName() + ".openBytes", "open-mem"),
            Map.entry(BtfBenchmark.class.getName() + ".parseFile", "btf-file"),
            Map.entry(BtfBenchmark.class.getName() + ".parseSegment", "btf-mem"),
            Map.entry(LoadBenchmark.class.getName() + ".openLoadClose", "load"),
            Map.entry(MapBenchmark.class.getName() + ".lookup", "map-lookup hash-4-8"),
            Map.entry(MapBenchmark.class.getName() + ".update", "map-update hash-4-8"),
            Map.entry(MapBenchmark.class.getName() + ".dumpBatch", "map-dump-batch hash-1M"),
            Map.entry(MapBenchmark.class.getName() + ".dumpKeys", "map-dump-keys hash-1M"),
            Map.entry(MapBenchmark.class.getName() + ".mmapRead", "map-mmap-read array-mmap"),
            Map.entry(MapBenchmark.class.getName() + ".mmapBulkRead", "map-mmap-bulk array-mmap"),
            Map.entry(EventsBenchmark.class.getName() + ".ringbufConsume", "ringbuf-consume events"),
            Map.entry(EventsBenchmark.class.getName() + ".ringbufCodecConsume", "ringbuf-codec-consume events"),
            Map.entry(EventsBenchmark.class.getName() + ".ringbufE2e", "ringbuf-e2e events"),
            Map.entry(EventsBenchmark.class.getName() + ".perfConsume", "perf-consume events"),
            Map.entry(EventsBenchmark.class.getName() + ".perfE2e", "perf-e2e events"),
            Map.entry(CoreBenchmark.class.getName() + ".relocate", "core-relocate core_heavy"),
            Map.entry(CoreBenchmark.class.getName() + ".relocateColdRelocator", "core-relocate-cold core_heavy"),
            Map.entry(CoreBenchmark.class.getName() + ".parseAndIndex", "core-parse-index vmlinux"),
            Map.entry(CoreBenchmark.class.getName() + ".parseAndNameIndex", "core-parse-name-index vmlinux"),
            Map.entry(PmuBenchmark.class.getName() + ".readCounterSet", "pmu-read-set pmu"),
            Map.entry(PmuBenchmark.class.getName() + ".testRunWithThreeReads", "pmu-testrun-3-reads pmu"),
            Map.entry(PmuBenchmark.class.getName() + ".testRunWithoutReads", "pmu-testrun-no-reads pmu"),
            Map.entry(BindingBenchmark.class.getName() + ".lookupBinding", "binding-lookup syscount"),
            Map.entry(BindingBenchmark.class.getName() + ".lookupRuntime", "runtime-lookup syscount"),
            Map.entry(BindingBenchmark.class.getName() + ".updateBinding", "binding-update syscount"),
            Map.entry(BindingBenchmark.class.getName() + ".updateRuntime", "runtime-update syscount"));

    private JmhRunner() {
    }

    /** Entry point. */
    public static void main(String[] args) throws IOException, RunnerException, CommandLineOptionException {
        if (args.length == 0) {
            System.err.println("usage: JmhRunner RESULTS_FILE [JMH ARGUMENTS...]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        CommandLineOptions options = new CommandLineOptions(Arrays.copyOfRange(args, 1, args.length));
        var results = new Runner(options).run();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            for (RunResult r : results) {
                String op = OPS.get(r.getParams().getBenchmark());
                if (op == null || !r.getPrimaryResult().getScoreUnit().equals("ns/op")) {
                    continue;
                }
                String path;
                if (op.indexOf(' ') > 0) {
                    path = op.substring(op.indexOf(' ') + 1);
                    op = op.substring(0, op.indexOf(' '));
                } else {
                    path = op.startsWith("btf") ? r.getParams().getParam("btf") : r.getParams().getParam("object");
                }
                double best = Double.POSITIVE_INFINITY;
                double bestCpu = Double.POSITIVE_INFINITY;
                int n = 0;
                for (BenchmarkResult fork : r.getBenchmarkResults()) {
                    for (IterationResult it : fork.getIterationResults()) {
                        best = Math.min(best, it.getPrimaryResult().getScore());
                        var cpu = it.getSecondaryResults().get(CpuTimeProfiler.LABEL);
                        bestCpu = Math.min(bestCpu, cpu == null ? Double.NaN : cpu.getScore());
                        n++;
                    }
                }
                var cpu = r.getSecondaryResults().get(CpuTimeProfiler.LABEL);
                for (String label : r.getSecondaryResults().keySet()) { // -prof gc
                    if (label.endsWith("gc.alloc.rate.norm")) {
                        w.println(String.format(Locale.ROOT, "alloc %s %s %.2f", op, path,
                                r.getSecondaryResults().get(label).getScore()));
                    }
                }
                w.println(String.format(Locale.ROOT, "bpfkit %s %s %.1f %.1f %.1f %d %.1f %.1f", op, path,
                        r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(), best, n,
                        cpu == null ? Double.NaN : cpu.getScore(), bestCpu));
            }
        }
    }
}
