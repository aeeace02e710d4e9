package io.bpfkit.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seeded mutation loop: round robin over the seed objects until the time budget is spent,
 * make a mutant ({@link Mutator}) and check it ({@link Oracle}). Runs on a worker thread
 * watched by the caller's thread, so that an input that makes the opener loop for longer than
 * the hang limit is reported (with its bytes) instead of stalling the build.
 *
 * <p>Case {@code i} of object {@code o} under seed {@code s} is always the same mutant
 * ({@link #mutant}), so a failure is reproduced from those three values. Failing inputs are
 * written to the failure directory with a text file describing them.
 */
public final class FuzzLoop {
    /** One seed object. */
    public record Seed(String name, byte[] bytes) {
    }

    /**
     * @param seed the fuzz seed
     * @param budget total time, shared evenly by the seeds
     * @param hangLimit how long one input may take
     * @param failureDir where failing inputs are written
     * @param maxFailures stop after this many distinct failures
     */
    public record Config(long seed, Duration budget, Duration hangLimit, Path failureDir, int maxFailures,
                         PrintStream log) {
    }

    /** A distinct failure (the first input that showed it) and how often it was seen. */
    public record Failure(String signature, String object, long iteration, String mutations, String error,
                          Path saved, long[] count) {
        public long times() {
            return count[0];
        }
    }

    /** What a run did. */
    public record Report(long seed, long iterations, Duration elapsed, Map<String, Long> perObject,
                         Map<String, Long> outcomes, List<Failure> failures, boolean hung) {
        public double perSecond() {
            return iterations / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    private final List<ObjectLayout> layouts;
    private final Mutator mutator;
    private final Config config;

    // Shared between the worker and the watchdog.
    /** The case being checked, or null between cases. */
    private volatile Running running;

    private record Running(String object, long iteration, String mutations, byte[] input, long start) {
    }
    private final AtomicLong iterations = new AtomicLong();
    private final Map<String, Long> perObject = new LinkedHashMap<>();
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    private volatile int failureCount;

    public FuzzLoop(List<Seed> seeds, Config config) {
        List<ObjectLayout> ls = new ArrayList<>();
        for (Seed s : seeds) {
            ls.add(ObjectLayout.of(s.name(), s.bytes()));
        }
        this.layouts = List.copyOf(ls);
        this.mutator = new Mutator(layouts);
        this.config = config;
    }

    public List<ObjectLayout> layouts() {
        return layouts;
    }

    /** The random source of one case: a function of the fuzz seed, the object's name and the iteration. */
    public static SplittableRandom caseRandom(long seed, String object, long iteration) {
        long h = seed ^ 0x9e37_79b9_7f4a_7c15L * (object.hashCode() + 1L) ^ 0xbf58_476d_1ce4_e5b9L * (iteration + 1);
        return new SplittableRandom(h);
    }

    /** The mutant of one case. */
    public Mutator.Mutant mutant(String object, long iteration) {
        ObjectLayout l = layouts.stream().filter(x -> x.name().equals(object)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no seed object " + object));
        return mutator.mutate(l, caseRandom(config.seed(), object, iteration));
    }

    /**
     * Runs the loop for the configured budget; returns when done or after too many failures.
     * An input that takes longer than the hang limit is recorded as a failure; if it is still
     * running a minute later the run stops there (the worker cannot be killed, only left).
     */
    public Report run() {
        long t0 = System.nanoTime();
        Thread worker = new Thread(null, this::work, "bpfkit-fuzz", 16L << 20);
        worker.setDaemon(true);
        worker.start();
        boolean hung = false;
        long hangNanos = config.hangLimit().toNanos();
        long giveUpNanos = hangNanos + Duration.ofSeconds(60).toNanos();
        Running reported = null;
        try {
            while (worker.isAlive()) {
                worker.join(50);
                Running r = running;
                if (r == null || System.nanoTime() - r.start() <= hangNanos) {
                    continue;
                }
                StackTraceElement[] where = worker.getStackTrace();
                if (running != r) {
                    continue; // finished just now
                }
                if (r != reported) {
                    reported = r;
                    StringBuilder trace = new StringBuilder();
                    for (StackTraceElement e : where) {
                        trace.append("\tat ").append(e).append('\n');
                    }
                    record("hang: one input took more than " + config.hangLimit().toSeconds() + " s at "
                            + topFrame(where), r.object(), r.iteration(), r.mutations(), r.input(), "no result after "
                            + config.hangLimit().toMillis() + " ms; the worker was at:\n" + trace);
                } else if (System.nanoTime() - r.start() > giveUpNanos) {
                    hung = true;
                    worker.interrupt();
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        synchronized (this) {
            return new Report(config.seed(), iterations.get(), elapsed, new LinkedHashMap<>(perObject),
                    new TreeMap<>(outcomes), List.copyOf(failures.values()), hung);
        }
    }

    private static String topFrame(StackTraceElement[] trace) {
        for (StackTraceElement e : trace) {
            if (e.getClassName().startsWith("io.bpfkit.") && !e.getClassName().startsWith("io.bpfkit.fuzz.")) {
                return e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber();
            }
        }
        return "?";
    }

    /**
     * Round robin over the seeds, 16 cases of one then 16 of the next, so that each gets the
     * same number of cases and the same share of a JVM still warming up.
     */
    private void work() {
        long deadline = System.nanoTime() + config.budget().toNanos();
        long[] next = new long[layouts.size()];
        while (true) {
            for (int o = 0; o < layouts.size(); o++) {
                ObjectLayout seed = layouts.get(o);
                for (int j = 0; j < 16; j++) {
                    long i = next[o]++;
                    runCase(seed, i);
                    if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()
                            || failureCount >= config.maxFailures()) {
                        return;
                    }
                }
            }
        }
    }

    private void runCase(ObjectLayout seed, long i) {
        Mutator.Mutant m = mutator.mutate(seed, caseRandom(config.seed(), seed.name(), i));
        running = new Running(seed.name(), i, m.description(), m.bytes(), System.nanoTime());
        String label;
        try {
            label = Oracle.check(m.bytes()).label();
        } catch (ContractViolation v) {
            label = "VIOLATION";
            record(v.signature(), seed.name(), i, m.description(), m.bytes(), stackTrace(v));
        } catch (Throwable t) {
            label = "VIOLATION";
            record(t.getClass().getName() + " in the harness", seed.name(), i, m.description(), m.bytes(),
                    stackTrace(t));
        }
        running = null;
        synchronized (this) {
            outcomes.merge(label, 1L, Long::sum);
            perObject.merge(seed.name(), 1L, Long::sum);
        }
        iterations.incrementAndGet();
    }

    private synchronized void record(String signature, String object, long iteration, String mutations, byte[] input,
                                     String error) {
        Failure known = failures.get(signature);
        if (known != null) {
            known.count()[0]++;
            return;
        }
        Path saved = save(object, iteration, mutations, input, signature, error);
        failures.put(signature, new Failure(signature, object, iteration, mutations, error, saved, new long[] {1}));
        failureCount = failures.size();
        if (config.log() != null) {
            config.log().println("FUZZ FAILURE " + signature + "\n  object " + object + ", iteration " + iteration
                    + ", seed " + config.seed() + "\n  mutations: " + mutations + "\n  input: " + saved);
        }
    }

    private Path save(String object, long iteration, String mutations, byte[] input, String signature, String error) {
        try {
            Files.createDirectories(config.failureDir());
            String base = object + "-seed" + Long.toUnsignedString(config.seed(), 16) + "-iter" + iteration;
            Path bin = config.failureDir().resolve(base + ".bin");
            Files.write(bin, input == null ? new byte[0] : input);
            Files.writeString(config.failureDir().resolve(base + ".txt"), "failure: " + signature + "\nobject: "
                    + object + "\nseed: " + config.seed() + "\niteration: " + iteration + "\nmutations: " + mutations
                    + "\ninput: " + bin.getFileName() + " (" + (input == null ? 0 : input.length) + " bytes)\n\n"
                    + error);
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** A multi-line summary of a report. */
    public static String summary(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("fuzz seed %d (0x%x): %d iterations in %.1f s (%.0f/s)%n", r.seed(), r.seed(),
                r.iterations(), r.elapsed().toNanos() / 1e9, r.perSecond()));
        r.perObject().forEach((k, v) -> sb.append(String.format("  %-28s %8d%n", k, v)));
        sb.append("outcomes:\n");
        r.outcomes().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(25).forEach(e -> sb.append(String.format("  %8d  %s%n", e.getValue(), e.getKey())));
        if (!r.failures().isEmpty()) {
            sb.append(r.failures().size()).append(" distinct failure(s)")
                    .append(r.hung() ? " (run stopped by a hang)" : "")
                    .append(":\n");
            for (Failure f : r.failures()) {
                sb.append("- ").append(f.signature()).append(" (seen ").append(f.times()).append("x)\n")
                        .append("  first: object ").append(f.object()).append(", iteration ").append(f.iteration())
                        .append("\n  mutations: ").append(f.mutations())
                        .append("\n  input: ").append(f.saved())
                        .append("\n  reproduce: -Dbpfkit.fuzzSeed=").append(r.seed()).append(" -Dbpfkit.fuzzReplay=")
                        .append(f.object()).append(':').append(f.iteration()).append('\n');
            }
        }
        return sb.toString();
    }
}
