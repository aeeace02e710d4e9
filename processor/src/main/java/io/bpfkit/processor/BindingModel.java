package io.bpfkit.processor;

import com.palantir.javapoet.ClassName;
import io.bpfkit.check.Declared;
import io.bpfkit.check.HandleKind;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * One {@code @BpfObject} interface as read: where its object is, what each method declares,
 * and the records its codecs are generated for.
 */
record BindingModel(TypeElement iface, ClassName binding, String resource, String objectName,
                    List<Method> methods, List<RecordModel> records) {

    /**
     * One annotated method.
     *
     * @param annotation the bpfkit annotation on it, for pointing errors at its values
     * @param declared what it declares, as {@link io.bpfkit.check.BindingCheck} takes it
     * @param key the map's key type, or null
     * @param value the map's value type or the global's type, or null
     * @param kind the map handle kind, or null for other methods
     * @param inner for maps of maps, the inner maps' handle; null otherwise
     */
    record Method(ExecutableElement element, AnnotationMirror annotation, Declared declared, HandleKind kind,
                  ValueType key, ValueType value, Handle inner) {

        String name() {
            return element.getSimpleName().toString();
        }
    }

    /**
     * A map handle type as read from a return type: its kind, key and value types (null where
     * it has none), and for maps of maps the inner maps' handle.
     */
    record Handle(HandleKind kind, ValueType key, ValueType value, Handle inner) {

        /** What {@link io.bpfkit.check.BindingCheck} checks of this handle as an inner map. */
        Declared.MapHandle.Inner declared() {
            return new Declared.MapHandle.Inner(kind, key == null ? null : key.ctype(),
                    value == null ? null : value.ctype());
        }
    }
}
