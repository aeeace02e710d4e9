package io.bpfkit.examples.syslat;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;

/**
 * {@code struct latency_hist} of {@code syslat.bpf.c}.
 *
 * @param slots slot k counts calls that took {@code [2^k, 2^(k+1))} microseconds (slot 0: under 2)
 */
@CStruct("latency_hist")
public record LatencyHist(@Size(32) @Unsigned long[] slots) {
}
