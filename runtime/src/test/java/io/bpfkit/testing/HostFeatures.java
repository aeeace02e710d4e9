package io.bpfkit.testing;

import io.bpfkit.api.KernelException;
import io.bpfkit.load.KernelConfig;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probes, once per JVM, of what decides the branch of a host-dependent test. Each probe looks
 * at the machine directly (perf_event_open, /proc, sysfs, securityfs, the kernel config), not
 * through the bpfkit code a test checks. A probe that cannot tell throws: a guess would let
 * the wrong branch pass.
 */
public final class HostFeatures {
    private static final Map<String, Feature> CACHE = new ConcurrentHashMap<>();

    private HostFeatures() {
    }

    private static Feature cached(String key, Supplier<Feature> probe) {
        return CACHE.computeIfAbsent(key, k -> probe.get());
    }

    /**
     * A hardware PMU: {@code perf_event_open} of {@code cycles} for this process succeeds.
     * ENOENT, ENODEV, ENXIO and EOPNOTSUPP mean there is none (VMs, this CI host).
     */
    public static Feature hardwarePmu() {
        return cached("hardwarePmu", () -> {
            String name = "hardware PMU";
            PerfEventAttr cycles = new PerfEventAttr().type(Perf.PERF_TYPE_HARDWARE)
                    .config(Perf.PERF_COUNT_HW_CPU_CYCLES);
            try (Fd fd = PerfEvents.open(cycles, 0, -1, null, Perf.PERF_FLAG_FD_CLOEXEC, "cycles")) {
                return Feature.present(name, "perf_event_open of cycles: fd " + fd.get(), "cycles");
            } catch (KernelException e) {
                return switch (e.errno()) {
                    case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO, Errno.EOPNOTSUPP ->
                            Feature.absent(name, "perf_event_open of cycles: " + e.errnoName());
                    default -> throw new IllegalStateException("cannot tell whether this machine has a hardware PMU",
                            e);
                };
            }
        });
    }

    /** {@code /proc/sys/kernel/perf_event_paranoid}. */
    public static int perfEventParanoid() {
        return Integer.parseInt(read(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip());
    }

    /**
     * CPU-wide perf events without CAP_PERFMON: {@code perf_event_paranoid} at 0 or lower.
     */
    public static Feature cpuWidePerfEventsWithoutCapPerfmon() {
        return cached("paranoid", () -> {
            int paranoid = perfEventParanoid();
            String evidence = "perf_event_paranoid is " + paranoid;
            String name = "CPU-wide perf events without CAP_PERFMON";
            return paranoid <= 0 ? Feature.present(name, evidence, Integer.toString(paranoid))
                    : Feature.absent(name, evidence);
        });
    }

    /**
     * Kernel data symbols in kallsyms ({@code CONFIG_KALLSYMS_ALL}), which typed {@code .ksyms}
     * of variables need: the per-CPU variable {@code bpf_prog_active} is listed. Checked
     * against the kernel config where there is one.
     */
    public static Feature kallsymsData() {
        return cached("kallsymsData", () -> {
            String name = "kernel data symbols in kallsyms (CONFIG_KALLSYMS_ALL)";
            List<Kallsyms.Symbol> found = Kallsyms.find("bpf_prog_active"::equals);
            String config = KernelConfig.running().map(c -> c.value("CONFIG_KALLSYMS_ALL") == null ? "not set"
                    : c.value("CONFIG_KALLSYMS_ALL")).orElse("unknown (no kernel config)");
            boolean listed = !found.isEmpty();
            if (!config.startsWith("unknown") && listed != "y".equals(config)) {
                throw new IllegalStateException("/proc/kallsyms " + (listed ? "lists" : "lacks")
                        + " bpf_prog_active, but CONFIG_KALLSYMS_ALL is " + config);
            }
            String evidence = (listed ? "bpf_prog_active listed" : "no bpf_prog_active") + " in /proc/kallsyms, "
                    + "CONFIG_KALLSYMS_ALL " + config;
            return listed ? Feature.present(name, evidence, "bpf_prog_active") : Feature.absent(name, evidence);
        });
    }

    /**
     * Kernel lockdown (integrity or confidentiality) from securityfs, which
     * {@code scripts/env.sh} mounts; a kernel without the lockdown LSM is never locked down.
     * This machine refuses tracing programs (fentry/fexit/lsm) while locked down.
     */
    public static Feature lockdown() {
        return cached("lockdown", () -> {
            String name = "kernel lockdown";
            Path file = Path.of("/sys/kernel/security/lockdown");
            if (!Files.isReadable(file)) {
                String lsm = KernelConfig.running().map(c -> c.value("CONFIG_SECURITY_LOCKDOWN_LSM")).orElse(null);
                if (lsm == null && KernelConfig.running().isPresent()) {
                    return Feature.absent(name, "no lockdown LSM in the kernel config");
                }
                throw new IllegalStateException(file + " is missing: mount securityfs (mount -t securityfs "
                        + "securityfs /sys/kernel/security; scripts/env.sh does) to tell whether the kernel is locked down");
            }
            String text = read(file).strip();
            Matcher m = Pattern.compile("\\[(\\w+)]").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no [mode] in " + file + ": " + text);
            }
            String evidence = file + ": " + text;
            return m.group(1).equals("none") ? Feature.absent(name, evidence)
                    : Feature.present(name, evidence, m.group(1));
        });
    }

    /**
     * A PMU of sysfs with a named event that counts on every CPU, written {@code pmu/event/}:
     * the x86 {@code msr} PMU's {@code tsc} (VMs have it), the x86 core PMU's
     * {@code cpu-cycles}, or the Arm PMU's {@code cpu_cycles}.
     */
    public static Feature sysfsPmuEvent() {
        return cached("sysfsPmuEvent", () -> {
            String name = "a named event of a sysfs PMU";
            Path devices = Path.of("/sys/bus/event_source/devices");
            String[][] candidates = {{"msr", "tsc"}, {"cpu", "cpu-cycles"}, {"cpu_core", "cpu-cycles"},
                {"armv8_pmuv3_0", "cpu_cycles"}, {"armv8_pmuv3", "cpu_cycles"}};
            for (String[] c : candidates) {
                Path event = devices.resolve(c[0]).resolve("events").resolve(c[1]);
                if (Files.isRegularFile(event)) {
                    return Feature.present(name, event + " exists", c[0] + "/" + c[1] + "/");
                }
            }
            return Feature.absent(name, "none of msr/tsc, cpu/cpu-cycles, cpu_core/cpu-cycles, "
                    + "armv8_pmuv3*/cpu_cycles in " + devices);
        });
    }

    /** bpf(2) for processes without CAP_BPF: {@code kernel.unprivileged_bpf_disabled} is 0. */
    public static Feature unprivilegedBpf() {
        return cached("unprivilegedBpf", () -> {
            String value = read(Path.of("/proc/sys/kernel/unprivileged_bpf_disabled")).strip();
            String evidence = "unprivileged_bpf_disabled is " + value;
            return value.equals("0") ? Feature.present("unprivileged bpf(2)", evidence, value)
                    : Feature.absent("unprivileged bpf(2)", evidence);
        });
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p, e);
        }
    }
}
