package io.bpfkit.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The system calls kernel tests trigger programs with, called through libc as a C test would,
 * each returning the call's result and the errno it left ({@link Result}). Java's own file and
 * socket APIs choose the system call themselves ({@code Files.delete} is unlink(2), not
 * unlinkat(2)); these say exactly which one runs.
 */
@SuppressWarnings("restricted") // calls libc directly
public final class Libc {
    public static final int AT_FDCWD = -100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int AF_INET = 2;
    public static final int IPPROTO_TCP = 6;
    /** {@code TCP_CONGESTION}: the socket's congestion control, by name. */
    public static final int TCP_CONGESTION = 13;

    private static final Linker LINKER = Linker.nativeLinker();
    /** The errno capture of a downcall made with {@link #handle}. */
    static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle UNLINKAT = handle("unlinkat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKOPT = handle("getsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle CONNECT = handle("connect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private Libc() {
    }

    /** A call's return value and, when it is -1, its errno. */
    public record Result(int value, int errno) {
        public boolean ok() {
            return value != -1;
        }
    }

    /** A libc function capturing errno into a segment of {@link #STATE}; for this package's helpers. */
    static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d,
                Linker.Option.captureCallState("errno"));
    }

    /** The errno a downcall captured into {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** unlinkat(2). */
    public static Result unlinkat(int dirfd, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int r = (int) UNLINKAT.invokeExact(state, dirfd, arena.allocateFrom(path), flags);
            return new Result(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** socket(2); the caller closes a socket it got ({@link #close}). */
    public static Result socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int r = (int) SOCKET.invokeExact(state, domain, type, protocol);
            return new Result(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** socket(2) of an AF_UNIX socket, closed again at once when made: whether it can be made. */
    public static Result unixSocketAndClose(int type) {
        Result r = socket(AF_UNIX, type, 0);
        if (r.ok()) {
            close(r.value());
        }
        return r;
    }

    /** close(2). */
    public static Result close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int r = (int) CLOSE.invokeExact(state, fd);
            return new Result(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** setsockopt(2) with a string value (as {@code TCP_CONGESTION} takes it: the name, no NUL). */
    public static Result setsockopt(int fd, int level, int option, String value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            MemorySegment v = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, v, ValueLayout.JAVA_BYTE, 0, bytes.length);
            int r = (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, bytes.length);
            return new Result(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** getsockopt(2) of a string option (up to 64 bytes), e.g. {@code TCP_CONGESTION}. */
    public static String getsockoptString(int fd, int level, int option) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment v = arena.allocate(64);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 64);
            int r = (int) GETSOCKOPT.invokeExact(state, fd, level, option, v, len);
            if (r == -1) {
                throw new IllegalStateException("getsockopt(" + level + ", " + option + "): errno "
                        + (int) ERRNO.get(state, 0L));
            }
            return v.reinterpret(len.get(ValueLayout.JAVA_INT, 0)).getString(0);
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException(t);
        }
    }

    /** connect(2) of an AF_INET socket to 127.0.0.1:{@code port}. */
    public static Result connectLoopback(int fd, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment addr = arena.allocate(16);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            addr.set(ValueLayout.JAVA_SHORT.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2, (short) port);
            addr.set(ValueLayout.JAVA_INT.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
            int r = (int) CONNECT.invokeExact(state, fd, addr, 16);
            return new Result(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** write(2) of all of {@code bytes}, looping over short writes; the first failure is returned. */
    public static Result writeAll(int fd, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment buf = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long done = 0;
            while (done < bytes.length) {
                long r = (long) WRITE.invokeExact(state, fd, buf.asSlice(done), (long) bytes.length - done);
                if (r == -1) {
                    return new Result(-1, (int) ERRNO.get(state, 0L));
                }
                done += r;
            }
            return new Result((int) done, 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
