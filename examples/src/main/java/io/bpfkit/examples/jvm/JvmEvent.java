package io.bpfkit.examples.jvm;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct jvm_event} of {@code jvm.bpf.c}: one thing a JVM did, read from HotSpot's USDT
 * probes.
 *
 * @param pid the JVM's process id
 * @param kind what happened: {@link #GC}, {@link #CLASS_LOADED}, ...
 * @param durationNs the GC pause or the compilation's time; 0 for the others
 * @param flag for a GC, whether it was a full collection; for a compilation, whether it succeeded
 * @param pad padding
 */
@CStruct("jvm_event")
public record JvmEvent(@Unsigned int pid, @Unsigned int kind, @Unsigned long durationNs, @Unsigned int flag,
        @Unsigned int pad) {
    public static final int GC = 1;
    public static final int CLASS_LOADED = 2;
    public static final int CLASS_UNLOADED = 3;
    public static final int COMPILE = 4;
    public static final int THREAD_START = 5;
    public static final int THREAD_STOP = 6;
    public static final int MONITOR_CONTENDED = 7;
}
