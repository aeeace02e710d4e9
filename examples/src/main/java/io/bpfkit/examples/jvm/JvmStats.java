package io.bpfkit.examples.jvm;

/**
 * What one JVM did, added up from its {@link JvmEvent}s: over the tool's whole run and over the
 * current interval ({@link #interval()} hands that over and starts the next).
 */
final class JvmStats {
    /** Log2 slots of GC pauses in microseconds: slot k holds {@code [2^k, 2^(k+1))} µs. */
    static final int SLOTS = 32;

    /** The counts of one period. */
    static final class Counts {
        long gcs;
        long fullGcs;
        long gcPauseNs;
        long gcMaxNs;
        long classesLoaded;
        long classesUnloaded;
        long compilations;
        long failedCompilations;
        long compileNs;
        long threadsStarted;
        long threadsStopped;
        long monitorContended;

        void add(JvmEvent e) {
            switch (e.kind()) {
                case JvmEvent.GC -> {
                    gcs++;
                    fullGcs += e.flag() != 0 ? 1 : 0;
                    gcPauseNs += e.durationNs();
                    gcMaxNs = Math.max(gcMaxNs, e.durationNs());
                }
                case JvmEvent.CLASS_LOADED -> classesLoaded++;
                case JvmEvent.CLASS_UNLOADED -> classesUnloaded++;
                case JvmEvent.COMPILE -> {
                    compilations++;
                    failedCompilations += e.flag() == 0 ? 1 : 0;
                    compileNs += e.durationNs();
                }
                case JvmEvent.THREAD_START -> threadsStarted++;
                case JvmEvent.THREAD_STOP -> threadsStopped++;
                case JvmEvent.MONITOR_CONTENDED -> monitorContended++;
                default -> {
                    // a kind this tool does not know: a newer jvm.bpf.c
                }
            }
        }
    }

    final int pid;
    final String command;
    /** Whether the JVM was started with the flag its monitor probes need. */
    final boolean extendedProbes;
    final Counts total = new Counts();
    final long[] pauseSlots = new long[SLOTS];
    private Counts current = new Counts();
    boolean alive = true;

    JvmStats(int pid, String command, boolean extendedProbes) {
        this.pid = pid;
        this.command = command;
        this.extendedProbes = extendedProbes;
    }

    void add(JvmEvent e) {
        total.add(e);
        current.add(e);
        if (e.kind() == JvmEvent.GC) {
            pauseSlots[slot(e.durationNs() / 1000)]++;
        }
    }

    /** The counts since the last call, and a fresh interval. */
    Counts interval() {
        Counts c = current;
        current = new Counts();
        return c;
    }

    static int slot(long v) {
        int s = 63 - Long.numberOfLeadingZeros(Math.max(v, 1));
        return Math.min(s, SLOTS - 1);
    }
}
