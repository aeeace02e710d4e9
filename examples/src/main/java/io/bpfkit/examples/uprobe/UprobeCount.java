package io.bpfkit.examples.uprobe;

import io.bpfkit.examples.Log2Histogram;
import io.bpfkit.examples.ToolArgs;
import io.bpfkit.examples.ToolMain;
import io.bpfkit.examples.ToolSession;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.link.UprobeOptions;
import io.bpfkit.link.UprobeTargets;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bpfkit uprobe-count}: counts and times the calls of one function of a native library
 * or program, with a uprobe on its entry and a uretprobe on its return, in one process or all.
 *
 * <pre>
 * $ ./bpfkit uprobe-count --pid 4242 --duration 5 libz.so.1 crc32
 * crc32 in /usr/lib/x86_64-linux-gnu/libz.so.1.2.13, process 4242, 5.0 s: 1200 calls, average 310 ns
 *      nsecs               : count    distribution
 *        256 -> 511        : 1100     |****************************************|
 * </pre>
 */
public final class UprobeCount {
    static final String USAGE = """
            usage: bpfkit uprobe-count [--pid PID] [--duration SECONDS] LIBRARY FUNCTION
              Counts the calls of FUNCTION in LIBRARY (a path, or a name such as libc.so.6 looked up
              in the process's mappings, then the library directories) and times them: total,
              average and a log2 histogram of nanoseconds per call.
              --pid P        only calls made by process P (default: every process)
              --duration S   trace for S seconds (default 5; Ctrl-C ends early)
            Needs root (or CAP_BPF and CAP_PERFMON).""";

    private UprobeCount() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the tool; {@code attached} runs once both probes are in place. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable attached) {
        return ToolMain.run("uprobe-count", USAGE, args, Set.of("--pid", "--duration"), Set.of(), out, err,
                a -> trace(a, out, err, attached));
    }

    private static int trace(ToolArgs args, PrintStream out, PrintStream err, Runnable attached) {
        if (args.positional().size() != 2) {
            throw new IllegalArgumentException("give a LIBRARY and a FUNCTION");
        }
        int pid = args.positiveInt("--pid", -1);
        double seconds = args.seconds("--duration", 5);
        Path library = UprobeTargets.resolveBinary(args.positional().get(0), pid);
        String function = args.positional().get(1);
        UprobeOptions where = UprobeOptions.of(library.toString(), function).pid(pid);
        long start = System.nanoTime();
        try (ToolSession session = new ToolSession(seconds);
             CallProbe probe = CallProbeBinding.open().load();
             Link entry = Attach.uprobe(probe.onEntry(), where);
             Link exit = Attach.uprobe(probe.onReturn(), where.retprobe(true))) {
            err.println("bpfkit uprobe-count: " + entry.name() + ", " + exit.name() + "; Ctrl-C to end early");
            attached.run();
            session.await();
            CallStats s = probe.stats().get(0);
            out.printf(Locale.ROOT, "%s in %s, %s, %.1f s: %d calls, %d timed, total %d ns, average %d ns%n",
                    function, library, pid > 0 ? "process " + pid : "every process",
                    (System.nanoTime() - start) / 1e9, s.calls(), s.timed(), s.totalNs(),
                    s.timed() == 0 ? 0 : s.totalNs() / s.timed());
            out.print(Log2Histogram.draw(s.slots(), "nsecs"));
            return 0;
        }
    }
}
