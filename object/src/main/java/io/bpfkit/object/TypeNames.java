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
            // An instanceof chain, not a pattern switch: a switch over types is bootstrapped at its
            // first run into a class a JDK AOT cache does not keep, and every map's open runs this.
            if (t instanceof BtfType.Void) {
                return prefix + "void" + suffix;
            } else if (t instanceof BtfType.Ptr p) {
                suffix.insert(0, " *");
                cur = p.type();
            } else if (t instanceof BtfType.Array a) {
                suffix.append('[').append(a.elements()).append(']');
                cur = a.type();
            } else if (t instanceof BtfType.Const c) {
                prefix = "const " + prefix;
                cur = c.type();
            } else if (t instanceof BtfType.Volatile v) {
                prefix = "volatile " + prefix;
                cur = v.type();
            } else if (t instanceof BtfType.Restrict r) {
                cur = r.type();
            } else if (t instanceof BtfType.TypeTag tt) {
                cur = tt.type();
            } else if (t instanceof BtfType.DeclTag dt) {
                cur = dt.type();
            } else if (t instanceof BtfType.Var v) {
                cur = v.type();
            } else if (t instanceof BtfType.Struct s) {
                return prefix + "struct " + named(s.name()) + suffix;
            } else if (t instanceof BtfType.Union u) {
                return prefix + "union " + named(u.name()) + suffix;
            } else if (t instanceof BtfType.Enumeration e) {
                return prefix + "enum " + named(e.name()) + suffix;
            } else if (t instanceof BtfType.Fwd f) {
                return prefix + (f.union() ? "union " : "struct ") + named(f.name()) + suffix;
            } else if (t instanceof BtfType.FuncProto) {
                return prefix + "func" + suffix;
            } else {
                return prefix + named(t.name()) + suffix;
            }
        }
        return prefix + "..." + suffix;
    }

    private static String named(String name) {
        return name.isEmpty() ? "(anon)" : name;
    }
}
