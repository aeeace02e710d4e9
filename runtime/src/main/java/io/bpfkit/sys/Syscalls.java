package io.bpfkit.sys;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.uapi.PerfEventAttr;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.Locale;

/**
 * The raw system calls bpfkit needs. Every downcall captures errno in the same call
 * ({@link Linker.Option#captureCallState}), so no JVM activity between the call and the check
 * can overwrite it. This class and the rest of {@code io.bpfkit.sys} are the only code of
 * bpfkit that calls native functions.
 *
 * <p>libc wrappers are used where they exist ({@code read}, {@code write},
 * {@code mmap}, {@code munmap}, {@code ioctl}, {@code epoll_*}, {@code getpid}, {@code gettid},
 * {@code getrlimit}/{@code setrlimit}); {@code bpf(2)} and {@code perf_event_open(2)}, which
 * glibc does not wrap, go through {@code syscall(2)} with the number of this architecture, and
 * so do {@code close(2)} and {@code openat(2)} (without a mode) on the architectures whose
 * numbers this class knows, through the same downcall as bpf(2): a load links one.
 *
 * <p>The errno capture buffer is one small segment per thread, so no call allocates.
 *
 * <p>Each downcall handle sits in a holder class of its own and is linked the first time it is
 * called: linking one costs a native stub and a few dozen method-handle classes that a JDK AOT
 * cache does not keep (about 5 ms each in a fresh JVM), so a process that loads an object and
 * never maps memory, polls or opens perf events does not pay for those calls.
 *
 * <pre>{@code
 * int pid = Syscalls.getpid();
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment m = Syscalls.mmap(fd.get(), 4096, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
 *             Syscalls.MAP_SHARED, 0, arena, "mmap of map 'data'");
 *     m.set(ValueLayout.JAVA_INT, 0, 42);
 * } // unmapped here
 * }</pre>
 */
@SuppressWarnings("restricted") // the one place that calls native code, by design
public final class Syscalls {
    /** mmap protection: pages may be read. */
    public static final int PROT_READ = 0x1;
    /** mmap protection: pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** mmap flag: share the mapping (required for BPF maps). */
    public static final int MAP_SHARED = 0x01;
    /** mmap flag: private copy-on-write mapping. */
    public static final int MAP_PRIVATE = 0x02;
    /** mmap flag: place the mapping exactly at the address given. */
    public static final int MAP_FIXED = 0x10;
    /**
     * mmap flag (Linux 4.17): at exactly the address given, failing with EEXIST where something
     * is mapped already, instead of replacing it as {@link #MAP_FIXED} does.
     */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** mmap flag: no file behind the mapping. */
    public static final int MAP_ANONYMOUS = 0x20;

    /** epoll_create1 flag: close on exec. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** epoll_ctl: add a descriptor. */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl: remove a descriptor. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll_ctl: change the events of a descriptor. */
    public static final int EPOLL_CTL_MOD = 3;
    /** epoll event: readable. */
    public static final int EPOLLIN = 0x001;
    /** epoll event: writable. */
    public static final int EPOLLOUT = 0x004;
    /** epoll event: error. */
    public static final int EPOLLERR = 0x008;
    /** epoll event: hang up. */
    public static final int EPOLLHUP = 0x010;
    /** epoll flag: edge triggered. */
    public static final int EPOLLET = 1 << 31;

    /** open flag: read only. */
    public static final int O_RDONLY = 0;
    /** open flag: write only. */
    public static final int O_WRONLY = 1;
    /** open flag: read and write. */
    public static final int O_RDWR = 2;
    /** The access-mode bits of a descriptor's status flags ({@link #fileStatusFlags}). */
    public static final int O_ACCMODE = 3;
    /** open flag: close on exec. */
    public static final int O_CLOEXEC = 0x80000;

    /** getrlimit resource: locked memory (the old BPF memory accounting). */
    public static final int RLIMIT_MEMLOCK = 8;
    /** getrlimit resource: open files. */
    public static final int RLIMIT_NOFILE = 7;
    /** rlimit value meaning no limit. */
    public static final long RLIM_INFINITY = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final AddressLayout PTR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    /** One errno capture buffer per thread: downcalls never allocate. */
    private static final ThreadLocal<MemorySegment> CAPTURE_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    private static final boolean X86_64 = ARCH.equals("amd64") || ARCH.equals("x86_64");

    private static final long NR_BPF = switch (ARCH) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 280;
        case "s390x" -> 351;
        case "ppc64le", "ppc64" -> 361;
        default -> -1;
    };

    private static final long NR_PERF_EVENT_OPEN = switch (ARCH) {
        case "amd64", "x86_64" -> 298;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 241;
        case "s390x" -> 331;
        case "ppc64le", "ppc64" -> 319;
        default -> -1;
    };

    /** {@code close(2)}, made through {@link #syscall3}: see {@link #close(int)}. */
    private static final long NR_CLOSE = switch (ARCH) {
        case "amd64", "x86_64" -> 3;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 57;
        case "s390x", "ppc64le", "ppc64" -> 6;
        default -> -1;
    };

    /** {@code openat(2)}, made through {@link #syscall3}: see {@link #open(String, int, int, String)}. */
    private static final long NR_OPENAT = switch (ARCH) {
        case "amd64", "x86_64" -> 257;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 56;
        case "s390x" -> 288;
        case "ppc64le", "ppc64" -> 286;
        default -> -1;
    };
    private static final int AT_FDCWD = -100;
    /** {@code O_CREAT | __O_TMPFILE}: the flags with which open reads its mode argument. */
    private static final int OPEN_FLAGS_WITH_MODE = 0x40 | 0x400000;

    private static final long NR_GETTID = switch (ARCH) {
        case "amd64", "x86_64" -> 186;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 178;
        case "s390x" -> 236;
        case "ppc64le", "ppc64" -> 207;
        default -> -1;
    };

    /**
     * {@code long syscall(long nr, long a, long b, long c)}, for bpf(2) with its attribute as an
     * address. The variadic arguments are passed as longs because the kernel reads each register
     * whole.
     */
    private static final class SyscallLongLongLong {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG),
                        Linker.Option.firstVariadicArg(1), CAPTURE);
    }

    /** The same without the errno capture: see {@link #bpfRawUsuallySucceeding}. */
    private static final class SyscallLongLongLongNoErrno {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG),
                        Linker.Option.firstVariadicArg(1));
    }

    /**
     * {@link SyscallLongLongLong} linked {@linkplain Linker.Option#critical critical}: no
     * thread-state transition around the call, so the JVM cannot reach a safepoint while it runs.
     * Only for the element commands of map types whose element operations never sleep
     * ({@link #bpfRawNonBlocking}).
     */
    private static final class SyscallLongLongLongCritical {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG),
                        Linker.Option.firstVariadicArg(1), CAPTURE, Linker.Option.critical(false));
    }

    /** The same without the errno capture. */
    private static final class SyscallLongLongLongCriticalNoErrno {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG),
                        Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));
    }

    /** {@code long syscall(long nr, void *attr, long pid, long cpu, long group_fd, long flags)}. */
    private static final class SyscallPtr4long {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG, PTR, LONG, LONG, LONG, LONG),
                        Linker.Option.firstVariadicArg(1), CAPTURE);
    }

    /** {@code long syscall(long nr)}, for gettid where libc lacks it. */
    private static final class Syscall0 {
        static final MethodHandle HANDLE =
                downcall("syscall", FunctionDescriptor.of(LONG, LONG), Linker.Option.firstVariadicArg(1), CAPTURE);
    }

    /** {@code int open(const char *path, int flags, ...)} with the mode argument. */
    private static final class Open {
        static final MethodHandle HANDLE =
                downcall("open", FunctionDescriptor.of(INT, PTR, INT, INT), Linker.Option.firstVariadicArg(2), CAPTURE);
    }
    private static final class Close {
        static final MethodHandle HANDLE =
                downcall("close", FunctionDescriptor.of(INT, INT), CAPTURE);
    }
    private static final class Read {
        static final MethodHandle HANDLE =
                downcall("read", FunctionDescriptor.of(LONG, INT, PTR, LONG), CAPTURE);
    }
    private static final class Write {
        static final MethodHandle HANDLE =
                downcall("write", FunctionDescriptor.of(LONG, INT, PTR, LONG), CAPTURE);
    }
    private static final class Mmap {
        static final MethodHandle HANDLE =
                downcall("mmap", FunctionDescriptor.of(PTR, PTR, LONG, INT, INT, INT, LONG), CAPTURE);
    }
    private static final class Munmap {
        static final MethodHandle HANDLE =
                downcall("munmap", FunctionDescriptor.of(INT, PTR, LONG), CAPTURE);
    }
    private static final int F_GETFL = 3;
    /** {@code int fcntl(int fd, int cmd, ...)} with no argument. */
    private static final class Fcntl {
        static final MethodHandle HANDLE =
                downcall("fcntl", FunctionDescriptor.of(INT, INT, INT), Linker.Option.firstVariadicArg(2), CAPTURE);
    }
    /** {@code int ioctl(int fd, unsigned long request, ...)} with a long argument. */
    private static final class IoctlLong {
        static final MethodHandle HANDLE =
                downcall("ioctl", FunctionDescriptor.of(INT, INT, LONG, LONG),
                        Linker.Option.firstVariadicArg(2), CAPTURE);
    }
    /** {@code int ioctl(int fd, unsigned long request, ...)} with a pointer argument. */
    private static final class IoctlPtr {
        static final MethodHandle HANDLE =
                downcall("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR),
                        Linker.Option.firstVariadicArg(2), CAPTURE);
    }
    private static final class EpollCreate1 {
        static final MethodHandle HANDLE =
                downcall("epoll_create1", FunctionDescriptor.of(INT, INT), CAPTURE);
    }
    private static final class EpollCtl {
        static final MethodHandle HANDLE =
                downcall("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, PTR), CAPTURE);
    }
    private static final class EpollWait {
        static final MethodHandle HANDLE =
                downcall("epoll_wait", FunctionDescriptor.of(INT, INT, PTR, INT, INT), CAPTURE);
    }
    private static final class Getpid {
        static final MethodHandle HANDLE =
                downcall("getpid", FunctionDescriptor.of(INT));
    }
    private static final class Gettid {
        static final MethodHandle HANDLE =
                LIBC.find("gettid").isPresent() ? downcall("gettid", FunctionDescriptor.of(INT)) : null;
    }
    private static final class Getrlimit {
        static final MethodHandle HANDLE =
                downcall("getrlimit", FunctionDescriptor.of(INT, INT, PTR), CAPTURE);
    }
    private static final class Setrlimit {
        static final MethodHandle HANDLE =
                downcall("setrlimit", FunctionDescriptor.of(INT, INT, PTR), CAPTURE);
    }

    /**
     * {@code struct epoll_event}: packed on x86_64 (12 bytes, data at offset 4), naturally
     * aligned elsewhere (16 bytes, data at offset 8).
     */
    public static final StructLayout EPOLL_EVENT = X86_64
            ? MemoryLayout.structLayout(INT.withName("events"), LONG.withByteAlignment(4).withName("data"))
                    .withName("epoll_event")
            : MemoryLayout.structLayout(INT.withName("events"), MemoryLayout.paddingLayout(4),
                    LONG.withName("data")).withName("epoll_event");
    private static final VarHandle EPOLL_EVENTS = EPOLL_EVENT.varHandle(MemoryLayout.PathElement.groupElement("events"));
    private static final VarHandle EPOLL_DATA = EPOLL_EVENT.varHandle(MemoryLayout.PathElement.groupElement("data"));

    /** {@code struct rlimit}: soft and hard limit. */
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(LONG.withName("rlim_cur"),
            LONG.withName("rlim_max"));

    private Syscalls() {
    }

    static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc has no " + name)), fd, options);
    }

    /**
     * {@code syscall(nr, a, b, c)} through the downcall bpf(2) uses, errno into {@code state}:
     * close and open (without a mode) go this way rather than through libc's wrappers, which
     * would each be one more downcall for a fresh process to link before its first load. The
     * kernel ignores the arguments a call does not take.
     */
    private static long syscall3(MemorySegment state, long nr, long a, long b, long c) throws Throwable {
        return (long) SyscallLongLongLong.HANDLE.invokeExact(state, nr, a, b, c);
    }

    // ---- errno plumbing -------------------------------------------------------------------

    /** This thread's errno capture buffer. */
    static MemorySegment captureState() {
        return CAPTURE_STATE.get();
    }

    /** Bytes of an errno capture buffer. */
    static long callStateSize() {
        return CAPTURE_LAYOUT.byteSize();
    }

    /** The errno a downcall left in {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A {@link KernelException} for {@code operation} with the errno's name and generic hint. */
    public static KernelException error(String operation, int errno) {
        return new KernelException(operation, errno, Errno.name(errno), Errno.hint(errno));
    }

    /** A {@link KernelException} with a hint of the caller's, or the generic one when null. */
    public static KernelException error(String operation, int errno, String hint) {
        return new KernelException(operation, errno, Errno.name(errno), hint != null ? hint : Errno.hint(errno));
    }

    static IllegalStateException downcallFailed(String what, Throwable t) {
        return new IllegalStateException(what + " downcall failed", t);
    }

    // ---- bpf(2) ---------------------------------------------------------------------------

    /** The number of {@code bpf(2)} on this architecture, or -1 when unknown. */
    public static long bpfSyscallNumber() {
        return NR_BPF;
    }

    /** The number of {@code perf_event_open(2)} on this architecture, or -1 when unknown. */
    public static long perfEventOpenSyscallNumber() {
        return NR_PERF_EVENT_OPEN;
    }

    /**
     * Calls {@code bpf(cmd, attr, attr.byteSize())}.
     *
     * @return the non-negative result
     * @throws KernelException with the errno when the call fails
     */
    public static int bpf(int cmd, MemorySegment attr, String operation) {
        long r = bpfRaw(cmd, attr, attr.byteSize());
        if (r < 0) {
            throw error(operation, (int) -r);
        }
        return (int) r;
    }

    /**
     * Calls {@code bpf(cmd, attr, size)} without throwing: the non-negative result, or minus the
     * errno. No allocation.
     */
    static long bpfRaw(int cmd, MemorySegment attr, long size) {
        return bpfRaw(cmd, attr, size, captureState());
    }

    /**
     * As {@link #bpfRaw(int, MemorySegment, long)}, errno captured into the caller's {@code state}.
     * The attribute goes down as an address through the same downcall as
     * {@link #bpfRaw(int, long, long, MemorySegment)}: one linked shape for every bpf(2) command
     * that may block (each shape costs a fresh process about 5 ms to link, see the class comment),
     * with the checks a pointer parameter would make done here and the segment kept reachable
     * until the call returns.
     */
    static long bpfRaw(int cmd, MemorySegment attr, long size, MemorySegment state) {
        if (!attr.isNative()) {
            throw new IllegalArgumentException("bpf(2) attribute must be native memory: " + attr);
        }
        if (!attr.scope().isAlive()) {
            throw new IllegalStateException("bpf(2) attribute of a closed arena: " + attr);
        }
        try {
            return bpfRaw(cmd, attr.address(), size, state);
        } finally {
            Reference.reachabilityFence(attr);
        }
    }

    /**
     * As {@link #bpfRaw(int, MemorySegment, long, MemorySegment)} with {@code attr} as an address,
     * which the caller keeps alive for the call (scratch memory it holds): no segment to check
     * and unwrap on a hot path.
     */
    static long bpfRaw(int cmd, long attr, long size, MemorySegment state) {
        if (NR_BPF < 0) {
            return -Errno.ENOSYS;
        }
        long r;
        try {
            r = (long) SyscallLongLongLong.HANDLE.invokeExact(state, NR_BPF, (long) cmd, attr, size);
        } catch (Throwable t) {
            throw downcallFailed("bpf(2)", t);
        }
        return r < 0 ? -(long) errno(state) : r;
    }

    /**
     * As {@link #bpfRaw(int, long, long, MemorySegment)} for a command that almost always
     * succeeds and has no effect when it fails (a map element update with {@code BPF_ANY}): the
     * call is made without capturing errno, which costs a call into the JVM's own code after
     * every system call (about 3 % of a map update, measured); only when it fails does it run
     * again, capturing errno. The second run is a call of its own, so its result, whatever the
     * map went through in between, is a true answer to the caller.
     */
    static long bpfRawUsuallySucceeding(int cmd, long attr, long size, MemorySegment state) {
        if (NR_BPF < 0) {
            return -Errno.ENOSYS;
        }
        long r;
        try {
            r = (long) SyscallLongLongLongNoErrno.HANDLE.invokeExact(NR_BPF, (long) cmd, attr, size);
        } catch (Throwable t) {
            throw downcallFailed("bpf(2)", t);
        }
        return r >= 0 ? r : bpfRaw(cmd, attr, size, state);
    }

    /**
     * As {@link #bpfRaw(int, long, long, MemorySegment)} through a critical downcall: for the
     * element commands (lookup, update, delete, get-next-key, lookup-and-delete) of map types
     * whose element operations take no sleeping lock and wait for nothing (hash, array, their
     * per-CPU and LRU kinds, LPM trie, queue, stack, bloom filter), on memory the caller wrote
     * just before (so no page fault on it). Such a call lasts about a microsecond; while it
     * runs, a safepoint waits for it. Never for commands that may block: batch commands, map
     * creation, or element commands on maps of descriptors (map-in-map, program array, socket
     * maps), whose updates may wait for an RCU grace period or take a socket lock.
     */
    static long bpfRawNonBlocking(int cmd, long attr, long size, MemorySegment state) {
        if (NR_BPF < 0) {
            return -Errno.ENOSYS;
        }
        long r;
        try {
            r = (long) SyscallLongLongLongCritical.HANDLE.invokeExact(state, NR_BPF, (long) cmd, attr, size);
        } catch (Throwable t) {
            throw downcallFailed("bpf(2)", t);
        }
        return r < 0 ? -(long) errno(state) : r;
    }

    /**
     * {@link #bpfRawUsuallySucceeding} through a critical downcall without the errno capture
     * (see {@link #bpfRawNonBlocking} for when that may be used); the retry on failure captures it.
     */
    static long bpfRawNonBlockingUsuallySucceeding(int cmd, long attr, long size, MemorySegment state) {
        if (NR_BPF < 0) {
            return -Errno.ENOSYS;
        }
        long r;
        try {
            r = (long) SyscallLongLongLongCriticalNoErrno.HANDLE.invokeExact(NR_BPF, (long) cmd, attr, size);
        } catch (Throwable t) {
            throw downcallFailed("bpf(2)", t);
        }
        return r >= 0 ? r : bpfRawNonBlocking(cmd, attr, size, state);
    }

    // ---- perf_event_open(2) ---------------------------------------------------------------

    /**
     * Calls {@code perf_event_open(attr, pid, cpu, group_fd, flags)}; see {@link PerfEventAttr}
     * for building {@code attr}.
     *
     * @return the new descriptor, owned by the caller
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags,
            String operation) {
        if (NR_PERF_EVENT_OPEN < 0) {
            throw error(operation, Errno.ENOSYS, "bpfkit does not know the perf_event_open(2) number on " + ARCH);
        }
        MemorySegment state = CAPTURE_STATE.get();
        long r;
        try {
            r = (long) SyscallPtr4long.HANDLE.invokeExact(state, NR_PERF_EVENT_OPEN, attr, (long) pid, (long) cpu,
                    (long) groupFd, flags);
        } catch (Throwable t) {
            throw downcallFailed("perf_event_open(2)", t);
        }
        if (r < 0) {
            int errno = errno(state);
            throw error(operation, errno, perfHint(errno));
        }
        return (int) r;
    }

    private static String perfHint(int errno) {
        return switch (errno) {
            case Errno.ENOENT -> "this event does not exist here (hardware events need a PMU; try a software "
                    + "event such as cpu-clock)";
            case Errno.EOPNOTSUPP -> "the PMU cannot do what the attributes ask (sampling, exclusion bits)";
            case Errno.EACCES, Errno.EPERM -> "needs root or CAP_PERFMON, or a lower "
                    + "/proc/sys/kernel/perf_event_paranoid";
            case Errno.E2BIG -> "perf_event_attr.size is larger than this kernel accepts";
            case Errno.EINVAL -> "an attribute is invalid (type, config, cpu, pid or flags)";
            case Errno.ESRCH -> "no such process";
            default -> null;
        };
    }

    // ---- file descriptors -----------------------------------------------------------------

    /** open flag: fail unless the path is a directory (its value differs between architectures). */
    public static final int O_DIRECTORY = X86_64 ? 0x10000 : 0x4000;

    /**
     * {@code open(path, flags | O_CLOEXEC, mode)}, e.g. a cgroup directory for attaching or a
     * tracefs file.
     *
     * @param kind what the file is, for the {@link Fd} label ({@code cgroup}, {@code file})
     */
    public static Fd open(String path, int flags, int mode, String kind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment state = CAPTURE_STATE.get();
            while (true) {
                int r;
                try {
                    r = NR_OPENAT >= 0 && (flags & OPEN_FLAGS_WITH_MODE) == 0
                            ? (int) syscall3(state, NR_OPENAT, AT_FDCWD, p.address(), flags | O_CLOEXEC)
                            : (int) Open.HANDLE.invokeExact(state, p, flags | O_CLOEXEC, mode);
                } catch (Throwable t) {
                    throw downcallFailed("open", t);
                }
                if (r >= 0) {
                    return Fd.of(r, kind, path);
                }
                int errno = errno(state);
                if (errno != Errno.EINTR) {
                    throw error("open of " + path, errno, errno == Errno.ENOENT ? "no such file or directory"
                            : errno == Errno.EACCES ? "permission denied" : null);
                }
            }
        }
    }

    /** Closes a file descriptor; errors other than EINTR are reported. */
    public static void close(int fd) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = NR_CLOSE >= 0 ? (int) syscall3(state, NR_CLOSE, fd, 0, 0) : (int) Close.HANDLE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw downcallFailed("close", t);
        }
        if (r < 0) {
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                throw error("close(" + fd + ")", errno);
            }
        }
    }

    /**
     * {@code fcntl(fd, F_GETFL)}: the descriptor's status flags; {@code & O_ACCMODE} is how it
     * was opened ({@link #O_RDONLY}, {@link #O_WRONLY}, {@link #O_RDWR}).
     */
    public static int fileStatusFlags(int fd) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) Fcntl.HANDLE.invokeExact(state, fd, F_GETFL);
        } catch (Throwable t) {
            throw downcallFailed("fcntl", t);
        }
        if (r < 0) {
            throw error("fcntl(" + fd + ", F_GETFL)", errno(state));
        }
        return r;
    }

    /**
     * {@code read(fd, buf, buf.byteSize())}, retried on EINTR.
     *
     * @return the number of bytes read, 0 at end of file
     */
    public static long read(int fd, MemorySegment buf, String operation) {
        MemorySegment state = CAPTURE_STATE.get();
        while (true) {
            long r;
            try {
                r = (long) Read.HANDLE.invokeExact(state, fd, buf, buf.byteSize());
            } catch (Throwable t) {
                throw downcallFailed("read", t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                throw error(operation, errno);
            }
        }
    }

    /**
     * {@code write(fd, buf, buf.byteSize())}, retried on EINTR.
     *
     * @return the number of bytes written
     */
    public static long write(int fd, MemorySegment buf, String operation) {
        MemorySegment state = CAPTURE_STATE.get();
        while (true) {
            long r;
            try {
                r = (long) Write.HANDLE.invokeExact(state, fd, buf, buf.byteSize());
            } catch (Throwable t) {
                throw downcallFailed("write", t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR) {
                throw error(operation, errno);
            }
        }
    }

    /** {@code ioctl(fd, request, arg)} with an integer argument; returns the non-negative result. */
    public static int ioctl(int fd, long request, long arg, String operation) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) IoctlLong.HANDLE.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw downcallFailed("ioctl", t);
        }
        if (r < 0) {
            throw error(operation, errno(state));
        }
        return r;
    }

    /** {@code ioctl(fd, request, arg)} with a pointer argument; returns the non-negative result. */
    public static int ioctl(int fd, long request, MemorySegment arg, String operation) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) IoctlPtr.HANDLE.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw downcallFailed("ioctl", t);
        }
        if (r < 0) {
            throw error(operation, errno(state));
        }
        return r;
    }

    // ---- memory mapping -------------------------------------------------------------------

    /**
     * Maps {@code length} bytes of {@code fd} at {@code offset}. The returned segment has
     * exactly {@code length} bytes, belongs to {@code arena} and is unmapped when the arena
     * closes; never unmap it yourself. Without {@link #PROT_WRITE} the segment is read-only, so
     * a write is an exception rather than a SIGSEGV that kills the JVM.
     */
    public static MemorySegment mmap(int fd, long length, int prot, int flags, long offset, Arena arena,
            String operation) {
        return mmap(MemorySegment.NULL, length, prot, flags, fd, offset, arena, operation);
    }

    /**
     * {@code mmap(addr, length, prot, flags, fd, offset)}: the full form (e.g. a hint address
     * or {@link #MAP_FIXED} for BPF arenas). Unmapped when {@code arena} closes.
     */
    public static MemorySegment mmap(MemorySegment addr, long length, int prot, int flags, int fd, long offset,
            Arena arena, String operation) {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length must be positive: " + length);
        }
        MemorySegment state = CAPTURE_STATE.get();
        MemorySegment p;
        try {
            p = (MemorySegment) Mmap.HANDLE.invokeExact(state, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw downcallFailed("mmap", t);
        }
        if (p.address() == -1L) { // MAP_FAILED
            int errno = errno(state);
            throw error(operation, errno, errno == Errno.EINVAL
                    ? "offset or length is not page aligned, or the object cannot be mapped (BPF maps need "
                            + "BPF_F_MMAPABLE)" : null);
        }
        final long address = p.address();
        try {
            MemorySegment mapped = p.reinterpret(length, arena, ignored -> munmapQuietly(address, length));
            return (prot & PROT_WRITE) == 0 ? mapped.asReadOnly() : mapped;
        } catch (RuntimeException e) { // arena already closed: do not leak the mapping
            munmapQuietly(address, length);
            throw e;
        }
    }

    /**
     * All of the address space as one segment with no arena, read at absolute addresses: for a
     * reader's own hot loop whose lock already guarantees that its mappings outlive every access
     * it makes (an unmapped address would fault, not throw), and for map handles' scratch
     * memory, which only bpfkit's own codecs ({@code Codecs}, exact sizes) get this way. Being a
     * constant, the JIT folds its bounds and liveness checks away, so an access is a plain load or
     * store (a per-mapping view costs field loads and checks per access). Never hand it to user
     * code.
     */
    public static final MemorySegment UNSCOPED_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /**
     * Unmaps a range mapped by other means than {@link #mmap}; segments from {@link #mmap} are
     * unmapped by their arena instead.
     */
    public static void munmap(long address, long length) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) Munmap.HANDLE.invokeExact(state, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw downcallFailed("munmap", t);
        }
        if (r < 0) {
            throw error("munmap(0x" + Long.toHexString(address) + ", " + length + ")", errno(state));
        }
    }

    private static void munmapQuietly(long address, long length) {
        try {
            munmap(address, length);
        } catch (KernelException e) {
            // cleanup of a mapping we made: nothing useful to do
        }
    }

    /** The page size of this process. */
    public static long pageSize() {
        return PageSize.BYTES;
    }

    /** Asked for when first needed: reading it links a downcall of its own. */
    private static final class PageSize {
        static final long BYTES = readPageSize();
    }

    private static long readPageSize() {
        MethodHandle sysconf = downcall("sysconf", FunctionDescriptor.of(LONG, INT));
        try {
            long r = (long) sysconf.invokeExact(30); // _SC_PAGESIZE on Linux
            return r > 0 ? r : 4096;
        } catch (Throwable t) {
            return 4096;
        }
    }

    // ---- epoll ----------------------------------------------------------------------------

    /** {@code epoll_create1(flags)}; the descriptor is owned by the returned {@link Fd}. */
    public static Fd epollCreate(int flags) {
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) EpollCreate1.HANDLE.invokeExact(state, flags);
        } catch (Throwable t) {
            throw downcallFailed("epoll_create1", t);
        }
        if (r < 0) {
            throw error("epoll_create1", errno(state));
        }
        return Fd.of(r, "epoll", null);
    }

    /** {@code epoll_ctl(epfd, op, fd, {events, data})}. */
    public static void epollCtl(OwnedFd epoll, int op, int fd, int events, long data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(EPOLL_EVENT);
            EPOLL_EVENTS.set(ev, 0L, events);
            EPOLL_DATA.set(ev, 0L, data);
            MemorySegment state = CAPTURE_STATE.get();
            int r;
            try {
                r = (int) EpollCtl.HANDLE.invokeExact(state, epoll.get(), op, fd, ev);
            } catch (Throwable t) {
                throw downcallFailed("epoll_ctl", t);
            }
            if (r < 0) {
                throw error("epoll_ctl(" + epoll + ", op " + op + ", fd " + fd + ")", errno(state));
            }
        }
    }

    /**
     * {@code epoll_wait} into {@code events}, an array of {@link #EPOLL_EVENT}; returns how many
     * are ready (0 on timeout or when interrupted). Read them with {@link #epollEvents} and
     * {@link #epollData}. {@code timeoutMillis} -1 waits forever.
     */
    public static int epollWait(OwnedFd epoll, MemorySegment events, int timeoutMillis) {
        int max = (int) (events.byteSize() / EPOLL_EVENT.byteSize());
        MemorySegment state = CAPTURE_STATE.get();
        int r;
        try {
            r = (int) EpollWait.HANDLE.invokeExact(state, epoll.get(), events, max, timeoutMillis);
        } catch (Throwable t) {
            throw downcallFailed("epoll_wait", t);
        }
        if (r < 0) {
            int errno = errno(state);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw error("epoll_wait(" + epoll + ")", errno);
        }
        return r;
    }

    /** The {@code events} of entry {@code i} of an epoll event array. */
    public static int epollEvents(MemorySegment events, int i) {
        return (int) EPOLL_EVENTS.get(events, i * EPOLL_EVENT.byteSize());
    }

    /** The {@code data} of entry {@code i} of an epoll event array. */
    public static long epollData(MemorySegment events, int i) {
        return (long) EPOLL_DATA.get(events, i * EPOLL_EVENT.byteSize());
    }

    // ---- process --------------------------------------------------------------------------

    /** {@code getpid()}. */
    public static int getpid() {
        try {
            return (int) Getpid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw downcallFailed("getpid", t);
        }
    }

    /** {@code gettid()}: the kernel's id of the calling (carrier) thread. */
    public static int gettid() {
        try {
            if (Gettid.HANDLE != null) {
                return (int) Gettid.HANDLE.invokeExact();
            }
            MemorySegment state = CAPTURE_STATE.get();
            return (int) (long) Syscall0.HANDLE.invokeExact(state, NR_GETTID);
        } catch (Throwable t) {
            throw downcallFailed("gettid", t);
        }
    }

    /** A resource limit: soft and hard, {@link #RLIM_INFINITY} for none. */
    public record Rlimit(long soft, long hard) {
    }

    /** {@code getrlimit(resource)}. */
    public static Rlimit getrlimit(int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(RLIMIT);
            MemorySegment state = CAPTURE_STATE.get();
            int r;
            try {
                r = (int) Getrlimit.HANDLE.invokeExact(state, resource, rl);
            } catch (Throwable t) {
                throw downcallFailed("getrlimit", t);
            }
            if (r < 0) {
                throw error("getrlimit(" + resource + ")", errno(state));
            }
            return new Rlimit(rl.get(LONG, 0), rl.get(LONG, 8));
        }
    }

    /** {@code setrlimit(resource, limit)}. */
    public static void setrlimit(int resource, Rlimit limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(RLIMIT);
            rl.set(LONG, 0, limit.soft());
            rl.set(LONG, 8, limit.hard());
            MemorySegment state = CAPTURE_STATE.get();
            int r;
            try {
                r = (int) Setrlimit.HANDLE.invokeExact(state, resource, rl);
            } catch (Throwable t) {
                throw downcallFailed("setrlimit", t);
            }
            if (r < 0) {
                throw error("setrlimit(" + resource + ")", errno(state));
            }
        }
    }
}
