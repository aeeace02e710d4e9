package io.bpfkit.examples.xdpcount;

import io.bpfkit.examples.ToolArgs;
import io.bpfkit.examples.ToolMain;
import io.bpfkit.examples.ToolSession;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.link.XdpMode;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bpfkit xdpcount}: the packets arriving on an interface, by protocol, counted by an XDP
 * program that lets every packet through.
 *
 * <pre>
 * $ ./bpfkit xdpcount --interface eth0 --duration 10
 * packets on eth0 (xdp generic) in 10.0 s:
 *   IPv4 TCP            1532
 *   IPv4 UDP              12
 *   ...
 * </pre>
 */
public final class XdpCount {
    static final String USAGE = """
            usage: bpfkit xdpcount [--interface NAME] [--duration SECONDS] [--mode generic|driver]
              Counts the packets arriving on an interface by protocol (IPv4/IPv6 x TCP/UDP/ICMP/other,
              and frames that are not IP) with an XDP program that passes every packet on.
              --interface N  the interface (default lo)
              --duration S   count for S seconds (default 5; Ctrl-C ends early)
              --mode M       generic (default: works on every interface) or driver (native XDP)
            Needs root (or CAP_BPF and CAP_NET_ADMIN).""";

    private XdpCount() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, () -> { }));
    }

    /** Runs the tool; {@code attached} runs once the program is on the interface. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Runnable attached) {
        return ToolMain.run("xdpcount", USAGE, args, Set.of("--interface", "--duration", "--mode"), Set.of(),
                out, err, a -> count(a, out, err, attached));
    }

    private static int count(ToolArgs args, PrintStream out, PrintStream err, Runnable attached) {
        String name = args.get("--interface", "lo");
        double seconds = args.seconds("--duration", 5);
        XdpMode mode = switch (args.get("--mode", "generic")) {
            case "generic" -> XdpMode.GENERIC;
            case "driver" -> XdpMode.DRIVER;
            default -> throw new IllegalArgumentException("--mode takes generic or driver, not "
                    + args.get("--mode", ""));
        };
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument " + args.positional().getFirst());
        }
        int ifindex = Attach.ifindex(name);
        long start = System.nanoTime();
        try (ToolSession session = new ToolSession(seconds);
             XdpCountProbe probe = XdpCountProbeBinding.open().load();
             Link link = Attach.xdp(probe.countPackets(), ifindex, mode)) {
            err.println("bpfkit xdpcount: " + link.name() + "; Ctrl-C to end early");
            attached.run();
            session.await();
            out.printf(Locale.ROOT, "packets on %s (xdp %s) in %.1f s:%n", name,
                    mode.name().toLowerCase(Locale.ROOT), (System.nanoTime() - start) / 1e9);
            counts(probe).forEach((p, n) -> out.printf("  %-14s %10d%n", p.label(), n));
            return 0;
        }
    }

    /** The packets counted so far by class: the per-CPU counters summed. */
    public static Map<Protocol, Long> counts(XdpCountProbe probe) {
        Map<Protocol, Long> counts = new EnumMap<>(Protocol.class);
        for (Protocol p : Protocol.values()) {
            counts.put(p, probe.packets().get(p.index()).sum(Long::longValue));
        }
        return counts;
    }
}
