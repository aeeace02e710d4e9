package io.bpfkit.cli;

import io.bpfkit.examples.SysCountTool;
import io.bpfkit.examples.execsnoop.ExecSnoop;
import io.bpfkit.examples.jvm.JvmWatch;
import io.bpfkit.examples.syslat.SysLat;
import io.bpfkit.examples.top.Top;
import io.bpfkit.examples.uprobe.UprobeCount;
import io.bpfkit.examples.xdpcount.XdpCount;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The example tools by name: {@code bpfkit top}, {@code bpfkit syscount 5}, ... Each is a program
 * of the examples module; this table is what the command line knows of them.
 */
final class Tools {
    /** Tool name to its main method and one line of help. */
    static final Map<String, Tool> TOOLS = new LinkedHashMap<>();

    record Tool(String summary, Consumer<String[]> main) {
    }

    static {
        TOOLS.put("top", new Tool("live per-process syscalls, CPU, context switches and IPC", Top::main));
        TOOLS.put("syscount", new Tool("system calls per process for a while [SECONDS [PID]]", args -> {
            try {
                SysCountTool.main(args);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        TOOLS.put("execsnoop", new Tool("every exec with pid, parent, command and arguments", ExecSnoop::main));
        TOOLS.put("syslat", new Tool("log2 histograms of system call latency, per system call", SysLat::main));
        TOOLS.put("xdpcount", new Tool("packets by protocol on an interface, counted by XDP", XdpCount::main));
        TOOLS.put("uprobe-count", new Tool("count and time calls of a library function", UprobeCount::main));
        TOOLS.put("jvm", new Tool("every JVM's GCs, class loads, JIT and threads, from HotSpot's USDT probes",
                JvmWatch::main));
    }

    private Tools() {
    }

    /** The tool called {@code name}, or null. */
    static Tool named(String name) {
        return TOOLS.get(name);
    }
}
