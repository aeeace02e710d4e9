package io.bpfkit.btf;

import java.util.List;
import java.util.Objects;

/**
 * One BTF type, decoded: a record per {@link BtfKind}. Names are {@code ""} for anonymous
 * types and members; type ids refer to other types of the same {@link Btf} (0 is void).
 * Fields BTF stores as unsigned 32-bit numbers (sizes, offsets, element counts) are
 * {@code long}s holding the unsigned value.
 *
 * <pre>{@code
 * switch (btf.type(id)) {
 *     case BtfType.Struct s -> s.members().forEach(m -> System.out.println(m.name()));
 *     case BtfType.Typedef t -> System.out.println(t.name() + " = " + btf.type(t.type()).name());
 *     default -> { }
 * }
 * }</pre>
 */
public sealed interface BtfType {

    /** This type's id in its {@link Btf}. */
    int id();

    /** The name, {@code ""} when anonymous. */
    String name();

    BtfKind kind();

    /** Types that are a thin layer over one other type: pointers, modifiers, typedefs, ... */
    sealed interface Reference extends BtfType {
        /** The type referred to (for {@link Func}, its {@link FuncProto}). */
        int type();
    }

    /** A struct or a union. */
    sealed interface Composite extends BtfType {
        long size();

        List<Member> members();
    }

    /** An enum with 32-bit ({@link Enum}) or 64-bit ({@link Enum64}) values. */
    sealed interface Enumeration extends BtfType {
        long size();

        /** Whether the values are signed (the kind flag of the type). */
        boolean signed();

        List<EnumValue> values();
    }

    /** Type id 0: {@code void}, and "no type" where a type id is optional. */
    record Void() implements BtfType {
        public int id() {
            return 0;
        }

        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /**
     * An integer: {@code bits} bits starting {@code bitOffset} bits into {@code size} bytes.
     *
     * @param encoding a combination of {@link #SIGNED}, {@link #CHAR} and {@link #BOOL}
     */
    record Int(int id, String name, long size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        public Int {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }

        public boolean isChar() {
            return (encoding & CHAR) != 0;
        }

        public boolean isBool() {
            return (encoding & BOOL) != 0;
        }
    }

    record Ptr(int id, String name, int type) implements Reference {
        public Ptr {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    /** An array of {@code elements} values of {@code type}, indexed by {@code indexType}. */
    record Array(int id, String name, int type, int indexType, long elements) implements BtfType {
        public Array {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    record Struct(int id, String name, long size, List<Member> members) implements Composite {
        public Struct {
            Objects.requireNonNull(name, "name");
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    record Union(int id, String name, long size, List<Member> members) implements Composite {
        public Union {
            Objects.requireNonNull(name, "name");
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    /**
     * A struct or union member.
     *
     * @param bitOffset offset from the start of the struct or union, in bits
     * @param bitfieldSize width of a bitfield in bits, 0 when the member is not a bitfield
     */
    record Member(String name, int type, long bitOffset, int bitfieldSize) {
        public Member {
            Objects.requireNonNull(name, "name");
        }

        public boolean isBitfield() {
            return bitfieldSize != 0;
        }
    }

    record Enum(int id, String name, long size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    record Enum64(int id, String name, long size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum64 {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }

    /**
     * One enumerator. For an unsigned 32-bit enum the value is zero-extended, for a signed one
     * sign-extended; an unsigned {@link Enum64} value above {@link Long#MAX_VALUE} reads as
     * negative (use {@link Long#toUnsignedString(long)}).
     */
    record EnumValue(String name, long value) {
        public EnumValue {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A forward declaration of a struct ({@code union == false}) or a union. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        public Fwd {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(int id, String name, int type) implements Reference {
        public Typedef {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    record Volatile(int id, String name, int type) implements Reference {
        public Volatile {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }
    }

    record Const(int id, String name, int type) implements Reference {
        public Const {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.CONST;
        }
    }

    record Restrict(int id, String name, int type) implements Reference {
        public Restrict {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }
    }

    /** A function; {@code type} is its {@link FuncProto}. */
    record Func(int id, String name, int type, Linkage linkage) implements Reference {
        public Func {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(linkage, "linkage");
        }

        public BtfKind kind() {
            return BtfKind.FUNC;
        }

        /** {@code enum btf_func_linkage}, stored in the vlen bits of a FUNC. */
        public enum Linkage {
            STATIC, GLOBAL, EXTERN
        }
    }

    /**
     * A function signature. A C variadic function ends in a parameter with no name and type
     * 0 (see {@link #isVariadic()}).
     */
    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            Objects.requireNonNull(name, "name");
            params = List.copyOf(params);
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }

        public boolean isVariadic() {
            if (params.isEmpty()) {
                return false;
            }
            Param last = params.getLast();
            return last.type() == 0 && last.name().isEmpty();
        }
    }

    /** A function parameter; names are {@code ""} where the compiler kept none. */
    record Param(String name, int type) {
        public Param {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A variable, found in a {@link Datasec}. */
    record Var(int id, String name, int type, Linkage linkage) implements Reference {
        public Var {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(linkage, "linkage");
        }

        public BtfKind kind() {
            return BtfKind.VAR;
        }

        /** {@code BTF_VAR_STATIC}, {@code BTF_VAR_GLOBAL_ALLOCATED}, {@code BTF_VAR_GLOBAL_EXTERN}. */
        public enum Linkage {
            STATIC, GLOBAL, EXTERN
        }
    }

    /** A data section ({@code .data}, {@code .bss}, {@code .maps}, ...) and the variables in it. */
    record Datasec(int id, String name, long size, List<DatasecEntry> entries) implements BtfType {
        public Datasec {
            Objects.requireNonNull(name, "name");
            entries = List.copyOf(entries);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    /** A variable ({@code type} is a {@link Var} or a FUNC for externs) placed in a {@link Datasec}. */
    record DatasecEntry(int type, long offset, long size) {
    }

    record Float(int id, String name, long size) implements BtfType {
        public Float {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /**
     * A {@code btf_decl_tag} attribute; the name is the tag text. It applies to {@code type}
     * itself when {@code componentIndex} is -1, else to that member or parameter of it.
     */
    record DeclTag(int id, String name, int type, int componentIndex) implements Reference {
        public DeclTag {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    /** A {@code btf_type_tag} attribute on a pointee type; the name is the tag text. */
    record TypeTag(int id, String name, int type) implements Reference {
        public TypeTag {
            Objects.requireNonNull(name, "name");
        }

        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }
}
