package io.bpfkit.load;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.Instructions;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.Relocation;
import io.bpfkit.uapi.BpfInsn;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * bpf-to-bpf linking, as libbpf does it so that the kernel sees the same instructions: each
 * subprogram of {@code .text} a program reaches (by call or by function pointer) is appended
 * once, depth first in the order of first use; call and {@code BPF_PSEUDO_FUNC} immediates are
 * rewritten to the new positions; relocations and BTF.ext records of appended code move with it.
 */
final class ProgramLinker {
    private final List<ProgramSpec> text;
    /** All subprograms' instructions together: the most a program can have appended. */
    private final int subprogramInstructions;
    private final ByteOrder order;

    /**
     * State of one link: the instruction buffer and what has been placed. The buffer is sized
     * once for the worst case (the main program and every subprogram), so it never grows.
     */
    private final class Link {
        final byte[] insns;
        int count;
        final List<Relocation> relocations = new ArrayList<>();
        final List<BtfExt.FuncInfo> funcInfo = new ArrayList<>();
        final List<BtfExt.LineInfo> lineInfo = new ArrayList<>();
        final List<BtfExt.CoreRelocation> core = new ArrayList<>();
        final Map<ProgramSpec, Integer> placed = new IdentityHashMap<>();
        final List<LinkedProgram.Placed> subprograms = new ArrayList<>();

        Link(ProgramSpec main) {
            insns = new byte[(main.instructionCount() + subprogramInstructions) * Instructions.SIZE];
        }

        int append(ProgramSpec p) {
            int start = count;
            p.copyInstructions(insns, start * Instructions.SIZE);
            count += p.instructionCount();
            placed.put(p, start);
            for (Relocation r : p.relocations()) {
                relocations.add(new Relocation(r.instruction() + start, r.kind(), r.symbol(), r.target(), r.symbolValue()));
                if (r.kind() == Relocation.Kind.FUNCTION_POINTER) {
                    Instructions.setSrcReg(insns, r.instruction() + start, BpfInsn.BPF_PSEUDO_FUNC, order);
                }
            }
            for (BtfExt.FuncInfo f : p.extInfo().funcInfo()) {
                funcInfo.add(f.shifted(start));
            }
            for (BtfExt.LineInfo l : p.extInfo().lineInfo()) {
                lineInfo.add(l.shifted(start));
            }
            for (BtfExt.CoreRelocation c : p.extInfo().coreRelocations()) {
                core.add(c.shifted(start));
            }
            return start;
        }
    }

    ProgramLinker(BpfObjectSpec spec) {
        List<ProgramSpec> subprograms = new ArrayList<>();
        int instructions = 0;
        for (ProgramSpec p : spec.programs()) {
            if (p.isSubprogram()) {
                subprograms.add(p);
                instructions += p.instructionCount();
            }
        }
        this.text = List.copyOf(subprograms);
        this.subprogramInstructions = instructions;
        this.order = spec.byteOrder();
        this.exceptionCallbacks = spec.btf().map(ProgramLinker::exceptionCallbacks).orElse(Map.of());
    }

    private static final String EXCEPTION_CALLBACK = "exception_callback:";
    /** Program name -> the subprogram its {@code __exception_cb(f)} decl tag names. */
    private final Map<String, String> exceptionCallbacks;

    private static Map<String, String> exceptionCallbacks(Btf btf) {
        Map<String, String> out = new HashMap<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.DECL_TAG && btf.type(id) instanceof BtfType.DeclTag tag
                    && tag.componentIndex() == -1 && tag.name().startsWith(EXCEPTION_CALLBACK)) {
                if (!(btf.type(tag.type()) instanceof BtfType.Func f) || f.linkage() != BtfType.Func.Linkage.GLOBAL) {
                    throw new LoadException("BTF type [" + tag.type() + "] '" + btf.name(tag.type()) + "'",
                            "an exception_callback decl tag applies to a main program, a global function");
                }
                String callback = tag.name().substring(EXCEPTION_CALLBACK.length());
                if (callback.isEmpty()) {
                    throw new LoadException("program '" + f.name() + "'", "its exception_callback decl tag names no function");
                }
                out.put(f.name(), callback);
            }
        }
        return out;
    }

    LinkedProgram link(ProgramSpec main) {
        Link link = new Link(main);
        link.append(main);
        relocateCalls(link, main);
        // As libbpf: the exception callback goes in after everything the program calls, unless
        // it is already there (the verifier then refuses the direct call).
        String callback = exceptionCallbacks.get(main.name());
        if (callback != null) {
            ProgramSpec cb = exceptionCallback(main, callback);
            if (!link.placed.containsKey(cb)) {
                link.subprograms.add(new LinkedProgram.Placed(cb, link.append(cb)));
                relocateCalls(link, cb);
            }
        }
        int bytes = link.count * Instructions.SIZE;
        byte[] insns = bytes == link.insns.length ? link.insns : java.util.Arrays.copyOf(link.insns, bytes);
        return new LinkedProgram(main, insns,
                List.copyOf(link.relocations), List.copyOf(link.funcInfo), List.copyOf(link.lineInfo),
                List.copyOf(link.core), List.copyOf(link.subprograms));
    }

    private void relocateCalls(Link link, ProgramSpec prog) {
        int base = link.placed.get(prog);
        Map<Integer, Relocation> relos = new HashMap<>();
        for (Relocation r : prog.relocations()) {
            relos.put(r.instruction(), r);
        }
        int sectionInsn = (int) (prog.sectionOffset() / Instructions.SIZE);
        for (int i = 0; i < prog.instructionCount(); i++) {
            int at = base + i;
            boolean call = isSubprogramCall(link.insns, at);
            boolean funcPtr = isPseudoFunc(link.insns, at);
            if (!call && !funcPtr) {
                continue;
            }
            Relocation r = relos.get(i);
            if (r != null && r.kind() == Relocation.Kind.EXTERN_CALL) {
                continue;
            }
            if (r != null && r.kind() != Relocation.Kind.CALL && r.kind() != Relocation.Kind.FUNCTION_POINTER) {
                throw new LoadException("program '" + prog.name() + "'", "instruction " + i + " is a call or function address but its"
                        + " relocation is a " + r.kind());
            }
            int imm = Instructions.imm(link.insns, at, order);
            long target;
            if (r != null) {
                // Global functions: symbol value is the function, imm = -1. Static: section symbol + imm.
                target = r.kind() == Relocation.Kind.CALL ? r.symbolValue() / Instructions.SIZE + imm + 1
                        : (r.symbolValue() + imm) / Instructions.SIZE;
            } else if (funcPtr) {
                throw new LoadException("program '" + prog.name() + "'", "function address at instruction " + i + " has no relocation");
            } else {
                // A call to a static function of the same section: imm is relative to the section.
                target = (long) sectionInsn + i + imm + 1;
            }
            ProgramSpec sub = subprogramAt(target);
            if (sub == null) {
                throw new LoadException("program '" + prog.name() + "'", "instruction " + i + " calls .text instruction " + target
                        + ", where no subprogram starts");
            }
            Integer start = link.placed.get(sub);
            if (start == null) {
                start = link.append(sub);
                link.subprograms.add(new LinkedProgram.Placed(sub, start));
                relocateCalls(link, sub);
            }
            setImm(link.insns, at, start - at - 1);
        }
    }

    private ProgramSpec exceptionCallback(ProgramSpec main, String name) {
        for (ProgramSpec p : text) {
            if (p.name().equals(name)) {
                if (p.isHiddenGlobal() || !p.isGlobal()) {
                    // The verifier wants a global function; a hidden one's BTF is made static.
                    throw new LoadException("program '" + main.name() + "'", "exception callback '" + name
                            + "' must be a global function that is not hidden");
                }
                return p;
            }
        }
        throw new LoadException("program '" + main.name() + "'", "cannot find exception callback '" + name
                + "' among the functions of .text");
    }

    private ProgramSpec subprogramAt(long sectionInsn) {
        for (ProgramSpec p : text) {
            long first = p.sectionOffset() / Instructions.SIZE;
            if (sectionInsn >= first && sectionInsn < first + p.instructionCount()) {
                return p;
            }
        }
        return null;
    }

    private boolean isSubprogramCall(byte[] insns, int i) {
        return Instructions.opcode(insns, i) == Instructions.OP_CALL
                && Instructions.srcReg(insns, i, order) == BpfInsn.BPF_PSEUDO_CALL
                && Instructions.dstReg(insns, i, order) == 0 && Instructions.offset(insns, i, order) == 0;
    }

    private boolean isPseudoFunc(byte[] insns, int i) {
        return Instructions.opcode(insns, i) == Instructions.OP_LD_IMM64
                && Instructions.srcReg(insns, i, order) == BpfInsn.BPF_PSEUDO_FUNC;
    }

    private void setImm(byte[] insns, int i, int imm) {
        Instructions.setImm(insns, i, imm, order);
    }
}
