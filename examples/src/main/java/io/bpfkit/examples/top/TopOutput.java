package io.bpfkit.examples.top;

import java.util.List;
import java.util.Locale;

/** The two ways {@code bpfkit top} prints an interval: a table that fits the terminal, or JSON. */
final class TopOutput {
    private TopOutput() {
    }

    /** A started process: {@code exec} seen in the ring buffer. */
    record Started(int pid, int ppid, String comm) {
    }

    /**
     * The table: a summary line, the PMU banner when there is no hardware PMU, the column header,
     * then as many rows as fit in {@code height} lines less one (so the cursor's line does not
     * scroll the screen), each cut to {@code width} columns. {@code +} marks a process that
     * started in the interval, {@code x} one that ended.
     */
    static String table(List<ProcessRow> rows, List<Started> started, int exitedCount, String banner, boolean ipc,
                        int width, int height, double seconds) {
        StringBuilder sb = new StringBuilder();
        double syscalls = rows.stream().mapToDouble(ProcessRow::syscallsPerSecond).sum();
        double cpu = rows.stream().mapToDouble(ProcessRow::cpuPercent).sum();
        line(sb, width, String.format(Locale.ROOT, "bpfkit top - %d processes active, %.0f syscalls/s, %.0f%% CPU, "
                + "%d started, %d exited (%.1f s)", rows.size(), syscalls, cpu, started.size(), exitedCount, seconds));
        int used = 2;
        if (banner != null) {
            line(sb, width, banner);
            used++;
        }
        String header = String.format(Locale.ROOT, "%7s   %-16s %11s %6s %9s%s", "PID", "COMMAND", "SYSCALLS/s",
                "CPU%", "CSW/s", ipc ? "    IPC" : "");
        line(sb, width, header);
        int room = Math.max(1, height - used - 1);
        for (ProcessRow r : rows.subList(0, Math.min(room, rows.size()))) {
            String flag = r.started() ? "+" : r.exited() ? "x" : " ";
            line(sb, width, String.format(Locale.ROOT, "%7d %s %-16.16s %11.0f %6.1f %9.0f%s", r.pid(), flag, r.comm(),
                    r.syscallsPerSecond(), r.cpuPercent(), r.contextSwitches() / seconds,
                    ipc ? Double.isNaN(r.instructionsPerCycle()) ? "      -"
                            : String.format(Locale.ROOT, " %6.2f", r.instructionsPerCycle()) : ""));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, int width, String text) {
        sb.append(text.length() > width ? text.substring(0, width) : text).append('\n');
    }

    /** One JSON document (one line) for the interval. */
    static String json(long timeMillis, double seconds, String cyclesEvent, String instructionsEvent,
                       boolean hardwarePmu, List<ProcessRow> rows, List<Started> started, List<Integer> exited,
                       long lostEvents) {
        StringBuilder sb = new StringBuilder(256 + rows.size() * 160);
        sb.append("{\"schema\":\"bpfkit.top/1\",\"timeMillis\":").append(timeMillis)
                .append(",\"intervalSeconds\":").append(number(seconds))
                .append(",\"pmu\":{\"hardware\":").append(hardwarePmu)
                .append(",\"cycles\":").append(string(cyclesEvent))
                .append(",\"instructions\":").append(string(instructionsEvent)).append('}')
                .append(",\"lostEvents\":").append(lostEvents)
                .append(",\"processes\":[");
        for (int i = 0; i < rows.size(); i++) {
            ProcessRow r = rows.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"pid\":").append(r.pid())
                    .append(",\"comm\":").append(string(r.comm()))
                    .append(",\"syscalls\":").append(r.syscalls())
                    .append(",\"syscallsPerSecond\":").append(number(r.syscallsPerSecond()))
                    .append(",\"cpuPercent\":").append(number(r.cpuPercent()))
                    .append(",\"contextSwitches\":").append(r.contextSwitches())
                    .append(",\"ipc\":").append(Double.isNaN(r.instructionsPerCycle()) ? "null"
                            : number(r.instructionsPerCycle()))
                    .append(",\"started\":").append(r.started())
                    .append(",\"exited\":").append(r.exited()).append('}');
        }
        sb.append("],\"started\":[");
        for (int i = 0; i < started.size(); i++) {
            Started s = started.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"pid\":").append(s.pid()).append(",\"ppid\":").append(s.ppid())
                    .append(",\"comm\":").append(string(s.comm())).append('}');
        }
        sb.append("],\"exited\":[");
        for (int i = 0; i < exited.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(exited.get(i));
        }
        return sb.append("]}").toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
