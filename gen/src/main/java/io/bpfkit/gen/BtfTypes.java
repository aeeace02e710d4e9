package io.bpfkit.gen;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import io.bpfkit.check.JavaType;
import io.bpfkit.check.LayoutException;
import io.bpfkit.check.RecordLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses Java types for BTF types: integers of their width ({@code @Unsigned} where BTF says
 * unsigned), {@code char[N]} as {@code @Size(N) String}, arrays of numbers or structs as
 * {@code @Size} arrays, structs as records. A struct becomes a record only when the record's
 * layout, by the rules the processor and the runtime follow ({@link RecordLayout}), matches the
 * struct as {@link BindingCheck} compares them; anything else (unions, bit fields, anonymous
 * members, packed or padded layouts Java cannot reproduce) is {@code @Size(N) byte[]}, with
 * the reason kept for a comment.
 */
final class BtfTypes {
    private static final int MAX_CHAIN = Btf.MAX_CHAIN_DEPTH;

    private final Btf btf;
    private final Names recordNames;
    private final Map<Integer, JType.RecordDef> records = new LinkedHashMap<>();
    private final Map<Integer, String> refused = new HashMap<>();
    private final Set<Integer> building = new HashSet<>();

    BtfTypes(Btf btf, Names recordNames) {
        this.btf = btf;
        this.recordNames = recordNames;
    }

    /** The records chosen so far, nested ones before those that use them. */
    List<JType.RecordDef> records() {
        return List.copyOf(records.values());
    }

    /**
     * The Java type of BTF type {@code typeId}, or null for a type without a size (void,
     * functions, forward declarations, zero-length arrays).
     *
     * @param hint the record name for an anonymous struct
     */
    JType of(int typeId, String hint) {
        String typedef = null;
        int id = typeId;
        for (int i = 0; i < MAX_CHAIN; i++) {
            BtfType t = btf.type(id);
            if (t instanceof BtfType.Typedef td) {
                typedef = typedef == null ? td.name() : typedef;
                id = td.type();
            } else if (t instanceof BtfType.Const || t instanceof BtfType.Volatile || t instanceof BtfType.Restrict
                    || t instanceof BtfType.TypeTag) {
                id = ((BtfType.Reference) t).type();
            } else {
                break;
            }
        }
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Int i when i.isBool() && i.size() == 1 -> new JType.Scalar(JavaType.Kind.BOOLEAN, false, null);
            case BtfType.Int i -> integer(i.size(), !i.isSigned(), null, "a " + i.size() * 8 + "-bit integer ("
                    + i.name() + ")");
            case BtfType.Enum e -> integer(e.size(), !e.signed(), "enum " + name(e.name()), "enum " + name(e.name()));
            case BtfType.Enum64 e -> integer(e.size(), !e.signed(), "enum " + name(e.name()), "enum "
                    + name(e.name()));
            case BtfType.Float f when f.size() == 4 -> new JType.Scalar(JavaType.Kind.FLOAT, false, null);
            case BtfType.Float f when f.size() == 8 -> new JType.Scalar(JavaType.Kind.DOUBLE, false, null);
            case BtfType.Float f -> new JType.Opaque((int) f.size(), "a " + f.size() * 8 + "-bit float ("
                    + f.name() + "), which Java has not");
            case BtfType.Ptr p when btf.type(btf.skipModifiersAndTypedefs(p.type())) instanceof BtfType.FuncProto ->
                    new JType.Opaque(btf.pointerSize(), "a function pointer (" + BindingCheck.cName(btf, p.id())
                            + "), which Java code cannot call");
            case BtfType.Ptr p when btf.pointerSize() == 8 -> new JType.Scalar(JavaType.Kind.LONG, true,
                    "a pointer in C (" + BindingCheck.cName(btf, p.id()) + "): the address");
            case BtfType.Ptr p -> integer(btf.pointerSize(), true, "a pointer in C", "a pointer");
            case BtfType.Array a -> array(a, hint);
            case BtfType.Struct s -> struct(s, s.name().isEmpty() && typedef != null ? typedef : hint);
            case BtfType.Union u -> opaque(u.id(), "union " + name(u.name()) + ": a record cannot stand for a union");
            default -> null;
        };
    }

    private static String name(String n) {
        return n.isEmpty() ? "<anonymous>" : n;
    }

    private static JType integer(long size, boolean unsigned, String note, String what) {
        JavaType.Kind kind = switch ((int) size) {
            case 1 -> JavaType.Kind.BYTE;
            case 2 -> JavaType.Kind.SHORT;
            case 4 -> JavaType.Kind.INT;
            case 8 -> JavaType.Kind.LONG;
            default -> null;
        };
        return kind == null ? new JType.Opaque((int) size, what + ": Java has no integer of " + size + " bytes")
                : new JType.Scalar(kind, unsigned, note);
    }

    private JType opaque(int id, String why) {
        long size = btf.resolveSize(id);
        return size <= 0 ? null : new JType.Opaque((int) size, why);
    }

    private JType array(BtfType.Array a, String hint) {
        if (a.elements() == 0 || a.elements() > Integer.MAX_VALUE) {
            return null; // a flexible array member: no size of its own
        }
        int n = (int) a.elements();
        BtfType element = btf.type(btf.skipModifiersAndTypedefs(a.type()));
        if (element instanceof BtfType.Int i && i.size() == 1 && (i.isChar() || i.name().equals("char"))) {
            return new JType.Text(n);
        }
        JType e = of(a.type(), hint);
        return switch (e) {
            case JType.Scalar s -> new JType.Arr(s, n);
            case JType.Rec r -> new JType.Arr(r, n);
            case null -> null;
            default -> opaque(a.id(), BindingCheck.cName(btf, a.id()) + ": Java arrays of "
                    + (e instanceof JType.Text ? "strings" : "arrays or raw bytes") + " have no C layout");
        };
    }

    private JType struct(BtfType.Struct s, String hint) {
        JType.RecordDef done = records.get(s.id());
        if (done != null) {
            return new JType.Rec(done);
        }
        String what = "struct " + name(s.name());
        if (refused.containsKey(s.id())) {
            return opaque(s.id(), refused.get(s.id()));
        }
        if (!building.add(s.id())) {
            return opaque(s.id(), what + " contains itself");
        }
        try {
            String why = null;
            String javaName = Names.pascal(s.name().isEmpty() ? hint : s.name());
            List<JType.Member> components = new ArrayList<>();
            Set<String> used = new HashSet<>();
            if (s.members().isEmpty()) {
                why = what + " has no members: C structs a record stands for have some";
            }
            for (BtfType.Member m : s.members()) {
                if (m.name().isEmpty()) {
                    why = what + " has an anonymous member at byte " + m.bitOffset() / 8 + ", which a record "
                            + "component cannot name";
                } else if (m.isBitfield() || m.bitOffset() % 8 != 0) {
                    why = what + " member '" + m.name() + "' is a bit field, which a record cannot stand for";
                } else {
                    String component = Names.component(m.name());
                    if (component == null || !used.add(component)) {
                        why = what + " member '" + m.name() + "' has no Java name that BTF's compares equal";
                    } else {
                        JType t = of(m.type(), javaName + Names.pascal(m.name()));
                        if (t == null) {
                            why = what + " member '" + m.name() + "' (" + BindingCheck.cName(btf, m.type())
                                    + ") has no size of its own (a flexible array or a function)";
                        } else {
                            components.add(new JType.Member(component, m.name(), t));
                        }
                    }
                }
                if (why != null) {
                    break;
                }
            }
            JType.RecordDef def = null;
            if (why == null) {
                String cName = s.name().isEmpty() ? null : s.name();
                String unique = recordNames.claim(javaName);
                def = new JType.RecordDef(unique, cName, s.id(), List.copyOf(components));
                why = layoutProblem(def, s);
            }
            if (why != null) {
                refused.put(s.id(), why);
                return opaque(s.id(), why);
            }
            records.put(s.id(), def);
            return new JType.Rec(def);
        } finally {
            building.remove(s.id());
        }
    }

    /** Why the record's layout is not the struct's (packed, over-aligned, ...), or null when it is. */
    private String layoutProblem(JType.RecordDef def, BtfType.Struct s) {
        try {
            CType c = RecordLayout.ctype(new JavaType.RecordOf(def), null, false, "record " + def.javaName(), null);
            return BindingCheck.mismatch("record " + def.javaName(), c, "record " + def.javaName(), btf, s.id());
        } catch (LayoutException e) {
            return e.getMessage();
        }
    }
}
