package io.bpfkit.examples.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Interval arithmetic and output formats of bpfkit top, on made-up snapshots. */
class TopSamplerTest {
    private static final long SECOND = 1_000_000_000L;

    private static ProcStats stats(long syscalls, long cpuNs, long switches, long cycles, long insns, String comm) {
        return new ProcStats(syscalls, cpuNs, switches, cycles, insns, comm);
    }

    @Test
    void ratesAreDeltasOverTheInterval() {
        TopSampler s = new TopSampler(true);
        s.start(Map.of(1, stats(100, SECOND, 10, 1000, 2000, "a"), 2, stats(5, 0, 0, 0, 0, "idle")), 0);
        List<ProcessRow> rows = s.sample(Map.of(
                1, stats(300, SECOND + SECOND / 2, 30, 3000, 5000, "a"),
                2, stats(5, 0, 0, 0, 0, "idle"),
                3, stats(40, 2 * SECOND, 4, 100, 50, "new")), 2 * SECOND, Set.of(3), Set.of(), TopSampler.Sort.CPU);
        assertEquals(List.of(3, 1), rows.stream().map(ProcessRow::pid).toList(), "busiest first, idle left out");
        ProcessRow fresh = rows.get(0);
        assertEquals(100.0, fresh.cpuPercent(), 1e-9, "2 s on a CPU in 2 s, counted from zero");
        assertEquals(40, fresh.syscalls());
        assertTrue(fresh.started());
        ProcessRow a = rows.get(1);
        assertEquals(200, a.syscalls());
        assertEquals(100.0, a.syscallsPerSecond(), 1e-9);
        assertEquals(25.0, a.cpuPercent(), 1e-9);
        assertEquals(20, a.contextSwitches());
        assertEquals(1.5, a.instructionsPerCycle(), 1e-12);
        assertFalse(a.started() || a.exited());

        List<ProcessRow> bySyscalls = s.sample(Map.of(1, stats(301, 2 * SECOND, 30, 3000, 5000, "a"),
                3, stats(400, 2 * SECOND, 4, 100, 50, "new")), 3 * SECOND, Set.of(), Set.of(1), TopSampler.Sort.SYSCALLS);
        assertEquals(List.of(3, 1), bySyscalls.stream().map(ProcessRow::pid).toList());
        assertTrue(bySyscalls.get(1).exited(), "an ended process is shown once more");
        s.forget(Set.of(1));
        List<ProcessRow> reused = s.sample(Map.of(1, stats(7, 0, 0, 0, 0, "reused")), 4 * SECOND, Set.of(1),
                Set.of(), TopSampler.Sort.CPU);
        assertEquals(7, reused.getFirst().syscalls(), "a reused pid starts from zero");
    }

    @Test
    void withoutAHardwarePmuThereIsNoIpc() {
        TopSampler s = new TopSampler(false);
        s.start(Map.of(), 0);
        ProcessRow r = s.sample(Map.of(9, stats(1, 10, 1, 100, 100, "x")), SECOND, Set.of(), Set.of(),
                TopSampler.Sort.CPU).getFirst();
        assertTrue(Double.isNaN(r.instructionsPerCycle()));
    }

    @Test
    void tableFitsTheTerminalAndJsonIsOneLine() {
        List<ProcessRow> rows = List.of(
                new ProcessRow(10, "a-very-long-command", 5, 5.0, 12.5, 3, Double.NaN, 0, true, false),
                new ProcessRow(11, "b", 1, 1.0, 1.0, 1, Double.NaN, 0, false, true),
                new ProcessRow(12, "c", 1, 1.0, 0.5, 1, Double.NaN, 0, false, false));
        String table = TopOutput.table(rows, List.of(new TopOutput.Started(10, 1, "a")), 1, "no hardware PMU", false,
                40, 6, 1.0);
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), "6 lines less the cursor's: " + table);
        assertTrue(lines.stream().allMatch(l -> l.length() <= 40), table);
        assertEquals("no hardware PMU", lines.get(1));
        assertTrue(lines.get(3).startsWith("     10 + a-very-long-comm "), lines.get(3));
        assertTrue(lines.get(4).startsWith("     11 x b "), lines.get(4));
        String json = TopOutput.json(1, 1.0, "cpu-clock", "cpu-clock", false, rows,
                List.of(new TopOutput.Started(10, 1, "a\"b")), List.of(11), 0);
        assertFalse(json.contains("\n"));
        assertTrue(json.contains("\"ipc\":null"), json);
        assertTrue(json.contains("{\"pid\":10,\"ppid\":1,\"comm\":\"a\\\"b\"}"), json);
        assertTrue(json.endsWith("\"exited\":[11]}"), json);
    }
}
