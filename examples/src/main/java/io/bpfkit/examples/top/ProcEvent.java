package io.bpfkit.examples.top;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct top_event} of {@code top.bpf.c}: a process started a new program or ended.
 *
 * @param kind {@link #EXEC} or {@link #EXIT}
 * @param pid the process (tgid)
 * @param ppid its parent (exec only)
 * @param pad padding
 * @param timeNs {@code bpf_ktime_get_ns()} when it happened
 * @param comm command name
 */
@CStruct("top_event")
public record ProcEvent(@Unsigned int kind, @Unsigned int pid, @Unsigned int ppid, @Unsigned int pad,
                        @Unsigned long timeNs, @Size(16) String comm) {
    public static final int EXEC = 1;
    public static final int EXIT = 2;
}
