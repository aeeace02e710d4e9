package io.bpfkit.processor;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import io.bpfkit.check.CType;

/**
 * A Java type a binding moves to and from C bytes: its C type, and the code that builds its
 * codec and its {@link CType} in the generated binding.
 *
 * @param java the Java type as written (primitive where it was)
 * @param ctype the C type it stands for
 * @param codec an expression of type {@code Codec<boxed java>}
 * @param ctypeCode an expression of type {@link CType} recreating {@code ctype}
 * @param record the record's codec, or null for other types
 */
record ValueType(TypeName java, CType ctype, CodeBlock codec, CodeBlock ctypeCode, RecordModel record) {

    boolean isPrimitive() {
        return java.isPrimitive();
    }
}
