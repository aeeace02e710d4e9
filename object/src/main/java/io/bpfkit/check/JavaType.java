package io.bpfkit.check;

import java.util.Objects;

/**
 * A Java type as C layout rules see it: what {@link RecordLayout} derives a {@link CType} from.
 * The annotation processor describes {@code javax.lang.model} types this way and the runtime's
 * record codecs describe classes, so both get their layouts from the same rules.
 *
 * <pre>{@code
 * JavaType t = new JavaType.ArrayOf(new JavaType.Primitive(JavaType.Kind.INT, false));   // int[]
 * RecordLayout.ctype(t, 3, true, "Stats.hist", null);                                    // __u32[3]
 * }</pre>
 */
public sealed interface JavaType {

    /** The primitive kinds, with the bytes of the C type each stands for (0: none). */
    enum Kind {
        BYTE(1), SHORT(2), INT(4), LONG(8), FLOAT(4), DOUBLE(8), BOOLEAN(1), CHAR(0);

        private final int bytes;

        Kind(int bytes) {
            this.bytes = bytes;
        }

        /** The width of the C type, 0 for {@code char}, which has no C counterpart. */
        public int bytes() {
            return bytes;
        }

        /** Whether {@code @Unsigned} may mark it. */
        public boolean isInteger() {
            return this == BYTE || this == SHORT || this == INT || this == LONG;
        }

        /** The Java keyword. */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How messages spell the type: {@code int}, {@code Integer}, {@code String}, {@code Inner[]}. */
    String spelling();

    /** A primitive, or its box ({@code boxed}). */
    record Primitive(Kind kind, boolean boxed) implements JavaType {
        public Primitive {
            Objects.requireNonNull(kind, "kind");
        }

        public String spelling() {
            if (!boxed) {
                return kind.keyword();
            }
            return switch (kind) {
                case INT -> "Integer";
                case CHAR -> "Character";
                default -> Character.toUpperCase(kind.keyword().charAt(0)) + kind.keyword().substring(1);
            };
        }
    }

    /** {@code java.lang.String}: a NUL-padded {@code char[N]}. */
    record Text() implements JavaType {
        public String spelling() {
            return "String";
        }
    }

    /** An array of {@code element}. */
    record ArrayOf(JavaType element) implements JavaType {
        public ArrayOf {
            Objects.requireNonNull(element, "element");
        }

        public String spelling() {
            return element.spelling() + "[]";
        }
    }

    /** A record: a C struct. */
    record RecordOf(RecordShape record) implements JavaType {
        public RecordOf {
            Objects.requireNonNull(record, "record");
        }

        public String spelling() {
            return record.simpleName();
        }
    }

    /** Any other type: none has a C layout. */
    record Unsupported(String name) implements JavaType {
        public String spelling() {
            return name;
        }
    }
}
