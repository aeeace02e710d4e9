package io.bpfkit.load;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.AttachTarget;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.SectionDef;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.ProgLoadAttr;
import io.bpfkit.uapi.BtfInfo;
import io.bpfkit.uapi.ProgInfo;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Resolves what a program that attaches by BTF id is bound to at load, as libbpf's
 * {@code libbpf_find_attach_btf_id} does: {@code attach_btf_id} in vmlinux's BTF, or in a
 * module's together with the module's BTF object ({@code attach_btf_obj_fd}), or in a loaded
 * program's BTF together with that program ({@code attach_prog_fd}). The target is the
 * program's {@link ProgramSpec#attachTarget()} when set, else its section name's.
 *
 * <pre>{@code
 * int id = AttachTargets.programFunctionId(dispatcher, "pick_action");   // BTF id of the FUNC
 * }</pre>
 */
public final class AttachTargets {
    private AttachTargets() {
    }

    /**
     * One resolved target.
     *
     * @param btfId {@code attach_btf_id}
     * @param program the target program's descriptor ({@code attach_prog_fd}), or null
     * @param moduleBtf a module's BTF object ({@code attach_btf_obj_fd}), owned by this record
     *     (the kernel keeps its own reference once the program loads), or null
     * @param where where the id was found, for messages: {@code vmlinux}, a module, a program
     */
    record Resolved(int btfId, Fd program, Fd moduleBtf, String where) implements AutoCloseable {
        void applyTo(ProgLoadAttr.Builder b) {
            b.attachBtfId(btfId);
            if (program != null) {
                b.attachProgFd(program.get());
            } else if (moduleBtf != null) {
                b.attachBtfObjFd(moduleBtf.get());
            }
        }

        @Override
        public void close() {
            if (program != null) {
                program.release(); // borrowed from the target's owner
            }
            if (moduleBtf != null) {
                moduleBtf.close();
            }
        }
    }

    /**
     * The BTF id of {@code function} in the BTF {@code program} was loaded with: what
     * {@code attach_btf_id} (load) and {@code target_btf_id} (BPF_LINK_CREATE of freplace) name.
     *
     * @throws LoadException when the program has no BTF or its BTF has no such function
     */
    public static int programFunctionId(BpfProgram program, String function) {
        Fd fd = borrow(program);
        try {
            return functionIn(program, fd, function, "program '" + program.name() + "'");
        } finally {
            fd.release();
        }
    }

    /** The target of {@code p}, which {@link SectionDef#needsAttachBtfId()} or has an attach target set. */
    static Resolved resolve(ProgramSpec p) {
        String what = "program '" + p.name() + "'";
        SectionDef def = p.sectionDef();
        AttachTarget target = p.attachTarget();
        if (!def.needsAttachBtfId()) {
            throw new LoadException(what, "has an attach target (" + target + ") but section '" + p.section()
                    + "' is not a program bound to a function at load (fentry, fexit, fmod_ret, freplace, tp_btf,"
                    + " lsm, iter)");
        }
        boolean freplace = def.attachKind() == AttachKind.FREPLACE;
        if (target == null) {
            if (!(def.target() instanceof SectionDef.BtfTarget t)) {
                throw new LoadException(what, "section '" + p.section() + "' names no function to attach to"
                        + (def.targetError() == null ? "" : " (" + def.targetError() + ")")
                        + "; set one before load with ProgramSpec.attachTarget(AttachTarget...)");
            }
            if (freplace) {
                throw new LoadException(what, "is an freplace program: it replaces '" + t.name() + "' in a BPF"
                        + " program, which must be loaded first and named before load, with"
                        + " ProgramSpec.attachTarget(AttachTarget.program(target, \"" + t.name() + "\"))");
            }
            return inKernel(what, p.expectedAttachType(), t.module(), t.name());
        }
        return switch (target) {
            case AttachTarget.ProgramFunction f -> {
                if (!freplace && def.attachKind() != AttachKind.TRACING) {
                    throw new LoadException(what, "section '" + p.section() + "' attaches to the kernel; only"
                            + " fentry, fexit, fmod_ret and freplace programs attach to a BPF program");
                }
                Fd fd = borrow(f.program());
                try {
                    int id = functionIn(f.program(), fd, f.function(), what + ": its attach target, program '"
                            + f.program().name() + "'");
                    yield new Resolved(id, fd, null, "program '" + f.program().name() + "'");
                } catch (RuntimeException e) {
                    fd.release();
                    throw e;
                }
            }
            case AttachTarget.KernelFunction k -> {
                if (freplace) {
                    throw new LoadException(what, "is an freplace program: it replaces a function of a BPF program,"
                            + " not kernel function '" + k + "'; use AttachTarget.program(target, function)");
                }
                yield inKernel(what, p.expectedAttachType(), k.module(), k.function());
            }
        };
    }

    /** The name of the BTF type a kernel target is: libbpf's prefixes for tp_btf, lsm and iter. */
    static String kernelTypeName(AttachType attach, String name) {
        if (attach == null) {
            return name;
        }
        return switch (attach) {
            case TRACE_RAW_TP -> "btf_trace_" + name;
            case LSM_MAC, LSM_CGROUP -> "bpf_lsm_" + name;
            case TRACE_ITER -> "bpf_iter_" + name;
            default -> name;
        };
    }

    private static Resolved inKernel(String what, AttachType attach, String module, String name) {
        String typeName = kernelTypeName(attach, name);
        BtfKind kind = attach == AttachType.TRACE_RAW_TP ? BtfKind.TYPEDEF : BtfKind.FUNC;
        String wanted = kind.label() + " '" + typeName + "'";
        if (module == null) {
            var id = KernelBtf.vmlinux().findId(typeName, kind);
            if (id.isPresent()) {
                return new Resolved(id.getAsInt(), null, null, "vmlinux");
            }
            Map<String, Btf> modules = KernelBtf.modules();
            for (Map.Entry<String, Btf> m : modules.entrySet()) {
                var inModule = m.getValue().findId(typeName, kind);
                if (inModule.isPresent()) {
                    return inModule(what, m.getKey(), inModule.getAsInt());
                }
            }
            throw new LoadException(what, "the kernel's BTF has no " + wanted + " to attach to, nor has "
                    + (modules.isEmpty() ? "any module (none publishes BTF in " + KernelBtf.SYSFS_BTF + ")"
                    : "the BTF of any of its " + modules.size() + " modules with BTF"));
        }
        Btf btf = KernelBtf.modules().get(module);
        if (btf == null) {
            throw new LoadException(what, "attaches to kernel module '" + module + "', which is not loaded or"
                    + " publishes no BTF (no " + KernelBtf.SYSFS_BTF.resolve(module) + ")");
        }
        int id = btf.findId(typeName, kind).orElseThrow(() -> new LoadException(what, "kernel module '" + module
                + "' has no " + wanted + " in its BTF to attach to"));
        return inModule(what, module, id);
    }

    private static Resolved inModule(String what, String module, int id) {
        Fd fd = openModuleBtf(module);
        if (fd == null) {
            throw new LoadException(what, "kernel module '" + module + "' was unloaded while its BTF was read");
        }
        return new Resolved(id, null, fd, "module " + module);
    }

    /**
     * A new descriptor of kernel module {@code module}'s BTF object, found among the kernel's
     * BTF objects by name; null when the module has none (anymore).
     */
    static Fd openModuleBtf(String module) {
        for (int id = Bpf.btfGetNextId(0); id != 0; id = Bpf.btfGetNextId(id)) {
            Fd fd;
            try {
                fd = Bpf.btfGetFdById(id);
            } catch (KernelException gone) {
                continue; // unloaded since listed
            }
            BtfInfo info;
            try {
                info = Bpf.btfInfo(fd);
            } catch (RuntimeException e) {
                fd.close();
                throw e;
            }
            if (info.kernelBtf() && module.equals(info.name())) {
                return fd;
            }
            fd.close();
        }
        return null;
    }

    /** The id of FUNC {@code function} in the BTF the program behind {@code fd} was loaded with. */
    private static int functionIn(BpfProgram program, Fd fd, String function, String what) {
        ProgInfo info = Bpf.progInfo(fd);
        if (info.btfId() == 0) {
            throw new LoadException(what, "has no BTF (it was loaded without it), so none of its functions can be"
                    + " found; load it from an object compiled with BTF (clang -g)");
        }
        Btf btf;
        try (Fd btfFd = Bpf.btfGetFdById(info.btfId())) {
            btf = Btf.parse(MemorySegment.ofArray(Bpf.btfData(btfFd)));
        }
        return btf.findId(function, BtfKind.FUNC).orElseThrow(() -> new LoadException(what, "has no function '"
                + function + "' in its BTF; its functions: " + funcNames(btf)));
    }

    private static String funcNames(Btf btf) {
        List<String> names = new java.util.ArrayList<>();
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.FUNC) {
                names.add(btf.name(id));
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** A descriptor of {@code program} that must be {@link Fd#release() released}, never closed. */
    private static Fd borrow(BpfProgram program) {
        return Fd.of(program.fileDescriptor(), "prog", program.name());
    }
}
