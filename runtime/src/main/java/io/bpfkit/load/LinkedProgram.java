package io.bpfkit.load;

import io.bpfkit.btf.BtfExt;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.Relocation;
import java.util.List;

/**
 * A main program with every subprogram it uses appended, calls and function pointers fixed,
 * and the remaining relocations (maps, data, externs) and BTF.ext records moved to their
 * place in the combined instructions, as libbpf's {@code bpf_object__relocate_calls} leaves
 * them.
 *
 * @param program the main program
 * @param instructions the combined instructions, 8 bytes each, in the object's byte order
 * @param relocations relocations still to apply, indexes into {@code instructions}
 * @param funcInfo func_info records, indexes into {@code instructions}
 * @param lineInfo line_info records, indexes into {@code instructions}
 * @param coreRelocations CO-RE records, indexes into {@code instructions}
 * @param subprograms the appended subprograms with the instruction index each starts at
 */
public record LinkedProgram(ProgramSpec program, byte[] instructions, List<Relocation> relocations,
                            List<BtfExt.FuncInfo> funcInfo, List<BtfExt.LineInfo> lineInfo,
                            List<BtfExt.CoreRelocation> coreRelocations, List<Placed> subprograms) {

    /** A subprogram and where it starts in the combined instructions. */
    public record Placed(ProgramSpec subprogram, int start) {
    }

    public int instructionCount() {
        return instructions.length / 8;
    }
}
