package io.bpfkit.examples;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfHashMap;

/**
 * The Java side of {@code syscount.bpf.c}: system calls per process and the time spent in them.
 * javac checks every method against the object ({@code syscount.bpf.o}, built by clang before
 * javac runs) and writes {@code SysCountBinding}.
 *
 * <pre>{@code
 * try (SysCount sc = SysCountBinding.open().targetPid(pid).load()) {   // attached on load
 *     Thread.sleep(1000);
 *     sc.counts().forEach((tgid, s) -> System.out.println(tgid + " " + s.calls()));
 * }
 * }</pre>
 */
@BpfObject("syscount.bpf.o")
public interface SysCount extends AutoCloseable {

    /** Per process (tgid): calls and nanoseconds. */
    @Map
    BpfHashMap<@Unsigned Integer, SyscallStats> counts();

    /** Per thread: when it entered the system call it is in (internal to the program). */
    @Map("start")
    BpfHashMap<@Unsigned Integer, @Unsigned Long> entryTimes();

    @Program(value = "on_enter", autoAttach = true)
    BpfProgram onEnter();

    @Program(autoAttach = true)
    BpfProgram onExit();

    /** Counts only this process; 0 counts every process. Constant once loaded. */
    @Global
    void targetPid(@Unsigned int pid);

    @Global
    @Unsigned
    int targetPid();

    /** System calls counted so far. */
    @Global
    @Unsigned
    long total();

    /** Exits not counted because {@code counts} was full. */
    @Global
    @Unsigned
    long dropped();

    @Global("total")
    void resetTotal(@Unsigned long total);

    @Override
    void close();
}
