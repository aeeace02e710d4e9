package io.bpfkit.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A non-blocking {@code eventfd(2)}: one thread {@link #signal}s it to wake another that waits
 * in {@code epoll_wait} on it, e.g. to stop an event reader from another thread.
 *
 * <pre>{@code
 * EventFd wake = EventFd.create();
 * Syscalls.epollCtl(epoll, Syscalls.EPOLL_CTL_ADD, wake.fd().get(), Syscalls.EPOLLIN, -1);
 * wake.signal();      // the waiter returns from epoll_wait
 * wake.drain();
 * }</pre>
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final MethodHandle EVENTFD = Syscalls.downcall("eventfd",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Syscalls.CAPTURE);
    private static final MethodHandle WRITE = Syscalls.downcall("eventfd_write",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Syscalls.CAPTURE);
    private static final MethodHandle READ = Syscalls.downcall("eventfd_read",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Syscalls.CAPTURE);

    private final Fd fd;
    private final MemorySegment scratch = java.lang.foreign.Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);

    private EventFd(Fd fd) {
        this.fd = fd;
    }

    /** A new eventfd with counter 0. */
    public static EventFd create() {
        MemorySegment state = Syscalls.captureState();
        int r;
        try {
            r = (int) EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw Syscalls.downcallFailed("eventfd", t);
        }
        if (r < 0) {
            throw Syscalls.error("eventfd", Syscalls.errno(state));
        }
        return new EventFd(Fd.of(r, "eventfd", null));
    }

    public Fd fd() {
        return fd;
    }

    /** Adds 1 to the counter: the descriptor becomes readable. */
    public void signal() {
        MemorySegment state = Syscalls.captureState();
        int r;
        try {
            r = (int) WRITE.invokeExact(state, fd.get(), 1L);
        } catch (Throwable t) {
            throw Syscalls.downcallFailed("eventfd_write", t);
        }
        if (r < 0 && Syscalls.errno(state) != Errno.EAGAIN) {
            throw Syscalls.error("eventfd_write(" + fd + ")", Syscalls.errno(state));
        }
    }

    /** Resets the counter to 0; does nothing when it is 0 already. */
    public void drain() {
        MemorySegment state = Syscalls.captureState();
        try {
            int ignored = (int) READ.invokeExact(state, fd.get(), scratch);
        } catch (Throwable t) {
            throw Syscalls.downcallFailed("eventfd_read", t);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
