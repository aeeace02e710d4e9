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
    public static final int ENOEXEC = 8;
    public static final int ECHILD = 10;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int ENFILE = 23;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int EPROTO = 71;
    public static final int EBADMSG = 74;
    public static final int EOVERFLOW = 75;
    public static final int EBADFD = 77;
    public static final int ENOTSOCK = 88;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int ENETDOWN = 100;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ESTALE = 116;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;
    public static final int EKEYREJECTED = 129;

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
            case ENOEXEC -> "ENOEXEC";
            case ECHILD -> "ECHILD";
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case ENFILE -> "ENFILE";
            case ENOTTY -> "ENOTTY";
            case ETXTBSY -> "ETXTBSY";
            case EFBIG -> "EFBIG";
            case ESPIPE -> "ESPIPE";
            case EROFS -> "EROFS";
            case EMLINK -> "EMLINK";
            case EPIPE -> "EPIPE";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOTEMPTY -> "ENOTEMPTY";
            case ENODATA -> "ENODATA";
            case EPROTO -> "EPROTO";
            case EBADMSG -> "EBADMSG";
            case EOVERFLOW -> "EOVERFLOW";
            case EBADFD -> "EBADFD";
            case ENOTSOCK -> "ENOTSOCK";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case ENETDOWN -> "ENETDOWN";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case ESTALE -> "ESTALE";
            case EALREADY -> "EALREADY";
            case EINPROGRESS -> "EINPROGRESS";
            case ECANCELED -> "ECANCELED";
            case EKEYREJECTED -> "EKEYREJECTED";
            default -> "errno " + errno;
        };
    }

    /**
     * Whether this process is in the initial user namespace, the only one where capabilities
     * alone open bpf(2): its uid_map maps every id to itself ({@code 0 0 4294967295}). Read when
     * a hint for EPERM is first wanted.
     */
    private static final class UserNamespace {
        static final boolean INITIAL = initial();

        private static boolean initial() {
            try {
                String[] map = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/uid_map"))
                        .trim().split("\\s+");
                return map.length == 3 && map[0].equals("0") && map[1].equals("0") && map[2].equals("4294967295");
            } catch (java.io.IOException | RuntimeException e) {
                return true; // no /proc: say nothing about namespaces
            }
        }
    }

    /** What to do about an errno from bpf(2) or perf_event_open(2), or null. */
    public static String hint(int errno) {
        return switch (errno) {
            case EPERM, EACCES -> UserNamespace.INITIAL
                    ? "needs root or CAP_BPF + CAP_PERFMON, or the kernel is locked down"
                    : "needs root or CAP_BPF + CAP_PERFMON, or the kernel is locked down; in a user namespace,"
                            + " as this process is, only with a BPF token from a bpf file system delegated to it"
                            + " (LoadOptions.withToken, or BPFKIT_BPF_TOKEN_PATH)";
            case ENOSYS -> "this kernel has no bpf(2) system call";
            case E2BIG -> "a size field is larger than this kernel accepts";
            case ENOMEM -> "out of memory or over the memlock limit";
            case EMFILE -> "too many open files; raise the file descriptor limit";
            case EOPNOTSUPP, ENOTSUPP -> "this kernel does not support the operation";
            case EBADF -> "a file descriptor in the request is closed or of the wrong kind";
            case EFAULT -> "the kernel could not read or write a buffer of the request";
            case ENOSPC -> "a buffer was too small for what the kernel had to write";
            case EAGAIN -> "the kernel asks to try again";
            case ENFILE -> "the system-wide file table is full";
            case ESTALE -> "the expected revision is out of date: another program was attached or detached";
            default -> null;
        };
    }
}
