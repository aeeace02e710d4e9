package io.bpfkit.examples.top;

import io.bpfkit.events.RingBufferReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bpfkit top}: what every process on the machine does, refreshed each interval: system
 * calls per second, CPU time, context switches and, where the machine has a hardware PMU,
 * instructions per cycle; processes that start and end arrive through a ring buffer.
 *
 * <pre>
 * bpfkit top [--interval SECONDS] [--duration SECONDS] [--sort cpu|syscalls|switches|pid]
 *            [--json] [--prometheus PORT [--prometheus-by comm|pid]] [--help]
 * </pre>
 */
public final class Top {
    static final String USAGE = """
            usage: bpfkit top [--interval SECONDS] [--duration SECONDS] [--sort cpu|syscalls|switches|pid]
                              [--json] [--prometheus PORT [--prometheus-by comm|pid]]
              Per process: system calls per second, CPU time, context switches and, with a hardware
              PMU, instructions per cycle; started processes marked +, ended ones x.
              --interval S     refresh every S seconds (default 1)
              --duration S     stop after S seconds (default: until Ctrl-C)
              --sort KEY       order by cpu (default), syscalls, switches or pid
              --json           one JSON document (schema bpfkit.top/1) per interval instead of the table
              --prometheus P   also serve the figures at http://localhost:P/metrics
              --prometheus-by  series per command (comm, the default: processes of one command
                               added up, and their number) or per process (pid: labels pid and
                               comm, one series per process, many on a busy host)
            Needs root (or CAP_BPF and CAP_PERFMON).""";

    private Top() {
    }

    record Options(double interval, double duration, TopSampler.Sort sort, boolean json, int prometheusPort,
                   TopMetrics.By prometheusBy) {
        static Options parse(String[] args) {
            double interval = 1;
            double duration = Double.POSITIVE_INFINITY;
            TopSampler.Sort sort = TopSampler.Sort.CPU;
            boolean json = false;
            int port = -1;
            TopMetrics.By by = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--interval" -> interval = positive(a, value(args, ++i, a));
                    case "--duration" -> duration = positive(a, value(args, ++i, a));
                    case "--sort" -> {
                        String key = value(args, ++i, a);
                        try {
                            sort = TopSampler.Sort.valueOf(key.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--sort takes cpu, syscalls, switches or pid, not " + key);
                        }
                    }
                    case "--json" -> json = true;
                    case "--prometheus" -> {
                        String p = value(args, ++i, a);
                        try {
                            port = Integer.parseInt(p);
                        } catch (NumberFormatException e) {
                            port = -2;
                        }
                        if (port < 0 || port > 65535) {
                            throw new IllegalArgumentException("--prometheus takes a port number, not " + p);
                        }
                    }
                    case "--prometheus-by" -> {
                        String key = value(args, ++i, a);
                        by = switch (key) {
                            case "comm" -> TopMetrics.By.COMM;
                            case "pid" -> TopMetrics.By.PID;
                            default -> throw new IllegalArgumentException("--prometheus-by takes comm or pid, not "
                                    + key);
                        };
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (by != null && port < 0) {
                throw new IllegalArgumentException("--prometheus-by needs --prometheus PORT");
            }
            return new Options(interval, duration, sort, json, port, by == null ? TopMetrics.By.COMM : by);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static double positive(String option, String v) {
            try {
                double d = Double.parseDouble(v);
                if (d > 0 && Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a positive number of seconds, not " + v);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs top; returns the exit code (0, 1 for a failure, 2 for bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bpfkit top: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        String missing = Privileges.missing("bpfkit top");
        if (missing != null) {
            err.println(missing);
            return 1;
        }
        return new Session(options, out, err).run();
    }

    /** One run: the loaded probe, its event reader, the sampler and the outputs. */
    private static final class Session {
        private final Options options;
        private final PrintStream out;
        private final PrintStream err;
        private final ConcurrentLinkedQueue<ProcEvent> events = new ConcurrentLinkedQueue<>();
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile boolean stopping;

        Session(Options options, PrintStream out, PrintStream err) {
            this.options = options;
            this.out = out;
            this.err = err;
        }

        int run() {
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                stopping = true;
                main.interrupt();
                try {
                    finished.await(3, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try (TopProbe probe = TopProbeBinding.open().load();
                 RingBufferReader reader = RingBufferReader.builder()
                         .add(probe.events(), events::add).build();
                 TopMetrics metrics = options.prometheusPort() >= 0 ? new TopMetrics(options.prometheusPort(),
                         options.prometheusBy()) : null) {
                // closing the reader (end of this block) wakes the poller and ends it
                Thread.ofVirtual().name("bpfkit-top-events").start(() -> {
                    while (!reader.isClosed()) {
                        reader.poll(Duration.ofMillis(100));
                    }
                });
                if (metrics != null) {
                    err.println("bpfkit top: Prometheus metrics at http://localhost:" + metrics.port() + "/metrics");
                }
                loop(probe, metrics);
                return 0;
            } catch (RuntimeException e) {
                err.println("bpfkit top: " + e.getMessage());
                return 1;
            } finally {
                finished.countDown();
                if (!stopping) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
        }

        private void loop(TopProbe probe, TopMetrics metrics) {
            boolean hardware = !probe.cycles().isFallback() && !probe.instructions().isFallback();
            String banner = hardware ? null : "no hardware PMU on this machine: cycles and instructions fall back to "
                    + probe.cycles().event() + ", so no IPC is shown";
            TopSampler sampler = new TopSampler(hardware);
            long start = System.nanoTime();
            long end = Double.isInfinite(options.duration()) ? Long.MAX_VALUE
                    : start + (long) (options.duration() * 1e9);
            long intervalNanos = (long) (options.interval() * 1e9);
            sampler.start(probe.procs().snapshot(), start);
            long last = start;
            long next = start + intervalNanos;
            boolean tty = System.console() != null && !options.json();
            while (!stopping) {
                long wait = Math.min(next, end) - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                long now = System.nanoTime();
                List<TopOutput.Started> started = new ArrayList<>();
                Set<Integer> startedPids = new HashSet<>();
                List<Integer> exited = new ArrayList<>();
                for (ProcEvent e; (e = events.poll()) != null; ) {
                    if (e.kind() == ProcEvent.EXEC) {
                        started.add(new TopOutput.Started(e.pid(), e.ppid(), e.comm()));
                        startedPids.add(e.pid());
                    } else if (e.kind() == ProcEvent.EXIT) {
                        exited.add(e.pid());
                    }
                }
                Map<Integer, ProcStats> snapshot = probe.procs().snapshot();
                Set<Integer> exitedPids = new HashSet<>(exited);
                List<ProcessRow> rows = sampler.sample(snapshot, now, startedPids, exitedPids, options.sort());
                double seconds = (now - last) / 1e9;
                if (options.json()) {
                    out.println(TopOutput.json(System.currentTimeMillis(), seconds, probe.cycles().event(),
                            probe.instructions().event(), hardware, rows, started, exited, probe.lostEvents()));
                } else {
                    int[] size = Terminal.size(tty);
                    out.print((tty ? "\033[H\033[2J" : "") + TopOutput.table(rows, started, exited.size(), banner,
                            hardware, size[0], size[1], seconds));
                }
                out.flush();
                if (metrics != null) {
                    metrics.update(rows, seconds, started.size(), exited.size());
                }
                for (int pid : exitedPids) {
                    probe.procs().delete(pid);
                }
                sampler.forget(exitedPids);
                last = now;
                next += intervalNanos;
                if (now >= end) {
                    break;
                }
            }
        }
    }

    /** The terminal's width and height: $COLUMNS/$LINES, then {@code stty size}, then 80 x 24. */
    static final class Terminal {
        private Terminal() {
        }

        static int[] size(boolean tty) {
            int width = env("COLUMNS");
            int height = env("LINES");
            if ((width <= 0 || height <= 0) && tty) {
                int[] stty = stty();
                if (stty != null) {
                    height = height > 0 ? height : stty[0];
                    width = width > 0 ? width : stty[1];
                }
            }
            return new int[] {width > 0 ? width : tty ? 80 : 160, height > 0 ? height : tty ? 24 : 10_000};
        }

        private static int env(String name) {
            try {
                return Integer.parseInt(System.getenv().getOrDefault(name, "0").strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private static int[] stty() {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.from(
                        new java.io.File("/dev/tty"))).redirectErrorStream(true).start();
                String[] parts = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip()
                        .split("\\s+");
                p.waitFor(1, TimeUnit.SECONDS);
                return parts.length == 2 ? new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])} : null;
            } catch (IOException | NumberFormatException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
