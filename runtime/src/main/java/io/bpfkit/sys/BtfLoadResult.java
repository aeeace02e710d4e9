package io.bpfkit.sys;

import io.bpfkit.api.KernelException;

/**
 * The outcome of {@code BPF_BTF_LOAD}: the BTF object's descriptor or the errno, with the
 * kernel's BTF log either way (see {@link ProgLoadResult} for why it is returned, not thrown).
 *
 * @param fd the new descriptor (owned by the caller), or null when the kernel refused
 * @param errno 0 on success, else the kernel's errno
 * @param logTrueSize the size the whole log needs, including its NUL (0 when none was asked for)
 * @param log the log text the kernel wrote (may be truncated), "" when none
 * @param operation what was attempted, e.g. {@code BPF_BTF_LOAD of BTF 'maps.bpf.o'}
 */
public record BtfLoadResult(Fd fd, int errno, int logTrueSize, String log, String operation) {

    /** Whether the kernel accepted the BTF. */
    public boolean ok() {
        return fd != null;
    }

    /** The descriptor, or a {@link KernelException} for the refusal. */
    public Fd orThrow() {
        if (fd != null) {
            return fd;
        }
        throw exception();
    }

    /** The refusal as an exception (its message ends with the log's last line); only when {@link #ok()} is false. */
    public KernelException exception() {
        if (fd != null) {
            throw new IllegalStateException(operation + " succeeded");
        }
        String last = lastLine(log);
        String hint = Errno.hint(errno);
        if (!last.isEmpty()) {
            hint = (hint == null ? "" : hint + "; ") + "kernel BTF log: " + last;
        }
        return Syscalls.error(operation, errno, hint);
    }

    static String lastLine(String log) {
        String s = log.strip();
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }
}
