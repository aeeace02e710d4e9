package io.bpfkit.object;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;

/** Spells a BTF type as C would for display: {@code unsigned int}, {@code struct event}, {@code char[16]}. */
final class TypeNames {
    private static final int MAX_DEPTH = 16;

    private TypeNames() {
    }

    static String of(Btf btf, int id) {
        StringBuilder suffix = new StringBuilder();
        String prefix = "";
        int cur = id;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            BtfType t = btf.type(cur);
            switch (t) {
                case BtfType.Void v -> {
                    return prefix + "void" + suffix;
                }
                case BtfType.Ptr p -> {
                    suffix.insert(0, " *");
                    cur = p.type();
                }
                case BtfType.Array a -> {
                    suffix.append('[').append(a.elements()).append(']');
                    cur = a.type();
                }
                case BtfType.Const c -> {
                    prefix = "const " + prefix;
                    cur = c.type();
                }
                case BtfType.Volatile v -> {
                    prefix = "volatile " + prefix;
                    cur = v.type();
                }
                case BtfType.Restrict r -> cur = r.type();
                case BtfType.TypeTag tt -> cur = tt.type();
                case BtfType.DeclTag dt -> cur = dt.type();
                case BtfType.Var v -> cur = v.type();
                case BtfType.Struct s -> {
                    return prefix + "struct " + named(s.name()) + suffix;
                }
                case BtfType.Union u -> {
                    return prefix + "union " + named(u.name()) + suffix;
                }
                case BtfType.Enumeration e -> {
                    return prefix + "enum " + named(e.name()) + suffix;
                }
                case BtfType.Fwd f -> {
                    return prefix + (f.union() ? "union " : "struct ") + named(f.name()) + suffix;
                }
                case BtfType.FuncProto fp -> {
                    return prefix + "func" + suffix;
                }
                default -> {
                    return prefix + named(t.name()) + suffix;
                }
            }
        }
        return prefix + "..." + suffix;
    }

    private static String named(String name) {
        return name.isEmpty() ? "(anon)" : name;
    }
}
