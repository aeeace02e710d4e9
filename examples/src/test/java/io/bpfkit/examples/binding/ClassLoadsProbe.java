package io.bpfkit.examples.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;

/**
 * The Java side of {@code class_loads.bpf.c}: a USDT program that the binding attaches from its
 * section when it loads, as it does kprobes and tracepoints.
 */
@BpfObject("class_loads.bpf.o")
public interface ClassLoadsProbe extends AutoCloseable {

    @Program(autoAttach = true)
    BpfProgram onClassLoaded();

    @Global("class_loads")
    @Unsigned
    long classLoads();

    @Override
    void close();
}
