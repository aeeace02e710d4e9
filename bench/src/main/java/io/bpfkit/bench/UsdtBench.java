package io.bpfkit.bench;

import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.link.UsdtOptions;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.usdt.UsdtNotes;
import io.bpfkit.usdt.UsdtProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * USDT against libbpf (scripts/bench-usdt), in one run: the time to attach and detach
 * usdt.bpf.o's {@code on_probe} on every probe of libjvm.so matching {@code hotspot:*gc*}
 * (bpfkit's {@code Attach.usdt} vs libbpf's {@code bpf_program__attach_usdt}, median of ROUNDS
 * rounds after as many warm-up rounds; bpfkit through uprobe.multi links where the kernel has
 * them, as libbpf 1.5+ does, and through one perf-event uprobe per site, as libbpf 1.1 does),
 * and what a traced JVM pays: the time of one {@code System.gc()} in a child JVM with nothing
 * attached, with bpfkit holding the probes and with libbpf holding them (best of 5 runs each,
 * the three in rotating order).
 *
 * <pre>
 * java -cp ... io.bpfkit.bench.UsdtBench run USDT_BENCH_EXE usdt.bpf.o LIBJVM ROUNDS GCS
 * </pre>
 */
public final class UsdtBench {
    private UsdtBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run" -> run(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "hold" -> hold(Path.of(args[1]), Path.of(args[2]));
            case "gcloop" -> gcLoop(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** The probe names of libjvm.so that match hotspot:*gc*. */
    static List<String> gcProbes(Path libjvm) {
        return UsdtNotes.read(libjvm).probes().stream().filter(p -> p.provider().equals("hotspot")
                && p.name().contains("gc")).map(UsdtProbe::name).distinct().toList();
    }

    static List<Link> attachAll(LoadedProgram prog, Path libjvm, List<String> names) {
        List<Link> links = new ArrayList<>();
        for (String n : names) {
            links.add(Attach.usdt(prog, UsdtOptions.of(libjvm.toString(), "hotspot", n)));
        }
        return links;
    }

    static long bpfkitAttachNs(Path object, Path libjvm, List<String> names, int rounds, boolean perfEvents) {
        BpfObjectSpec spec = BpfObjects.open(object);
        if (perfEvents) {
            spec.program("on_probe").orElseThrow().expectedAttachType(AttachType.PERF_EVENT);
        }
        try (LoadedObject obj = BpfLoader.load(spec)) {
            LoadedProgram prog = obj.program("on_probe").orElseThrow();
            long[] t = new long[rounds];
            for (int warm = 0; warm < 2; warm++) {
                for (int r = 0; r < rounds; r++) {
                    long start = System.nanoTime();
                    attachAll(prog, libjvm, names).reversed().forEach(Link::close);
                    t[r] = System.nanoTime() - start;
                }
            }
            Arrays.sort(t);
            return t[rounds / 2];
        }
    }

    static void hold(Path object, Path libjvm) throws IOException {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(object))) {
            List<Link> links = attachAll(obj.program("on_probe").orElseThrow(), libjvm, gcProbes(libjvm));
            System.out.println("attached");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the end of standard input
            }
            links.reversed().forEach(Link::close);
        }
    }

    static void gcLoop(int gcs) {
        for (int i = 0; i < 20; i++) {
            System.gc();
        }
        long start = System.nanoTime();
        for (int i = 0; i < gcs; i++) {
            System.gc();
        }
        System.out.println((System.nanoTime() - start) / gcs);
    }

    private static Process start(List<String> cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String line(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** ns per System.gc() in a child JVM while {@code holder} (or nothing) holds the probes. */
    static long gcNs(List<String> holder, int gcs) throws Exception {
        Process h = holder == null ? null : start(holder);
        try {
            if (h != null && !"attached".equals(line(h))) {
                throw new IllegalStateException("the holder did not attach: " + holder);
            }
            if (h != null) {
                Thread.sleep(1500); // the holder JVM's own start-up work (JIT, GC) done before the child runs
            }
            Process child = start(List.of(javaBin(), "-cp", System.getProperty("java.class.path"),
                    UsdtBench.class.getName(), "gcloop", Integer.toString(gcs)));
            long ns = Long.parseLong(line(child).strip());
            child.waitFor();
            return ns;
        } finally {
            if (h != null) {
                h.getOutputStream().close();
                h.waitFor();
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void run(Path cBench, Path object, Path libjvm, int rounds, int gcs) throws Exception {
        List<String> names = gcProbes(libjvm);
        int sites = (int) UsdtNotes.read(libjvm).probes().stream().filter(p -> names.contains(p.name())
                && p.provider().equals("hotspot")).count();
        List<String> cAttach = new ArrayList<>(List.of(cBench.toString(), object.toString(), libjvm.toString(),
                "attach", Integer.toString(rounds)));
        cAttach.addAll(names);
        Process c = start(cAttach);
        long libbpfNs = Long.parseLong(line(c).strip());
        c.waitFor();
        long bpfkitNs = bpfkitAttachNs(object, libjvm, names, rounds, false);
        long bpfkitPerfNs = bpfkitAttachNs(object, libjvm, names, rounds, true);

        List<String> cHold = new ArrayList<>(List.of(cBench.toString(), object.toString(), libjvm.toString(), "hold"));
        cHold.addAll(names);
        List<String> jHold = List.of(javaBin(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), UsdtBench.class.getName(), "hold", object.toString(),
                libjvm.toString());
        long none = Long.MAX_VALUE;
        long withBpfkit = Long.MAX_VALUE;
        long withLibbpf = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // each configuration first, second and third in turn
            for (int k = 0; k < 3; k++) {
                switch ((i + k) % 3) {
                    case 0 -> none = Math.min(none, gcNs(null, gcs));
                    case 1 -> withBpfkit = Math.min(withBpfkit, gcNs(jHold, gcs));
                    default -> withLibbpf = Math.min(withLibbpf, gcNs(cHold, gcs));
                }
            }
        }
        System.out.printf(Locale.ROOT, "probes: %s (%d sites) of %s%n", names, sites, libjvm);
        System.out.printf(Locale.ROOT, "%-44s %14s %14s %8s%n", "item", "bpfkit", "libbpf", "ratio");
        System.out.printf(Locale.ROOT, "%-44s %11.3f ms %11.3f ms %8.2f%n", "attach + detach, all *gc* probes (median)",
                bpfkitNs / 1e6, libbpfNs / 1e6, (double) bpfkitNs / libbpfNs);
        System.out.printf(Locale.ROOT, "%-44s %11.3f ms %11.3f ms %8.2f%n", "  the same, bpfkit through perf-event uprobes",
                bpfkitPerfNs / 1e6, libbpfNs / 1e6, (double) bpfkitPerfNs / libbpfNs);
        System.out.printf(Locale.ROOT, "%-44s %11.1f us %11.1f us %8.2f%n", "System.gc() in a traced JVM (best of 5)",
                withBpfkit / 1e3, withLibbpf / 1e3, (double) withBpfkit / withLibbpf);
        System.out.printf(Locale.ROOT, "%-44s %11.1f us%n", "System.gc() untraced (best of 5)", none / 1e3);
        System.out.printf(Locale.ROOT, "%-44s %11.1f us %11.1f us%n", "traced - untraced, per System.gc()",
                (withBpfkit - none) / 1e3, (withLibbpf - none) / 1e3);
    }
}
