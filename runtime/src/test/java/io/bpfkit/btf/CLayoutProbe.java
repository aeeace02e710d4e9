package io.bpfkit.btf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * C source that checks a generated header against the BTF it came from, for clang to judge:
 * {@code _Static_assert}s that every named struct, union, enum and typedef has the size BTF
 * says and every member (other than bitfields, which {@code offsetof} cannot name) the byte
 * offset BTF says, through anonymous members and inline anonymous structs. Each assertion's
 * message is {@code "t<id>"}, the BTF id it checks, so failures can be traced back.
 */
final class CLayoutProbe {
    private static final Pattern FAILED = Pattern.compile("static assertion failed[^\\n]*?\\bt(\\d+)\\b");

    private final Btf btf;
    private final BtfCHeader header;
    private final StringBuilder out = new StringBuilder();
    private int assertions;

    private CLayoutProbe(Btf btf, BtfCHeader header) {
        this.btf = btf;
        this.header = header;
    }

    /**
     * The probe: includes {@code headerName}, then one assertion per size and offset, except
     * for types whose size is the compiler's, not BTF's: {@code __builtin_va_list} (an array of
     * one 24-byte struct on x86-64, a pointer for BPF) and whatever holds one by value. No
     * header can change a builtin; bpftool does not try either.
     */
    static Probe of(Btf btf, BtfCHeader header, String headerName) {
        CLayoutProbe p = new CLayoutProbe(btf, header);
        p.out.append("#include \"").append(headerName).append("\"\n");
        Set<Integer> builtin = new HashSet<>();
        for (BtfType t : btf.findAll("__builtin_va_list")) {
            builtin.add(t.id());
        }
        Set<Integer> skipped = holdingByValue(btf, builtin);
        for (int id = 1; id < btf.typeCount(); id++) {
            if (!skipped.contains(id)) {
                p.type(id);
            }
        }
        return new Probe(p.out.toString(), p.assertions, skipped.size());
    }

    /** {@code seeds}, and every struct, union or typedef that holds one by value, transitively. */
    static Set<Integer> holdingByValue(Btf btf, Set<Integer> seeds) {
        Set<Integer> ids = new HashSet<>(seeds);
        boolean grew = !ids.isEmpty();
        while (grew) {
            grew = false;
            for (int id = 1; id < btf.typeCount(); id++) {
                if (ids.contains(id)) {
                    continue;
                }
                boolean holds = switch (btf.type(id)) {
                    case BtfType.Composite c -> c.members().stream().anyMatch(m -> ids.contains(byValue(btf, m.type())));
                    case BtfType.Typedef t -> ids.contains(byValue(btf, t.type()));
                    default -> false;
                };
                if (holds) {
                    ids.add(id);
                    grew = true;
                }
            }
        }
        return ids;
    }

    /** The type a value of {@code id} is made of: through modifiers and arrays, not typedefs or pointers. */
    private static int byValue(Btf btf, int id) {
        int cur = btf.skipModifiers(id);
        while (btf.type(cur) instanceof BtfType.Array a) {
            cur = btf.skipModifiers(a.type());
        }
        return cur;
    }

    /** The C source, how many assertions it makes, how many types it leaves out. */
    record Probe(String source, int assertions, int skipped) {
    }

    /** The BTF ids of the assertions clang reported as failed. */
    static Set<Integer> failedIds(String clangErrors) {
        Set<Integer> ids = new TreeSet<>();
        Matcher m = FAILED.matcher(clangErrors);
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }

    private void type(int id) {
        Optional<String> name = header.declaredName(id);
        if (name.isEmpty()) {
            return;
        }
        switch (btf.type(id)) {
            case BtfType.Composite c -> {
                check("sizeof(" + name.get() + ") == " + c.size(), id);
                members(c, name.get(), "", 0, id);
            }
            case BtfType.Enumeration e -> {
                if (!e.values().isEmpty()) {
                    check("sizeof(" + name.get() + ") == " + e.size(), id);
                }
            }
            case BtfType.Typedef t -> {
                int under = btf.skipModifiersAndTypedefs(t.type());
                BtfKind k = btf.kind(under);
                long size = btf.resolveSize(id);
                if (size >= 0 && k != BtfKind.FUNC_PROTO && k != BtfKind.FWD && under != 0) {
                    check("sizeof(" + name.get() + ") == " + size, id);
                }
            }
            default -> {
            }
        }
    }

    private void members(BtfType.Composite c, String cname, String prefix, long baseBits, int id) {
        for (BtfType.Member m : c.members()) {
            long bits = baseBits + m.bitOffset();
            Optional<BtfType.Composite> inline = anonymousComposite(m.type());
            if (m.name().isEmpty()) {
                // An anonymous member: its members are members of the outer struct in C.
                inline.ifPresent(in -> members(in, cname, prefix, bits, id));
                continue;
            }
            if (m.isBitfield()) {
                continue;
            }
            String path = prefix + m.name();
            check("__builtin_offsetof(" + cname + ", " + path + ") == " + bits / 8, id);
            inline.ifPresent(in -> members(in, cname, path + ".", bits, id));
        }
    }

    private Optional<BtfType.Composite> anonymousComposite(int type) {
        BtfType t = btf.type(btf.skipModifiers(type));
        return t instanceof BtfType.Composite c && c.name().isEmpty() ? Optional.of(c) : Optional.empty();
    }

    private void check(String condition, int id) {
        out.append("_Static_assert(").append(condition).append(", \"t").append(id).append("\");\n");
        assertions++;
    }

    /**
     * C declaring a pointer to every named struct and union of {@code ids}, so that clang
     * writes their complete definitions (and everything they embed) into the object's BTF.
     */
    static String pointersTo(BtfCHeader header, List<Integer> ids, String headerName) {
        StringBuilder sb = new StringBuilder("#include \"" + headerName + "\"\n");
        int n = 0;
        for (int id : ids) {
            Optional<String> name = header.declaredName(id);
            if (name.isPresent()) {
                sb.append(name.get()).append(" *bpfkit_probe_").append(n++).append(";\n");
            }
        }
        return sb.toString();
    }

    /**
     * Compares every named struct and union of a compiled object's BTF with the type of the
     * same C name in the BTF the header came from: size, and each member's name, bit offset and
     * bitfield width, descending into anonymous members. Returns the differences (empty when
     * the layouts agree) and fills {@code compared} with the number of types compared.
     */
    static List<String> compareLayouts(Btf source, BtfCHeader header, Btf object, int[] compared) {
        Map<String, Integer> byCName = new HashMap<>();
        for (int id = 1; id < source.typeCount(); id++) {
            BtfKind k = source.kind(id);
            if (k == BtfKind.STRUCT || k == BtfKind.UNION) {
                int sid = id;
                header.declaredName(id).ifPresent(n -> byCName.put(n, sid));
            }
        }
        List<String> diffs = new ArrayList<>();
        for (int id = 1; id < object.typeCount(); id++) {
            if (!(object.type(id) instanceof BtfType.Composite oc) || oc.name().isEmpty()) {
                continue;
            }
            String cname = (oc instanceof BtfType.Struct ? "struct " : "union ") + oc.name();
            Integer sid = byCName.get(cname);
            if (sid == null) {
                diffs.add(cname + ": in the object but not in the source BTF");
                continue;
            }
            compareComposite(cname, (BtfType.Composite) source.type(sid), source, oc, object, diffs);
            compared[0]++;
        }
        return diffs;
    }

    private static void compareComposite(String where, BtfType.Composite s, Btf sb, BtfType.Composite o, Btf ob,
            List<String> diffs) {
        if (s.size() != o.size() || s.members().size() != o.members().size() || s.kind() != o.kind()) {
            diffs.add(where + ": " + s.kind() + " size " + s.size() + " with " + s.members().size() + " members in BTF, "
                    + o.kind() + " size " + o.size() + " with " + o.members().size() + " in the compiled object");
            return;
        }
        for (int i = 0; i < s.members().size(); i++) {
            BtfType.Member sm = s.members().get(i);
            BtfType.Member om = o.members().get(i);
            if (!sm.name().equals(om.name()) || sm.bitOffset() != om.bitOffset()
                    || sm.bitfieldSize() != om.bitfieldSize()) {
                diffs.add(where + "." + sm.name() + ": bit offset " + sm.bitOffset() + " width " + sm.bitfieldSize()
                        + " in BTF; " + om.name() + " at " + om.bitOffset() + " width " + om.bitfieldSize()
                        + " in the compiled object");
                continue;
            }
            if (sb.type(sb.skipModifiers(sm.type())) instanceof BtfType.Composite sc && sc.name().isEmpty()
                    && ob.type(ob.skipModifiers(om.type())) instanceof BtfType.Composite oc) {
                compareComposite(where + "." + (sm.name().isEmpty() ? "<anon>" : sm.name()), sc, sb, oc, ob, diffs);
            }
        }
    }
}
