package io.bpfkit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Kernel times counted from boot ({@code bpf_prog_info.load_time}, CLOCK_BOOTTIME nanoseconds)
 * as wall-clock times, as bpftool prints them: seconds since the epoch in JSON,
 * {@code 2026-12-07T20:41:07+0000} in text. The boot instant is now minus
 * {@code /proc/uptime} (CLOCK_BOOTTIME in hundredths of a second); without it, times are
 * seconds since boot, as bpftool prints them when it cannot read the clocks.
 */
final class BootTime {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");

    private BootTime() {
    }

    static long epochSeconds(long sinceBootNanos) {
        return Math.floorDiv(bootEpochNanos() + sinceBootNanos, 1_000_000_000L);
    }

    static String isoLocal(long sinceBootNanos) {
        return ISO.format(Instant.ofEpochSecond(epochSeconds(sinceBootNanos)).atZone(ZoneId.systemDefault()));
    }

    private static long bootEpochNanos() {
        Instant now = Instant.now();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        try {
            String uptime = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            return nowNanos - new java.math.BigDecimal(uptime).movePointRight(9).longValue();
        } catch (IOException | RuntimeException e) {
            return 0; // as bpftool when it cannot read the clocks: seconds since boot
        }
    }
}
