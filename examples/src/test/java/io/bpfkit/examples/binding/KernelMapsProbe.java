package io.bpfkit.examples.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfDevMap;
import io.bpfkit.api.map.BpfLocalStorage;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.api.map.BpfStackTraceMap;

/**
 * The Java side of {@code kernel_maps.bpf.c} (see its header): a stack trace map, a devmap, a
 * sockmap and socket storage, through {@code KernelMapsProbeBinding}.
 */
@BpfObject("kernel_maps.bpf.o")
public interface KernelMapsProbe extends AutoCloseable {

    @Map
    BpfStackTraceMap stacks();

    @Map
    BpfDevMap ports();

    @Map
    BpfSockMap socks();

    @Map
    BpfLocalStorage<SkNote> skStore();

    @Global
    long stackId();

    @Global
    void port(@Unsigned int port);

    @Program
    BpfProgram grabStack();

    @Program
    BpfProgram toPort();

    @Override
    void close();

    /** {@code struct sk_note}. */
    record SkNote(@Unsigned long tag, @Unsigned int hits, @Unsigned int pad) {
    }
}
