package io.bpfkit.processor;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.check.CType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Maps Java types of binding methods to C types and codecs: primitives and their boxes
 * ({@code @Unsigned} for unsigned C integers), records (a generated codec each, C struct
 * layout), {@code @Size(N) String} as {@code char[N]}, {@code @Size(N)} arrays. A type without
 * a C counterpart is a {@link Refusal} naming the element.
 */
final class TypeMapper {
    private static final ClassName CODECS = ClassName.get("io.bpfkit.api.codec", "Codecs");
    private static final ClassName CTYPE = ClassName.get("io.bpfkit.check", "CType");

    /** Why a type cannot be bound, and on which element to say so. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Element element;
        /** The annotation member the refusal is about, or null for the element itself. */
        final String attribute;

        Refusal(Element element, String message) {
            this(element, null, message);
        }

        Refusal(Element element, String attribute, String message) {
            super(message, null, false, false);
            this.element = element;
            this.attribute = attribute;
        }
    }

    private final ClassName binding;
    private final Map<String, RecordModel> records = new LinkedHashMap<>();
    private final Set<String> building = new LinkedHashSet<>();
    private final Set<String> codecNames = new LinkedHashSet<>();

    TypeMapper(ClassName binding) {
        this.binding = binding;
    }

    /** The records met so far, in the order their codecs are written (nested ones first). */
    List<RecordModel> records() {
        return List.copyOf(records.values());
    }

    /**
     * The type of a map key or value, a global, or a record component.
     *
     * @param annotated the element whose annotations count besides the type's own (a method,
     *     parameter or record component), or null
     * @param where how messages name it
     */
    ValueType map(TypeMirror type, Element annotated, Element at, String where) throws Refusal {
        boolean unsigned = has(annotated, type, Unsigned.class);
        Integer size = size(annotated, type);
        if (type.getKind() == TypeKind.ARRAY) {
            ArrayType at2 = (ArrayType) type;
            TypeMirror component = at2.getComponentType();
            if (size == null) {
                size = size(null, component);
            }
            unsigned |= has(null, component, Unsigned.class);
            if (size == null) {
                throw new Refusal(at, where + " is an array: give its fixed length with @Size(N)");
            }
            checkSize(size, at, where);
            ValueType element = scalarOrRecord(component, unsigned, at, where + "[]");
            if (element == null || component.getKind() == TypeKind.BOOLEAN || component.getKind() == TypeKind.CHAR) {
                throw new Refusal(at, where + " has type " + type + ": arrays of byte, short, int, long, float, "
                        + "double or records have a C layout");
            }
            CType c = CType.array(element.ctype(), size);
            CodeBlock codec = component.getKind() == TypeKind.BYTE
                    ? CodeBlock.of("$T.bytes($L)", CODECS, size) : null;
            return new ValueType(ArrayTypeName.of(element.java()), c, codec,
                    CodeBlock.of("$T.array($L, $L)", CTYPE, element.ctypeCode(), size), null);
        }
        if (isString(type)) {
            if (size == null) {
                throw new Refusal(at, where + " is a String (a C char[N]): give its length with @Size(N)");
            }
            checkSize(size, at, where);
            return new ValueType(ClassName.get(String.class), CType.chars(size),
                    CodeBlock.of("$T.cString($L)", CODECS, size), CodeBlock.of("$T.chars($L)", CTYPE, size), null);
        }
        if (size != null) {
            throw new Refusal(at, where + ": @Size is for arrays and strings, not " + type);
        }
        ValueType v = scalarOrRecord(type, unsigned, at, where);
        if (v == null) {
            throw new Refusal(at, where + " has type " + type + ", which has no C layout: use a primitive (or its "
                    + "box), a record, or a @Size array or String");
        }
        return v;
    }

    private ValueType scalarOrRecord(TypeMirror type, boolean unsigned, Element at, String where) throws Refusal {
        TypeKind k = type.getKind();
        if (k == TypeKind.DECLARED) {
            TypeElement e = (TypeElement) ((DeclaredType) type).asElement();
            if (e.getKind() == ElementKind.RECORD) {
                return record(e, at, where);
            }
            String n = e.getQualifiedName().toString();
            k = switch (n) {
                case "java.lang.Byte" -> TypeKind.BYTE;
                case "java.lang.Short" -> TypeKind.SHORT;
                case "java.lang.Integer" -> TypeKind.INT;
                case "java.lang.Long" -> TypeKind.LONG;
                case "java.lang.Float" -> TypeKind.FLOAT;
                case "java.lang.Double" -> TypeKind.DOUBLE;
                case "java.lang.Boolean" -> TypeKind.BOOLEAN;
                default -> TypeKind.NONE;
            };
            if (k == TypeKind.NONE) {
                return null;
            }
            ValueType prim = primitive(k, unsigned, at, where);
            return new ValueType(prim.java().box(), prim.ctype(), prim.codec(), prim.ctypeCode(), null);
        }
        return k.isPrimitive() ? primitive(k, unsigned, at, where) : null;
    }

    private static ValueType primitive(TypeKind k, boolean unsigned, Element at, String where) throws Refusal {
        if (unsigned && (k == TypeKind.FLOAT || k == TypeKind.DOUBLE || k == TypeKind.BOOLEAN)) {
            throw new Refusal(at, where + ": @Unsigned is for integers, not " + k.name().toLowerCase(java.util.Locale.ROOT));
        }
        return switch (k) {
            case BYTE -> integer(TypeName.BYTE, 1, unsigned, "int8");
            case SHORT -> integer(TypeName.SHORT, 2, unsigned, "int16");
            case INT -> integer(TypeName.INT, 4, unsigned, "int32");
            case LONG -> integer(TypeName.LONG, 8, unsigned, "int64");
            case FLOAT -> new ValueType(TypeName.FLOAT, CType.floating(4), CodeBlock.of("$T.float32()", CODECS),
                    CodeBlock.of("$T.floating(4)", CTYPE), null);
            case DOUBLE -> new ValueType(TypeName.DOUBLE, CType.floating(8), CodeBlock.of("$T.float64()", CODECS),
                    CodeBlock.of("$T.floating(8)", CTYPE), null);
            case BOOLEAN -> new ValueType(TypeName.BOOLEAN, CType.bool(), CodeBlock.of("$T.bool()", CODECS),
                    CodeBlock.of("$T.bool()", CTYPE), null);
            default -> throw new Refusal(at, where + " has type " + k.name().toLowerCase(java.util.Locale.ROOT)
                    + ", which has no C layout (a Java char is not a C char: use byte)");
        };
    }

    /** The same bits whatever the signedness: the codec is the signed one of that width. */
    private static ValueType integer(TypeName java, int bytes, boolean unsigned, String codec) {
        return new ValueType(java, CType.integer(bytes, unsigned), CodeBlock.of("$T.$L()", CODECS, codec),
                CodeBlock.of("$T.integer($L, $L)", CTYPE, bytes, unsigned), null);
    }

    private ValueType record(TypeElement e, Element at, String where) throws Refusal {
        String qn = e.getQualifiedName().toString();
        RecordModel done = records.get(qn);
        if (done == null) {
            if (!building.add(qn)) {
                throw new Refusal(at, "record " + e.getSimpleName() + " contains itself: a C struct cannot");
            }
            done = buildRecord(e, at);
            building.remove(qn);
            records.put(qn, done);
        }
        return new ValueType(done.type(), done.struct(), CodeBlock.of("$T.INSTANCE", done.codec()),
                CodeBlock.of("$T.TYPE", done.codec()), done);
    }

    private RecordModel buildRecord(TypeElement e, Element at) throws Refusal {
        if (!isAccessible(e)) {
            throw new Refusal(at, "record " + e.getQualifiedName() + " must be public (or in package "
                    + binding.packageName() + ") for the generated codec to use it");
        }
        List<? extends RecordComponentElement> comps = e.getRecordComponents();
        if (comps.isEmpty()) {
            throw new Refusal(e, "record " + e.getSimpleName() + " has no components: C has no empty structs");
        }
        List<CType.Field> fields = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        for (RecordComponentElement c : comps) {
            ValueType t = map(c.asType(), c, c, e.getSimpleName() + "." + c.getSimpleName());
            types.add(t);
            fields.add(CType.member(c.getSimpleName().toString(), t.ctype()));
        }
        CStruct cs = e.getAnnotation(CStruct.class);
        CType.Struct struct = CType.struct(e.getSimpleName().toString(), cs == null ? null : cs.value(),
                fields.toArray(CType.Field[]::new));
        List<RecordModel.Component> components = new ArrayList<>();
        for (int i = 0; i < comps.size(); i++) {
            ValueType t = types.get(i);
            ValueType element = null;
            int length = 0;
            if (t.ctype() instanceof CType.Array a) {
                length = a.length();
                TypeMirror ct = ((ArrayType) comps.get(i).asType()).getComponentType();
                element = scalarOrRecord(ct, a.element() instanceof CType.Int in && in.unsigned(), comps.get(i), "");
            } else if (t.ctype() instanceof CType.Chars ch) {
                length = ch.length();
            }
            components.add(new RecordModel.Component(comps.get(i).getSimpleName().toString(), t,
                    struct.members().get(i).offset(), element, length));
        }
        return new RecordModel(TypeName.get(e.asType()), codecName(e), struct, components);
    }

    private ClassName codecName(TypeElement e) {
        String base = e.getSimpleName() + "Codec";
        String name = base;
        for (int i = 2; !codecNames.add(name); i++) {
            name = base + i;
        }
        return binding.nestedClass(name);
    }

    private boolean isAccessible(TypeElement e) {
        for (Element x = e; x instanceof TypeElement t; x = x.getEnclosingElement()) {
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                return false;
            }
            if (!t.getModifiers().contains(Modifier.PUBLIC) && !packageOf(t).equals(binding.packageName())) {
                return false;
            }
        }
        return true;
    }

    private static String packageOf(Element e) {
        Element x = e;
        while (x.getKind() != ElementKind.PACKAGE) {
            x = x.getEnclosingElement();
        }
        return ((javax.lang.model.element.PackageElement) x).getQualifiedName().toString();
    }

    private static boolean isString(TypeMirror t) {
        return t.getKind() == TypeKind.DECLARED
                && ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().contentEquals("java.lang.String");
    }

    private static boolean has(Element e, TypeMirror t, Class<? extends java.lang.annotation.Annotation> a) {
        return (e != null && e.getAnnotation(a) != null) || t.getAnnotation(a) != null;
    }

    private static Integer size(Element e, TypeMirror t) {
        Size s = e != null ? e.getAnnotation(Size.class) : null;
        if (s == null) {
            s = t.getAnnotation(Size.class);
        }
        return s == null ? null : s.value();
    }

    private static void checkSize(int size, Element at, String where) throws Refusal {
        if (size < 1) {
            throw new Refusal(at, where + ": @Size(" + size + ") must be at least 1");
        }
    }
}
