package io.bpfkit.api.map;

import io.bpfkit.api.BpfProgram;
import java.util.OptionalInt;

/**
 * A {@code BPF_MAP_TYPE_PROG_ARRAY}: the slots {@code bpf_tail_call} jumps through.
 *
 * <pre>{@code
 * BpfProgramArray jumps = BpfMaps.programArray(loaded, "jumps");
 * jumps.set(1, loaded.program("step_two").orElseThrow());
 * jumps.clear(1);
 * }</pre>
 */
public interface BpfProgramArray extends BpfMap {

    /** Points slot {@code index} at {@code program}. */
    void set(int index, BpfProgram program);

    /**
     * Empties slot {@code index}: tail calls through it fall through.
     *
     * @return false when the slot was empty
     */
    boolean clear(int index);

    /** The kernel id of the program in slot {@code index}, or empty. */
    OptionalInt programId(int index);

    /** The number of slots. */
    int length();
}
