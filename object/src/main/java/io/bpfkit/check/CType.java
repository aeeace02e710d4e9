package io.bpfkit.check;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The C type a Java type stands for in a binding: what the annotation processor derives from a
 * record, a primitive or a {@code @Size} array, and what {@link BindingCheck} compares with the
 * object's BTF. Structs get C's natural layout: each member at the next multiple of its
 * alignment, the size rounded up to the largest alignment.
 *
 * <pre>{@code
 * CType.Struct stats = CType.struct("Stats", null,
 *         CType.member("calls", CType.integer(8, true)), CType.member("flags", CType.integer(4, false)));
 * stats.size();                   // 16: 4 bytes of tail padding
 * stats.members().get(1).offset(); // 8
 * }</pre>
 */
public sealed interface CType {

    /** Bytes, as C's {@code sizeof}. */
    long size();

    /** Alignment, as C's {@code _Alignof}. */
    long alignment();

    /** The type as C would spell it: {@code __u32}, {@code char[16]}, {@code struct Stats}. */
    String spelling();

    /** The memory layout, named members and explicit padding for structs. */
    MemoryLayout layout();

    /** A scalar as wide as it is aligned: integers and floating point. */
    sealed interface Scalar extends CType {
        /** The width in bytes. */
        int bytes();

        default long size() {
            return bytes();
        }

        default long alignment() {
            return bytes();
        }

        private static void checkInteger(int bytes) {
            if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
                throw new IllegalArgumentException("integer size " + bytes);
            }
        }
    }

    /** A signed or unsigned integer of 1, 2, 4 or 8 bytes. */
    record Int(int bytes, boolean unsigned) implements Scalar {
        public Int {
            Scalar.checkInteger(bytes);
        }

        public String spelling() {
            return (unsigned ? "__u" : "__s") + bytes * 8;
        }

        public MemoryLayout layout() {
            return switch (bytes) {
                case 1 -> ValueLayout.JAVA_BYTE;
                case 2 -> ValueLayout.JAVA_SHORT;
                case 4 -> ValueLayout.JAVA_INT;
                default -> ValueLayout.JAVA_LONG;
            };
        }
    }

    /**
     * An integer of 1, 2, 4 or 8 bytes whose Java side does not say its signedness: a codec that
     * carries the bits, such as {@code Codecs.int32()}, which bindings use for {@code Integer} and
     * {@code @Unsigned Integer} alike. It stands for the signed and the unsigned C type.
     */
    record AnyInt(int bytes) implements Scalar {
        public AnyInt {
            Scalar.checkInteger(bytes);
        }

        public String spelling() {
            return "__s" + bytes * 8 + "/__u" + bytes * 8;
        }

        public MemoryLayout layout() {
            return new Int(bytes, false).layout();
        }
    }

    /** {@code float} (4) or {@code double} (8). */
    record Floating(int bytes) implements Scalar {
        public String spelling() {
            return bytes == 4 ? "float" : "double";
        }

        public MemoryLayout layout() {
            return bytes == 4 ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_DOUBLE;
        }
    }

    /** {@code _Bool}: one byte. */
    record Bool() implements CType {
        public long size() {
            return 1;
        }

        public long alignment() {
            return 1;
        }

        public String spelling() {
            return "_Bool";
        }

        public MemoryLayout layout() {
            return ValueLayout.JAVA_BYTE;
        }
    }

    /** {@code char[length]} holding a NUL-terminated string (a {@code @Size(length) String}). */
    record Chars(int length) implements CType {
        public long size() {
            return length;
        }

        public long alignment() {
            return 1;
        }

        public String spelling() {
            return "char[" + length + "]";
        }

        public MemoryLayout layout() {
            return MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_BYTE);
        }
    }

    /** {@code element[length]}. */
    record Array(CType element, int length) implements CType {
        public Array {
            Objects.requireNonNull(element, "element");
        }

        public long size() {
            return element.size() * length;
        }

        public long alignment() {
            return element.alignment();
        }

        public String spelling() {
            return element.spelling() + "[" + length + "]";
        }

        public MemoryLayout layout() {
            return MemoryLayout.sequenceLayout(length, element.layout());
        }
    }

    /**
     * A struct laid out from a record.
     *
     * @param javaName the record's simple name
     * @param cName the struct tag it must have ({@code @CStruct}), or null when any tag will do
     */
    record Struct(String javaName, String cName, List<Member> members, long size, long alignment) implements CType {
        public Struct {
            members = List.copyOf(members);
        }

        public String spelling() {
            return "struct " + (cName != null ? cName : javaName);
        }

        public MemoryLayout layout() {
            List<MemoryLayout> parts = new ArrayList<>();
            long at = 0;
            for (Member m : members) {
                if (m.offset() > at) {
                    parts.add(MemoryLayout.paddingLayout(m.offset() - at));
                }
                parts.add(m.type().layout().withName(m.name()));
                at = m.offset() + m.type().size();
            }
            if (size > at) {
                parts.add(MemoryLayout.paddingLayout(size - at));
            }
            return MemoryLayout.structLayout(parts.toArray(MemoryLayout[]::new)).withName(javaName);
        }
    }

    /** A struct member at its offset. */
    record Member(String name, long offset, CType type) {
    }

    /** A member before layout: its name and type. */
    record Field(String name, CType type) {
    }

    static Int integer(int size, boolean unsigned) {
        return new Int(size, unsigned);
    }

    static Floating floating(int size) {
        return new Floating(size);
    }

    static Bool bool() {
        return new Bool();
    }

    static Chars chars(int length) {
        return new Chars(length);
    }

    static Array array(CType element, int length) {
        return new Array(element, length);
    }

    static Field member(String name, CType type) {
        return new Field(name, type);
    }

    /** Lays {@code fields} out as C does. */
    static Struct struct(String javaName, String cName, Field... fields) {
        List<Member> members = new ArrayList<>();
        long offset = 0;
        long align = 1;
        for (Field f : fields) {
            long a = f.type().alignment();
            offset = (offset + a - 1) / a * a;
            members.add(new Member(f.name(), offset, f.type()));
            offset += f.type().size();
            align = Math.max(align, a);
        }
        long size = (offset + align - 1) / align * align;
        return new Struct(javaName, cName, members, size, align);
    }
}
