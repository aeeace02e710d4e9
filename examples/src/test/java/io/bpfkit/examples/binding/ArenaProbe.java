package io.bpfkit.examples.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.map.BpfArena;

/** The Java side of {@code arena_counter.bpf.c}: its arena through {@code ArenaProbeBinding}. */
@BpfObject("arena_counter.bpf.o")
public interface ArenaProbe extends AutoCloseable {

    @Map
    BpfArena arena();

    @Program
    BpfProgram bump();

    @Override
    void close();
}
