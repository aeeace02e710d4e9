package io.bpfkit.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The mutation fuzzer from the command line, for runs longer than the build's
 * ({@code scripts/fuzz --own}), and to re-check saved inputs.
 *
 * <pre>
 * FuzzMain [--seconds N] [--seed S] [--objects DIR] [--out DIR] [--hang-seconds N]
 * FuzzMain --replay FILE...        check saved inputs (a fuzz failure, a Jazzer crash file)
 * FuzzMain --case OBJECT:ITERATION [--seed S] [--objects DIR] [--out DIR]
 * </pre>
 * Exits with 1 when the contract was broken, 2 on bad arguments.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) throws IOException {
        long seconds = 600;
        long seed = System.nanoTime();
        long hangSeconds = 5;
        Path objects = Path.of(System.getProperty("bpfkit.testObjects", "runtime/target/test-bpf"));
        Path out = Path.of("runtime/target/fuzz-failures");
        List<Path> replay = new ArrayList<>();
        String oneCase = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.decode(args[++i]);
                case "--objects" -> objects = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--hang-seconds" -> hangSeconds = Long.parseLong(args[++i]);
                case "--case" -> oneCase = args[++i];
                case "--replay" -> {
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        replay.add(Path.of(args[++i]));
                    }
                }
                default -> {
                    System.err.println("unknown argument " + args[i] + "; see the javadoc of "
                            + FuzzMain.class.getName());
                    System.exit(2);
                }
            }
        }
        if (!replay.isEmpty()) {
            System.exit(replay(replay) ? 0 : 1);
        }
        List<FuzzLoop.Seed> seeds = new ArrayList<>();
        try (Stream<Path> s = Files.list(objects)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".o")).sorted().toList()) {
                seeds.add(new FuzzLoop.Seed(p.getFileName().toString(), Files.readAllBytes(p)));
            }
        }
        if (seeds.isEmpty()) {
            System.err.println("no *.o seed objects in " + objects + " (build the test objects first)");
            System.exit(2);
        }
        FuzzLoop.Config config = new FuzzLoop.Config(seed, Duration.ofSeconds(seconds), Duration.ofSeconds(hangSeconds),
                out, 50, System.out);
        FuzzLoop loop = new FuzzLoop(seeds, config);
        if (oneCase != null) {
            int colon = oneCase.lastIndexOf(':');
            Mutator.Mutant m = loop.mutant(oneCase.substring(0, colon), Long.parseLong(oneCase.substring(colon + 1)));
            Files.createDirectories(out);
            Path file = out.resolve("case-" + oneCase.replace(':', '-') + ".bin");
            Files.write(file, m.bytes());
            System.out.println("seed " + seed + ", case " + oneCase + ": " + m.description() + "\n  written to "
                    + file);
            System.exit(replay(List.of(file)) ? 0 : 1);
        }
        System.out.printf("bpfkit mutation fuzzer: seed %d (0x%x), %d s over %d objects from %s%n", seed, seed, seconds,
                seeds.size(), objects);
        FuzzLoop.Report report = loop.run();
        System.out.print(FuzzLoop.summary(report));
        for (FuzzLoop.Failure f : report.failures()) {
            System.out.println("\n==== " + f.signature() + "\n" + f.error());
        }
        System.out.println(report.failures().isEmpty() ? "no contract violation" : report.failures().size()
                + " distinct contract violation(s); inputs in " + out);
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    private static boolean replay(List<Path> files) throws IOException {
        boolean ok = true;
        for (Path f : files) {
            byte[] data = Files.readAllBytes(f);
            try {
                Oracle.Outcome o = Oracle.check(data);
                System.out.println(f + ": kept the contract (" + o.label() + ")");
            } catch (ContractViolation v) {
                ok = false;
                System.out.println(f + ": VIOLATION " + v.signature());
                v.printStackTrace(System.out);
            }
        }
        return ok;
    }
}
