package io.bpfkit.examples.top;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct proc_stats} of {@code top.bpf.c}: counts since the process was first seen.
 *
 * @param syscalls system calls entered
 * @param cpuNs nanoseconds on a CPU
 * @param switches times switched off a CPU
 * @param cycles PMU counter 0 while on a CPU
 * @param instructions PMU counter 1 while on a CPU
 * @param comm command name
 */
@CStruct("proc_stats")
public record ProcStats(@Unsigned long syscalls, @Unsigned long cpuNs, @Unsigned long switches,
                        @Unsigned long cycles, @Unsigned long instructions, @Size(16) String comm) {
}
