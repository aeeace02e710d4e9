package io.bpfkit.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@link Profiler} run: each distinct stack with the number of samples that
 * hit it, symbolized, most samples first, and what could not be named.
 *
 * <pre>{@code
 * Profile p = Profiler.builder().pid(pid).build().run(Duration.ofSeconds(5));
 * p.folded().forEach((stack, n) -> System.out.println(stack + " " + n));   // flamegraph input
 * Files.writeString(Path.of("profile.json"), p.toJson());
 * }</pre>
 *
 * @param event the sampled perf event ({@code cpu-clock}, {@code cycles}, ...)
 * @param frequency samples per second and CPU asked for
 * @param pid the process profiled, 0 for every process
 * @param duration how long it sampled
 * @param samples samples the BPF program counted
 * @param lostSamples samples not counted because the kernel's count map was full
 * @param stackErrors stacks not recorded because the kernel's stack map was full or collided
 * @param stacks the stacks, most samples first
 * @param notes what could not be named and why, and how the run ended early, if it did
 */
public record Profile(String event, int frequency, int pid, Duration duration, long samples, long lostSamples,
                      long stackErrors, List<Stack> stacks, List<String> notes) {

    /**
     * One distinct stack.
     *
     * @param pid the process (tgid)
     * @param command its command name ({@code comm}) when sampled
     * @param frames root first: user frames from {@code main} (or the thread's start) inwards,
     *        then kernel frames down to the sampled one
     * @param count samples
     */
    public record Stack(int pid, String command, List<StackSymbolizer.Frame> frames, long count) {
        /** {@code command;frame;frame...} with kind suffixes, as folded stacks spell a stack. */
        public String folded() {
            StringBuilder s = new StringBuilder(command.isEmpty() ? "[pid " + pid + "]" : command.replace(';', ':')
                    .replace(' ', '_'));
            for (StackSymbolizer.Frame f : frames) {
                s.append(';').append(f.folded());
            }
            return s.toString();
        }
    }

    public Profile {
        stacks = List.copyOf(stacks);
        notes = List.copyOf(notes);
    }

    /**
     * Folded stacks ({@code command;root;...;leaf} to samples), most samples first; stacks that
     * fold to the same text are merged.
     */
    public Map<String, Long> folded() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Stack s : stacks) {
            out.merge(s.folded(), s.count(), Long::sum);
        }
        return out;
    }

    /** Writes {@link #folded()} as text, one {@code stack count} line each: flamegraph input. */
    public void writeFolded(Writer out) throws IOException {
        for (Map.Entry<String, Long> e : folded().entrySet()) {
            out.write(e.getKey());
            out.write(' ');
            out.write(Long.toString(e.getValue()));
            out.write('\n');
        }
        out.flush();
    }

    /** {@link #folded()} as text. */
    public String toFolded() {
        java.io.StringWriter w = new java.io.StringWriter();
        try {
            writeFolded(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * The profile as JSON ({@code "schema":"bpfkit.profile/1"}): the run's parameters and
     * counters, the notes, and every stack with its frames (name, kind, address) root first.
     */
    public String toJson() {
        StringBuilder j = new StringBuilder(256 + stacks.size() * 128);
        j.append("{\"schema\":\"bpfkit.profile/1\",\"event\":");
        string(j, event);
        j.append(",\"frequency\":").append(frequency).append(",\"pid\":").append(pid)
                .append(",\"durationMs\":").append(duration.toMillis())
                .append(",\"samples\":").append(samples).append(",\"lostSamples\":").append(lostSamples)
                .append(",\"stackErrors\":").append(stackErrors).append(",\"notes\":[");
        for (int i = 0; i < notes.size(); i++) {
            if (i > 0) {
                j.append(',');
            }
            string(j, notes.get(i));
        }
        j.append("],\"stacks\":[");
        for (int i = 0; i < stacks.size(); i++) {
            Stack s = stacks.get(i);
            j.append(i > 0 ? "," : "").append("{\"pid\":").append(s.pid()).append(",\"command\":");
            string(j, s.command());
            j.append(",\"count\":").append(s.count()).append(",\"frames\":[");
            for (int k = 0; k < s.frames().size(); k++) {
                StackSymbolizer.Frame f = s.frames().get(k);
                j.append(k > 0 ? "," : "").append("{\"name\":");
                string(j, f.name());
                j.append(",\"kind\":\"").append(f.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .append("\",\"address\":\"0x").append(Long.toHexString(f.address())).append("\"}");
            }
            j.append("]}");
        }
        return j.append("]}\n").toString();
    }

    private static void string(StringBuilder j, String s) {
        j.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> j.append("\\\"");
                case '\\' -> j.append("\\\\");
                case '\n' -> j.append("\\n");
                case '\t' -> j.append("\\t");
                case '\r' -> j.append("\\r");
                default -> {
                    if (c < 0x20) {
                        j.append(String.format("\\u%04x", (int) c));
                    } else {
                        j.append(c);
                    }
                }
            }
        }
        j.append('"');
    }
}
