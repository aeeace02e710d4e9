package io.bpfkit.examples.jvm;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * The totals of every JVM for Prometheus to scrape at {@code http://HOST:PORT/metrics}, labels
 * {@code pid} and {@code command}: GCs and pause seconds, classes loaded and unloaded, JIT
 * compilations and their seconds, threads started and ended.
 */
final class JvmMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge gcs = gauge("bpfkit_jvm_gc_count", "GCs seen");
    private final Gauge pause = gauge("bpfkit_jvm_gc_pause_seconds", "Time in GC pauses");
    private final Gauge loaded = gauge("bpfkit_jvm_classes_loaded", "Classes loaded");
    private final Gauge unloaded = gauge("bpfkit_jvm_classes_unloaded", "Classes unloaded");
    private final Gauge compiles = gauge("bpfkit_jvm_compilations", "JIT compilations");
    private final Gauge compileSeconds = gauge("bpfkit_jvm_compilation_seconds", "Time in JIT compilations");
    private final Gauge started = gauge("bpfkit_jvm_threads_started", "Threads started");
    private final Gauge ended = gauge("bpfkit_jvm_threads_ended", "Threads ended");
    private final HTTPServer server;

    JvmMetrics(int port) {
        try {
            server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve Prometheus metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    private Gauge gauge(String name, String help) {
        return Gauge.builder().name(name).help(help).labelNames("pid", "command").register(registry);
    }

    synchronized void update(Collection<JvmStats> jvms) {
        for (JvmStats j : jvms) {
            String[] l = {Integer.toString(j.pid), j.command.length() > 80 ? j.command.substring(0, 80) : j.command};
            gcs.labelValues(l).set(j.total.gcs);
            pause.labelValues(l).set(j.total.gcPauseNs / 1e9);
            loaded.labelValues(l).set(j.total.classesLoaded);
            unloaded.labelValues(l).set(j.total.classesUnloaded);
            compiles.labelValues(l).set(j.total.compilations);
            compileSeconds.labelValues(l).set(j.total.compileNs / 1e9);
            started.labelValues(l).set(j.total.threadsStarted);
            ended.labelValues(l).set(j.total.threadsStopped);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
