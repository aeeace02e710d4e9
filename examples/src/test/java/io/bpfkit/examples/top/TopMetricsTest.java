package io.bpfkit.examples.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus series {@code bpfkit top} serves, from rows made up here (no kernel): per
 * command by default, the processes of a command added up; per process with
 * {@code --prometheus-by pid}.
 */
class TopMetricsTest {
    // two bash processes (IPC 2.0 over 1000 cycles, 1.0 over 3000), one java without PMU figures
    private static final List<ProcessRow> ROWS = List.of(
            new ProcessRow(101, "bash", 200, 100.0, 10.0, 8, 2.0, 1000, false, false),
            new ProcessRow(102, "bash", 100, 50.0, 5.0, 4, 1.0, 3000, true, false),
            new ProcessRow(7, "java", 20, 10.0, 150.0, 2, Double.NaN, 0, false, true));

    @Test
    void byCommandAddsUpTheProcessesOfOneCommand() throws Exception {
        String body = scrape(TopMetrics.By.COMM, 2.0);
        assertEquals(150.0, value(body, "bpfkit_top_syscalls_per_second{comm=\"bash\"}"));
        assertEquals(15.0, value(body, "bpfkit_top_cpu_percent{comm=\"bash\"}"));
        assertEquals(6.0, value(body, "bpfkit_top_context_switches_per_second{comm=\"bash\"}"), "12 in 2 s");
        assertEquals(1.25, value(body, "bpfkit_top_instructions_per_cycle{comm=\"bash\"}"),
                "(2000 + 3000) instructions over 4000 cycles");
        assertEquals(2.0, value(body, "bpfkit_top_processes{comm=\"bash\"}"));
        assertEquals(150.0, value(body, "bpfkit_top_cpu_percent{comm=\"java\"}"));
        assertEquals(1.0, value(body, "bpfkit_top_processes{comm=\"java\"}"));
        assertFalse(body.contains("bpfkit_top_instructions_per_cycle{comm=\"java\"}"), "no IPC without cycles");
        assertFalse(body.contains("pid="), body);
        assertEquals(2, count(body, "bpfkit_top_cpu_percent\\{"), body);
        assertEquals(1.0, value(body, "bpfkit_top_processes_started"));
    }

    @Test
    void byProcessKeepsOneSeriesPerPid() throws Exception {
        String body = scrape(TopMetrics.By.PID, 1.0);
        assertEquals(10.0, value(body, "bpfkit_top_cpu_percent{comm=\"bash\",pid=\"101\"}"));
        assertEquals(5.0, value(body, "bpfkit_top_cpu_percent{comm=\"bash\",pid=\"102\"}"));
        assertEquals(1.0, value(body, "bpfkit_top_instructions_per_cycle{comm=\"bash\",pid=\"102\"}"));
        assertEquals(3, count(body, "bpfkit_top_cpu_percent\\{"), body);
        assertFalse(body.contains("bpfkit_top_processes{"), "no process count per process: " + body);
    }

    @Test
    void aScrapeSeesOneIntervalNeverAMixOfTwo() throws Exception {
        List<ProcessRow> other = List.of(new ProcessRow(9, "sshd", 1, 1.0, 1.0, 1, Double.NaN, 0, false, false));
        try (TopMetrics m = new TopMetrics(0, TopMetrics.By.COMM)) {
            m.update(ROWS, 1.0, 0, 0);
            Thread updater = Thread.ofPlatform().start(() -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    m.update(i % 2 == 0 ? other : ROWS, 1.0, 0, 0);
                }
            });
            try {
                for (int i = 0; i < 200; i++) {
                    String body = get(m.port());
                    List<String> cpu = comms(body, "bpfkit_top_cpu_percent");
                    assertTrue(cpu.equals(List.of("bash", "java")) || cpu.equals(List.of("sshd")), body);
                    assertEquals(cpu, comms(body, "bpfkit_top_processes"), body);
                    assertEquals(cpu, comms(body, "bpfkit_top_syscalls_per_second"), body);
                }
            } finally {
                updater.interrupt();
                updater.join();
            }
        }
    }

    private static List<String> comms(String body, String metric) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{comm=\"([^\"]*)\"}").matcher(body);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String get(int port) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + "/metrics").toURL()
                .openConnection();
        assertEquals(200, c.getResponseCode());
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String scrape(TopMetrics.By by, double seconds) throws Exception {
        try (TopMetrics m = new TopMetrics(0, by)) {
            m.update(ROWS, seconds, 1, 1);
            return get(m.port());
        }
    }

    private static double value(String body, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
        assertTrue(m.find(), series + " in " + body);
        return Double.parseDouble(m.group(1));
    }

    private static int count(String body, String prefix) {
        Matcher m = Pattern.compile("(?m)^" + prefix).matcher(body);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
