package io.bpfkit.examples;

import java.util.Comparator;
import java.util.Map;

/**
 * {@code syscount [SECONDS [PID]]}: counts system calls for a while (every process, or one) and
 * prints the busiest processes, through the generated {@link SysCountBinding}.
 */
public final class SysCountTool {
    private SysCountTool() {
    }

    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 1;
        int pid = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        try (SysCount sc = SysCountBinding.open().targetPid(pid).load()) {
            Thread.sleep(seconds * 1000);
            System.out.printf("%d system calls (%d not counted: map full)%n", sc.total(), sc.dropped());
            System.out.printf("%8s %10s %12s%n", "PID", "CALLS", "MICROS");
            sc.counts().snapshot().entrySet().stream()
                    .sorted(Comparator.comparingLong((Map.Entry<Integer, SyscallStats> e) -> e.getValue().calls())
                            .reversed())
                    .limit(10)
                    .forEach(e -> System.out.printf("%8d %10d %12d%n", Integer.toUnsignedLong(e.getKey()),
                            e.getValue().calls(), e.getValue().nanos() / 1000));
        }
    }
}
