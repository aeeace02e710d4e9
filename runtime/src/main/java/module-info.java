/**
 * bpfkit's runtime: the pure-Java opener ({@code elf}, {@code btf}, {@code object}), CO-RE
 * ({@code core}), the FFM system-call layer ({@code sys}), kernel feature probes ({@code feature}),
 * the loader ({@code load}), typed maps ({@code map}), attaching ({@code link}) with rtnetlink
 * ({@code netlink}), test runs ({@code run}), event readers
 * ({@code ringbuf}, {@code perf}, {@code events}), PMU counters ({@code pmu}), the support of
 * generated bindings ({@code binding}) and the {@code bpfkit} command line ({@code cli}).
 */
module io.bpfkit.runtime {
    requires transitive io.bpfkit.api;

    exports io.bpfkit.binding;
    exports io.bpfkit.btf;
    exports io.bpfkit.cli;
    exports io.bpfkit.core;
    exports io.bpfkit.elf;
    exports io.bpfkit.events;
    exports io.bpfkit.feature;
    exports io.bpfkit.link;
    exports io.bpfkit.load;
    exports io.bpfkit.map;
    exports io.bpfkit.netlink;
    exports io.bpfkit.object;
    exports io.bpfkit.perf;
    exports io.bpfkit.pmu;
    exports io.bpfkit.ringbuf;
    exports io.bpfkit.run;
    exports io.bpfkit.sys;
}
