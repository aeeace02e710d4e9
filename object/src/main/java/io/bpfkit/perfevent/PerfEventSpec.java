package io.bpfkit.perfevent;

import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.util.Objects;

/**
 * A perf event resolved to what {@code perf_event_open} needs: the PMU type and its config
 * words, plus the privilege-level modifiers. Plain data; {@link PerfEventParser} makes them.
 *
 * @param text the event as written, e.g. {@code L1-dcache-load-misses:u}
 * @param pmu the PMU's name for messages ({@code cpu}, {@code software}, {@code msr}, ...)
 * @param type {@code perf_event_attr.type}: a fixed type or a dynamic PMU's number from sysfs
 * @param config {@code perf_event_attr.config}
 * @param config1 {@code config1}
 * @param config2 {@code config2}
 * @param config3 {@code config3}
 * @param excludeUser do not count in user space ({@code :k})
 * @param excludeKernel do not count in the kernel ({@code :u})
 * @param excludeHv do not count in the hypervisor ({@code :u} or {@code :k} without {@code h})
 * @param preciseIp skid constraint, 0-3 ({@code :p}, {@code :pp}, ...)
 */
public record PerfEventSpec(String text, String pmu, int type, long config, long config1, long config2,
                            long config3, boolean excludeUser, boolean excludeKernel, boolean excludeHv,
                            int preciseIp) {

    public PerfEventSpec {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(pmu, "pmu");
        if (preciseIp < 0 || preciseIp > 3) {
            throw new IllegalArgumentException("precise_ip must be 0..3: " + preciseIp);
        }
    }

    /** True for the hardware-dependent types: what a machine without a PMU cannot open. */
    public boolean needsHardwarePmu() {
        return type == Perf.PERF_TYPE_HARDWARE || type == Perf.PERF_TYPE_HW_CACHE
                || type == Perf.PERF_TYPE_RAW;
    }

    @Override
    public String toString() {
        return text;
    }
}
