/**
 * bpfkit's annotation processor: reads {@code @BpfObject} interfaces, validates them against
 * their object file with the pure opener of io.bpfkit.object, and writes binding classes.
 */
module io.bpfkit.processor {
    requires java.compiler;
    requires io.bpfkit.object;
    requires com.palantir.javapoet;
    requires static com.google.auto.service;

    provides javax.annotation.processing.Processor with io.bpfkit.processor.BindingProcessor;
}
