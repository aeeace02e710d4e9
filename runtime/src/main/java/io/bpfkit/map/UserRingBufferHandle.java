package io.bpfkit.map;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.RingBufferFullException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfUserRingBuffer;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code BPF_MAP_TYPE_USER_RINGBUF}, written from Java. The kernel lets user space map the
 * consumer page read-only (offset 0) and the producer page plus the data area writable (offset
 * one page; the data area is mapped twice, so a sample never wraps). A sample is an 8-byte
 * header ({@code len | BUSY}, 0) and its bytes, rounded up to 8. Reserving writes the header
 * with the busy bit and moves {@code producer_pos} on (store-release); submitting swaps the
 * header for the bare length (or length | DISCARD), which the kernel's drain reads with
 * load-acquire. Blocking reservations wait in {@code epoll} for {@code EPOLLOUT}, which the
 * kernel raises after a drain whenever the ring is not completely full.
 */
final class UserRingBufferHandle<R> extends MapHandle implements BpfUserRingBuffer<R> {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int BUSY = BpfFlags.BPF_RINGBUF_BUSY_BIT;
    private static final int DISCARD = BpfFlags.BPF_RINGBUF_DISCARD_BIT;
    private static final long HEADER = BpfFlags.BPF_RINGBUF_HDR_SZ;
    /** The kernel's limit on a dynptr's size ({@code DYNPTR_MAX_SIZE}): a larger sample stops every drain. */
    private static final long DYNPTR_MAX = (1L << 24) - 1;
    /** The longest single epoll wait, so that close() never waits long for a blocked producer. */
    private static final int WAIT_SLICE_MILLIS = 50;

    private final Codec<R> codec;
    private final long size;
    private final long mask;
    private final long maxSample;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    /** Serialises reservations (the producer position has one writer at a time). */
    private final ReentrantLock reserveLock = new ReentrantLock();
    /** Readers: every access to the mapping or the epoll descriptor; the writer: close. */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private OwnedFd epoll;
    private MemorySegment events;

    UserRingBufferHandle(MapRef ref, Codec<R> codec) {
        super(ref, types(MapType.USER_RINGBUF));
        this.codec = Objects.requireNonNull(codec, "codec");
        this.size = Integer.toUnsignedLong(ref.maxEntries());
        long page = Syscalls.pageSize();
        if (Long.bitCount(size) != 1 || size % page != 0) {
            throw new LoadException(what(), "has size " + size
                    + ": a user ring buffer is a power of two times the page size (" + page + ")");
        }
        this.mask = size - 1;
        this.maxSample = Math.min(size - HEADER, DYNPTR_MAX);
        if (codec.size() > maxSample) {
            throw new LoadException(what(), "a record of " + codec.size() + " bytes (" + codec.layout()
                    + ") does not fit a ring of " + size + " bytes, whose largest sample is " + maxSample + " bytes");
        }
        int fd = fdNumber();
        if ((Syscalls.fileStatusFlags(fd) & Syscalls.O_ACCMODE) != Syscalls.O_RDWR) {
            throw new LoadException(what(), "is open read-only (" + ref.fd()
                    + "): producing into a user ring buffer needs a read-write descriptor");
        }
        try {
            consumer = Syscalls.mmap(fd, page, Syscalls.PROT_READ, Syscalls.MAP_SHARED, 0, arena,
                    "mmap of the consumer page of user ring buffer " + name());
            MemorySegment writable = Syscalls.mmap(fd, page + 2 * size, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, page, arena, "mmap of the producer page and data of user ring buffer "
                            + name());
            producer = writable.asSlice(0, page);
            data = writable.asSlice(page, 2 * size);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public Codec<R> codec() {
        return codec;
    }

    @Override
    public long ringSize() {
        return size;
    }

    @Override
    public long maxSampleSize() {
        return maxSample;
    }

    @Override
    public long pendingBytes() {
        life.readLock().lock();
        try {
            checkOpen();
            return (long) LONG.getAcquire(producer, 0L) - (long) LONG.getAcquire(consumer, 0L);
        } finally {
            life.readLock().unlock();
        }
    }

    @Override
    public boolean offer(R record) {
        Objects.requireNonNull(record, "record");
        long at = reserveOrFail(codec.size(), -1L);
        if (at < 0) {
            return false;
        }
        encodeAndSubmit(record, at);
        return true;
    }

    @Override
    public void submit(R record, Duration timeout) {
        Objects.requireNonNull(record, "record");
        encodeAndSubmit(record, reserveOrFail(codec.size(), nanos(timeout)));
    }

    private void encodeAndSubmit(R record, long at) {
        try {
            codec.encode(record, data, at + HEADER);
        } catch (RuntimeException | Error e) {
            commit(at, codec.size() | DISCARD);
            throw e;
        }
        commit(at, codec.size());
    }

    @Override
    public Sample tryReserve(long bytes) {
        long at = reserveOrFail(bytes, -1L);
        return at < 0 ? null : new Reserved(at, bytes);
    }

    @Override
    public Sample reserve(long bytes, Duration timeout) {
        return new Reserved(reserveOrFail(bytes, nanos(timeout)), bytes);
    }

    private static long nanos(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        return timeout.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
    }

    /**
     * Reserves {@code bytes}; returns the header's offset in {@link #data}. {@code timeoutNanos}
     * negative: return -1 when full; otherwise wait that long, then throw.
     */
    private long reserveOrFail(long bytes, long timeoutNanos) {
        if (bytes < 0 || bytes > maxSample) {
            throw new IllegalArgumentException(what() + ": a sample of " + bytes + " bytes does not fit; the ring has "
                    + size + " bytes and takes samples of 0 to " + maxSample + " bytes (an 8-byte header each)");
        }
        long total = (bytes + HEADER + 7) & ~7L;
        long at = tryReserve(bytes, total);
        if (at >= 0 || timeoutNanos < 0) {
            return at;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        long backoff = 10_000;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RingBufferFullException(what() + " (user ring buffer of " + size + " bytes) has no room for a "
                        + bytes + "-byte sample (" + total + " bytes with header and padding) after "
                        + Duration.ofNanos(timeoutNanos) + ": " + (size - pendingBytes()) + " bytes free; the program"
                        + " draining it (bpf_user_ringbuf_drain) has not freed enough");
            }
            if (Thread.currentThread().isInterrupted()) { // the flag stays set for the caller
                throw new BpfException("interrupted while waiting for room for a " + bytes + "-byte sample in "
                        + what());
            }
            if (awaitRoom(left)) {
                // EPOLLOUT means "not completely full", not "room for this sample": back off
                // rather than spin while the drain frees the rest
                LockSupport.parkNanos(Math.min(backoff, left));
                backoff = Math.min(backoff * 2, 1_000_000);
            }
            at = tryReserve(bytes, total);
            if (at >= 0) {
                return at;
            }
        }
    }

    /** One attempt: the header's offset, or -1 when the ring has no {@code total} bytes free. */
    private long tryReserve(long bytes, long total) {
        life.readLock().lock();
        try {
            checkOpen();
            reserveLock.lock();
            try {
                long prod = (long) LONG.getAcquire(producer, 0L);
                long cons = (long) LONG.getAcquire(consumer, 0L);
                if (size - (prod - cons) < total) {
                    return -1;
                }
                long at = prod & mask;
                INT.set(data, at, (int) bytes | BUSY);
                INT.set(data, at + 4, 0);
                LONG.setRelease(producer, 0L, prod + total); // the drain now sees a busy sample
                return at;
            } finally {
                reserveLock.unlock();
            }
        } finally {
            life.readLock().unlock();
        }
    }

    /** Waits up to {@code nanos} (one slice at most) for EPOLLOUT; true when the ring said it has room. */
    private boolean awaitRoom(long nanos) {
        life.readLock().lock();
        try {
            checkOpen();
            OwnedFd ep = epoll();
            int millis = (int) Math.max(1, Math.min(WAIT_SLICE_MILLIS, (nanos + 999_999) / 1_000_000));
            return Syscalls.epollWait(ep, events, millis) > 0;
        } finally {
            life.readLock().unlock();
        }
    }

    /** The epoll set on the map, made on the first blocking reservation. */
    private synchronized OwnedFd epoll() {
        if (epoll == null) {
            OwnedFd ep = Syscalls.epollCreate(Syscalls.EPOLL_CLOEXEC);
            try {
                Syscalls.epollCtl(ep, Syscalls.EPOLL_CTL_ADD, fdNumber(), Syscalls.EPOLLOUT, 0);
                events = arena.allocate(Syscalls.EPOLL_EVENT, 1);
            } catch (RuntimeException e) {
                ep.close();
                throw e;
            }
            epoll = ep;
        }
        return epoll;
    }

    /** Clears the busy bit, publishing the sample's bytes written before (the swap is a full fence). */
    private void commit(long at, long header) {
        life.readLock().lock();
        try {
            checkOpen();
            INT.getAndSet(data, at, (int) header);
        } finally {
            life.readLock().unlock();
        }
    }

    @Override
    void releaseResources() {
        life.writeLock().lock();
        try {
            synchronized (this) {
                if (epoll != null) {
                    epoll.close();
                }
            }
            arena.close();
        } finally {
            life.writeLock().unlock();
        }
    }

    private final class Reserved implements Sample {
        private final long at;
        private final long bytes;
        private final MemorySegment segment;
        private boolean done;

        Reserved(long at, long bytes) {
            this.at = at;
            this.bytes = bytes;
            this.segment = data.asSlice(at + HEADER, bytes);
        }

        @Override
        public MemorySegment data() {
            return segment;
        }

        @Override
        public void submit() {
            finish(bytes);
        }

        @Override
        public void discard() {
            finish(bytes | DISCARD);
        }

        private synchronized void finish(long header) {
            if (done) {
                throw new IllegalStateException("this sample of " + name() + " was submitted or discarded already");
            }
            commit(at, header);
            done = true;
        }
    }
}
