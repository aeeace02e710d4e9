/**
 * bpfkit's runtime: the pure-Java opener ({@code elf}, {@code btf}, {@code object}), the
 * FFM system-call layer ({@code sys}), and the {@code bpfkit} command line ({@code cli}).
 */
module io.bpfkit.runtime {
    requires transitive io.bpfkit.api;

    exports io.bpfkit.elf;
    exports io.bpfkit.btf;
    exports io.bpfkit.core;
    exports io.bpfkit.object;
    exports io.bpfkit.sys;
    exports io.bpfkit.load;
    exports io.bpfkit.binding;
    exports io.bpfkit.link;
    exports io.bpfkit.map;
    exports io.bpfkit.perf;
    exports io.bpfkit.events;
    exports io.bpfkit.pmu;
    exports io.bpfkit.ringbuf;
    exports io.bpfkit.run;
    exports io.bpfkit.cli;
}
