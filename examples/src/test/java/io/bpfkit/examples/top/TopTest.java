package io.bpfkit.examples.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Tools;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpfkit top for real: a helper process makes a known number of system calls while top runs,
 * and the JSON intervals add up to that many for its pid; a process started during the run is
 * reported as started; the Prometheus endpoint serves the same figures. With a hardware PMU
 * top reports IPC; without one (VMs, the CI host) it says cycles fell back and shows none:
 * the display name says which of the two this machine ran.
 */
@KernelTest
class TopTest {
    private static final int CALLS = 25_000;
    private static Path burst;

    @BeforeAll
    static void compileHelper(@TempDir Path dir) {
        burst = dir.resolve("syscall_burst");
        Tools.Result r = Tools.run(60, "gcc", "-O2", "-o", burst.toString(),
                Path.of("src/test/c/syscall_burst.c").toAbsolutePath().toString());
        assertEquals(0, r.exitCode(), r.stderr());
    }

    @TestFactory
    DynamicTest aKnownNumberOfSyscallsAndANewProcessShowInTheJson() {
        return HostFeatures.hardwarePmu().test("the JSON says hardware, and the worker's rows carry an IPC",
                () -> syscallsAndANewProcessInTheJson(true),
                "the JSON says cycles fell back to cpu-clock, and no row carries an IPC",
                () -> syscallsAndANewProcessInTheJson(false));
    }

    private static void syscallsAndANewProcessInTheJson(boolean hardwarePmu) throws Exception {
        Process worker = new ProcessBuilder(burst.toString(), Integer.toString(CALLS)).start();
        BufferedReader workerOut = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                StandardCharsets.US_ASCII));
        assertEquals("ready", workerOut.readLine());
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> top = CompletableFuture.supplyAsync(() -> Top.run(
                new String[] {"--json", "--interval", "0.5", "--duration", "4"}, new PrintStream(json, true),
                new PrintStream(err, true)));
        awaitFirstInterval(json, top); // top is loaded, attached, and counting from its first snapshot
        OutputStream toWorker = worker.getOutputStream();
        toWorker.write("go\n".getBytes(StandardCharsets.US_ASCII));
        toWorker.flush();
        assertEquals("done", workerOut.readLine());
        Process started = new ProcessBuilder("/bin/true").start();
        started.waitFor();
        assertEquals(0, (int) top.get(), err.toString());
        toWorker.close();
        worker.waitFor();

        List<String> docs = json.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(docs.size() >= 6, "about 8 intervals in 4 s: " + docs.size() + "\n" + err);
        long counted = 0;
        for (String doc : docs) {
            assertTrue(doc.startsWith("{\"schema\":\"bpfkit.top/1\""), doc);
            counted += field(doc, worker.pid(), "syscalls");
        }
        // N getppid, the write of "done" and the read it then blocks in
        assertTrue(counted >= CALLS + 2 && counted <= CALLS + 4, "counted " + counted + " for " + CALLS + " calls");
        String all = String.join("\n", docs);
        assertTrue(all.contains("{\"pid\":" + started.pid() + ",\"ppid\":" + ProcessHandle.current().pid()
                + ",\"comm\":\"true\"}"), "the started process with its parent: " + all);
        if (hardwarePmu) {
            assertTrue(all.contains("\"pmu\":{\"hardware\":true,\"cycles\":\"cycles\",\"instructions\":"
                    + "\"instructions\"}"), "the hardware counters are reported: " + all);
            boolean workerIpc = false;
            for (String doc : docs) {
                Matcher ipc = Pattern.compile("\\{\"pid\":" + worker.pid() + ",\"comm\":\"[^\"]*\"[^}]*?\"ipc\":([0-9.]+)")
                        .matcher(doc);
                while (ipc.find()) {
                    workerIpc |= Double.parseDouble(ipc.group(1)) > 0;
                }
            }
            assertTrue(workerIpc, "the worker ran on a CPU, so some interval has its IPC: " + all);
        } else {
            assertTrue(all.contains("\"pmu\":{\"hardware\":false,\"cycles\":\"cpu-clock\""),
                    "the PMU fallback is reported: " + all);
            assertFalse(Pattern.compile("\"ipc\":[0-9]").matcher(all).find(), "no IPC without a hardware PMU: " + all);
        }
    }

    /** Waits until top has printed its first interval (a machine under load may take seconds). */
    private static void awaitFirstInterval(ByteArrayOutputStream out, java.util.concurrent.Future<Integer> top)
            throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!out.toString(StandardCharsets.UTF_8).contains("\n")) {
            assertFalse(top.isDone(), "top ended before its first interval");
            assertTrue(System.nanoTime() < deadline, "no interval from top in two minutes");
            Thread.sleep(20);
        }
    }

    /** The sum of {@code name} over the process rows of {@code pid} in one document. */
    private static long field(String doc, long pid, String name) {
        Matcher m = Pattern.compile("\\{\"pid\":" + pid + ",\"comm\":\"[^\"]*\"[^}]*?\"" + name + "\":(\\d+)")
                .matcher(doc);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    @TestFactory
    DynamicTest thePrometheusEndpointServesTheFigures() {
        return HostFeatures.hardwarePmu().test("an IPC series is served", () -> prometheusServesTheFigures(true),
                "no IPC series is served", () -> prometheusServesTheFigures(false));
    }

    private static void prometheusServesTheFigures(boolean hardwarePmu) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int p = port;
        // No --duration: top serves until it is stopped (as by Ctrl-C: its thread is interrupted)
        // after the request, however long a slow machine takes to get there.
        java.util.concurrent.FutureTask<Integer> top = new java.util.concurrent.FutureTask<>(() -> Top.run(
                new String[] {"--json", "--interval", "0.5", "--prometheus", Integer.toString(p)},
                new PrintStream(out, true), new PrintStream(err, true)));
        Thread topThread = Thread.ofPlatform().name("bpfkit-top-test").start(top);
        String body;
        try {
            awaitFirstInterval(out, top); // the server is up and has the first interval's figures
            HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + "/metrics").toURL()
                    .openConnection();
            assertEquals(200, c.getResponseCode());
            try (var in = c.getInputStream()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            topThread.interrupt();
        }
        assertEquals(0, (int) top.get(2, java.util.concurrent.TimeUnit.MINUTES), err.toString());
        // by command (the default): one series per comm, no pid label, and how many processes
        Matcher cpu = Pattern.compile("(?m)^bpfkit_top_cpu_percent\\{comm=\"([^\"]*)\"} (\\S+)$").matcher(body);
        java.util.Set<String> comms = new java.util.HashSet<>();
        while (cpu.find()) {
            assertTrue(comms.add(cpu.group(1)), "one series per command: " + cpu.group());
            assertTrue(Double.parseDouble(cpu.group(2)) >= 0, cpu.group());
        }
        assertFalse(comms.isEmpty(), body);
        assertFalse(body.contains("pid=\""), "no per-process series by default: " + body);
        Matcher procs = Pattern.compile("(?m)^bpfkit_top_processes\\{comm=\"([^\"]*)\"} (\\S+)$").matcher(body);
        int counted = 0;
        while (procs.find()) {
            counted++;
            assertTrue(Double.parseDouble(procs.group(2)) >= 1, procs.group());
        }
        assertEquals(comms.size(), counted, body);
        assertTrue(body.contains("# TYPE bpfkit_top_syscalls_per_second gauge"), body);
        assertEquals(hardwarePmu, body.contains("bpfkit_top_instructions_per_cycle{"),
                "an IPC series exactly when there is a hardware PMU: " + body);
    }

    @Test
    void helpAndBadArguments() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Top.run(new String[] {"--help"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(out.toString().contains("usage: bpfkit top"));
        assertEquals(2, Top.run(new String[] {"--sort", "bogus"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString().contains("--sort takes cpu, syscalls, switches or pid, not bogus"), err.toString());
        assertEquals(2, Top.run(new String[] {"--prometheus", "0", "--prometheus-by", "uid"}, new PrintStream(out),
                new PrintStream(err)));
        assertTrue(err.toString().contains("--prometheus-by takes comm or pid, not uid"), err.toString());
        assertEquals(2, Top.run(new String[] {"--prometheus-by", "pid"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(err.toString().contains("--prometheus-by needs --prometheus PORT"), err.toString());
    }

    @Test
    void withoutPrivilegeOneLineSaysWhatIsMissing() {
        // CapEff of a process with only CAP_NET_ADMIN (12)
        assertEquals("bpfkit top needs root, or CAP_BPF and CAP_PERFMON (this process lacks CAP_BPF and "
                + "CAP_PERFMON): run it with sudo", Privileges.missing("bpfkit top", 1L << 12));
        assertEquals(null, Privileges.missing("bpfkit top", 1L << 21), "CAP_SYS_ADMIN covers both");
        assertEquals(null, Privileges.missing("bpfkit top", 3L << 38));
        assertEquals(0x1fL, Privileges.effectiveCapabilities("Name:\tx\nCapEff:\t000000000000001f\n"));
    }
}
