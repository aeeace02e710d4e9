package io.bpfkit.examples.top;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfRingBuffer;
import io.bpfkit.api.pmu.HwPmu;
import io.bpfkit.api.pmu.PmuCounter;

/**
 * The Java side of {@code top.bpf.c}: per-process activity counted in the kernel, process starts
 * and ends through a ring buffer, and the PMU counters the program reads at each context switch.
 */
@BpfObject("/io/bpfkit/examples/top.bpf.o")
public interface TopProbe extends AutoCloseable {

    /** Per process (tgid): what it did since it was first seen. */
    @Map
    BpfHashMap<@Unsigned Integer, ProcStats> procs();

    /** {@link ProcEvent}s: exec and exit, decoded by the generated codec. */
    @Map
    BpfRingBuffer<ProcEvent> events();

    /** Cycles on every CPU; cpu-clock nanoseconds where the machine has no hardware PMU. */
    @HwPmu(map = "pmu", event = "cycles", fallback = "cpu-clock")
    PmuCounter cycles();

    /** Instructions on every CPU; cpu-clock nanoseconds where the machine has no hardware PMU. */
    @HwPmu(map = "pmu", event = "instructions", fallback = "cpu-clock", counter = 1)
    PmuCounter instructions();

    @Program(autoAttach = true)
    BpfProgram onSyscall();

    @Program(autoAttach = true)
    BpfProgram onSwitch();

    @Program(autoAttach = true)
    BpfProgram onExec();

    @Program(autoAttach = true)
    BpfProgram onExit();

    /** Events dropped because the ring buffer was full. */
    @Global
    @Unsigned
    long lostEvents();

    @Override
    void close();
}
