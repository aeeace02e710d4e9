package io.bpfkit.cli;

import io.bpfkit.uapi.Perf;
import java.util.List;

/**
 * The names bpftool gives a perf_event link's event: its type ({@code software}, ...) and
 * config ({@code cpu-clock}, {@code L1-dcache-load-misses}, ...), as perf names them.
 */
final class PerfEventNames {
    private static final List<String> TYPES = List.of("hardware", "software", "tracepoint", "hw-cache", "raw",
            "breakpoint");
    private static final List<String> HARDWARE = List.of("cpu-cycles", "instructions", "cache-references",
            "cache-misses", "branch-instructions", "branch-misses", "bus-cycles", "stalled-cycles-frontend",
            "stalled-cycles-backend", "ref-cycles");
    private static final List<String> SOFTWARE = List.of("cpu-clock", "task-clock", "page-faults",
            "context-switches", "cpu-migrations", "minor-faults", "major-faults", "alignment-faults",
            "emulation-faults", "dummy", "bpf-output", "cgroup-switches");
    private static final List<String> CACHES = List.of("L1-dcache", "L1-icache", "LLC", "dTLB", "iTLB", "branch",
            "node");
    private static final List<String> CACHE_OPS = List.of("load", "store", "prefetch");
    private static final List<String> CACHE_RESULTS = List.of("refs", "misses");

    private PerfEventNames() {
    }

    /** {@code perf_event_attr.type} by name, or null. */
    static String type(int type) {
        return name(TYPES, type);
    }

    /** {@code perf_event_attr.config} by name for hardware, software and cache events, or null. */
    static String config(int type, long config) {
        if (type == Perf.PERF_TYPE_HARDWARE) {
            return name(HARDWARE, config);
        }
        if (type == Perf.PERF_TYPE_SOFTWARE) {
            return name(SOFTWARE, config);
        }
        if (type == Perf.PERF_TYPE_HW_CACHE) {
            return part(CACHES, config & 0xff) + "-" + part(CACHE_OPS, (config >>> 8) & 0xff) + "-"
                    + part(CACHE_RESULTS, config >>> 16);
        }
        return null;
    }

    private static String part(List<String> names, long v) {
        String n = name(names, v);
        return n != null ? n : Long.toString(v);
    }

    private static String name(List<String> names, long v) {
        return v >= 0 && v < names.size() ? names.get((int) v) : null;
    }
}
