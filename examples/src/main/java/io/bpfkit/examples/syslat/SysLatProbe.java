package io.bpfkit.examples.syslat;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfHashMap;

/**
 * The Java side of {@code syslat.bpf.c}: per system call number, a log2 histogram of the
 * microseconds threads spent in it.
 *
 * <pre>{@code
 * try (SysLatProbe p = SysLatProbeBinding.open().targetPid(pid).targetSyscall(230).load()) {
 *     Thread.sleep(5000);
 *     p.hists().forEach((nr, h) -> System.out.print(Log2Histogram.draw(h.slots(), "usecs")));
 * }
 * }</pre>
 */
@BpfObject("/io/bpfkit/examples/syslat.bpf.o")
public interface SysLatProbe extends AutoCloseable {

    /** System call number to its latency histogram. */
    @Map
    BpfHashMap<@Unsigned Integer, LatencyHist> hists();

    @Program(autoAttach = true)
    BpfProgram onEnter();

    @Program(autoAttach = true)
    BpfProgram onExit();

    /** Only this process (tgid); 0 (the default) every process. Set before load. */
    @Global
    void targetPid(@Unsigned int pid);

    /** Only this system call number; -1 (the default) every one. Set before load. */
    @Global
    void targetSyscall(int nr);

    /** Calls not counted because a map was full. */
    @Global
    @Unsigned
    long dropped();

    @Override
    void close();
}
