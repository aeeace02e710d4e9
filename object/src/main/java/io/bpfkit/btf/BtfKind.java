package io.bpfkit.btf;

/**
 * The kind of a BTF type, with the number BTF stores for it ({@code BTF_KIND_*} in
 * {@code linux/btf.h}).
 *
 * <pre>{@code
 * BtfKind k = btf.kind(id);
 * if (k == BtfKind.STRUCT || k == BtfKind.UNION) { ... }
 * }</pre>
 */
public enum BtfKind {
    /** Kind 0: stored nowhere; only type id 0, which stands for {@code void}. */
    VOID("UNKNOWN"),
    INT("INT"),
    PTR("PTR"),
    ARRAY("ARRAY"),
    STRUCT("STRUCT"),
    UNION("UNION"),
    ENUM("ENUM"),
    FWD("FWD"),
    TYPEDEF("TYPEDEF"),
    VOLATILE("VOLATILE"),
    CONST("CONST"),
    RESTRICT("RESTRICT"),
    FUNC("FUNC"),
    FUNC_PROTO("FUNC_PROTO"),
    VAR("VAR"),
    DATASEC("DATASEC"),
    FLOAT("FLOAT"),
    DECL_TAG("DECL_TAG"),
    TYPE_TAG("TYPE_TAG"),
    ENUM64("ENUM64");

    private static final BtfKind[] BY_CODE = values();

    private final String label;

    BtfKind(String label) {
        this.label = label;
    }

    /** The number BTF stores in bits 24-28 of a type's {@code info} word. */
    public int code() {
        return ordinal();
    }

    /** The name bpftool prints for this kind ({@code "UNKNOWN"} for kind 0). */
    public String label() {
        return label;
    }

    /**
     * The kind stored as {@code code}.
     *
     * @throws IllegalArgumentException when no kind has that number
     */
    public static BtfKind of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("no BTF kind " + code);
        }
        return BY_CODE[code];
    }

    /** Whether this is a modifier that {@link Btf#skipModifiers} looks through. */
    public boolean isModifier() {
        return this == CONST || this == VOLATILE || this == RESTRICT || this == TYPE_TAG;
    }

    static int count() {
        return BY_CODE.length;
    }
}
