package io.bpfkit.sys;

import io.bpfkit.api.KernelException;
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

/**
 * The raw system calls bpfkit needs, through libc's {@code syscall(2)} with errno captured in
 * the same downcall (so no JVM activity can overwrite it). The only place with downcalls.
 */
@SuppressWarnings("restricted") // the one place that calls native code, by design
public final class Syscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * {@code long syscall(long nr, long cmd, void *attr, long size)}, for bpf(2). The variadic
     * arguments are passed as longs because glibc reads every one of them as a long.
     */
    private static final MethodHandle SYSCALL_LONG_PTR_LONG = LINKER.downcallHandle(
            LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LIBC.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private static final long NR_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64", "riscv64", "loongarch64" -> 280;
        case "s390x" -> 351;
        case "ppc64le", "ppc64" -> 361;
        default -> -1;
    };

    private Syscalls() {
    }

    /** The number of {@code bpf(2)} on this architecture, or -1 when unknown. */
    public static long bpfSyscallNumber() {
        return NR_BPF;
    }

    /**
     * Calls {@code bpf(cmd, attr, size)}.
     *
     * @return the non-negative result
     * @throws KernelException with the errno when the call fails
     */
    public static int bpf(int cmd, MemorySegment attr, String operation) {
        if (NR_BPF < 0) {
            throw new KernelException(operation, Errno.ENOSYS, "ENOSYS",
                    "bpfkit does not know the bpf(2) number on " + System.getProperty("os.arch"));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long r = (long) SYSCALL_LONG_PTR_LONG.invokeExact(state, NR_BPF, (long) cmd, attr, attr.byteSize());
            if (r < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new KernelException(operation, errno, Errno.name(errno), Errno.hint(errno));
            }
            return (int) r;
        } catch (KernelException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("bpf(2) downcall failed", t);
        }
    }

    /** Closes a file descriptor; errors other than EINTR are reported. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) CLOSE.invokeExact(state, fd);
            if (r < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != Errno.EINTR) {
                    throw new KernelException("close(" + fd + ")", errno, Errno.name(errno), null);
                }
            }
        } catch (KernelException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }
}
