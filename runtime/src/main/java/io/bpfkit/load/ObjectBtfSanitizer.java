package io.bpfkit.load;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfPatch;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.DatasecLayout;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.ProgramSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An object's BTF as the kernel accepts it, made as libbpf makes it before {@code BPF_BTF_LOAD}:
 * <ul>
 * <li>DATASECs get their real sizes and variable offsets (clang leaves them 0);</li>
 * <li>externs become allocated variables: the kernel refuses {@code extern} linkage. Each
 *     {@code .ksyms} entry becomes a 4-byte slot, an extern VAR an {@code int}, an extern FUNC
 *     (a kfunc) a global FUNC whose slot points to one {@code dummy_ksym} variable, and its
 *     unnamed parameters take that variable's name (the kernel wants named parameters on global
 *     functions). {@code .kconfig} variables get the offsets of the kconfig map;</li>
 * <li>kinds the kernel does not know are rewritten to ones it does, as {@link BtfFeatures}
 *     says: VAR and DECL_TAG to a 1-byte INT, DATASEC to a STRUCT, FUNC_PROTO to an ENUM, FUNC
 *     to a TYPEDEF or a static FUNC, FLOAT to an empty STRUCT, TYPE_TAG to a CONST, ENUM64 to a
 *     UNION, a signed ENUM to an unsigned one, a {@code ?} in a DATASEC name to {@code _}.</li>
 * </ul>
 * Ids of existing types do not change, so map and program BTF ids computed from the object
 * stay valid. No system call: the caller probes the features.
 *
 * <pre>{@code
 * BtfPatch forKernel = ObjectBtfSanitizer.sanitize(spec, BtfFeatures.running());
 * }</pre>
 */
public final class ObjectBtfSanitizer {
    static final String KSYMS = ".ksyms";
    static final String KCONFIG = ".kconfig";
    static final String DUMMY_KSYM = "dummy_ksym";

    private static final int VAR_GLOBAL_ALLOCATED = 1;
    private static final int FUNC_GLOBAL = 1;

    private final Btf btf;
    private final BtfPatch patch;

    private ObjectBtfSanitizer(Btf btf) {
        this.btf = btf;
        this.patch = new BtfPatch(btf);
    }

    /**
     * The patch that makes {@code spec}'s BTF loadable on a kernel with {@code features}.
     *
     * @throws IllegalArgumentException when {@code spec} has no BTF (callers sanitize only BTF)
     * @throws ObjectFormatException when the {@code .ksyms} or {@code .kconfig} DATASEC lists a
     *     type that is no extern of the object
     */
    public static BtfPatch sanitize(BpfObjectSpec spec, BtfFeatures features) {
        Btf btf = spec.btf().orElseThrow(() -> new IllegalArgumentException("object " + spec.name() + " has no BTF"));
        ObjectBtfSanitizer s = new ObjectBtfSanitizer(btf);
        for (DatasecLayout d : spec.datasecLayouts()) {
            s.patch.datasec(d.typeId(), d.size(), d.entries());
        }
        s.markHiddenFunctionsStatic(spec.programs());
        s.allocateKsyms(features.datasec());
        s.placeKconfig(spec.externs());
        if (!features.all()) {
            s.rewriteKinds(features);
        }
        return s.patch;
    }

    /** libbpf's mark_btf_static: {@code __hidden} global subprograms are verified as static ones. */
    private void markHiddenFunctionsStatic(List<ProgramSpec> programs) {
        for (ProgramSpec p : programs) {
            if (p.isSubprogram() && p.isHiddenGlobal()) {
                for (int id : btf.localIdsNamed(p.name())) {
                    if (btf.type(id) instanceof BtfType.Func f && f.linkage() == BtfType.Func.Linkage.GLOBAL) {
                        patch.info(id, BtfKind.FUNC, 0, false);
                        break;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ externs

    private void allocateKsyms(boolean kernelKnowsVars) {
        BtfType.Datasec ksyms = btf.datasec(KSYMS).orElse(null);
        if (ksyms == null) {
            return;
        }
        int intId = int32();
        int dummyVar = 0;
        int dummyName = 0;
        List<BtfType.DatasecEntry> entries = ksyms.entries();
        for (int i = 0; i < entries.size(); i++) {
            int id = entries.get(i).type();
            int slotType = id;
            switch (btf.type(id)) {
                case BtfType.Func f -> {
                    if (dummyVar == 0) {
                        dummyName = patch.addString(DUMMY_KSYM);
                        // A kernel without VARs gets what rewriteKinds makes of one: a 1-byte INT.
                        dummyVar = kernelKnowsVars
                                ? patch.addType(dummyName, BtfKind.VAR, 0, false, intId, VAR_GLOBAL_ALLOCATED)
                                : patch.addType(dummyName, BtfKind.INT, 0, false, 1, 8);
                    }
                    nameParameters(f.type(), dummyName);
                    patch.info(id, BtfKind.FUNC, FUNC_GLOBAL, false);
                    slotType = dummyVar;
                }
                case BtfType.Var v -> {
                    patch.word(id, 0, VAR_GLOBAL_ALLOCATED);
                    patch.sizeOrType(id, intId);
                }
                default -> throw new ObjectFormatException(".BTF", -1, "DATASEC " + KSYMS + " lists type [" + id + "], a "
                        + btf.kind(id) + ", where a VAR or FUNC is expected");
            }
            patch.word(ksyms.id(), 3 * i, slotType);
            patch.word(ksyms.id(), 3 * i + 1, 4 * i);
            patch.word(ksyms.id(), 3 * i + 2, 4);
        }
        patch.sizeOrType(ksyms.id(), 4 * entries.size());
        // A kfunc that clang left out of .ksyms is still an extern FUNC, which the kernel refuses.
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.FUNC && btf.type(id) instanceof BtfType.Func f
                    && f.linkage() == BtfType.Func.Linkage.EXTERN && !listed(entries, id)) {
                if (dummyName == 0) {
                    dummyName = patch.addString(DUMMY_KSYM);
                }
                nameParameters(f.type(), dummyName);
                patch.info(id, BtfKind.FUNC, FUNC_GLOBAL, false);
            }
        }
    }

    private static boolean listed(List<BtfType.DatasecEntry> entries, int id) {
        for (BtfType.DatasecEntry e : entries) {
            if (e.type() == id) {
                return true;
            }
        }
        return false;
    }

    private void nameParameters(int protoId, int name) {
        if (btf.type(protoId) instanceof BtfType.FuncProto proto) {
            List<BtfType.Param> params = proto.params();
            for (int j = 0; j < params.size(); j++) {
                if (params.get(j).type() != 0 && params.get(j).name().isEmpty()) {
                    patch.word(protoId, 2 * j, name);
                }
            }
        }
    }

    /** libbpf's find_int_btf_id: the first 32-bit INT, or a new {@code int} when there is none. */
    private int int32() {
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.INT && btf.type(id) instanceof BtfType.Int i && i.bits() == 32) {
                return id;
            }
        }
        return patch.addType(patch.addString("int"), BtfKind.INT, 0, false, 4, 1 << 24 | 32);
    }

    private void placeKconfig(List<GlobalVariable> externs) {
        BtfType.Datasec kconfig = btf.datasec(KCONFIG).orElse(null);
        if (kconfig == null) {
            return;
        }
        Map<String, GlobalVariable> placed = new HashMap<>();
        long size = 0;
        for (GlobalVariable v : externs) {
            if (v.section().equals(KCONFIG)) {
                placed.put(v.name(), v);
                size = Math.max(size, v.offset() + v.size());
            }
        }
        List<BtfType.DatasecEntry> entries = new ArrayList<>();
        for (BtfType.DatasecEntry e : kconfig.entries()) {
            int id = e.type();
            GlobalVariable v = placed.get(btf.name(id));
            if (!(btf.type(id) instanceof BtfType.Var) || v == null) {
                throw new ObjectFormatException(".BTF", -1, "DATASEC " + KCONFIG + " lists type [" + id + "] '"
                        + btf.name(id) + "', which is not a kconfig extern of the object");
            }
            patch.word(id, 0, VAR_GLOBAL_ALLOCATED);
            entries.add(new BtfType.DatasecEntry(id, v.offset(), e.size()));
        }
        // In offset order, which the kernel requires (libbpf leaves clang's order, and the kernel
        // refuses such BTF when the kconfig layout reorders variables).
        entries.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        patch.datasec(kconfig.id(), size, entries);
    }

    // ------------------------------------------------------------------ kinds

    private void rewriteKinds(BtfFeatures f) {
        int enum64Placeholder = 0;
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfKind kind = btf.kind(id);
            switch (kind) {
                case VAR, DECL_TAG -> {
                    if (kind == BtfKind.VAR ? !f.datasec() : !f.declTag()) {
                        // 1 byte: 4 would be larger than a variable of a smaller type.
                        patch.info(id, BtfKind.INT, 0, false).sizeOrType(id, 1).word(id, 0, 8);
                    }
                }
                case DATASEC -> {
                    BtfType.Datasec ds = (BtfType.Datasec) btf.type(id);
                    if (!f.datasec()) {
                        patch.name(id, patch.addString(ds.name().replace('.', '_').replace('?', '_')));
                        patch.info(id, BtfKind.STRUCT, ds.entries().size(), false);
                        for (int j = 0; j < ds.entries().size(); j++) {
                            BtfType.DatasecEntry e = ds.entries().get(j);
                            int type = patch.patchedWord(id, 3 * j).orElse(e.type());
                            long offset = patch.patchedWord(id, 3 * j + 1).orElse((int) e.offset()) & 0xFFFF_FFFFL;
                            patch.word(id, 3 * j, patch.nameOffset(type));
                            patch.word(id, 3 * j + 1, type);
                            patch.word(id, 3 * j + 2, (int) (offset * 8));
                        }
                    } else if (!f.qmarkDatasec() && ds.name().startsWith("?")) {
                        patch.name(id, patch.addString("_" + ds.name().substring(1)));
                    }
                }
                case FUNC_PROTO -> {
                    if (!f.func()) {
                        List<BtfType.Param> params = ((BtfType.FuncProto) btf.type(id)).params();
                        patch.info(id, BtfKind.ENUM, params.size(), false).sizeOrType(id, 4);
                        for (int j = 0; j < params.size(); j++) {
                            if (params.get(j).name().isEmpty()) {
                                // Unlike libbpf: kernels since 5.x refuse unnamed enumerators.
                                patch.word(id, 2 * j, patch.addString("arg" + j));
                            }
                        }
                    }
                }
                case FUNC -> {
                    if (!f.func()) {
                        patch.info(id, BtfKind.TYPEDEF, 0, false);
                    } else if (!f.funcGlobal()) {
                        patch.info(id, BtfKind.FUNC, 0, false);
                    }
                }
                case FLOAT -> {
                    if (!f.floats()) {
                        patch.name(id, 0).info(id, BtfKind.STRUCT, 0, false);
                    }
                }
                case TYPE_TAG -> {
                    if (!f.typeTag()) {
                        patch.name(id, 0).info(id, BtfKind.CONST, 0, false);
                    }
                }
                case ENUM -> {
                    if (!f.enum64()) {
                        patch.info(id, BtfKind.ENUM, ((BtfType.Enum) btf.type(id)).values().size(), false);
                    }
                }
                case ENUM64 -> {
                    if (!f.enum64()) {
                        if (enum64Placeholder == 0) {
                            enum64Placeholder = patch.addType(patch.addString("enum64_placeholder"), BtfKind.INT,
                                    0, false, 1, 8);
                        }
                        int n = ((BtfType.Enum64) btf.type(id)).values().size();
                        patch.info(id, BtfKind.UNION, n, false);
                        for (int j = 0; j < n; j++) {
                            patch.word(id, 3 * j + 1, enum64Placeholder);
                            patch.word(id, 3 * j + 2, 0);
                        }
                    }
                }
                default -> {
                }
            }
        }
    }
}
