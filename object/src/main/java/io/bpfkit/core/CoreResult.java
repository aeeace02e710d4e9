package io.bpfkit.core;

import io.bpfkit.btf.CoreReloKind;

/**
 * What one CO-RE relocation resolved to, as libbpf's {@code bpf_core_relo_res}: the value the
 * compiler wrote for the program's own BTF and the value for the target kernel.
 *
 * @param kind the relocation's kind
 * @param originalValue the value computed from the local BTF (what clang put in the instruction)
 * @param newValue the value for the target; 0 when {@code poison}
 * @param poison the relocation could not be satisfied: the instruction is replaced by a call to
 *     an invalid helper, which the verifier only rejects if that path can run
 * @param validate whether the instruction must hold {@code originalValue} before patching
 * @param memSizeMismatch a load or store would have to change its size where the value would
 *     then read wrong (signed, or neither an integer nor a pointer): it is poisoned instead
 * @param originalSize the field's size in the local BTF (field byte offsets only, else 0)
 * @param newSize the field's size in the target BTF (field byte offsets only, else 0)
 * @param target the matched target type, or null when none matched
 * @param description what was relocated, for messages: kind, type and field path
 */
public record CoreResult(CoreReloKind kind, long originalValue, long newValue, boolean poison, boolean validate,
                         boolean memSizeMismatch, int originalSize, int newSize, CoreTarget.Candidate target,
                         String description) {
}
