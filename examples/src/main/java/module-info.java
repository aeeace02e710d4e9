/** Example tools written with bpfkit; their BPF objects ship as class-path resources. */
@SuppressWarnings("requires-automatic") // the Prometheus client jars name their modules in the manifest
module io.bpfkit.examples {
    requires transitive io.bpfkit.runtime;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.exporter.httpserver;
    requires io.prometheus.metrics.model;

    exports io.bpfkit.examples;
    exports io.bpfkit.examples.execsnoop;
    exports io.bpfkit.examples.jvm;
    exports io.bpfkit.examples.syslat;
    exports io.bpfkit.examples.top;
    exports io.bpfkit.examples.uprobe;
    exports io.bpfkit.examples.xdpcount;
}
