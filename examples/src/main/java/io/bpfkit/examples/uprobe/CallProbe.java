package io.bpfkit.examples.uprobe;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.map.BpfArray;

/**
 * The Java side of {@code uprobecount.bpf.c}: calls of one user-space function counted and timed.
 * Its programs have no target in their section: attach {@link #onEntry()} as a uprobe and
 * {@link #onReturn()} as a uretprobe on the function you choose.
 *
 * <pre>{@code
 * try (CallProbe p = CallProbeBinding.open().load();
 *      Link in = Attach.uprobe(p.onEntry(), UprobeOptions.of("libc.so.6", "getpid").pid(pid));
 *      Link out = Attach.uprobe(p.onReturn(), UprobeOptions.of("libc.so.6", "getpid").pid(pid).retprobe(true))) {
 *     Thread.sleep(1000);
 *     System.out.println(p.stats().get(0).calls() + " calls");
 * }
 * }</pre>
 */
@BpfObject("/io/bpfkit/examples/uprobecount.bpf.o")
public interface CallProbe extends AutoCloseable {

    /** One element: the {@link CallStats} of the probed function. */
    @Map
    BpfArray<CallStats> stats();

    @Program
    BpfProgram onEntry();

    @Program
    BpfProgram onReturn();

    @Override
    void close();
}
