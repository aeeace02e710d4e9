package io.bpfkit.linker;

/**
 * A BTF-defined map ({@code SEC(".maps")}) as a canonical string, so that two inputs' declarations
 * of one map can be compared: the members of its struct with {@code __uint()} values
 * (pointers to arrays whose length is the value) and {@code __type()} types written out.
 * Typedefs and qualifiers are looked through, as libbpf's comparison does.
 */
final class MapDefinitions {
    private static final int MAX_DEPTH = 8;

    private MapDefinitions() {
    }

    /** The map's definition, or null when {@code name} is not a variable of the {@code .maps} section. */
    static String describe(RawBtf btf, String name) {
        if (btf == null) {
            return null;
        }
        for (RawBtf.Type t : btf.types) {
            if (t.kind != RawBtf.DATASEC || !t.name.equals(".maps")) {
                continue;
            }
            for (int i = 0; i < t.vlen; i++) {
                RawBtf.Type v = btf.type(t.extra[3 * i]);
                if (v.kind == RawBtf.VAR && v.name.equals(name)) {
                    return definition(btf, v.sizeOrType);
                }
            }
        }
        return null;
    }

    /** A type as a canonical string (typedefs and qualifiers looked through), to compare a global's declarations. */
    static String describeType(RawBtf btf, int id) {
        return type(btf, id, 0);
    }

    /** The fields of the definition's struct by name, in name order: their order in the source does not matter. */
    private static String definition(RawBtf btf, int id) {
        int t = id;
        for (int i = 0; i < MAX_DEPTH && t != 0 && btf.type(t).kind != RawBtf.STRUCT; i++) {
            RawBtf.Type x = btf.type(t);
            if (x.kind != RawBtf.TYPEDEF && x.kind != RawBtf.CONST && x.kind != RawBtf.VOLATILE) {
                break;
            }
            t = x.sizeOrType;
        }
        if (t == 0 || btf.type(t).kind != RawBtf.STRUCT) {
            return type(btf, id, 0);
        }
        RawBtf.Type struct = btf.type(t);
        java.util.TreeMap<String, String> fields = new java.util.TreeMap<>();
        for (int i = 0; i < struct.vlen; i++) {
            fields.put(struct.strings[3 * i], type(btf, struct.extra[3 * i + 1], 1));
        }
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String type(RawBtf btf, int id, int depth) {
        if (id == 0) {
            return "void";
        }
        if (depth > MAX_DEPTH) {
            return "...";
        }
        RawBtf.Type t = btf.type(id);
        return switch (t.kind) {
            case RawBtf.TYPEDEF, RawBtf.VOLATILE, RawBtf.CONST, RawBtf.RESTRICT, RawBtf.TYPE_TAG ->
                    type(btf, t.sizeOrType, depth);
            // by size only: libbpf ignores signedness when it matches a global's declarations
            case RawBtf.INT -> "int" + t.sizeOrType * 8;
            case RawBtf.FLOAT -> "float" + t.sizeOrType * 8;
            case RawBtf.PTR -> {
                // __uint(name, N) is int (*name)[N]: the value is the array length
                if (t.sizeOrType != 0 && btf.type(t.sizeOrType).kind == RawBtf.ARRAY) {
                    yield Integer.toUnsignedString(btf.type(t.sizeOrType).extra[2]);
                }
                yield "*" + type(btf, t.sizeOrType, depth + 1);
            }
            case RawBtf.ARRAY -> type(btf, t.extra[0], depth + 1) + "[" + Integer.toUnsignedString(t.extra[2]) + "]";
            case RawBtf.STRUCT, RawBtf.UNION -> {
                StringBuilder sb = new StringBuilder(t.kind == RawBtf.STRUCT ? "struct " : "union ").append(t.name)
                        .append('(').append(t.sizeOrType).append("){");
                for (int i = 0; i < t.vlen; i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    sb.append(t.strings[3 * i]).append('=').append(type(btf, t.extra[3 * i + 1], depth + 1));
                }
                yield sb.append('}').toString();
            }
            case RawBtf.ENUM, RawBtf.ENUM64 -> "enum " + t.name + "(" + t.sizeOrType + ")";
            case RawBtf.FWD -> "fwd " + t.name;
            case RawBtf.FUNC_PROTO -> {
                StringBuilder sb = new StringBuilder("fn(");
                for (int i = 0; i < t.vlen; i++) {
                    sb.append(i > 0 ? ", " : "").append(type(btf, t.extra[2 * i + 1], depth + 1));
                }
                yield sb.append(") -> ").append(type(btf, t.sizeOrType, depth + 1)).toString();
            }
            default -> "kind" + t.kind + " " + t.name;
        };
    }
}
