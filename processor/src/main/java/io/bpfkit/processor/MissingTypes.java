package io.bpfkit.processor;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * The types a binding interface names that do not exist yet: in a method's return or parameter
 * types, their type arguments and array elements, and the components of the records among
 * them. Another annotation processor may generate them in this round; the interface is then
 * bound in a later one.
 */
final class MissingTypes {
    private final Set<String> missing = new TreeSet<>();
    private final Set<TypeElement> seen = new HashSet<>();

    private MissingTypes() {
    }

    /** The missing types' names as the source writes them; empty when all exist. */
    static Set<String> of(TypeElement iface) {
        MissingTypes m = new MissingTypes();
        for (ExecutableElement method : ElementFilter.methodsIn(iface.getEnclosedElements())) {
            m.visit(method.getReturnType());
            for (VariableElement p : method.getParameters()) {
                m.visit(p.asType());
            }
        }
        return m.missing;
    }

    private void visit(TypeMirror t) {
        if (t.getKind() == TypeKind.ERROR) {
            missing.add(t.toString());
        } else if (t instanceof ArrayType a) {
            visit(a.getComponentType());
        } else if (t instanceof DeclaredType d) {
            d.getTypeArguments().forEach(this::visit);
            Element e = d.asElement();
            if (e.getKind() == ElementKind.RECORD && seen.add((TypeElement) e)) {
                ElementFilter.recordComponentsIn(e.getEnclosedElements()).forEach(c -> visit(c.asType()));
            }
        }
    }
}
