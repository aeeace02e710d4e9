package io.bpfkit.object;

import io.bpfkit.btf.BtfExt;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

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
        // A section's line info is decoded when asked for, and immutable already.
        lineInfo = lineInfo instanceof BtfExt.LineInfoList ? lineInfo : List.copyOf(lineInfo);
        coreRelocations = List.copyOf(coreRelocations);
    }

    /**
     * The records of {@code section} for each of its programs, which start at instructions
     * {@code from[i]} and run {@code count[i]} instructions, sorted by start and not
     * overlapping (as the opener reads them). Each record goes to the program holding it, found
     * by binary search: one pass over the section's records, not one per program, which costs
     * a quadratic time on a {@code .text} of hundreds of subprograms.
     */
    static ProgramExtInfo[] ofSection(BtfExt ext, String section, int[] from, int[] count) {
        List<BtfExt.FuncInfo> sectionFuncs = ext.funcInfo(section);
        List<List<BtfExt.FuncInfo>> funcs = split(sectionFuncs, from, count, i -> sectionFuncs.get(i).insnIndex(),
                BtfExt.FuncInfo::shifted);
        List<BtfExt.LineInfo> sectionLines = ext.lineInfo(section);
        // The records' instruction indexes read without decoding them, where the list allows it.
        List<List<BtfExt.LineInfo>> lines = sectionLines instanceof BtfExt.LineInfoList view
                ? split(sectionLines, from, count, view::insnIndex, BtfExt.LineInfo::shifted)
                : split(sectionLines, from, count, i -> sectionLines.get(i).insnIndex(), BtfExt.LineInfo::shifted);
        List<BtfExt.CoreRelocation> sectionRelos = ext.coreRelocations(section);
        List<List<BtfExt.CoreRelocation>> relos = split(sectionRelos, from, count,
                i -> sectionRelos.get(i).insnIndex(), BtfExt.CoreRelocation::shifted);
        ProgramExtInfo[] out = new ProgramExtInfo[from.length];
        for (int p = 0; p < out.length; p++) {
            List<BtfExt.FuncInfo> f = funcs == null ? List.of() : funcs.get(p);
            List<BtfExt.LineInfo> l = lines == null ? List.of() : lines.get(p);
            List<BtfExt.CoreRelocation> r = relos == null ? List.of() : relos.get(p);
            out[p] = f.isEmpty() && l.isEmpty() && r.isEmpty() ? EMPTY : new ProgramExtInfo(f, l, r);
        }
        return out;
    }

    /**
     * The records of {@code all}, per program, shifted to the program's start, in stored order;
     * null when {@code all} is empty. A program that starts its section and holds all of its
     * records (the common case: one program per section) gets the section's immutable list
     * itself, not a copy. Records outside every program are left out.
     */
    private static <T> List<List<T>> split(List<T> all, int[] from, int[] count, IntUnaryOperator insnAt,
            ShiftFunction<T> shift) {
        int n = all.size();
        if (n == 0) {
            return null;
        }
        int programs = from.length;
        if (programs == 1) {
            return List.of(only(all, from[0], count[0], insnAt, shift));
        }
        int[] owner = new int[n];
        int[] sizes = new int[programs];
        for (int i = 0; i < n; i++) {
            int p = programAt(from, count, insnAt.applyAsInt(i));
            owner[i] = p;
            if (p >= 0) {
                sizes[p]++;
            }
        }
        List<List<T>> out = new ArrayList<>(programs);
        for (int p = 0; p < programs; p++) {
            if (sizes[p] == 0) {
                out.add(List.of());
            } else if (from[p] == 0 && sizes[p] == n) {
                out.add(all);
            } else {
                out.add(new ArrayList<>(sizes[p]));
            }
        }
        for (int i = 0; i < n; i++) {
            int p = owner[i];
            if (p >= 0 && !(from[p] == 0 && sizes[p] == n)) {
                out.get(p).add(shift.shift(all.get(i), -from[p]));
            }
        }
        return out;
    }

    /** {@link #split} for a section of one program: no index of owners to build. */
    private static <T> List<T> only(List<T> all, int from, int count, IntUnaryOperator insnAt, ShiftFunction<T> shift) {
        int inside = 0;
        for (int i = 0, n = all.size(); i < n; i++) {
            int at = insnAt.applyAsInt(i);
            if (at >= from && at - from < count) {
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
        for (int i = 0, n = all.size(); i < n; i++) {
            int at = insnAt.applyAsInt(i);
            if (at >= from && at - from < count) {
                out.add(shift.shift(all.get(i), -from));
            }
        }
        return out;
    }

    /** The program whose {@code [from, from + count)} holds {@code insn}, or -1. */
    private static int programAt(int[] from, int[] count, int insn) {
        int lo = 0;
        int hi = from.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (from[mid] <= insn) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && insn < from[found] + count[found] ? found : -1;
    }

    @FunctionalInterface
    private interface ShiftFunction<T> {
        T shift(T record, int by);
    }
}
