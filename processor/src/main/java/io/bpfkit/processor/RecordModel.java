package io.bpfkit.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import io.bpfkit.check.CType;
import java.util.List;

/**
 * A record laid out as a C struct, with the generated codec class that encodes it.
 *
 * @param type the record
 * @param codec the codec class nested in the binding
 * @param struct its C layout
 * @param components the components in declaration order, with their offsets
 */
record RecordModel(TypeName type, ClassName codec, CType.Struct struct, List<Component> components) {

    /**
     * One component: accessor name, its type, its offset in the struct, and for arrays the
     * element type and length (null and 0 otherwise).
     */
    record Component(String name, ValueType type, long offset, ValueType element, int length) {
    }
}
