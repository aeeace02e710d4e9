package io.bpfkit.btf;

/**
 * What a CO-RE relocation asks for ({@code enum bpf_core_relo_kind} in {@code linux/bpf.h}),
 * with the number clang stores for it.
 *
 * <pre>{@code
 * if (relo.kind() == CoreReloKind.FIELD_BYTE_OFFSET) { ... }
 * }</pre>
 */
public enum CoreReloKind {
    /** Byte offset of a field. */
    FIELD_BYTE_OFFSET,
    /** Size of a field in bytes. */
    FIELD_BYTE_SIZE,
    /** Whether a field exists in the target. */
    FIELD_EXISTS,
    /** Whether a field is signed. */
    FIELD_SIGNED,
    /** Left shift that brings a bitfield to the top of a u64. */
    FIELD_LSHIFT_U64,
    /** Right shift that then brings it down, sign- or zero-extending. */
    FIELD_RSHIFT_U64,
    /** The type's id in the object's own BTF. */
    TYPE_ID_LOCAL,
    /** The type's id in the target (kernel) BTF. */
    TYPE_ID_TARGET,
    /** Whether the type exists in the target. */
    TYPE_EXISTS,
    /** Size of the type in bytes. */
    TYPE_SIZE,
    /** Whether an enumerator exists in the target. */
    ENUMVAL_EXISTS,
    /** An enumerator's value in the target. */
    ENUMVAL_VALUE,
    /** Whether the target has a type that matches this one (stricter than TYPE_EXISTS). */
    TYPE_MATCHES;

    private static final CoreReloKind[] BY_CODE = values();

    /** The number stored in a {@code bpf_core_relo} record. */
    public int code() {
        return ordinal();
    }

    /**
     * The kind stored as {@code code}.
     *
     * @throws IllegalArgumentException when no kind has that number
     */
    public static CoreReloKind of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("no CO-RE relocation kind " + code);
        }
        return BY_CODE[code];
    }

    static int count() {
        return BY_CODE.length;
    }

    /** Relocations about a struct/union field: their access string is a field path. */
    public boolean isFieldBased() {
        return ordinal() <= FIELD_RSHIFT_U64.ordinal();
    }

    /** Relocations about a whole type: their access string is {@code "0"}. */
    public boolean isTypeBased() {
        return this == TYPE_ID_LOCAL || this == TYPE_ID_TARGET || this == TYPE_EXISTS || this == TYPE_SIZE
                || this == TYPE_MATCHES;
    }

    /** Relocations about an enumerator: their access string is its index. */
    public boolean isEnumValueBased() {
        return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
    }
}
