package io.bpfkit.btf;

import java.util.HashMap;
import java.util.Map;

/**
 * The C names of BTF types as the header declares them. C has one namespace for struct, union
 * and enum tags and another for typedefs and enumerators; BTF (vmlinux's above all) holds
 * different types with the same name, so the second and later ones get a {@code ___N} suffix,
 * numbered in the order the header first mentions them, as libbpf's {@code btf_dump} numbers
 * them (CO-RE ignores {@code ___} suffixes when matching, so such a type still relocates).
 */
final class CTypeNames {
    private final Btf btf;
    /** Tags: struct, union, enum and forward declarations; how often each name was declared. */
    private final Map<String, Count> tags;
    /** Ordinary identifiers: typedefs and enumerators. */
    private final Map<String, Count> idents;
    /** The name given to each type, once it is first asked for; null until then. */
    private final String[] given;

    CTypeNames(Btf btf) {
        this.btf = btf;
        this.given = new String[btf.typeCount()];
        // Sized for vmlinux's proportions (some 16k tags and 22k typedefs and enumerators in
        // 126k types), so that the tables are not rehashed a dozen times on the way.
        this.tags = HashMap.newHashMap(btf.typeCount() / 8 + 16);
        this.idents = HashMap.newHashMap(btf.typeCount() / 4 + 16);
    }

    /** The tag of a struct, union, enum or forward declaration ({@code ""} when anonymous). */
    String tag(int id) {
        return resolve(id, tags);
    }

    /** The name of a typedef. */
    String ident(int id) {
        return resolve(id, idents);
    }

    /**
     * The name of one enumerator: enumerators share the typedefs' namespace, and each
     * definition of an enum counts again (an enum is defined once, except an anonymous one
     * inlined in several places).
     */
    String enumerator(String name) {
        int n = count(idents, name);
        return n > 1 ? name + "___" + n : name;
    }

    /** The name a type was given, or null when the header has not named it (yet). */
    String givenName(int id) {
        return id >= 0 && id < given.length ? given[id] : null;
    }

    /**
     * One more declaration of {@code name}: how many there have been, this one included. A
     * mutable count rather than {@code merge(name, 1, Integer::sum)}: vmlinux's header counts
     * some 60k names, which a lambda call and a boxed sum each made dearer in a cold JVM.
     */
    private static int count(Map<String, Count> namespace, String name) {
        Count c = namespace.get(name);
        if (c == null) {
            namespace.put(name, new Count());
            return 1;
        }
        return ++c.n;
    }

    private static final class Count {
        int n = 1;
    }

    private String resolve(int id, Map<String, Count> namespace) {
        String name = given[id];
        if (name != null) {
            return name;
        }
        // The decoded type's name (the writer has decoded every type it names), not a second
        // copy of it from the string section.
        BtfType t = btf.type(id);
        name = t.name();
        // A forward declaration and an empty enum declare nothing new: never renamed.
        boolean declaresNothing = t instanceof BtfType.Fwd || (t instanceof BtfType.Enum e && e.values().isEmpty());
        if (!name.isEmpty() && !declaresNothing) {
            int n = count(namespace, name);
            if (n > 1) {
                name = name + "___" + n;
            }
        }
        given[id] = name;
        return name;
    }
}
