package io.bpfkit.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * The {@code bpfkit} command line.
 *
 * <pre>
 * bpfkit inspect [--json] FILE|DIR...    what an object holds (no privilege needed)
 * bpfkit load [--json] FILE...           load every program (no attach), or say why not
 * bpfkit btf dump FILE [--base BASE] [--format raw|c]
 *                                        BTF as bpftool prints it (an object or raw BTF; split
 *                                        over BASE); c: a compilable header (vmlinux.h)
 * bpfkit gen OBJECT [--package P] [-o DIR]   the object's @BpfObject interface, from its BTF
 * bpfkit link-objects OUT IN...          link objects into one, as bpftool gen object does
 * bpfkit new DIR [--package P]           a starter Maven project
 * bpfkit usdt list [--json] FILE|--pid PID
 *                                        the USDT probes of a binary, or of a process's mapped files
 * bpfkit prog|map|link list|show [ID]    what the kernel holds, as bpftool prints it ({@code --json})
 * bpfkit map dump ID|PINNED_PATH         a map's elements, decoded with its BTF
 * bpfkit profile [--pid PID] [--frequency HZ] [--duration S] [--kernel|--user] [--output FILE] [--json]
 *                                        a sampling CPU profile: folded stacks, JSON or an SVG flame graph
 * bpfkit top|syscount|execsnoop|...      the example tools ({@link Tools})
 * </pre>
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")
                || args.getFirst().equals("help")) {
            out.print(usage());
            return args.isEmpty() ? USAGE : OK;
        }
        List<String> rest = args.subList(1, args.size());
        // The commands first: the tools' table links every example tool's main (seven lambdas)
        // when first touched, which a btf dump or a load need not pay for.
        return switch (args.getFirst()) {
            case "inspect" -> InspectCommand.run(rest, out, err);
            case "btf" -> BtfCommand.run(rest, out, err);
            case "load" -> LoadCommand.run(rest, out, err);
            case "gen" -> GenCommand.run(rest, out, err);
            case "link-objects" -> LinkObjectsCommand.run(rest, out, err);
            case "new" -> NewCommand.run(rest, out, err);
            case "usdt" -> UsdtCommand.run(rest, out, err);
            case "prog" -> ProgCommand.run(rest, out, err);
            case "map" -> MapCommand.run(rest, out, err);
            case "link" -> LinkCommand.run(rest, out, err);
            case "profile" -> ProfileCommand.run(rest, out, err);
            default -> {
                Tools.Tool tool = Tools.named(args.getFirst());
                if (tool != null) {
                    tool.main().accept(rest.toArray(String[]::new));
                    yield OK;
                }
                err.println("bpfkit: unknown command '" + args.getFirst() + "'; try: bpfkit --help");
                yield USAGE;
            }
        };
    }

    static String usage() {
        StringBuilder s = new StringBuilder(String.join("\n", List.of(
                "usage: bpfkit COMMAND [ARGS]",
                "",
                "commands:",
                "  inspect [--json] FILE|DIR...   programs, maps, globals and license of eBPF objects",
                "                                 (a directory means every *.o in it); no privilege needed",
                "  load [--json] FILE...          load every program into the kernel (no attach): its id and",
                "                                 size, or the verifier's reason with the C source line",
                "  btf dump FILE [--base BASE] [--format raw|c]",
                "                                 the BTF of an object or a raw BTF file (such as",
                "                                 /sys/kernel/btf/vmlinux), as 'bpftool btf dump file' prints it;",
                "                                 --format c: a C header declaring every type (vmlinux.h);",
                "                                 --base: FILE is split BTF over BASE (a kernel module's over vmlinux)",
                "  gen OBJECT [--package P] [--interface NAME] [-o DIR|-]",
                "                                 the @BpfObject interface and records of an object, from",
                "                                 its BTF: a source file under DIR (default: .)",
                "  link-objects OUT IN...         link eBPF objects into one (sections merged, externs resolved,",
                "                                 BTF deduplicated), as 'bpftool gen object' does",
                "  new DIR [--package P]          a Maven project to start from: one .bpf.c, its interface,",
                "                                 a main and a JUnit test (mvn verify builds and runs it)",
                "  usdt list [--json] FILE|--pid PID",
                "                                 the USDT probes (provider:name, file offset, semaphore,",
                "                                 arguments) of a binary or library, or of every file a process maps",
                "  prog list|show [ID] [--json]   programs loaded in the kernel, as 'bpftool prog show' prints them",
                "  map list|show [ID] [--json]    maps in the kernel, as 'bpftool map show' prints them",
                "  map dump ID|PATH [--json]      a map's elements (a pinned map by its path), keys and values",
                "                                 decoded with the map's BTF as 'bpftool map dump' does; hex without BTF",
                "  link list|show [ID] [--json]   links in the kernel, as 'bpftool link show' prints them",
                "                                 (ID may also be written 'id ID', or 'pinned PATH')",
                "  profile [--pid PID] [--frequency HZ] [--duration S] [--kernel|--user] [--event EVENT]",
                "          [--output FILE.folded|.txt|.svg|.json] [--json]",
                "                                 a CPU profile (cpu-clock at 99 Hz for 10 s by default): stacks",
                "                                 with kernel, native and Java (JIT) frames named, as folded stacks,",
                "                                 JSON or an interactive SVG flame graph; Java needs -XX:+PreserveFramePointer",
                "  help                           this text",
                "",
                "example tools (each takes --help):",
                "")));
        Tools.TOOLS.forEach((name, tool) -> s.append(String.format("  %-30s %s%n", name, tool.summary())));
        return s.toString();
    }
}
