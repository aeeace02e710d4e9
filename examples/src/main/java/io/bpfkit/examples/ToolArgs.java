package io.bpfkit.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of an example tool: {@code --name value} options, {@code --flag}s and
 * positional arguments. Bad input is an {@link IllegalArgumentException} whose message the tool
 * prints above its usage.
 *
 * <pre>{@code
 * ToolArgs a = ToolArgs.parse(args, Set.of("--duration", "--pid"), Set.of());
 * double seconds = a.seconds("--duration", Double.POSITIVE_INFINITY);
 * }</pre>
 */
public final class ToolArgs {
    private final Map<String, String> values;
    private final List<String> positional;

    private ToolArgs(Map<String, String> values, List<String> positional) {
        this.values = values;
        this.positional = positional;
    }

    /** Parses {@code args}; {@code options} take a value, {@code flags} do not. */
    public static ToolArgs parse(String[] args, Set<String> options, Set<String> flags) {
        Map<String, String> values = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (options.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                values.put(a, args[++i]);
            } else if (flags.contains(a)) {
                values.put(a, "");
            } else if (a.startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        return new ToolArgs(values, positional);
    }

    /** Whether {@code args} asks for help ({@code --help} or {@code -h}). */
    public static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** A positive number of seconds. */
    public double seconds(String name, double otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " takes a positive number of seconds, not " + v);
    }

    /** A positive whole number (a process id, a count); {@code otherwise} when absent. */
    public int positiveInt(String name, int otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " takes a positive whole number, not " + v);
    }

    public List<String> positional() {
        return positional;
    }
}
