package io.bpfkit.gen;

import io.bpfkit.check.JavaType;
import io.bpfkit.check.RecordShape;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java type the generator chose for a BTF type, before it is spelled as source: what
 * {@link io.bpfkit.check.RecordLayout} would lay out for it decides whether it fits.
 */
sealed interface JType {

    /** An integer, {@code float}, {@code double} or {@code boolean}; {@code note} says what C had, when it was not a number. */
    record Scalar(JavaType.Kind kind, boolean unsigned, String note) implements JType {
    }

    /** {@code @Size(length) String}: a {@code char[length]}. */
    record Text(int length) implements JType {
    }

    /** {@code @Size(length) E[]}, {@code element} a {@link Scalar} or a {@link Rec}. */
    record Arr(JType element, int length) implements JType {
    }

    /** A generated record. */
    record Rec(RecordDef def) implements JType {
    }

    /** {@code @Size(size) byte[]}: the bytes of a type Java has no record for, and {@code why}. */
    record Opaque(int size, String why) implements JType {
    }

    /** A generated record: its Java name, the C struct it stands for ({@code cName}, null when anonymous) and components. */
    record RecordDef(String javaName, String cName, int btfId, List<Member> members) implements RecordShape {
        @Override
        public String name() {
            return javaName;
        }

        @Override
        public String simpleName() {
            return javaName;
        }

        @Override
        public String cStruct() {
            return cName;
        }

        @Override
        public List<RecordShape.Component> components() {
            List<RecordShape.Component> out = new ArrayList<>();
            for (Member c : members) {
                out.add(new RecordShape.Component(c.name(), javaType(c.type()), size(c.type()), unsigned(c.type()),
                        null));
            }
            return out;
        }

        @Override
        public Object origin() {
            return null;
        }
    }

    /** One record component: its Java name (the C member's, or its camel case) and type. */
    record Member(String name, String cName, JType type) {
    }

    /** {@code t} as the layout rules see it. */
    static JavaType javaType(JType t) {
        return switch (t) {
            case Scalar s -> new JavaType.Primitive(s.kind(), false);
            case Text x -> new JavaType.Text();
            case Arr a -> new JavaType.ArrayOf(javaType(a.element()));
            case Rec r -> new JavaType.RecordOf(r.def());
            case Opaque o -> new JavaType.ArrayOf(new JavaType.Primitive(JavaType.Kind.BYTE, false));
        };
    }

    /** The {@code @Size} value {@code t} is written with, or null. */
    static Integer size(JType t) {
        return switch (t) {
            case Text x -> x.length();
            case Arr a -> a.length();
            case Opaque o -> o.size();
            default -> null;
        };
    }

    /** Whether {@code t} is written with {@code @Unsigned}. */
    static boolean unsigned(JType t) {
        return switch (t) {
            case Scalar s -> s.unsigned();
            case Arr a -> unsigned(a.element());
            default -> false;
        };
    }
}
