package io.bpfkit.api.pmu;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a hardware (or software) performance counter that the loader opens on every online
 * CPU and places in a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} map, where BPF code reads it with
 * {@code bpf_perf_event_read_value}. The annotated binding method returns the {@link PmuCounter}
 * that reads the same counters from Java.
 *
 * <p>The event is written as {@code perf stat -e} takes it: {@code cycles},
 * {@code L1-dcache-load-misses}, {@code r01c2}, {@code cpu/event=0x3c,umask=0x00/},
 * {@code msr/tsc/}, {@code task-clock}, with {@code :u} or {@code :k}. On a machine without
 * that PMU (virtual machines, most CI) the {@link #fallback()} event is opened instead and the
 * counter says so; without a fallback the load fails with the reason.
 *
 * <p>javac checks both names where it can: a misspelled built-in event ({@code "cylces"}), an
 * unknown modifier or a malformed {@code pmu/terms/} is a compile error on the annotation
 * value; a name only the counting machine's sysfs resolves ({@code cpu/event=0x3c/},
 * {@code tsc}) gets a note and is resolved at load.
 *
 * <pre>{@code
 * @HwPmu(map = "cycles", event = "cycles", fallback = "cpu-clock")
 * PmuCounter cycles();
 * }</pre>
 *
 * <p>A BPF object can carry the same declaration itself with the macros of
 * {@code bpfkit/pmu.h}; an annotation overrides what the object declares.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface HwPmu {

    /** The PERF_EVENT_ARRAY map's name; empty: the method's name. */
    String map() default "";

    /** The perf event to count, in {@code perf stat -e} syntax. */
    String event();

    /** The event to count when {@link #event()} has no PMU on this machine; empty: none (fail). */
    String fallback() default "";

    /**
     * Which counter of the map: maps that hold several counters keep counter {@code c} of CPU
     * {@code cpu} at index {@code c * possibleCpus + cpu}.
     */
    int counter() default 0;
}
