package io.bpfkit.bench;

import io.bpfkit.link.MappedFiles;
import io.bpfkit.profile.Profile;
import io.bpfkit.profile.Profiler;
import io.bpfkit.profile.StackSymbolizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The profiler's costs (scripts/bench-profile), in one run:
 * <ul>
 *   <li>sampling overhead: the throughput of a CPU-bound loop ({@code hot SECONDS spin wait},
 *       built from the profiler tests' hot.c) alone, and while {@code Profiler} samples it at 99
 *       and 999 Hz, in loops per CPU second of the loop (its own CLOCK_PROCESS_CPUTIME_ID: the
 *       timer interrupt and the BPF program run on its time, other load does not count); ROUNDS
 *       rounds, the three in rotating order, medians compared;</li>
 *   <li>symbolization throughput: addresses per second through a new {@code StackSymbolizer}
 *       (cold: kallsyms and every ELF file read on the way) and through the same one again
 *       (warm), for user addresses spread over this JVM's executable file mappings (libjvm,
 *       libc, ...) and for kernel text addresses.</li>
 * </ul>
 *
 * <pre>
 * java -cp ... io.bpfkit.bench.ProfileBench HOT_EXE ROUNDS SECONDS
 * </pre>
 */
public final class ProfileBench {
    private ProfileBench() {
    }

    public static void main(String[] args) throws Exception {
        Path hot = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        overhead(hot, rounds, seconds);
        symbolization();
    }

    private static void overhead(Path hot, int rounds, double seconds) throws Exception {
        int[] modes = {0, 99, 999};
        List<List<Double>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        StackSymbolizer symbols = new StackSymbolizer();
        long samples99 = 0;
        long samples999 = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < modes.length; k++) {
                int m = (r + k) % modes.length;
                Process p = new ProcessBuilder(hot.toString(), Double.toString(seconds), "spin", "wait")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                if (!"ready".equals(out.readLine())) {
                    throw new IOException(hot + " did not start");
                }
                Profiler.Session session = modes[m] == 0 ? null
                        : Profiler.builder().pid((int) p.pid()).frequency(modes[m]).symbolizer(symbols).build().start();
                try {
                    OutputStream in = p.getOutputStream();
                    in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                    // loops per CPU second of the loop: what sampling takes from it, whatever else
                    // the machine runs meanwhile (the interrupt and the BPF program run on its time)
                    String[] result = out.readLine().trim().split(" ");
                    p.waitFor();
                    rates.get(m).add(Long.parseLong(result[0]) / Double.parseDouble(result[1]));
                    if (session != null) {
                        Profile profile = session.stop();
                        if (modes[m] == 99) {
                            samples99 += profile.samples();
                        } else {
                            samples999 += profile.samples();
                        }
                    }
                } finally {
                    if (session != null) {
                        session.close();
                    }
                }
            }
        }
        double base = median(rates.get(0));
        System.out.printf(Locale.ROOT, "sampling overhead on a CPU-bound loop (%d rounds of %.1f s, medians of loops per CPU second)%n",
                rounds, seconds);
        System.out.printf(Locale.ROOT, "  no profiler      %10.1f loops/s  (min %.1f, max %.1f)%n", base,
                min(rates.get(0)), max(rates.get(0)));
        for (int m = 1; m < modes.length; m++) {
            double v = median(rates.get(m));
            System.out.printf(Locale.ROOT, "  %4d Hz          %10.1f loops/s  (min %.1f, max %.1f)  overhead %+.2f %%  "
                    + "samples/s of the loop %.0f%n", modes[m], v, min(rates.get(m)), max(rates.get(m)),
                    (base - v) / base * 100, (m == 1 ? samples99 : samples999) / (rounds * seconds));
        }
    }

    private static void symbolization() throws IOException {
        int self = (int) ProcessHandle.current().pid();
        List<MappedFiles.Region> exec = MappedFiles.regions(self).stream()
                .filter(r -> r.isFile() && r.isExecutable()).toList();
        SplittableRandom random = new SplittableRandom(42);
        int n = 200_000;
        long[] user = new long[n];
        for (int i = 0; i < n; i++) {
            MappedFiles.Region r = exec.get(random.nextInt(exec.size()));
            user[i] = r.start() + random.nextLong(r.end() - r.start());
        }
        List<Long> text = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/kallsyms"))) {
            if (line.length() > 18 && (line.charAt(17) == 'T' || line.charAt(17) == 't')) {
                text.add(Long.parseUnsignedLong(line, 0, 16, 16));
            }
        }
        long[] kernel = new long[n];
        for (int i = 0; i < n; i++) {
            kernel[i] = text.get(random.nextInt(text.size())) + random.nextInt(64);
        }
        System.out.printf(Locale.ROOT, "symbolization (%d addresses; user: over %d executable file mappings of this JVM)%n",
                n, exec.size());
        StackSymbolizer s = new StackSymbolizer();
        long t0 = System.nanoTime();
        long named = 0;
        for (long ip : user) {
            named += s.userFrame(self, ip).name().isEmpty() ? 0 : 1;
        }
        long t1 = System.nanoTime();
        for (long ip : user) {
            named += s.userFrame(self, ip).name().isEmpty() ? 0 : 1;
        }
        long t2 = System.nanoTime();
        for (long ip : kernel) {
            named += s.kernelFrame(ip).name().isEmpty() ? 0 : 1;
        }
        long t3 = System.nanoTime();
        for (long ip : kernel) {
            named += s.kernelFrame(ip).name().isEmpty() ? 0 : 1;
        }
        long t4 = System.nanoTime();
        System.out.printf(Locale.ROOT, "  user   cold %12.0f addresses/s  (%d ELF files read, %.0f ms)%n", n / ((t1 - t0) / 1e9),
                s.filesRead(), (t1 - t0) / 1e6);
        System.out.printf(Locale.ROOT, "  user   warm %12.0f addresses/s%n", n / ((t2 - t1) / 1e9));
        System.out.printf(Locale.ROOT, "  kernel cold %12.0f addresses/s  (kallsyms read, %.0f ms)%n", n / ((t3 - t2) / 1e9),
                (t3 - t2) / 1e6);
        System.out.printf(Locale.ROOT, "  kernel warm %12.0f addresses/s%n", n / ((t4 - t3) / 1e9));
        if (named != 4L * n) {
            throw new IllegalStateException("an address got an empty name");
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return Arrays.stream(v.stream().mapToDouble(Double::doubleValue).toArray()).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return Arrays.stream(v.stream().mapToDouble(Double::doubleValue).toArray()).max().orElse(0);
    }
}
