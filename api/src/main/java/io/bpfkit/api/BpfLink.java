package io.bpfkit.api;

import java.nio.file.Path;

/**
 * A program attached somewhere: a tracepoint, a uprobe, an interface, a cgroup, a socket.
 * Closing the link detaches the program (unless the link is pinned, which keeps a BPF link
 * alive in the kernel until the pin is removed). Whoever made it owns it: the caller, or the
 * loaded object it was handed to, which closes its links before its programs.
 *
 * <pre>{@code
 * try (BpfLink link = Attach.tracepoint(prog, "syscalls", "sys_enter_getpid")) {
 *     ...                                  // the program runs on every getpid()
 * }                                        // detached
 * }</pre>
 */
public interface BpfLink extends AutoCloseable {

    /** What is attached where, e.g. {@code tracepoint syscalls:sys_enter_getpid (getpid_a)}. */
    String name();

    /**
     * The descriptor that keeps the attachment alive (a BPF link, or a perf event on kernels
     * without perf links), or -1 when the attachment has none of its own (a socket filter
     * lives in its socket).
     *
     * @throws IllegalStateException when the link is closed
     */
    int fileDescriptor();

    /** Whether this is a BPF link in the kernel, which can be {@link #pin pinned}. */
    boolean isBpfLink();

    /**
     * Pins the link in a BPF file system, e.g. {@code /sys/fs/bpf/my_link}: the program stays
     * attached after this process exits, until the pin is removed.
     *
     * @throws BpfException when this is not a BPF link or the kernel refuses
     */
    void pin(Path path);

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Detaches (or, when pinned, only drops this process's reference); idempotent. */
    @Override
    void close();
}
