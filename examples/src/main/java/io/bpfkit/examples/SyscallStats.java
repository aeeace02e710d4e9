package io.bpfkit.examples;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct syscall_stats} of {@code syscount.bpf.c}.
 *
 * @param calls system calls made
 * @param nanos nanoseconds spent in them
 */
@CStruct("syscall_stats")
public record SyscallStats(@Unsigned long calls, @Unsigned long nanos) {
}
