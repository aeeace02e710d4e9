package io.bpfkit.sys;

/** errno values of Linux (the generic table shared by x86_64 and arm64), with names and hints. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOTSUPP = 524;

    private Errno() {
    }

    /** The symbolic name, e.g. {@code EPERM}, or {@code errno N} when unknown. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case ELOOP -> "ELOOP";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** What to do about an errno from bpf(2) or perf_event_open(2), or null. */
    public static String hint(int errno) {
        return switch (errno) {
            case EPERM, EACCES -> "needs root or CAP_BPF + CAP_PERFMON, or the kernel is locked down";
            case ENOSYS -> "this kernel has no bpf(2) system call";
            case E2BIG -> "a size field is larger than this kernel accepts";
            case ENOMEM -> "out of memory or over the memlock limit";
            case EMFILE -> "too many open files; raise the file descriptor limit";
            case EOPNOTSUPP, ENOTSUPP -> "this kernel does not support the operation";
            default -> null;
        };
    }
}
