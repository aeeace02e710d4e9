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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle UNLINKAT = handle("unlinkat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Libc() {
    }

    /** A call's return value and, when it is -1, its errno. */
    public record Result(int value, int errno) {
        public boolean ok() {
            return value != -1;
        }
    }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d,
                Linker.Option.captureCallState("errno"));
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
}
