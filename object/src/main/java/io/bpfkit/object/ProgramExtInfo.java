package io.bpfkit.object;

import io.bpfkit.btf.BtfExt;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

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
        List<BtfExt.FuncInfo> funcs = slice(ext.funcInfo(section), from, count, BtfExt.FuncInfo::insnIndex,
                f -> f.shifted(-from));
        List<BtfExt.LineInfo> lines = slice(ext.lineInfo(section), from, count, BtfExt.LineInfo::insnIndex,
                l -> l.shifted(-from));
        List<BtfExt.CoreRelocation> relos = slice(ext.coreRelocations(section), from, count,
                BtfExt.CoreRelocation::insnIndex, r -> r.shifted(-from));
        return funcs.isEmpty() && lines.isEmpty() && relos.isEmpty() ? EMPTY : new ProgramExtInfo(funcs, lines, relos);
    }

    /**
     * The records of {@code all} in {@code [from, from + count)}, shifted to the program's start.
     * A program that starts its section and holds all of its records (the common case: one
     * program per section) gets the section's immutable list itself, not a copy.
     */
    private static <T> List<T> slice(List<T> all, int from, int count, ToIntFunction<T> insn,
            UnaryOperator<T> shift) {
        int inside = 0;
        for (T r : all) {
            if (inRange(insn.applyAsInt(r), from, count)) {
                inside++;
            }
        }
        if (inside == 0) {
            return List.of();
        }
        if (from == 0 && inside == all.size()) {
            return all;
        }
        List<T> out = new ArrayList<>(inside);
        for (T r : all) {
            if (inRange(insn.applyAsInt(r), from, count)) {
                out.add(shift.apply(r));
            }
        }
        return out;
    }

    private static boolean inRange(int insn, int from, int count) {
        return insn >= from && insn < from + count;
    }
}
