package io.bpfkit.fuzz;

/**
 * The opener as a Jazzer fuzz target: {@code scripts/fuzz} runs it with coverage-guided
 * mutation, seeded with the test objects. The contract is {@link Oracle}'s: open the bytes,
 * touch the whole spec; only an {@link io.bpfkit.api.ObjectFormatException} without a cause may
 * come out. A broken contract is thrown for Jazzer to report with the input: the internal
 * exception itself when there is one (so that Jazzer tells findings apart by where they were
 * thrown), else the {@link ContractViolation}.
 *
 * <p>Plain {@code fuzzerTestOneInput(byte[])}: no Jazzer API, so this compiles in every build
 * without the dependency.
 */
public final class OpenerFuzzTarget {
    private OpenerFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Throwable {
        try {
            Oracle.check(data);
        } catch (ContractViolation v) {
            throw v.getCause() != null ? v.getCause() : v;
        }
    }
}
