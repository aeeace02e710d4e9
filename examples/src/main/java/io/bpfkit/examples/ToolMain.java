package io.bpfkit.examples;

import io.bpfkit.api.BpfException;
import io.bpfkit.examples.top.Privileges;
import java.io.PrintStream;
import java.util.Set;

/**
 * What every example tool does around its own work: {@code --help} prints the usage; bad
 * arguments print the problem and the usage (exit code 2); without the privileges BPF needs one
 * line says which are missing (exit code 1); a {@link BpfException} while loading or attaching
 * prints its message (exit code 1).
 *
 * <pre>{@code
 * return ToolMain.run("execsnoop", USAGE, args, Set.of("--duration"), Set.of(), out, err,
 *         a -> trace(a.seconds("--duration", Double.POSITIVE_INFINITY), out));
 * }</pre>
 */
public final class ToolMain {
    private ToolMain() {
    }

    /** The tool's work on its parsed arguments; returns the exit code. */
    @FunctionalInterface
    public interface Body {
        int run(ToolArgs args);
    }

    /** Runs {@code body} for tool {@code name}; returns the exit code. */
    public static int run(String name, String usage, String[] args, Set<String> options, Set<String> flags,
                          PrintStream out, PrintStream err, Body body) {
        if (ToolArgs.wantsHelp(args)) {
            out.println(usage);
            return 0;
        }
        ToolArgs parsed;
        try {
            parsed = ToolArgs.parse(args, options, flags);
        } catch (IllegalArgumentException e) {
            return badArguments(name, usage, err, e);
        }
        String missing = Privileges.missing("bpfkit " + name);
        if (missing != null) {
            err.println(missing);
            return 1;
        }
        try {
            return body.run(parsed);
        } catch (IllegalArgumentException e) {
            return badArguments(name, usage, err, e);
        } catch (BpfException e) {
            err.println("bpfkit " + name + ": " + e.getMessage());
            return 1;
        }
    }

    private static int badArguments(String name, String usage, PrintStream err, IllegalArgumentException e) {
        err.println("bpfkit " + name + ": " + e.getMessage());
        err.println(usage);
        return 2;
    }
}
