package io.bpfkit.examples.top;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The figures of the last interval for Prometheus to scrape at {@code http://HOST:PORT/metrics},
 * through the official Prometheus Java client: per process (labels {@code pid}, {@code comm})
 * syscalls per second, CPU percent, context switches per second and, with a hardware PMU, IPC;
 * machine-wide process starts and exits.
 */
final class TopMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge syscalls = gauge("bpfkit_top_syscalls_per_second", "System calls per second", "pid", "comm");
    private final Gauge cpu = gauge("bpfkit_top_cpu_percent", "On-CPU time, percent of one CPU", "pid", "comm");
    private final Gauge switches = gauge("bpfkit_top_context_switches_per_second", "Context switches per second",
            "pid", "comm");
    private final Gauge ipc = gauge("bpfkit_top_instructions_per_cycle", "Instructions per cycle (hardware PMU only)",
            "pid", "comm");
    private final Gauge started = gauge("bpfkit_top_processes_started", "Processes started in the last interval");
    private final Gauge exited = gauge("bpfkit_top_processes_exited", "Processes ended in the last interval");
    private final HTTPServer server;

    TopMetrics(int port) {
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

    /** Replaces every figure with the last interval's: processes that were idle disappear. */
    synchronized void update(List<ProcessRow> rows, double seconds, int startedCount, int exitedCount) {
        syscalls.clear();
        cpu.clear();
        switches.clear();
        ipc.clear();
        for (ProcessRow r : rows) {
            String pid = Integer.toString(r.pid());
            syscalls.labelValues(pid, r.comm()).set(r.syscallsPerSecond());
            cpu.labelValues(pid, r.comm()).set(r.cpuPercent());
            switches.labelValues(pid, r.comm()).set(r.contextSwitches() / seconds);
            if (!Double.isNaN(r.instructionsPerCycle())) {
                ipc.labelValues(pid, r.comm()).set(r.instructionsPerCycle());
            }
        }
        started.set(startedCount);
        exited.set(exitedCount);
    }

    @Override
    public void close() {
        server.close();
    }
}
