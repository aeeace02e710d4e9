package io.bpfkit.events;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.events.EventReader;
import io.bpfkit.sys.EventFd;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the ring buffer and perf buffer readers share: an epoll set over their descriptors
 * plus an eventfd that {@link #close()} signals, one poller at a time (a lock), an optional
 * bounded busy-poll before sleeping, and a shutdown that wakes a blocked poller before the
 * subclass releases its mappings. Subclasses say how to consume what is there.
 */
public abstract class PollingReader implements EventReader {
    private static final long WAKEUP = -1L;

    /** Memory that lives as long as the reader: mappings, scratch, the epoll event array. */
    protected final Arena arena = Arena.ofShared();
    private final OwnedFd epoll;
    private final EventFd wakeup;
    private final long busyPollNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final MemorySegment events;
    private volatile boolean closed;
    /** How many times a poller has gone to epoll_wait: tests close a reader once one is there. */
    private volatile long sleeps;
    /** Set when a handler closes the reader from inside a poll: plain, read per record on the hot path. */
    private boolean closedInHandler;

    /** Opens the epoll set and the wake-up descriptor; on failure releases what it made. */
    protected PollingReader(long busyPollNanos) {
        this.busyPollNanos = busyPollNanos;
        OwnedFd ep = Syscalls.epollCreate(Syscalls.EPOLL_CLOEXEC);
        try {
            this.wakeup = EventFd.create();
            Syscalls.epollCtl(ep, Syscalls.EPOLL_CTL_ADD, wakeup.fd().get(), Syscalls.EPOLLIN, WAKEUP);
        } catch (RuntimeException e) {
            ep.close();
            arena.close();
            throw e;
        }
        this.epoll = ep;
        this.events = arena.allocate(Syscalls.EPOLL_EVENT, 64);
    }

    /** Adds a descriptor to wait on, with a number the subclass may use. */
    protected final void watch(int fd, int index) {
        Syscalls.epollCtl(epoll, Syscalls.EPOLL_CTL_ADD, fd, Syscalls.EPOLLIN, index);
    }

    /** For a constructor that failed after the super constructor: releases everything. */
    protected final void abandon() {
        closed = true;
        epoll.close();
        wakeup.close();
        release();
        arena.close();
    }

    /** Hands every record available now to its handler; returns how many. Runs under the lock. */
    protected abstract int consumeAll();

    /** Releases the subclass's descriptors (the arena is closed after this). Runs under the lock. */
    protected abstract void release();

    @Override
    public final int poll(Duration timeout) {
        int timeoutMillis = timeout.isNegative() ? -1 : (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE);
        lock.lock();
        try {
            checkOpen();
            int n = consumeAll();
            if (n > 0 || closed) {
                return n;
            }
            if (busyPollNanos > 0) {
                long end = System.nanoTime() + busyPollNanos;
                do {
                    Thread.onSpinWait();
                    n = consumeAll();
                    if (n > 0 || closed) {
                        return n;
                    }
                } while (System.nanoTime() - end < 0);
            }
            sleeps++; // under the lock: one writer
            int ready = Syscalls.epollWait(epoll, events, timeoutMillis);
            if (closed) {
                return 0;
            }
            for (int i = 0; i < ready; i++) {
                if (Syscalls.epollData(events, i) == WAKEUP) {
                    wakeup.drain();
                }
            }
            return ready > 0 ? consumeAll() : 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final int consume() {
        lock.lock();
        try {
            checkOpen();
            return consumeAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code body} under the poll lock on an open reader. */
    protected final long locked(java.util.function.LongSupplier body) {
        lock.lock();
        try {
            checkOpen();
            return body.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a handler closed the reader during the current pass: the consume loops check it
     * after each record (another thread's close waits for the pass to end, so it needs no
     * volatile read here).
     */
    protected final boolean closedInHandler() {
        return closedInHandler;
    }

    /** How many times a poller has been about to block in epoll_wait (package-private, for tests). */
    long sleeps() {
        return sleeps;
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** Wakes a poller blocked in epoll_wait, waits for it to leave, then releases everything; idempotent. */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (lock.isHeldByCurrentThread()) {
            closedInHandler = true;
        }
        wakeup.signal();
        lock.lock();
        try {
            epoll.close();
            wakeup.close();
            release();
            if (arena.scope().isAlive()) {
                arena.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
