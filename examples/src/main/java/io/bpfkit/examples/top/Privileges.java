package io.bpfkit.examples.top;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a tool that loads tracing programs and per-CPU perf events needs, read from /proc. */
public final class Privileges {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Privileges() {
    }

    /**
     * The one line to print when this process cannot load tracing programs and open per-CPU
     * counters, or null when it can.
     */
    public static String missing(String tool) {
        long effective;
        try {
            effective = effectiveCapabilities(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | IllegalArgumentException e) {
            return null; // cannot tell: let the kernel say
        }
        return missing(tool, effective);
    }

    static String missing(String tool, long effective) {
        if (has(effective, CAP_SYS_ADMIN)) {
            return null;
        }
        List<String> lacking = new ArrayList<>();
        if (!has(effective, CAP_BPF)) {
            lacking.add("CAP_BPF");
        }
        if (!has(effective, CAP_PERFMON)) {
            lacking.add("CAP_PERFMON");
        }
        return lacking.isEmpty() ? null : tool + " needs root, or CAP_BPF and CAP_PERFMON (this process lacks "
                + String.join(" and ", lacking) + "): run it with sudo";
    }

    static long effectiveCapabilities(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
            }
        }
        throw new IllegalArgumentException("no CapEff line in /proc/self/status");
    }

    private static boolean has(long caps, int cap) {
        return (caps & 1L << cap) != 0;
    }
}
