package io.bpfkit.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Runs an operation until the JIT has finished with it, before JMH's own warm-up: the opener
 * is a lot of code, and on a small, busy machine C2 can need ten seconds or more to compile
 * it all, while on an idle one it is done in a few. A fixed warm-up long enough for the
 * worst case would make every run slow; this one stops at the plateau instead: when 250 ms
 * chunks have not improved on the best by 5% for 2 s (8 chunks) and the JIT compilers spent
 * no time in the last 4 chunks, or after {@code -Dbpfkit.bench.prewarmSeconds} (default 20; 0
 * turns it off). The JIT's quiet matters on a 2-CPU machine: a compiler thread still at work
 * takes the second CPU, which the C harness has to itself; measured here, load items came out
 * 10-40 % slower when JMH started while C2 was still compiling (kprobe.bpf.o 1.38 of libbpf,
 * 0.87 once the compilers were idle). It runs in a {@code @Setup(Level.Trial)}, so none of it is
 * measured.
 */
final class Prewarm {
    static final String PROPERTY = "bpfkit.bench.prewarmSeconds";
    private static final long CHUNK_NANOS = 250_000_000L;
    private static final int PLATEAU_CHUNKS = 8;
    private static final int JIT_QUIET_CHUNKS = 4;

    /** Where results go so that the JIT cannot drop the work. */
    @SuppressWarnings("unused")
    private static volatile Object sink;

    private Prewarm() {
    }

    static void untilSteady(String what, Supplier<?> op) {
        double maxSeconds = Double.parseDouble(System.getProperty(PROPERTY, "20"));
        if (maxSeconds <= 0) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        double best = Double.MAX_VALUE;
        int sinceBest = 0;
        int chunks = 0;
        long ops = 0;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long jitMillis = jitTimed ? jit.getTotalCompilationTime() : 0;
        int jitQuiet = jitTimed ? 0 : JIT_QUIET_CHUNKS;
        boolean steady = false;
        while (!steady && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            long t;
            long n = 0;
            do {
                sink = op.get();
                n++;
                t = System.nanoTime();
            } while (t - t0 < CHUNK_NANOS);
            double perOp = (double) (t - t0) / n;
            sinceBest = perOp < best * 0.95 ? 0 : sinceBest + 1;
            best = Math.min(best, perOp);
            ops += n;
            chunks++;
            if (jitTimed) {
                long now = jit.getTotalCompilationTime();
                jitQuiet = now == jitMillis ? jitQuiet + 1 : 0;
                jitMillis = now;
            }
            steady = chunks >= PLATEAU_CHUNKS && sinceBest >= PLATEAU_CHUNKS && jitQuiet >= JIT_QUIET_CHUNKS;
        }
        System.out.printf(Locale.ROOT, "# Pre-warm: %s: %.1f s, %d ops, %s at %.0f ns/op%n", what,
                (System.nanoTime() - start) / 1e9, ops,
                steady ? "plateau, JIT idle" : "stopped by the time limit", best);
    }
}
