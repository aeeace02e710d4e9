package io.bpfkit.examples.jvm;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfProgram;
import io.bpfkit.events.RingBufferReader;
import io.bpfkit.examples.Log2Histogram;
import io.bpfkit.examples.ToolArgs;
import io.bpfkit.examples.ToolMain;
import io.bpfkit.examples.ToolSession;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.link.MappedFiles;
import io.bpfkit.link.UsdtOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code bpfkit jvm}: a live view of every JVM on the machine (or one), from HotSpot's own USDT
 * probes: no agent, no restart. Per JVM and interval: GCs and their pause time, classes loaded
 * and unloaded, JIT compilations and their time, threads started and ended; at the end the
 * totals and a log2 histogram of GC pauses. JVMs are found by their libjvm.so mapping; JVMs
 * that start later are picked up.
 *
 * <pre>
 * $ ./bpfkit jvm --duration 10
 * 12:01:02  2 JVMs
 *     PID COMMAND                         GCS  PAUSE ms    MAX ms  CLASSES +/-    JIT  JIT ms  THREADS +/-  MONITOR
 *   41822 java -jar app.jar                 3      12.4       8.1       120/0      40    35.2          2/1      n/a*
 * </pre>
 */
public final class JvmWatch {
    static final String USAGE = """
            usage: bpfkit jvm [--pid PID] [--duration SECONDS] [--interval SECONDS] [--json] [--prometheus PORT]
              A live view of every JVM on this machine (or of process PID), from HotSpot's USDT probes in
              libjvm.so: no agent, no restart, no JVM flag. Per JVM and interval: GC count and pause time,
              classes loaded/unloaded, JIT compilations and their time, threads started/ended; at the end
              the totals and a log2 histogram of GC pauses. JVMs that start later are picked up.
              Monitor contention (hotspot:monitor__contended__enter) fires only in JVMs started with
              -XX:+ExtendedDTraceProbes (or -XX:+DTraceMonitorProbes); other JVMs show it as n/a.
              --pid PID          only this JVM
              --duration S       stop after S seconds (default: until Ctrl-C)
              --interval S       print every S seconds (default 2)
              --json             one JSON object per interval, then one with "final": true and the totals
              --prometheus PORT  serve the totals at http://localhost:PORT/metrics
            Needs root (or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN).""";

    /** Program to the HotSpot probe it attaches to. */
    private static final String[][] PROBES = {
        {"onGcBegin", "gc__begin"}, {"onGcEnd", "gc__end"}, {"onClassLoaded", "class__loaded"},
        {"onClassUnloaded", "class__unloaded"}, {"onCompileBegin", "method__compile__begin"},
        {"onCompileEnd", "method__compile__end"}, {"onThreadStart", "thread__start"},
        {"onThreadStop", "thread__stop"}, {"onMonitorContended", "monitor__contended__enter"},
    };

    private JvmWatch() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the tool; {@code attached} runs once the probes are attached. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable attached) {
        return ToolMain.run("jvm", USAGE, args, Set.of("--pid", "--duration", "--interval", "--prometheus"),
                Set.of("--json"), out, err, a -> watch(a, out, err, attached));
    }

    private static int watch(ToolArgs args, PrintStream out, PrintStream err, Runnable attached) {
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument " + args.positional().getFirst());
        }
        double seconds = args.seconds("--duration", Double.POSITIVE_INFINITY);
        double interval = args.seconds("--interval", 2);
        int pid = args.has("--pid") ? args.positiveInt("--pid", 0) : -1;
        boolean json = args.has("--json");
        int port = args.has("--prometheus") ? args.positiveInt("--prometheus", 0) : -1;
        Map<Integer, JvmStats> jvms = new TreeMap<>();
        Map<Path, List<Link>> attachedTo = new LinkedHashMap<>();
        try (ToolSession session = new ToolSession(seconds);
             JvmProbe probe = JvmProbeBinding.open().load();
             JvmMetrics metrics = port < 0 ? null : new JvmMetrics(port);
             RingBufferReader reader = RingBufferReader.builder()
                     .add(probe.events(), e -> jvm(jvms, (int) Integer.toUnsignedLong(e.pid())).add(e)).build()) {
            try {
                if (pid > 0) {
                    Path libjvm = libjvmOf(pid);
                    if (libjvm == null) {
                        throw new BpfException("process " + pid + " is not a JVM (it maps no libjvm.so)");
                    }
                    jvm(jvms, pid);
                    attach(probe, libjvm, pid, attachedTo, err);
                } else {
                    for (Path lib : installedLibjvms()) {
                        attach(probe, lib, -1, attachedTo, err);
                    }
                    scan(probe, jvms, attachedTo, err);
                }
                attached.run();
                long next = System.nanoTime() + (long) (interval * 1e9);
                while (session.active() && !Thread.currentThread().isInterrupted()) {
                    reader.poll(Duration.ofMillis(100));
                    if (System.nanoTime() - next >= 0) {
                        next += (long) (interval * 1e9);
                        if (pid < 0) {
                            scan(probe, jvms, attachedTo, err);
                        } else {
                            jvms.get(pid).alive = Files.exists(Path.of("/proc", Integer.toString(pid)));
                        }
                        print(out, jvms, json, false);
                        if (metrics != null) {
                            metrics.update(jvms.values());
                        }
                    }
                }
                reader.consume();
                if (pid < 0) {
                    markExited(jvms);
                }
                print(out, jvms, json, true);
                if (metrics != null) {
                    metrics.update(jvms.values());
                }
                if (probe.lost() > 0) {
                    err.println("bpfkit jvm: " + probe.lost() + " events lost (ring buffer full)");
                }
                return 0;
            } finally {
                attachedTo.values().forEach(links -> links.reversed().forEach(Link::close));
            }
        }
    }

    private static JvmStats jvm(Map<Integer, JvmStats> jvms, int pid) {
        return jvms.computeIfAbsent(pid, p -> new JvmStats(p, command(p), extendedProbes(p)));
    }

    /** Attaches every program to its probe of {@code libjvm} once; probes an older JVM lacks are left out. */
    private static void attach(JvmProbe probe, Path libjvm, int pid, Map<Path, List<Link>> attachedTo,
            PrintStream err) {
        if (attachedTo.containsKey(libjvm)) {
            return;
        }
        List<Link> links = new ArrayList<>();
        attachedTo.put(libjvm, links);
        for (String[] p : PROBES) {
            BpfProgram prog = program(probe, p[0]);
            try {
                links.add(Attach.usdt(prog, UsdtOptions.of(libjvm.toString(), "hotspot", p[1]).pid(pid)));
            } catch (io.bpfkit.api.LoadException e) {
                err.println("bpfkit jvm: " + libjvm + ": no probe hotspot:" + p[1] + " (" + e.getMessage() + ")");
            }
        }
    }

    private static BpfProgram program(JvmProbe probe, String name) {
        return switch (name) {
            case "onGcBegin" -> probe.onGcBegin();
            case "onGcEnd" -> probe.onGcEnd();
            case "onClassLoaded" -> probe.onClassLoaded();
            case "onClassUnloaded" -> probe.onClassUnloaded();
            case "onCompileBegin" -> probe.onCompileBegin();
            case "onCompileEnd" -> probe.onCompileEnd();
            case "onThreadStart" -> probe.onThreadStart();
            case "onThreadStop" -> probe.onThreadStop();
            case "onMonitorContended" -> probe.onMonitorContended();
            default -> throw new IllegalStateException(name);
        };
    }

    /** Finds running JVMs: a new one is listed, a new libjvm.so attached to (for every process). */
    private static void scan(JvmProbe probe, Map<Integer, JvmStats> jvms, Map<Path, List<Link>> attachedTo,
            PrintStream err) {
        for (int p : MappedFiles.processes()) {
            Path lib = libjvmOf(p);
            if (lib != null) {
                jvm(jvms, p);
                attach(probe, lib, -1, attachedTo, err);
            }
        }
        markExited(jvms);
    }

    private static void markExited(Map<Integer, JvmStats> jvms) {
        jvms.values().forEach(j -> j.alive = Files.exists(Path.of("/proc", Integer.toString(j.pid))));
    }

    /** The libjvm.so process {@code pid} maps, or null (not a JVM, or gone). */
    static Path libjvmOf(int pid) {
        try {
            for (Path f : MappedFiles.of(pid)) {
                if (f.getFileName().toString().equals("libjvm.so")) {
                    return f;
                }
            }
        } catch (BpfException e) {
            // exited, or not readable: not a JVM we can watch
        }
        return null;
    }

    /** The server VMs of the JDKs installed in the usual place and this one: attached before any starts. */
    static List<Path> installedLibjvms() {
        List<Path> libs = new ArrayList<>();
        Path own = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        if (Files.isRegularFile(own)) {
            libs.add(own);
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            jdks.map(j -> j.resolve("lib/server/libjvm.so")).filter(Files::isRegularFile)
                    .map(JvmWatch::real).filter(l -> !libs.contains(l)).forEach(libs::add);
        } catch (IOException e) {
            // no JDKs there
        }
        return libs;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    static String command(int pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            String s = new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return s.isEmpty() ? "?" : s;
        } catch (IOException e) {
            return "?";
        }
    }

    /** Whether the JVM runs with the flag that turns its monitor probes on. */
    static boolean extendedProbes(int pid) {
        StringBuilder flags = new StringBuilder(command(pid));
        try {
            String env = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")),
                    StandardCharsets.UTF_8);
            for (String v : env.split("\0")) {
                if (v.startsWith("JAVA_TOOL_OPTIONS=") || v.startsWith("JDK_JAVA_OPTIONS=")) {
                    flags.append(' ').append(v);
                }
            }
        } catch (IOException e) {
            // no environment to read
        }
        String f = flags.toString();
        return f.contains("-XX:+ExtendedDTraceProbes") || f.contains("-XX:+DTraceMonitorProbes");
    }

    private static void print(PrintStream out, Map<Integer, JvmStats> jvms, boolean json, boolean last) {
        Map<JvmStats, JvmStats.Counts> rows = new LinkedHashMap<>();
        for (JvmStats j : jvms.values()) {
            JvmStats.Counts c = j.interval();
            if (last || j.alive || c.gcs + c.classesLoaded + c.compilations + c.threadsStarted > 0) {
                rows.put(j, last ? j.total : c);
            }
        }
        out.print(json ? json(rows, last) : text(rows, last));
        out.flush();
    }

    static String text(Map<JvmStats, JvmStats.Counts> rows, boolean last) {
        StringBuilder sb = new StringBuilder();
        sb.append(last ? "totals" : LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")))
                .append("  ").append(rows.size()).append(rows.size() == 1 ? " JVM" : " JVMs").append('\n');
        sb.append(String.format(Locale.ROOT, "%7s %-30s %5s %9s %8s %11s %6s %8s %11s %8s%n", "PID", "COMMAND", "GCS",
                "PAUSE ms", "MAX ms", "CLASSES +/-", "JIT", "JIT ms", "THREADS +/-", "MONITOR"));
        boolean footnote = false;
        for (Map.Entry<JvmStats, JvmStats.Counts> r : rows.entrySet()) {
            JvmStats j = r.getKey();
            JvmStats.Counts c = r.getValue();
            String monitor = j.extendedProbes ? Long.toString(c.monitorContended) : "n/a*";
            footnote |= !j.extendedProbes;
            String cmd = (j.alive ? "" : "(exited) ") + j.command;
            sb.append(String.format(Locale.ROOT, "%7d %-30.30s %5d %9.1f %8.1f %11s %6d %8.1f %11s %8s%n", j.pid, cmd,
                    c.gcs, c.gcPauseNs / 1e6, c.gcMaxNs / 1e6, c.classesLoaded + "/" + c.classesUnloaded,
                    c.compilations, c.compileNs / 1e6, c.threadsStarted + "/" + c.threadsStopped, monitor));
        }
        if (footnote) {
            sb.append("* monitor contention needs -XX:+ExtendedDTraceProbes in that JVM\n");
        }
        if (last) {
            for (JvmStats j : rows.keySet()) {
                if (j.total.gcs > 0) {
                    sb.append("\nGC pauses of ").append(j.pid).append(' ').append(j.command, 0,
                            Math.min(j.command.length(), 50)).append('\n');
                    sb.append(Log2Histogram.draw(j.pauseSlots, "usecs"));
                }
            }
        }
        return sb.toString();
    }

    static String json(Map<JvmStats, JvmStats.Counts> rows, boolean last) {
        StringBuilder sb = new StringBuilder("{\"schema\":\"bpfkit.jvm/1\",\"final\":").append(last)
                .append(",\"jvms\":[");
        boolean first = true;
        for (Map.Entry<JvmStats, JvmStats.Counts> r : rows.entrySet()) {
            JvmStats j = r.getKey();
            JvmStats.Counts c = r.getValue();
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"pid\":").append(j.pid).append(",\"command\":").append(quote(j.command))
                    .append(",\"alive\":").append(j.alive)
                    .append(",\"gc\":{\"count\":").append(c.gcs).append(",\"full\":").append(c.fullGcs)
                    .append(",\"pauseNs\":").append(c.gcPauseNs).append(",\"maxPauseNs\":").append(c.gcMaxNs);
            if (last) {
                sb.append(",\"pauseUsLog2\":[");
                for (int i = 0; i < j.pauseSlots.length; i++) {
                    sb.append(i == 0 ? "" : ",").append(j.pauseSlots[i]);
                }
                sb.append(']');
            }
            sb.append("},\"classes\":{\"loaded\":").append(c.classesLoaded).append(",\"unloaded\":")
                    .append(c.classesUnloaded).append("},\"compilations\":{\"count\":").append(c.compilations)
                    .append(",\"failed\":").append(c.failedCompilations).append(",\"ns\":").append(c.compileNs)
                    .append("},\"threads\":{\"started\":").append(c.threadsStarted).append(",\"ended\":")
                    .append(c.threadsStopped).append("},\"monitorContended\":")
                    .append(j.extendedProbes ? Long.toString(c.monitorContended)
                            : "{\"unavailable\":\"needs -XX:+ExtendedDTraceProbes\"}")
                    .append('}');
        }
        return sb.append("]}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
