/**
 * bpfkit's load phase and everything after it, over FFM system calls: kernel feature probes
 * ({@code feature}), the loader ({@code load}), typed maps ({@code map}), attaching
 * ({@code link}) with rtnetlink ({@code netlink}), test runs ({@code run}), event readers
 * ({@code events}: ring and perf buffers), PMU counters ({@code pmu}) and what generated
 * bindings call ({@code binding}). The open phase is the module {@code io.bpfkit.object}.
 *
 * <p>The system-call layer ({@code sys}) is not exported: it holds a segment over all memory and
 * raw bpf(2), which no caller outside bpfkit should reach. Only the command line and the
 * benchmarks, which measure it, may read it (built after this module, hence "module").
 */
@SuppressWarnings("module")
module io.bpfkit.runtime {
    requires transitive io.bpfkit.api;
    requires transitive io.bpfkit.object;

    exports io.bpfkit.binding;
    exports io.bpfkit.events;
    exports io.bpfkit.feature;
    exports io.bpfkit.link;
    exports io.bpfkit.load;
    exports io.bpfkit.map;
    exports io.bpfkit.netlink;
    exports io.bpfkit.pmu;
    exports io.bpfkit.run;
    exports io.bpfkit.sys to io.bpfkit.cli, io.bpfkit.bench;
}
