package io.bpfkit.examples.uprobe;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct call_stats} of {@code uprobecount.bpf.c}.
 *
 * @param calls calls entered
 * @param timed calls that also returned (through the uretprobe)
 * @param totalNs nanoseconds in the timed calls
 * @param slots slot k counts calls that took {@code [2^k, 2^(k+1))} nanoseconds
 */
@CStruct("call_stats")
public record CallStats(@Unsigned long calls, @Unsigned long timed, @Unsigned long totalNs, @Size(40) @Unsigned long[] slots) {
}
