package io.bpfkit.examples;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfArray;

/**
 * The README's example: the Java side of {@code hello.bpf.c}, which counts one process's
 * {@code openat(2)} calls.
 *
 * <pre>{@code
 * try (Hello hello = HelloBinding.open().targetTgid(pid).load()) {
 *     Files.readString(path);
 *     System.out.println(hello.counts().get(0));
 * }
 * }</pre>
 */
@BpfObject("hello.bpf.o")
public interface Hello extends AutoCloseable {
    /** One element: the calls counted and the last caller. */
    @Map
    BpfArray<Stats> counts();

    @Program(value = "on_openat", autoAttach = true)
    BpfProgram onOpenat();

    /** The process to count; 0 counts every process. Before load only. */
    @Global
    void targetTgid(@Unsigned int tgid);

    @Override
    void close();

    /**
     * {@code struct stats} of {@code hello.bpf.c}.
     *
     * @param calls openat calls counted
     * @param lastPid the process that made the last one
     */
    record Stats(@Unsigned long calls, @Unsigned long lastPid) {
    }
}
