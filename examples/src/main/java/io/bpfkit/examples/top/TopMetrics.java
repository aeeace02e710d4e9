package io.bpfkit.examples.top;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of the last interval for Prometheus to scrape at {@code http://HOST:PORT/metrics},
 * through the official Prometheus Java client: syscalls per second, CPU percent, context
 * switches per second and, with a hardware PMU, IPC; machine-wide process starts and exits.
 *
 * <p>Per command by default ({@link By#COMM}: label {@code comm}; the processes of one command
 * added up, IPC as their instructions over their cycles, and {@code bpfkit_top_processes}
 * counting them), as process exporters group processes by name: a pid label would make a new
 * series for every short-lived process, which on a busy host is more series than a Prometheus
 * server should keep. {@link By#PID} gives one series per process (labels {@code pid},
 * {@code comm}).
 *
 * <p>Each interval's figures replace the previous ones at once (one immutable set of snapshots
 * behind a collector): a scrape sees one interval, never a mix of two or a half-cleared one.
 *
 * <pre>{@code
 * try (TopMetrics m = new TopMetrics(9100, TopMetrics.By.COMM)) {
 *     m.update(rows, 1.0, started, exited);   // bpfkit_top_cpu_percent{comm="java"} 12.5 ...
 * }
 * }</pre>
 */
final class TopMetrics implements AutoCloseable {
    /** What one series stands for. */
    enum By {
        /** One series per command name; processes of the same name added up. */
        COMM,
        /** One series per process. */
        PID
    }

    private final By by;
    private final HTTPServer server;
    private volatile MetricSnapshots last = new MetricSnapshots();

    TopMetrics(int port, By by) {
        this.by = by;
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(() -> last);
        try {
            server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve Prometheus metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on (the one asked for, or the one chosen for port 0). */
    int port() {
        return server.getPort();
    }

    /** Replaces every figure with the last interval's: processes (or commands) that were idle disappear. */
    void update(List<ProcessRow> rows, double seconds, int startedCount, int exitedCount) {
        Gauge syscalls = new Gauge("bpfkit_top_syscalls_per_second", "System calls per second");
        Gauge cpu = new Gauge("bpfkit_top_cpu_percent", "On-CPU time, percent of one CPU");
        Gauge switches = new Gauge("bpfkit_top_context_switches_per_second", "Context switches per second");
        Gauge ipc = new Gauge("bpfkit_top_instructions_per_cycle", "Instructions per cycle (hardware PMU only)");
        Gauge processes = new Gauge("bpfkit_top_processes",
                "Processes of the command that ran or started or ended in the last interval");
        if (by == By.PID) {
            for (ProcessRow r : rows) {
                Labels l = Labels.of("pid", Integer.toString(r.pid()), "comm", r.comm());
                syscalls.set(l, r.syscallsPerSecond());
                cpu.set(l, r.cpuPercent());
                switches.set(l, r.contextSwitches() / seconds);
                if (!Double.isNaN(r.instructionsPerCycle())) {
                    ipc.set(l, r.instructionsPerCycle());
                }
            }
        } else {
            Map<String, Command> byComm = new TreeMap<>();
            for (ProcessRow r : rows) {
                byComm.computeIfAbsent(r.comm(), c -> new Command()).add(r);
            }
            byComm.forEach((comm, c) -> {
                Labels l = Labels.of("comm", comm);
                syscalls.set(l, c.syscallsPerSecond);
                cpu.set(l, c.cpuPercent);
                switches.set(l, c.contextSwitches / seconds);
                processes.set(l, c.processes);
                if (c.cycles > 0) {
                    ipc.set(l, c.instructions / c.cycles);
                }
            });
        }
        Gauge started = new Gauge("bpfkit_top_processes_started", "Processes started in the last interval");
        started.set(Labels.EMPTY, startedCount);
        Gauge exited = new Gauge("bpfkit_top_processes_exited", "Processes ended in the last interval");
        exited.set(Labels.EMPTY, exitedCount);
        List<Gauge> all = new ArrayList<>(List.of(syscalls, cpu, switches, ipc, started, exited));
        if (by == By.COMM) {
            all.add(processes);
        }
        last = new MetricSnapshots(all.stream().<MetricSnapshot>map(Gauge::snapshot).toList());
    }

    /** One gauge's data points of one interval. */
    private static final class Gauge {
        private final GaugeSnapshot.Builder builder;

        Gauge(String name, String help) {
            builder = GaugeSnapshot.builder().name(name).help(help);
        }

        void set(Labels labels, double value) {
            builder.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        GaugeSnapshot snapshot() {
            return builder.build();
        }
    }

    /** The processes of one command over the interval, added up. */
    private static final class Command {
        int processes;
        double syscallsPerSecond;
        double cpuPercent;
        long contextSwitches;
        double cycles;
        double instructions;

        void add(ProcessRow r) {
            processes++;
            syscallsPerSecond += r.syscallsPerSecond();
            cpuPercent += r.cpuPercent();
            contextSwitches += r.contextSwitches();
            if (!Double.isNaN(r.instructionsPerCycle()) && r.cycles() > 0) {
                cycles += r.cycles();
                instructions += r.instructionsPerCycle() * r.cycles();
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
