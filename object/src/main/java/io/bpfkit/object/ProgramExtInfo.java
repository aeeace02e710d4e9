package io.bpfkit.object;

import io.bpfkit.btf.BtfExt;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .BTF.ext} records of one program, with instruction indexes relative to the
 * program's first instruction: func_info (BTF FUNC per function start), line_info (source line
 * per instruction range) and CO-RE relocations.
 */
public record ProgramExtInfo(List<BtfExt.FuncInfo> funcInfo, List<BtfExt.LineInfo> lineInfo,
                             List<BtfExt.CoreRelocation> coreRelocations) {
    static final ProgramExtInfo EMPTY = new ProgramExtInfo(List.of(), List.of(), List.of());

    public ProgramExtInfo {
        funcInfo = List.copyOf(funcInfo);
        lineInfo = List.copyOf(lineInfo);
        coreRelocations = List.copyOf(coreRelocations);
    }

    /** The records of {@code section} that fall in instructions {@code [from, from + count)}. */
    static ProgramExtInfo of(BtfExt ext, String section, int from, int count) {
        List<BtfExt.FuncInfo> funcs = new ArrayList<>();
        for (BtfExt.FuncInfo f : ext.funcInfo(section)) {
            if (inRange(f.insnIndex(), from, count)) {
                funcs.add(f.shifted(-from));
            }
        }
        List<BtfExt.LineInfo> lines = new ArrayList<>();
        for (BtfExt.LineInfo l : ext.lineInfo(section)) {
            if (inRange(l.insnIndex(), from, count)) {
                lines.add(l.shifted(-from));
            }
        }
        List<BtfExt.CoreRelocation> relos = new ArrayList<>();
        for (BtfExt.CoreRelocation r : ext.coreRelocations(section)) {
            if (inRange(r.insnIndex(), from, count)) {
                relos.add(r.shifted(-from));
            }
        }
        return funcs.isEmpty() && lines.isEmpty() && relos.isEmpty() ? EMPTY : new ProgramExtInfo(funcs, lines, relos);
    }

    private static boolean inRange(int insn, int from, int count) {
        return insn >= from && insn < from + count;
    }
}
