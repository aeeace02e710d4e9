package io.bpfkit.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Socket calls the attach layer needs: {@code socketpair(2)} for a pair of connected sockets
 * and {@code setsockopt(2)} with an integer value, e.g. {@code SO_ATTACH_BPF}.
 *
 * <pre>{@code
 * Fd[] pair = Sockets.socketPair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM);
 * Sockets.setIntOption(pair[1], Sockets.SOL_SOCKET, Sockets.SO_ATTACH_BPF, prog.get(), "SO_ATTACH_BPF");
 * }</pre>
 */
public final class Sockets {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOL_SOCKET = 1;
    /** {@code SO_ATTACH_BPF}: runs a socket filter program on each packet the socket receives. */
    public static final int SO_ATTACH_BPF = 50;
    /** {@code SO_DETACH_BPF} (same value as {@code SO_DETACH_FILTER}). */
    public static final int SO_DETACH_BPF = 27;

    private static final MethodHandle SOCKETPAIR = Syscalls.downcall("socketpair",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Syscalls.CAPTURE);
    private static final MethodHandle SETSOCKOPT = Syscalls.downcall("setsockopt",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final int SOCK_CLOEXEC = 0x80000;

    private Sockets() {
    }

    /** {@code socketpair(domain, type | SOCK_CLOEXEC, 0)}: two connected sockets, each owned by its {@link Fd}. */
    public static Fd[] socketPair(int domain, int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            MemorySegment state = Syscalls.captureState();
            int r;
            try {
                r = (int) SOCKETPAIR.invokeExact(state, domain, type | SOCK_CLOEXEC, 0, fds);
            } catch (Throwable t) {
                throw Syscalls.downcallFailed("socketpair", t);
            }
            if (r < 0) {
                throw Syscalls.error("socketpair(" + domain + ", " + type + ")", Syscalls.errno(state));
            }
            return new Fd[] {Fd.of(fds.getAtIndex(ValueLayout.JAVA_INT, 0), "socket", null),
                Fd.of(fds.getAtIndex(ValueLayout.JAVA_INT, 1), "socket", null)};
        }
    }

    /** {@code setsockopt(fd, level, option, &value, 4)}. */
    public static void setIntOption(int fd, int level, int option, int value, String operation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
            MemorySegment state = Syscalls.captureState();
            int r;
            try {
                r = (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, 4);
            } catch (Throwable t) {
                throw Syscalls.downcallFailed("setsockopt", t);
            }
            if (r < 0) {
                int errno = Syscalls.errno(state);
                throw Syscalls.error(operation, errno, errno == Errno.ENOTSOCK ? "the descriptor is not a socket"
                        : errno == Errno.EINVAL ? "the program is not a socket filter program" : null);
            }
        }
    }
}
