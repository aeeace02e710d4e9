package io.bpfkit.examples.top;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge syscalls;
    private final Gauge cpu;
    private final Gauge switches;
    private final Gauge ipc;
    private final Gauge processes;
    private final Gauge started = gauge("bpfkit_top_processes_started", "Processes started in the last interval");
    private final Gauge exited = gauge("bpfkit_top_processes_exited", "Processes ended in the last interval");
    private final HTTPServer server;

    TopMetrics(int port, By by) {
        this.by = by;
        String[] labels = by == By.PID ? new String[] {"pid", "comm"} : new String[] {"comm"};
        syscalls = gauge("bpfkit_top_syscalls_per_second", "System calls per second", labels);
        cpu = gauge("bpfkit_top_cpu_percent", "On-CPU time, percent of one CPU", labels);
        switches = gauge("bpfkit_top_context_switches_per_second", "Context switches per second", labels);
        ipc = gauge("bpfkit_top_instructions_per_cycle", "Instructions per cycle (hardware PMU only)", labels);
        processes = by == By.COMM ? gauge("bpfkit_top_processes",
                "Processes of the command that ran or started or ended in the last interval", "comm") : null;
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

    private Gauge gauge(String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    /** Replaces every figure with the last interval's: processes (or commands) that were idle disappear. */
    synchronized void update(List<ProcessRow> rows, double seconds, int startedCount, int exitedCount) {
        syscalls.clear();
        cpu.clear();
        switches.clear();
        ipc.clear();
        if (by == By.PID) {
            for (ProcessRow r : rows) {
                String pid = Integer.toString(r.pid());
                syscalls.labelValues(pid, r.comm()).set(r.syscallsPerSecond());
                cpu.labelValues(pid, r.comm()).set(r.cpuPercent());
                switches.labelValues(pid, r.comm()).set(r.contextSwitches() / seconds);
                if (!Double.isNaN(r.instructionsPerCycle())) {
                    ipc.labelValues(pid, r.comm()).set(r.instructionsPerCycle());
                }
            }
        } else {
            processes.clear();
            Map<String, Command> byComm = new TreeMap<>();
            for (ProcessRow r : rows) {
                byComm.computeIfAbsent(r.comm(), c -> new Command()).add(r);
            }
            byComm.forEach((comm, c) -> {
                syscalls.labelValues(comm).set(c.syscallsPerSecond);
                cpu.labelValues(comm).set(c.cpuPercent);
                switches.labelValues(comm).set(c.contextSwitches / seconds);
                processes.labelValues(comm).set(c.processes);
                if (c.cycles > 0) {
                    ipc.labelValues(comm).set(c.instructions / c.cycles);
                }
            });
        }
        started.set(startedCount);
        exited.set(exitedCount);
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
