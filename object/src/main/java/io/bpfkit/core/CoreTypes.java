package io.bpfkit.core;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import java.util.List;

/**
 * The type comparisons CO-RE makes between a program's BTF and the kernel's, with libbpf's
 * rules: {@link #compatible} (what {@code bpf_core_type_exists} and field matching accept),
 * {@link #fieldsCompatible} and the stricter {@link #matches} of {@code bpf_core_type_matches}.
 * The loader also uses {@link #compatible} to check typed ksyms and kfunc prototypes, as libbpf.
 *
 * <pre>{@code
 * boolean ok = CoreTypes.compatible(objectBtf, localProtoId, KernelBtf.vmlinux(), kernelProtoId);
 * }</pre>
 */
public final class CoreTypes {
    private static final int MAX_DEPTH = 32;

    private CoreTypes() {
    }

    static boolean isEnum(BtfKind k) {
        return k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    static boolean isComposite(BtfKind k) {
        return k == BtfKind.STRUCT || k == BtfKind.UNION;
    }

    /** libbpf's btf_kind_core_compat: the same kind, or two enums of either width. */
    static boolean kindsCompatible(BtfKind a, BtfKind b) {
        return a == b || (isEnum(a) && isEnum(b));
    }

    /** Types compatible for type-based relocations ({@code bpf_core_types_are_compat}). */
    public static boolean compatible(Btf local, int localId, Btf targ, int targId) {
        return compatible(local, localId, targ, targId, MAX_DEPTH);
    }

    private static boolean compatible(Btf local, int localId, Btf targ, int targId, int level) {
        for (int depth = MAX_DEPTH; ; depth--) {
            if (depth < 0) {
                throw tooDeep(local, localId);
            }
            localId = local.skipModifiersAndTypedefs(localId);
            targId = targ.skipModifiersAndTypedefs(targId);
            BtfKind lk = local.kind(localId);
            BtfKind tk = targ.kind(targId);
            if (!kindsCompatible(lk, tk)) {
                return false;
            }
            switch (lk) {
                case VOID, STRUCT, UNION, ENUM, ENUM64, FWD -> {
                    return true;
                }
                case INT -> {
                    return ((BtfType.Int) local.type(localId)).bitOffset() == 0
                            && ((BtfType.Int) targ.type(targId)).bitOffset() == 0;
                }
                case PTR -> {
                    localId = ((BtfType.Ptr) local.type(localId)).type();
                    targId = ((BtfType.Ptr) targ.type(targId)).type();
                }
                case ARRAY -> {
                    localId = ((BtfType.Array) local.type(localId)).type();
                    targId = ((BtfType.Array) targ.type(targId)).type();
                }
                case FUNC_PROTO -> {
                    BtfType.FuncProto lp = (BtfType.FuncProto) local.type(localId);
                    BtfType.FuncProto tp = (BtfType.FuncProto) targ.type(targId);
                    if (lp.params().size() != tp.params().size()) {
                        return false;
                    }
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (level <= 0) {
                            throw tooDeep(local, localId);
                        }
                        if (!compatible(local, lp.params().get(i).type(), targ, tp.params().get(i).type(), level - 1)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targId = tp.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
    }

    /** Whether a local field's type may be read as the target field's ({@code bpf_core_fields_are_compat}). */
    static boolean fieldsCompatible(Btf local, int localId, Btf targ, int targId) {
        for (int depth = MAX_DEPTH; ; depth--) {
            if (depth < 0) {
                throw tooDeep(local, localId);
            }
            localId = local.skipModifiersAndTypedefs(localId);
            targId = targ.skipModifiersAndTypedefs(targId);
            BtfKind lk = local.kind(localId);
            BtfKind tk = targ.kind(targId);
            if (isComposite(lk) && isComposite(tk)) {
                return true;
            }
            if (!kindsCompatible(lk, tk)) {
                return false;
            }
            switch (lk) {
                case PTR, FLOAT -> {
                    return true;
                }
                case FWD, ENUM, ENUM64 -> {
                    String ln = local.name(localId);
                    String tn = targ.name(targId);
                    return CoreNames.essentialLength(ln) == 0 || CoreNames.essentialLength(tn) == 0
                            || CoreNames.essentialEquals(ln, tn);
                }
                case INT -> {
                    return ((BtfType.Int) local.type(localId)).bitOffset() == 0
                            && ((BtfType.Int) targ.type(targId)).bitOffset() == 0;
                }
                case ARRAY -> {
                    localId = ((BtfType.Array) local.type(localId)).type();
                    targId = ((BtfType.Array) targ.type(targId)).type();
                }
                default -> {
                    return false;
                }
            }
        }
    }

    /** Names equal once flavors are dropped; an anonymous target only matches an anonymous local. */
    private static boolean namesMatch(String local, String targ) {
        if (targ.isEmpty()) {
            return local.isEmpty();
        }
        return CoreNames.essentialEquals(local, targ);
    }

    /** The stricter {@code bpf_core_type_matches} relation. */
    public static boolean matches(Btf local, int localId, Btf targ, int targId) {
        return matches(local, localId, targ, targId, false, MAX_DEPTH);
    }

    private static boolean matches(Btf local, int localId, Btf targ, int targId, boolean behindPtr, int level) {
        for (int depth = MAX_DEPTH; ; depth--) {
            if (depth < 0) {
                throw tooDeep(local, localId);
            }
            localId = local.skipModifiersAndTypedefs(localId);
            targId = targ.skipModifiersAndTypedefs(targId);
            if (!namesMatch(local.name(localId), targ.name(targId))) {
                return false;
            }
            BtfKind lk = local.kind(localId);
            BtfKind tk = targ.kind(targId);
            BtfType lt = local.type(localId);
            BtfType tt = targ.type(targId);
            switch (lk) {
                case VOID -> {
                    return tk == BtfKind.VOID;
                }
                case FWD -> {
                    boolean localUnion = ((BtfType.Fwd) lt).union();
                    if (behindPtr) {
                        if (tk == BtfKind.FWD) {
                            return localUnion == ((BtfType.Fwd) tt).union();
                        }
                        return (tk == BtfKind.STRUCT && !localUnion) || (tk == BtfKind.UNION && localUnion);
                    }
                    return tk == BtfKind.FWD && localUnion == ((BtfType.Fwd) tt).union();
                }
                case ENUM, ENUM64 -> {
                    return isEnum(tk) && enumsMatch((BtfType.Enumeration) lt, (BtfType.Enumeration) tt);
                }
                case STRUCT, UNION -> {
                    if (behindPtr) {
                        if (lk == tk) {
                            return true;
                        }
                        return tk == BtfKind.FWD && (lk == BtfKind.UNION) == ((BtfType.Fwd) tt).union();
                    }
                    return lk == tk && compositesMatch(local, (BtfType.Composite) lt, targ, (BtfType.Composite) tt, level);
                }
                case INT -> {
                    if (tk != BtfKind.INT) {
                        return false;
                    }
                    BtfType.Int li = (BtfType.Int) lt;
                    BtfType.Int ti = (BtfType.Int) tt;
                    return li.size() == ti.size() && li.isSigned() == ti.isSigned();
                }
                case PTR -> {
                    if (tk != BtfKind.PTR) {
                        return false;
                    }
                    behindPtr = true;
                    localId = ((BtfType.Ptr) lt).type();
                    targId = ((BtfType.Ptr) tt).type();
                }
                case ARRAY -> {
                    if (tk != BtfKind.ARRAY) {
                        return false;
                    }
                    BtfType.Array la = (BtfType.Array) lt;
                    BtfType.Array ta = (BtfType.Array) tt;
                    if (la.elements() != ta.elements()) {
                        return false;
                    }
                    localId = la.type();
                    targId = ta.type();
                }
                case FUNC_PROTO -> {
                    if (tk != BtfKind.FUNC_PROTO) {
                        return false;
                    }
                    BtfType.FuncProto lp = (BtfType.FuncProto) lt;
                    BtfType.FuncProto tp = (BtfType.FuncProto) tt;
                    if (lp.params().size() != tp.params().size()) {
                        return false;
                    }
                    for (int i = 0; i < lp.params().size(); i++) {
                        if (level <= 0) {
                            throw tooDeep(local, localId);
                        }
                        if (!matches(local, lp.params().get(i).type(), targ, tp.params().get(i).type(), behindPtr,
                                level - 1)) {
                            return false;
                        }
                    }
                    localId = lp.returnType();
                    targId = tp.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
    }

    private static boolean enumsMatch(BtfType.Enumeration local, BtfType.Enumeration targ) {
        if (local.values().size() > targ.values().size() || local.size() != targ.size()) {
            return false;
        }
        for (BtfType.EnumValue lv : local.values()) {
            boolean found = false;
            for (BtfType.EnumValue tv : targ.values()) {
                if (namesMatch(lv.name(), tv.name())) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static boolean compositesMatch(Btf local, BtfType.Composite lt, Btf targ, BtfType.Composite tt, int level) {
        List<BtfType.Member> lms = lt.members();
        List<BtfType.Member> tms = tt.members();
        if (lms.size() > tms.size()) {
            return false;
        }
        for (BtfType.Member lm : lms) {
            boolean matched = false;
            for (BtfType.Member tm : tms) {
                if (!namesMatch(lm.name(), tm.name())) {
                    continue;
                }
                if (level <= 0) {
                    throw tooDeep(local, lt.id());
                }
                if (matches(local, lm.type(), targ, tm.type(), false, level - 1)) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    private static LoadException tooDeep(Btf btf, int id) {
        return new LoadException("BTF type [" + id + "]", "nests types more than " + MAX_DEPTH
                + " levels deep while CO-RE compares it with the kernel's");
    }
}
