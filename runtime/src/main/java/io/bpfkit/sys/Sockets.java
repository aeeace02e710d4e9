package io.bpfkit.sys;

import io.bpfkit.api.OwnedFd;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Socket calls the attach layer needs: {@code socketpair(2)} for a pair of connected sockets,
 * {@code setsockopt(2)} with an integer value, e.g. {@code SO_ATTACH_BPF}, and
 * {@code socket}/{@code bind}/{@code sendmsg}/{@code recvmsg} for datagram sockets such as
 * netlink ({@link NetlinkSocket}).
 *
 * <pre>{@code
 * Fd[] pair = Sockets.socketPair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM);
 * Sockets.setIntOption(pair[1], Sockets.SOL_SOCKET, Sockets.SO_ATTACH_BPF, prog.get(), "SO_ATTACH_BPF");
 * }</pre>
 */
public final class Sockets {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOL_SOCKET = 1;
    /** {@code recvmsg} flag: look at the next datagram without taking it. */
    public static final int MSG_PEEK = 0x2;
    /** {@code recvmsg} flag: return the datagram's real length even when the buffer is shorter. */
    public static final int MSG_TRUNC = 0x20;
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
    private static final MethodHandle SOCKET = Syscalls.downcall("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final MethodHandle BIND = Syscalls.downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final MethodHandle SENDMSG = Syscalls.downcall("sendmsg",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final MethodHandle RECVMSG = Syscalls.downcall("recvmsg",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final int SOCK_CLOEXEC = 0x80000;

    /** {@code struct iovec}. */
    private static final StructLayout IOVEC = MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len"));
    /** {@code struct msghdr} of the 64-bit ABIs. */
    private static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("msg_name"), ValueLayout.JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4), ValueLayout.ADDRESS.withName("msg_iov"),
            ValueLayout.JAVA_LONG.withName("msg_iovlen"), ValueLayout.ADDRESS.withName("msg_control"),
            ValueLayout.JAVA_LONG.withName("msg_controllen"), ValueLayout.JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    private static final long MSG_NAME = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_name"));
    private static final long MSG_NAMELEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_namelen"));
    private static final long MSG_IOV = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iov"));
    private static final long MSG_IOVLEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iovlen"));

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

    /**
     * {@code socket(domain, type | SOCK_CLOEXEC, protocol)}.
     *
     * @param what the socket's purpose, for messages and the {@link Fd} label (e.g. {@code netlink route})
     */
    public static Fd socket(int domain, int type, int protocol, String what) {
        MemorySegment state = Syscalls.captureState();
        int r;
        try {
            r = (int) SOCKET.invokeExact(state, domain, type | SOCK_CLOEXEC, protocol);
        } catch (Throwable t) {
            throw Syscalls.downcallFailed("socket", t);
        }
        if (r < 0) {
            int errno = Syscalls.errno(state);
            throw Syscalls.error("socket(" + domain + ", " + type + ", " + protocol + ") for " + what, errno,
                    errno == Errno.EAFNOSUPPORT || errno == Errno.EPROTONOSUPPORT
                            ? "the kernel has no such socket family or protocol" : null);
        }
        return Fd.of(r, "socket", what);
    }

    /** {@code bind(fd, address, address.byteSize())}. */
    public static void bind(OwnedFd socket, MemorySegment address, String operation) {
        MemorySegment state = Syscalls.captureState();
        int r;
        try {
            r = (int) BIND.invokeExact(state, socket.get(), address, (int) address.byteSize());
        } catch (Throwable t) {
            throw Syscalls.downcallFailed("bind", t);
        }
        if (r < 0) {
            throw Syscalls.error(operation, Syscalls.errno(state));
        }
    }

    /**
     * {@code sendmsg} of one buffer to {@code destination} (a socket address, or null for a
     * connected socket), retried on EINTR.
     *
     * @return the number of bytes sent
     */
    public static long sendMessage(OwnedFd socket, MemorySegment destination, MemorySegment data, int flags,
            String operation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(ValueLayout.ADDRESS, 0, data);
            iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
            MemorySegment msg = arena.allocate(MSGHDR);
            if (destination != null) {
                msg.set(ValueLayout.ADDRESS, MSG_NAME, destination);
                msg.set(ValueLayout.JAVA_INT, MSG_NAMELEN, (int) destination.byteSize());
            }
            msg.set(ValueLayout.ADDRESS, MSG_IOV, iov);
            msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
            return transfer(SENDMSG, "sendmsg", socket, msg, flags, operation);
        }
    }

    /**
     * {@code recvmsg} of one datagram into {@code buffer}, retried on EINTR. With
     * {@link #MSG_TRUNC} the result is the datagram's full length, which may exceed the buffer;
     * with {@link #MSG_PEEK} the datagram stays queued.
     *
     * @return the number of bytes received (the full length with {@code MSG_TRUNC})
     */
    public static long receiveMessage(OwnedFd socket, MemorySegment buffer, int flags, String operation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(ValueLayout.ADDRESS, 0, buffer);
            iov.set(ValueLayout.JAVA_LONG, 8, buffer.byteSize());
            MemorySegment msg = arena.allocate(MSGHDR);
            msg.set(ValueLayout.ADDRESS, MSG_IOV, iov);
            msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
            return transfer(RECVMSG, "recvmsg", socket, msg, flags, operation);
        }
    }

    private static long transfer(MethodHandle call, String name, OwnedFd socket, MemorySegment msg, int flags,
            String operation) {
        MemorySegment state = Syscalls.captureState();
        while (true) {
            long r;
            try {
                r = (long) call.invokeExact(state, socket.get(), msg, flags);
            } catch (Throwable t) {
                throw Syscalls.downcallFailed(name, t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = Syscalls.errno(state);
            if (errno != Errno.EINTR) {
                throw Syscalls.error(operation, errno);
            }
        }
    }
}
