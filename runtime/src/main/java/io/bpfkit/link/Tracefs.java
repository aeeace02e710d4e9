package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads tracefs and the perf event source directory: tracepoint ids, dynamic PMU types and format bits. */
final class Tracefs {
    private static final List<Path> ROOTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));
    private static final Path EVENT_SOURCES = Path.of("/sys/bus/event_source/devices");

    private Tracefs() {
    }

    /** The mounted tracefs; mounts it at /sys/kernel/tracing when it is not, or says how. */
    static Path root() {
        for (Path p : ROOTS) {
            if (Files.isDirectory(p.resolve("events"))) {
                return p;
            }
        }
        Path first = ROOTS.getFirst();
        try {
            if (Files.isDirectory(first)) {
                Mounts.mount("nodev", first.toString(), "tracefs");
                if (Files.isDirectory(first.resolve("events"))) {
                    return first;
                }
            }
        } catch (KernelException e) {
            throw new BpfException("tracefs is not mounted (looked in " + ROOTS + ") and mounting it failed: "
                    + e.getMessage(), e);
        }
        throw new BpfException("tracefs is not mounted (looked in " + ROOTS + "); mount it as root with "
                + "'mount -t tracefs nodev /sys/kernel/tracing'");
    }

    /** The id of tracepoint {@code category:name}, from {@code events/<category>/<name>/id}. */
    static long tracepointId(String category, String name) {
        if (category.isEmpty() || name.isEmpty() || category.contains("/") || category.contains("..")
                || name.contains("..")) {
            throw new IllegalArgumentException("bad tracepoint '" + category + ":" + name + "'");
        }
        Path id = root().resolve("events").resolve(category).resolve(name).resolve("id");
        try {
            return Long.parseLong(Files.readString(id).trim());
        } catch (NoSuchFileException e) {
            throw new BpfException("no tracepoint " + category + ":" + name + " in this kernel (" + id
                    + " does not exist); see " + root().resolve("available_events"));
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the id of tracepoint " + category + ":" + name + " from " + id, e);
        }
    }

    /** Whether a dynamic PMU (e.g. {@code uprobe}, {@code kprobe}) exists. */
    static boolean hasPmu(String pmu) {
        return Files.isRegularFile(EVENT_SOURCES.resolve(pmu).resolve("type"));
    }

    /** The perf type number of a dynamic PMU. */
    static int pmuType(String pmu) {
        Path p = EVENT_SOURCES.resolve(pmu).resolve("type");
        try {
            return Integer.parseInt(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the perf type of PMU '" + pmu + "' from " + p, e);
        }
    }

    /** The config bit of a PMU's flag format, e.g. {@code retprobe} = {@code config:0}. */
    static int formatBit(String pmu, String format) {
        Path p = EVENT_SOURCES.resolve(pmu).resolve("format").resolve(format);
        try {
            String s = Files.readString(p).trim();
            if (!s.startsWith("config:")) {
                throw new BpfException("unexpected format '" + s + "' in " + p);
            }
            return Integer.parseInt(s.substring("config:".length()));
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the '" + format + "' bit of PMU '" + pmu + "' from " + p, e);
        }
    }

    /**
     * The lowest config bit of a PMU's field format, e.g. {@code ref_ctr_offset} =
     * {@code config:32-63} gives 32.
     */
    static int formatShift(String pmu, String format) {
        Path p = EVENT_SOURCES.resolve(pmu).resolve("format").resolve(format);
        try {
            String s = Files.readString(p).trim();
            if (!s.startsWith("config:")) {
                throw new BpfException("unexpected format '" + s + "' in " + p);
            }
            String bits = s.substring("config:".length());
            int dash = bits.indexOf('-');
            return Integer.parseInt(dash < 0 ? bits : bits.substring(0, dash));
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the '" + format + "' field of PMU '" + pmu + "' from " + p, e);
        }
    }
}
