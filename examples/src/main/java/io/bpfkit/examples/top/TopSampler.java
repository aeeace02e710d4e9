package io.bpfkit.examples.top;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns successive snapshots of the kernel's cumulative per-process counts into per-interval
 * rows: the difference of two snapshots, divided by the time between them. Pure arithmetic, no
 * kernel access, so the figures can be checked on made-up snapshots.
 */
public final class TopSampler {
    /** How rows are ordered. */
    public enum Sort {
        CPU(Comparator.comparingDouble(ProcessRow::cpuPercent)),
        SYSCALLS(Comparator.comparingLong(ProcessRow::syscalls)),
        SWITCHES(Comparator.comparingLong(ProcessRow::contextSwitches)),
        PID(Comparator.comparingInt(ProcessRow::pid).reversed());

        private final Comparator<ProcessRow> ascending;

        Sort(Comparator<ProcessRow> ascending) {
            this.ascending = ascending;
        }
    }

    /** A process the last snapshot did not have: everything it counted is new. */
    private static final ProcStats NOT_SEEN = new ProcStats(0, 0, 0, 0, 0, "");

    private final boolean hardwarePmu;
    private Map<Integer, ProcStats> previous = Map.of();
    private long previousNanos = -1;

    /**
     * @param hardwarePmu whether the cycles and instructions counters are real (IPC is shown only
     *     then)
     */
    public TopSampler(boolean hardwarePmu) {
        this.hardwarePmu = hardwarePmu;
    }

    /** Remembers the starting point; the first {@link #sample} reports from here. */
    public void start(Map<Integer, ProcStats> snapshot, long nowNanos) {
        previous = Map.copyOf(snapshot);
        previousNanos = nowNanos;
    }

    /**
     * The rows for the interval since the last call, busiest first.
     *
     * @param snapshot the kernel's counts now, by pid
     * @param started pids that started (exec) in the interval
     * @param exited pids that ended in the interval
     */
    public List<ProcessRow> sample(Map<Integer, ProcStats> snapshot, long nowNanos, Set<Integer> started,
                                   Set<Integer> exited, Sort sort) {
        if (previousNanos < 0) {
            throw new IllegalStateException("start() first");
        }
        double seconds = Math.max(1e-9, (nowNanos - previousNanos) / 1e9);
        List<ProcessRow> rows = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Map.Entry<Integer, ProcStats> e : snapshot.entrySet()) {
            int pid = e.getKey();
            seen.add(pid);
            ProcStats now = e.getValue();
            ProcStats before = previous.getOrDefault(pid, NOT_SEEN);
            long syscalls = now.syscalls() - before.syscalls();
            long cpuNs = now.cpuNs() - before.cpuNs();
            long switches = now.switches() - before.switches();
            long cycles = now.cycles() - before.cycles();
            long instructions = now.instructions() - before.instructions();
            boolean isNew = started.contains(pid);
            boolean gone = exited.contains(pid);
            if (syscalls == 0 && cpuNs == 0 && switches == 0 && !isNew && !gone) {
                continue;
            }
            double ipc = hardwarePmu && cycles > 0 ? (double) instructions / cycles : Double.NaN;
            rows.add(new ProcessRow(pid, now.comm(), syscalls, syscalls / seconds, 100.0 * cpuNs / 1e9 / seconds,
                    switches, ipc, hardwarePmu ? cycles : 0, isNew, gone));
        }
        previous = new HashMap<>(snapshot);
        previousNanos = nowNanos;
        rows.sort(sort.ascending.reversed().thenComparingInt(ProcessRow::pid));
        return rows;
    }

    /** Forgets processes that ended, so their pids can be reused. */
    public void forget(Set<Integer> pids) {
        Map<Integer, ProcStats> kept = new HashMap<>(previous);
        kept.keySet().removeAll(pids);
        previous = kept;
    }
}
