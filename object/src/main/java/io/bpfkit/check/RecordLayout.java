package io.bpfkit.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The C type of a Java type: the one set of rules the annotation processor (for generated
 * codecs) and the runtime's record codecs lay records out by. Integers map to the C integer of
 * the same width ({@code @Unsigned}: the unsigned one), {@code float}, {@code double},
 * {@code boolean} to {@code _Bool}, a {@code @Size(N) String} to {@code char[N]}, a
 * {@code @Size(N)} array of primitives or records to {@code T[N]}, a record to a struct with
 * its components as members in order, at C's natural alignment ({@link CType#struct}), tagged
 * with its {@code @CStruct} name. Anything else is a {@link LayoutException} saying what would do.
 *
 * <pre>{@code
 * CType.Struct s = RecordLayout.struct(shapeOf(Stats.class));   // an adapter's RecordShape
 * s.size(); s.members().get(1).offset();
 * }</pre>
 */
public final class RecordLayout {
    private final Set<String> building = new HashSet<>();

    private RecordLayout() {
    }

    /**
     * The struct {@code record} lays out.
     *
     * @throws LayoutException when a component has no C layout, or the record contains itself
     */
    public static CType.Struct struct(RecordShape record) {
        return new RecordLayout().layout(record, record.origin());
    }

    /**
     * The C type of {@code type} used where {@code where} says (a map key, a global, a record
     * component), with the {@code @Size} value and {@code @Unsigned} found there.
     *
     * @param origin what a {@link LayoutException} about this use names as its origin
     * @throws LayoutException when the type has no C layout as annotated
     */
    public static CType ctype(JavaType type, Integer size, boolean unsigned, String where, Object origin) {
        return new RecordLayout().of(type, size, unsigned, where, origin);
    }

    private CType of(JavaType type, Integer size, boolean unsigned, String where, Object origin) {
        switch (type) {
            case JavaType.ArrayOf a -> {
                int length = length(size, where, "an array: give its fixed length with @Size(N)", origin);
                CType element = switch (a.element()) {
                    case JavaType.Primitive p when !p.boxed() && p.kind() != JavaType.Kind.CHAR ->
                            primitive(p, unsigned, where + "[]", origin);
                    case JavaType.RecordOf r -> {
                        noUnsigned(unsigned, where, "an array of records", origin);
                        yield layout(r.record(), origin);
                    }
                    default -> throw new LayoutException(where + " has type " + type.spelling() + ": arrays of "
                            + "byte, short, int, long, float, double, boolean or records have a C layout", origin);
                };
                return CType.array(element, length);
            }
            case JavaType.Text t -> {
                noUnsigned(unsigned, where, "a String", origin);
                return CType.chars(length(size, where, "a String (a C char[N]): give its length with @Size(N)",
                        origin));
            }
            default -> {
            }
        }
        if (size != null) {
            throw new LayoutException(where + ": @Size is for arrays and strings, not " + type.spelling(), origin);
        }
        return switch (type) {
            case JavaType.Primitive p -> primitive(p, unsigned, where, origin);
            case JavaType.RecordOf r -> {
                noUnsigned(unsigned, where, "a record", origin);
                yield layout(r.record(), origin);
            }
            default -> throw new LayoutException(where + " has type " + type.spelling() + ", which has no C layout: "
                    + "use a primitive (or its box), a record, or a @Size array or String", origin);
        };
    }

    private static CType primitive(JavaType.Primitive p, boolean unsigned, String where, Object origin) {
        JavaType.Kind k = p.kind();
        if (k == JavaType.Kind.CHAR) {
            throw new LayoutException(where + " has type " + p.spelling() + ", which has no C layout (a Java char "
                    + "is not a C char: use byte)", origin);
        }
        if (!k.isInteger()) {
            noUnsigned(unsigned, where, k.keyword(), origin);
        }
        return switch (k) {
            case FLOAT, DOUBLE -> CType.floating(k.bytes());
            case BOOLEAN -> CType.bool();
            default -> CType.integer(k.bytes(), unsigned);
        };
    }

    /** {@code record} as a struct; {@code origin} is where it is used, for a record that contains itself. */
    private CType.Struct layout(RecordShape record, Object origin) {
        if (!building.add(record.name())) {
            throw new LayoutException("record " + record.simpleName() + " contains itself: a C struct cannot",
                    origin);
        }
        String cName = record.cStruct();
        if (cName != null && !cName.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new LayoutException("record " + record.simpleName() + ": @CStruct(\"" + cName + "\") is not a C "
                    + "struct tag (letters, digits and _, not starting with a digit)", record.origin());
        }
        List<RecordShape.Component> components = record.components();
        if (components.isEmpty()) {
            throw new LayoutException("record " + record.simpleName() + " has no components: C has no empty structs",
                    record.origin());
        }
        List<CType.Field> fields = new ArrayList<>();
        for (RecordShape.Component c : components) {
            fields.add(CType.member(c.name(), of(c.type(), c.size(), c.unsigned(),
                    record.simpleName() + "." + c.name(), c.origin())));
        }
        building.remove(record.name());
        return CType.struct(record.simpleName(), cName, fields.toArray(CType.Field[]::new));
    }

    private static int length(Integer size, String where, String missing, Object origin) {
        if (size == null) {
            throw new LayoutException(where + " is " + missing, origin);
        }
        if (size < 1) {
            throw new LayoutException(where + ": @Size(" + size + ") must be at least 1", origin);
        }
        return size;
    }

    private static void noUnsigned(boolean unsigned, String where, String what, Object origin) {
        if (unsigned) {
            throw new LayoutException(where + ": @Unsigned is for integers, not " + what, origin);
        }
    }
}
