package io.bpfkit.examples.syslat;

import io.bpfkit.examples.Log2Histogram;
import io.bpfkit.examples.ToolArgs;
import io.bpfkit.examples.ToolMain;
import io.bpfkit.examples.ToolSession;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;

/**
 * {@code bpfkit syslat}: how long system calls take, one log2 histogram per system call, drawn
 * as terminal bars when the time is up (or on Ctrl-C).
 *
 * <pre>
 * $ ./bpfkit syslat --duration 5 --syscall clock_nanosleep
 * clock_nanosleep (230): 12 calls
 *      usecs               : count    distribution
 *       8192 -> 16383      : 12       |****************************************|
 * </pre>
 */
public final class SysLat {
    static final String USAGE = """
            usage: bpfkit syslat [--duration SECONDS] [--syscall NAME|NUMBER] [--pid PID] [--top N]
              Log2 histograms of system call latency (microseconds from sys_enter to sys_exit),
              one per system call, busiest first.
              --duration S   trace for S seconds (default 5; Ctrl-C ends early)
              --syscall C    only this system call (name as in asm/unistd_64.h, or number)
              --pid P        only this process
              --top N        draw the N system calls with the most calls (default 10)
            Needs root (or CAP_BPF and CAP_PERFMON).""";

    private SysLat() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the tool; {@code attached} runs once system calls are being timed. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable attached) {
        return ToolMain.run("syslat", USAGE, args, Set.of("--duration", "--syscall", "--pid", "--top"), Set.of(),
                out, err, a -> trace(a, out, err, attached));
    }

    private static int trace(ToolArgs args, PrintStream out, PrintStream err, Runnable attached) {
        double seconds = args.seconds("--duration", 5);
        SyscallNames names = SyscallNames.load();
        int syscall = args.has("--syscall") ? names.number(args.get("--syscall", "")) : -1;
        int pid = args.positiveInt("--pid", 0);
        int top = args.positiveInt("--top", 10);
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument " + args.positional().getFirst());
        }
        try (ToolSession session = new ToolSession(seconds);
             SysLatProbe probe = SysLatProbeBinding.open().targetPid(pid).targetSyscall(syscall).load()) {
            err.println("bpfkit syslat: timing " + (syscall < 0 ? "every system call" : names.name(syscall))
                    + (pid > 0 ? " of process " + pid : "") + "; Ctrl-C to end early");
            attached.run();
            session.await();
            Map<Integer, LatencyHist> hists = probe.hists().snapshot();
            hists.entrySet().stream()
                    .sorted(Comparator.comparingLong(
                            (Map.Entry<Integer, LatencyHist> e) -> Log2Histogram.total(e.getValue().slots())).reversed())
                    .limit(top)
                    .forEach(e -> out.printf("%n%s (%d): %d calls%n%s", names.name(e.getKey()), e.getKey(),
                            Log2Histogram.total(e.getValue().slots()), Log2Histogram.draw(e.getValue().slots(), "usecs")));
            if (hists.isEmpty()) {
                out.println("no system calls seen");
            }
            if (probe.dropped() > 0) {
                err.println("bpfkit syslat: " + probe.dropped() + " calls not counted (map full)");
            }
            return 0;
        }
    }
}
