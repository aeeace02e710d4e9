package io.bpfkit.examples.execsnoop;

import io.bpfkit.events.RingBufferReader;
import io.bpfkit.examples.ToolArgs;
import io.bpfkit.examples.ToolMain;
import io.bpfkit.examples.ToolSession;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;

/**
 * {@code bpfkit execsnoop}: prints every exec on the machine as it happens, with the process,
 * its parent, the command and its arguments.
 *
 * <pre>
 * $ ./bpfkit execsnoop
 *     PID    PPID   UID COMM             ARGS
 *   41822   41790     0 ls               ls --color=auto -l /tmp
 * </pre>
 */
public final class ExecSnoop {
    static final String USAGE = """
            usage: bpfkit execsnoop [--duration SECONDS]
              Prints every exec (new program) on the machine: pid, parent pid, user id, command
              and arguments (argv, the first 256 bytes), from a ring buffer, until Ctrl-C.
              --duration S   stop after S seconds
            Needs root (or CAP_BPF and CAP_PERFMON).""";

    private ExecSnoop() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the tool; {@code attached} runs once execs are being traced. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable attached) {
        return ToolMain.run("execsnoop", USAGE, args, Set.of("--duration"), Set.of(), out, err,
                a -> trace(a, out, err, attached));
    }

    private static int trace(ToolArgs args, PrintStream out, PrintStream err, Runnable attached) {
        double seconds = args.seconds("--duration", Double.POSITIVE_INFINITY);
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument " + args.positional().getFirst());
        }
        out.printf("%7s %7s %5s %-16s %s%n", "PID", "PPID", "UID", "COMM", "ARGS");
        try (ToolSession session = new ToolSession(seconds);
             ExecProbe probe = ExecProbeBinding.open().load();
             RingBufferReader reader = RingBufferReader.builder()
                     .add(probe.events(), e -> print(out, e)).build()) {
            attached.run();
            while (session.active()) {
                reader.poll(Duration.ofMillis(100)); // the handler prints each event here
            }
            reader.consume();
            if (probe.lost() > 0) {
                err.println("bpfkit execsnoop: " + probe.lost() + " execs lost (ring buffer full)");
            }
            return 0;
        }
    }

    private static void print(PrintStream out, ExecEvent e) {
        out.printf("%7d %7d %5d %-16s %s%n", Integer.toUnsignedLong(e.pid()), Integer.toUnsignedLong(e.ppid()),
                Integer.toUnsignedLong(e.uid()), e.comm(), e.commandLine());
        out.flush();
    }
}
