package io.bpfkit.sys;

import io.bpfkit.api.KernelException;

/**
 * The outcome of {@code BPF_PROG_LOAD} (or {@code BPF_BTF_LOAD}): either the new descriptor, or
 * the errno; in both cases the verifier log and {@code log_true_size}. A refusal is returned, not
 * thrown, because the loader needs the errno and the log together to explain it (and may retry
 * with a larger log buffer: {@code ENOSPC} with a log means the buffer was too small and
 * {@link #logTrueSize()} says how large it must be).
 *
 * <pre>{@code
 * ProgLoadResult r = Bpf.progLoad(attr);
 * if (r.errno() == Errno.ENOSPC && r.logTrueSize() > attr.logBuf().byteSize()) { ...retry... }
 * Fd prog = r.orThrow();       // KernelException naming the program, errno and hint
 * }</pre>
 *
 * @param fd the new descriptor (owned by the caller), or null when the kernel refused
 * @param errno 0 on success, else the kernel's errno
 * @param logTrueSize the size the whole log needs, including its NUL (0 when no log was asked
 *        for or the kernel predates 6.4)
 * @param log the log text the kernel wrote (may be truncated), "" when none
 * @param operation what was attempted, e.g. {@code BPF_PROG_LOAD of program 'handle_exec'}
 */
public record ProgLoadResult(Fd fd, int errno, int logTrueSize, String log, String operation) {

    /** Whether the kernel accepted the program. */
    public boolean ok() {
        return fd != null;
    }

    /** The descriptor, or a {@link KernelException} for the refusal (the log is not in it). */
    public Fd orThrow() {
        if (fd != null) {
            return fd;
        }
        throw exception();
    }

    /** The refusal as an exception; only when {@link #ok()} is false. */
    public KernelException exception() {
        if (fd != null) {
            throw new IllegalStateException(operation + " succeeded");
        }
        return Syscalls.error(operation, errno, Bpf.progLoadHint(errno, log));
    }
}
