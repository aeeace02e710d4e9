package io.bpfkit.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of {@code ./bpfkit}'s JDK AOT cache: several commands in one JVM, so that
 * the cache ({@code -XX:AOTCacheOutput}, made from one process) holds the classes, linkage and
 * method profiles of each. Commands are separated by {@code --}; their output is discarded and
 * a failing command does not stop the others (the cache is then merely less complete).
 *
 * <pre>
 * java -XX:AOTCacheOutput=bpfkit.aot -m io.bpfkit.cli/io.bpfkit.cli.AotTraining \
 *     load a.bpf.o b.bpf.o -- btf dump /sys/kernel/btf/vmlinux --format c -- btf dump /sys/kernel/btf/vmlinux
 * </pre>
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        for (List<String> command : commands(Arrays.asList(args))) {
            try {
                Main.run(command, discard, discard);
            } catch (RuntimeException e) {
                System.err.println("bpfkit AOT training: " + String.join(" ", command) + ": " + e);
            }
        }
        // As Main does: System.exit brings in the JDK's logging of exits (some 60 classes),
        // which the cache should hold too.
        System.exit(Main.OK);
    }

    /** The command lines between {@code --} separators, empty ones left out. */
    static List<List<String>> commands(List<String> args) {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--")) {
                if (!current.isEmpty()) {
                    commands.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        if (!current.isEmpty()) {
            commands.add(current);
        }
        return commands;
    }
}
