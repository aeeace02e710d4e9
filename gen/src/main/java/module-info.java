/**
 * {@code bpfkit gen}: the annotated binding interface of an object, written from its BTF and
 * spec, for the command line and the Maven plugin. Pure: it reads objects with
 * {@code io.bpfkit.object} and writes Java source with JavaPoet.
 */
module io.bpfkit.gen {
    requires transitive io.bpfkit.object;
    requires com.palantir.javapoet;
    requires java.compiler;

    exports io.bpfkit.gen;
}
