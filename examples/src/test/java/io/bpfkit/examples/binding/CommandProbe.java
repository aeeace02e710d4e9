package io.bpfkit.examples.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfUserRingBuffer;

/**
 * The Java side of {@code commands.bpf.c} (see its header): Java writes {@link Command}
 * records into a user ring buffer, the {@code apply} program drains them. javac checks the
 * record against the object's {@code struct command} and writes {@code CommandProbeBinding}.
 */
@BpfObject("commands.bpf.o")
public interface CommandProbe extends AutoCloseable {

    @Map
    BpfUserRingBuffer<Command> commands();

    /** {@code .bss}: {@code balance[4]} among the counters. */
    @Map
    BpfGlobals bss();

    @Global
    @Unsigned
    long applied();

    @Global("unknown_ops")
    @Unsigned
    long unknownOps();

    @Program
    BpfProgram apply();

    @Override
    void close();

    /** {@code struct command}: op 1 adds {@code amount} to {@code balance[slot]}, op 2 sets it. */
    record Command(@Unsigned int op, @Unsigned int slot, long amount) {
        static Command add(int slot, long amount) {
            return new Command(1, slot, amount);
        }

        static Command set(int slot, long amount) {
            return new Command(2, slot, amount);
        }
    }
}
