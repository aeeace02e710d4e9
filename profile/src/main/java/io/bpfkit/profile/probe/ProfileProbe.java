package io.bpfkit.profile.probe;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfStackTraceMap;

/**
 * The Java side of {@code profile.bpf.c} (see its header): sample counts per (process, kernel
 * stack, user stack, command) and the stacks they name. The program is attached by
 * {@code io.bpfkit.profile.Profiler} to one perf event per CPU, not on load.
 */
@BpfObject("/io/bpfkit/profile/profile.bpf.o")
public interface ProfileProbe extends AutoCloseable {

    /** Samples per {@link StackKey}. */
    @Map
    BpfHashMap<StackKey, @Unsigned Long> counts();

    /** Stack id to instruction pointers, innermost first. */
    @Map
    BpfStackTraceMap stacks();

    @Program
    BpfProgram onSample();

    /** Counts only this process (tgid); 0 counts every process but the idle task. */
    @Global
    void targetPid(@Unsigned int pid);

    /** 1 records kernel stacks, 0 does not. */
    @Global
    void kernelStacks(@Unsigned int on);

    /** 1 records user stacks, 0 does not. */
    @Global
    void userStacks(@Unsigned int on);

    /** Samples that passed the filter. */
    @Global
    @Unsigned
    long samples();

    /** Samples not counted because {@code counts} was full. */
    @Global
    @Unsigned
    long lostSamples();

    /** Stacks not recorded because {@code stacks} was full or a hash collided. */
    @Global
    @Unsigned
    long stackErrors();

    @Override
    void close();

    /**
     * {@code struct stack_key}: a stack id is negative ({@code -errno}, or -1 when that half is
     * not recorded) when there is no such stack.
     */
    @CStruct("stack_key")
    record StackKey(@Unsigned int pid, int kernelStack, int userStack, @Size(16) String comm) {
    }
}
