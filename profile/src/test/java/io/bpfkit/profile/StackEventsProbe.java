package io.bpfkit.profile;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfRingBuffer;
import io.bpfkit.api.map.BpfStackTraceMap;

/** The Java side of {@code stack_events.bpf.c} (see its header): one user stack taken four ways per sample. */
@BpfObject("/io/bpfkit/profile/stack_events.bpf.o")
public interface StackEventsProbe extends AutoCloseable {

    @Map
    BpfStackTraceMap ipStacks();

    @Map
    BpfStackTraceMap buildIdStacks();

    @Map
    BpfRingBuffer<StackEvent> events();

    @Program
    BpfProgram onSample();

    @Global
    void targetPid(@Unsigned int pid);

    @Global
    @Unsigned
    long dropped();

    @Override
    void close();

    /** {@code struct stack_event}: stack ids are -errno, byte counts too, when the kernel had no stack. */
    @CStruct("stack_event")
    record StackEvent(@Unsigned int pid, int ipStackId, int buildIdStackId, int ipBytes, int buildIdBytes,
            @Unsigned int pad, @Size(32) @Unsigned long[] ips, @Size(128) @Unsigned long[] buildIds) {
    }
}
