package io.bpfkit.processor;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.check.CType;
import io.bpfkit.check.JavaType;
import io.bpfkit.check.LayoutException;
import io.bpfkit.check.RecordLayout;
import io.bpfkit.check.RecordShape;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * layout), {@code @Size(N) String} as {@code char[N]}, {@code @Size(N)} arrays. The C types
 * come from {@link RecordLayout}, the rules run-time record codecs follow too; this class
 * describes source types to it and writes the code for what it derives. A type without a C
 * counterpart is a {@link Refusal} naming the element.
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
    private final Set<String> codecNames = new LinkedHashSet<>();

    TypeMapper(ClassName binding) {
        this.binding = binding;
    }

    /** The records met so far, in the order their codecs are written (nested ones first). */
    List<RecordModel> records() {
        return List.copyOf(records.values());
    }

    /**
     * The type of a map key or value or a global, laid out by the rules run-time record codecs
     * use ({@link RecordLayout}).
     *
     * @param annotated the element whose annotations count besides the type's own (a method or
     *     parameter), or null
     * @param where how messages name it
     */
    ValueType map(TypeMirror type, Element annotated, Element at, String where) throws Refusal {
        CType c;
        try {
            c = RecordLayout.ctype(javaType(type), size(annotated, type), unsigned(annotated, type), where, at);
        } catch (LayoutException e) {
            throw new Refusal(e.origin() instanceof Element origin ? origin : at, e.getMessage());
        }
        return valueType(type, c, at);
    }

    /** The Java side of {@code type}, whose layout {@code c} is: its type name and generated code. */
    private ValueType valueType(TypeMirror type, CType c, Element at) throws Refusal {
        return switch (c) {
            case CType.Chars ch -> new ValueType(ClassName.get(String.class), c,
                    CodeBlock.of("$T.cString($L)", CODECS, ch.length()), CodeBlock.of("$T.chars($L)", CTYPE,
                    ch.length()), null);
            case CType.Array a -> {
                TypeMirror component = ((ArrayType) type).getComponentType();
                ValueType element = valueType(component, a.element(), at);
                CodeBlock codec = component.getKind() == TypeKind.BYTE
                        ? CodeBlock.of("$T.bytes($L)", CODECS, a.length()) : null;
                yield new ValueType(ArrayTypeName.of(element.java()), c, codec,
                        CodeBlock.of("$T.array($L, $L)", CTYPE, element.ctypeCode(), a.length()), null);
            }
            case CType.Struct s -> record((TypeElement) ((DeclaredType) type).asElement(), s, at);
            default -> scalar(c, type.getKind() == TypeKind.DECLARED);
        };
    }

    /** A scalar: integers carry their bits with the signed codec of their width, whatever the signedness. */
    private static ValueType scalar(CType c, boolean boxed) {
        ValueType v = switch (c) {
            case CType.Int i -> new ValueType(switch (i.bytes()) {
                case 1 -> TypeName.BYTE;
                case 2 -> TypeName.SHORT;
                case 4 -> TypeName.INT;
                default -> TypeName.LONG;
            }, c, CodeBlock.of("$T.int$L()", CODECS, i.bytes() * 8), CodeBlock.of("$T.integer($L, $L)", CTYPE,
                    i.bytes(), i.unsigned()), null);
            case CType.Floating f -> new ValueType(f.bytes() == 4 ? TypeName.FLOAT : TypeName.DOUBLE, c,
                    CodeBlock.of("$T.float$L()", CODECS, f.bytes() * 8), CodeBlock.of("$T.floating($L)", CTYPE,
                    f.bytes()), null);
            case CType.Bool b -> new ValueType(TypeName.BOOLEAN, c, CodeBlock.of("$T.bool()", CODECS),
                    CodeBlock.of("$T.bool()", CTYPE), null);
            default -> throw new IllegalArgumentException("not a scalar: " + c);
        };
        return boxed ? new ValueType(v.java().box(), c, v.codec(), v.ctypeCode(), null) : v;
    }

    /** The record {@code e}, laid out as {@code struct}; its codec model is made once. */
    private ValueType record(TypeElement e, CType.Struct struct, Element at) throws Refusal {
        String qn = e.getQualifiedName().toString();
        RecordModel done = records.get(qn);
        if (done == null) {
            if (!isAccessible(e)) {
                throw new Refusal(at, "record " + e.getQualifiedName() + " must be public (or in package "
                        + binding.packageName() + ") for the generated codec to use it");
            }
            List<? extends RecordComponentElement> comps = e.getRecordComponents();
            List<RecordModel.Component> components = new ArrayList<>();
            for (int i = 0; i < comps.size(); i++) {
                RecordComponentElement c = comps.get(i);
                CType.Member m = struct.members().get(i);
                ValueType t = valueType(c.asType(), m.type(), c);
                ValueType element = null;
                int length = 0;
                if (m.type() instanceof CType.Array a) {
                    length = a.length();
                    element = valueType(((ArrayType) c.asType()).getComponentType(), a.element(), c);
                } else if (m.type() instanceof CType.Chars ch) {
                    length = ch.length();
                }
                components.add(new RecordModel.Component(m.name(), t, m.offset(), element, length));
            }
            done = new RecordModel(TypeName.get(e.asType()), codecName(e), struct, components);
            records.put(qn, done);
        }
        return new ValueType(done.type(), done.struct(), CodeBlock.of("$T.INSTANCE", done.codec()),
                CodeBlock.of("$T.TYPE", done.codec()), done);
    }

    /** {@code type} as the layout rules see it. */
    private static JavaType javaType(TypeMirror type) {
        TypeKind k = type.getKind();
        if (k == TypeKind.ARRAY) {
            return new JavaType.ArrayOf(javaType(((ArrayType) type).getComponentType()));
        }
        if (k.isPrimitive()) {
            return new JavaType.Primitive(JavaType.Kind.valueOf(k.name()), false);
        }
        if (k != TypeKind.DECLARED) {
            return new JavaType.Unsupported(k.name().toLowerCase(Locale.ROOT));
        }
        TypeElement e = (TypeElement) ((DeclaredType) type).asElement();
        if (e.getKind() == ElementKind.RECORD) {
            return new JavaType.RecordOf(new RecordElement(e));
        }
        String name = e.getQualifiedName().toString();
        return switch (name) {
            case "java.lang.String" -> new JavaType.Text();
            case "java.lang.Byte" -> new JavaType.Primitive(JavaType.Kind.BYTE, true);
            case "java.lang.Short" -> new JavaType.Primitive(JavaType.Kind.SHORT, true);
            case "java.lang.Integer" -> new JavaType.Primitive(JavaType.Kind.INT, true);
            case "java.lang.Long" -> new JavaType.Primitive(JavaType.Kind.LONG, true);
            case "java.lang.Float" -> new JavaType.Primitive(JavaType.Kind.FLOAT, true);
            case "java.lang.Double" -> new JavaType.Primitive(JavaType.Kind.DOUBLE, true);
            case "java.lang.Boolean" -> new JavaType.Primitive(JavaType.Kind.BOOLEAN, true);
            case "java.lang.Character" -> new JavaType.Primitive(JavaType.Kind.CHAR, true);
            default -> new JavaType.Unsupported(name);
        };
    }

    /**
     * A record in source, described for {@link RecordLayout}: the compile-time side of the rules
     * run-time record codecs apply to classes.
     */
    private record RecordElement(TypeElement e) implements RecordShape {
        @Override
        public String name() {
            return e.getQualifiedName().toString();
        }

        @Override
        public String simpleName() {
            return e.getSimpleName().toString();
        }

        @Override
        public String cStruct() {
            CStruct c = e.getAnnotation(CStruct.class);
            return c == null ? null : c.value();
        }

        @Override
        public List<Component> components() {
            List<Component> out = new ArrayList<>();
            for (RecordComponentElement c : e.getRecordComponents()) {
                out.add(new Component(c.getSimpleName().toString(), javaType(c.asType()), size(c, c.asType()),
                        unsigned(c, c.asType()), c));
            }
            return out;
        }

        @Override
        public Object origin() {
            return e;
        }
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

    /** {@code @Size} on the element, on its type, or on its array's element type; null if on none. */
    private static Integer size(Element e, TypeMirror t) {
        Size s = annotation(e, t, Size.class);
        return s == null ? null : s.value();
    }

    /** {@code @Unsigned} on the element, on its type, or on its array's element type. */
    private static boolean unsigned(Element e, TypeMirror t) {
        return annotation(e, t, Unsigned.class) != null;
    }

    private static <A extends Annotation> A annotation(Element e, TypeMirror t, Class<A> a) {
        A found = e != null ? e.getAnnotation(a) : null;
        if (found == null) {
            found = t.getAnnotation(a);
        }
        if (found == null && t instanceof ArrayType array) {
            found = array.getComponentType().getAnnotation(a);
        }
        return found;
    }
}
