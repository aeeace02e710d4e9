package io.bpfkit.map;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.check.JavaType;
import io.bpfkit.check.RecordShape;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodType;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A record class described for {@link io.bpfkit.check.RecordLayout}: the reflection side of
 * the layout rules the annotation processor applies to source. {@code @Size} and
 * {@code @Unsigned} count on the component, on its type and on its array's element type, as
 * the processor reads them.
 */
record ReflectedRecord(Class<?> type) implements RecordShape {

    @Override
    public String name() {
        return type.getName();
    }

    @Override
    public String simpleName() {
        return type.getSimpleName();
    }

    @Override
    public String cStruct() {
        CStruct c = type.getAnnotation(CStruct.class);
        return c == null ? null : c.value();
    }

    @Override
    public List<Component> components() {
        List<Component> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Size size = annotation(c, Size.class);
            out.add(new Component(c.getName(), javaType(c.getType()), size == null ? null : size.value(),
                    annotation(c, Unsigned.class) != null, null));
        }
        return out;
    }

    @Override
    public Object origin() {
        return null;
    }

    static JavaType javaType(Class<?> t) {
        Class<?> primitive = MethodType.methodType(t).unwrap().returnType();   // int for Integer
        if (primitive.isPrimitive() && primitive != void.class) {
            return new JavaType.Primitive(JavaType.Kind.valueOf(primitive.getName().toUpperCase(Locale.ROOT)),
                    !t.isPrimitive());
        }
        if (t == String.class) {
            return new JavaType.Text();
        }
        if (t.isArray()) {
            return new JavaType.ArrayOf(javaType(t.getComponentType()));
        }
        if (t.isRecord()) {
            return new JavaType.RecordOf(new ReflectedRecord(t));
        }
        return new JavaType.Unsupported(t.getName());
    }

    /** {@code a} on the component, its type, or its array's element type; null if on none. */
    private static <A extends Annotation> A annotation(RecordComponent c, Class<A> a) {
        AnnotatedType at = c.getAnnotatedType();
        A found = c.getAnnotation(a);
        if (found == null) {
            found = at.getAnnotation(a);
        }
        if (found == null && at instanceof AnnotatedArrayType array) {
            found = array.getAnnotatedGenericComponentType().getAnnotation(a);
        }
        return found;
    }
}
