package io.bpfkit.cli;

import io.bpfkit.api.BpfException;
import io.bpfkit.profile.FlameGraph;
import io.bpfkit.profile.Profile;
import io.bpfkit.profile.Profiler;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code bpfkit profile}: samples stacks on every CPU (the whole machine or one process) for a
 * while and writes them symbolized, as folded stacks, JSON or an SVG flame graph. What could not
 * be named, and why, goes to standard error.
 */
final class ProfileCommand {
    static final String USAGE = "usage: bpfkit profile [--pid PID] [--frequency HZ] [--duration SECONDS] "
            + "[--kernel|--user] [--event EVENT] [--output FILE.folded|FILE.txt|FILE.svg|FILE.json] [--json]";

    private ProfileCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Profiler.Builder builder = Profiler.builder();
        double seconds = 10;
        boolean kernelOnly = false;
        boolean userOnly = false;
        boolean json = false;
        Path output = null;
        int pid = 0;
        int frequency = 99;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--kernel" -> kernelOnly = true;
                    case "--user" -> userOnly = true;
                    case "--json" -> json = true;
                    case "--help", "-h" -> {
                        out.println(USAGE);
                        return Main.OK;
                    }
                    case "--pid", "--frequency", "--duration", "--event", "--output", "-o" -> {
                        if (i + 1 == args.size()) {
                            err.println("bpfkit profile: " + a + " needs a value; " + USAGE);
                            return Main.USAGE;
                        }
                        String v = args.get(++i);
                        switch (a) {
                            case "--pid" -> pid = number(a, v);
                            case "--frequency" -> frequency = number(a, v);
                            case "--duration" -> seconds = seconds(v);
                            case "--event" -> builder.event(v);
                            default -> output = Path.of(v);
                        }
                    }
                    default -> {
                        err.println("bpfkit profile: unexpected '" + a + "'; " + USAGE);
                        return Main.USAGE;
                    }
                }
            }
            if (kernelOnly && userOnly) {
                err.println("bpfkit profile: --kernel and --user exclude each other (neither records both)");
                return Main.USAGE;
            }
            builder.pid(pid).frequency(frequency).stacks(!userOnly, !kernelOnly);
        } catch (IllegalArgumentException e) {
            err.println("bpfkit profile: " + e.getMessage());
            return Main.USAGE;
        }
        Format format = format(output, json);
        if (format == null) {
            err.println("bpfkit profile: --output " + output + ": write .folded or .txt (folded stacks), .svg (flame "
                    + "graph) or .json, or add --json");
            return Main.USAGE;
        }
        Profile profile;
        try {
            profile = builder.build().run(Duration.ofMillis((long) (seconds * 1000)));
        } catch (IllegalArgumentException | BpfException e) {
            err.println("bpfkit profile: " + e.getMessage());
            return Main.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bpfkit profile: interrupted");
            return Main.FAILED;
        }
        for (String note : profile.notes()) {
            err.println("bpfkit profile: note: " + note);
        }
        err.printf(Locale.ROOT, "bpfkit profile: %d samples in %d stacks (%s at %d Hz, %.1f s%s)%s%n",
                profile.samples(), profile.stacks().size(), profile.event(), profile.frequency(),
                profile.duration().toMillis() / 1e3, pid == 0 ? ", every process" : ", process " + pid,
                profile.lostSamples() + profile.stackErrors() > 0 ? "; " + profile.lostSamples()
                        + " samples lost (count map full), " + profile.stackErrors()
                        + " stacks lost (stack map full, or two stacks in one hash bucket)" : "");
        try {
            if (output == null) {
                out.print(format == Format.JSON ? profile.toJson() : profile.toFolded());
                out.flush();
            } else {
                try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    switch (format) {
                        case JSON -> w.write(profile.toJson());
                        case FOLDED -> profile.writeFolded(w);
                        case SVG -> FlameGraph.fromCounts(profile.folded()).title(title(profile, pid)).writeSvg(w);
                    }
                }
                err.println("bpfkit profile: wrote " + output);
            }
        } catch (IOException e) {
            err.println("bpfkit profile: cannot write " + (output == null ? "the output" : output) + ": " + e.getMessage());
            return Main.FAILED;
        }
        return Main.OK;
    }

    private enum Format { FOLDED, JSON, SVG }

    private static Format format(Path output, boolean json) {
        if (json) {
            return Format.JSON;
        }
        if (output == null) {
            return Format.FOLDED;
        }
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".folded") || name.endsWith(".txt")) {
            return Format.FOLDED;
        }
        if (name.endsWith(".svg")) {
            return Format.SVG;
        }
        return name.endsWith(".json") ? Format.JSON : null;
    }

    private static String title(Profile p, int pid) {
        return String.format(Locale.ROOT, "CPU profile: %s, %d Hz, %.1f s, %s", p.event(), p.frequency(),
                p.duration().toMillis() / 1e3, pid == 0 ? "every process" : "process " + pid);
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
        }
    }

    private static double seconds(String value) {
        try {
            double s = Double.parseDouble(value);
            if (!(s > 0 && s <= 24 * 3600)) {
                throw new IllegalArgumentException("--duration must be more than 0 and at most a day (86400 s): " + value);
            }
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--duration takes seconds, not '" + value + "'");
        }
    }
}
