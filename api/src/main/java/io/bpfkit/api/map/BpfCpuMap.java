package io.bpfkit.api.map;

import io.bpfkit.api.BpfProgram;
import java.util.Optional;

/**
 * A {@code BPF_MAP_TYPE_CPUMAP}: CPUs that XDP programs redirect packets to, each with a queue
 * of {@code queueSize} packets and a kernel thread that takes them into the stack, optionally
 * running an XDP program ({@code SEC("xdp/cpumap")}) first.
 *
 * <pre>{@code
 * BpfCpuMap cpus = BpfMaps.cpuMap(loaded, "cpus");
 * cpus.set(1, 192);                     // CPU 1, a queue of 192 packets
 * cpus.entry(1);                        // Optional[Entry[queueSize=192, programId=0]]
 * }</pre>
 */
public interface BpfCpuMap extends BpfMap {

    /** An entry: the queue's size and the id of its program (0: none). */
    record Entry(int queueSize, int programId) {
    }

    /**
     * Makes CPU {@code cpu} a target with a queue of {@code queueSize} packets.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses (ENODEV: no such CPU,
     *     EOVERFLOW: a queue above 16384)
     */
    void set(int cpu, int queueSize);

    /** {@link #set(int, int)}, running {@code program} (loaded for {@code BPF_XDP_CPUMAP}) on each packet. */
    void set(int cpu, int queueSize, BpfProgram program);

    /** Takes CPU {@code cpu} out of the map, whether it was in it or not (the kernel does not tell). */
    void clear(int cpu);

    /** The entry of CPU {@code cpu}, or empty. */
    Optional<Entry> entry(int cpu);
}
