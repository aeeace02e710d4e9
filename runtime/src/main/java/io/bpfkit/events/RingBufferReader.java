package io.bpfkit.events;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.events.RecordHandler;
import io.bpfkit.api.map.BpfRingBuffer;
import io.bpfkit.api.map.BpfRingBufferMap;
import io.bpfkit.events.PollingReader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Reads one or more BPF ring buffers ({@code BPF_MAP_TYPE_RINGBUF}) the way libbpf's
 * {@code ring_buffer__poll} does, in Java: the consumer page is mapped writable, the producer
 * page and the data area (mapped twice by the kernel, so no record is ever split) read-only;
 * {@code epoll} waits for data. Records are handed over in place as a zero-copy view
 * ({@link RecordHandler}: no allocation per record) or decoded by a {@link Codec}. Records the
 * program discarded are skipped.
 *
 * <pre>{@code
 * try (RingBufferReader reader = RingBufferReader.builder()
 *         .add(obj.map("events").orElseThrow(), (data, offset, length) -> count++)
 *         .add(obj.map("execs").orElseThrow(), execCodec, exec -> System.out.println(exec))
 *         .busyPoll(Duration.ofMicros(50))          // optional: spin before sleeping
 *         .build()) {
 *     Thread.ofVirtual().start(() -> { while (!reader.isClosed()) reader.poll(Duration.ofMillis(100)); });
 *     ...
 * }                                                   // wakes the poller, then unmaps
 * }</pre>
 *
 * <p>One thread polls at a time (a lock keeps others out); {@link #close()} may be called from
 * any thread, including from a handler.
 */
public final class RingBufferReader extends PollingReader {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int BUSY = BpfFlags.BPF_RINGBUF_BUSY_BIT;
    private static final int DISCARD = BpfFlags.BPF_RINGBUF_DISCARD_BIT;
    private static final int HEADER = BpfFlags.BPF_RINGBUF_HDR_SZ;

    private final Ring[] rings;

    /**
     * One mapped ring: positions and data, and who gets its records. The loop reads positions
     * and headers at their addresses through {@link Syscalls#UNSCOPED_MEMORY}: it runs under the
     * poll lock, which {@link #close()} takes before unmapping, and stops at once when a
     * handler closes the reader. Handlers get {@code data}, which checks.
     */
    private static final class Ring {
        final String name;
        final long consumerAt;
        final long producerAt;
        final MemorySegment data;
        final long dataAt;
        final long mask;
        final long releaseStep;
        final RecordHandler handler;

        Ring(String name, MemorySegment consumer, MemorySegment producer, MemorySegment data, long size,
                RecordHandler handler) {
            this.name = name;
            this.consumerAt = consumer.address();
            this.producerAt = producer.address();
            this.data = data;
            this.dataAt = data.address();
            this.mask = size - 1;
            this.releaseStep = Math.max(size / 16, 1);
            this.handler = handler;
        }
    }

    private RingBufferReader(List<Source> sources, long busyPollNanos) {
        super(busyPollNanos);
        rings = new Ring[sources.size()];
        try {
            long page = Syscalls.pageSize();
            for (int i = 0; i < rings.length; i++) {
                Source s = sources.get(i);
                int fd = s.map.getAsInt();
                long size = s.size;
                MemorySegment cons = Syscalls.mmap(fd, page, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                        Syscalls.MAP_SHARED, 0, arena, "mmap of the consumer page of ring buffer " + s.name);
                MemorySegment prod = Syscalls.mmap(fd, page + 2 * size, Syscalls.PROT_READ, Syscalls.MAP_SHARED,
                        page, arena, "mmap of the data of ring buffer " + s.name);
                rings[i] = new Ring(s.name, cons, prod, prod.asSlice(page, 2 * size), size, s.handler);
                watch(fd, i);
            }
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Consumes every ring until none has a committed record left. */
    @Override
    protected int consumeAll() {
        int total = 0;
        for (Ring r : rings) {
            total += consume(r);
            if (closedInHandler()) {
                break;
            }
        }
        return total;
    }

    /**
     * Walks one ring's committed records in stretches that end at the producer's position, at
     * the next release of space to the kernel (a sixteenth of the ring) or at the end of the
     * ring's first mapping, whichever comes first, so that the loop over a stretch's records
     * compares one offset with one bound. The walk is a chain of dependent loads (each header
     * gives the next record's offset); the data area is mapped twice, so a record that starts
     * in the ring can be read on past its end. Fewer instructions per record matter beyond
     * the one-thread figure: on a host whose other hardware thread shares this core the time
     * per record grows with the instructions it takes (BENCHMARKS.md, "Ring buffer slow mode").
     */
    private int consume(Ring r) {
        final MemorySegment memory = Syscalls.UNSCOPED_MEMORY;
        final MemorySegment data = r.data;
        final long dataAt = r.dataAt;
        final long mask = r.mask;
        final long consumerAt = r.consumerAt;
        final RecordHandler handler = r.handler;
        int n = 0;
        long cons = (long) LONG.getAcquire(memory, consumerAt);
        long prod = (long) LONG.getAcquire(memory, r.producerAt);
        while (cons < prod) {
            final long first = cons & mask;
            final long end = first + Math.min(prod - cons, Math.min(r.releaseStep, mask + 1 - first));
            long offset = first;
            do {
                int header = (int) INT.getAcquire(memory, dataAt + offset);
                if ((header & (BUSY | DISCARD)) != 0) {
                    if ((header & BUSY) != 0) { // reserved but not yet committed: everything after waits for it
                        if (offset != first) {
                            LONG.setRelease(memory, consumerAt, cons + offset - first);
                        }
                        return n;
                    }
                    offset += (header + HEADER + 7) & ~(BUSY | DISCARD | 7);
                    continue;
                }
                long step = (header + HEADER + 7) & ~7;
                n++;
                try {
                    handler.onRecord(data, offset + HEADER, header);
                } catch (RuntimeException | Error e) {
                    if (!closedInHandler()) { // skip the record that failed, as libbpf does
                        LONG.setRelease(memory, consumerAt, cons + offset + step - first);
                    }
                    throw e;
                }
                if (closedInHandler()) { // the mapping is gone
                    return n;
                }
                offset += step;
            } while (offset < end);
            // The space goes back to the kernel only after the handler is done with it, once
            // per stretch: a store per record costs a tenth of a record's time, and a producer
            // still always finds most of the ring free.
            cons += offset - first;
            LONG.setRelease(memory, consumerAt, cons);
            if (cons >= prod) {
                prod = (long) LONG.getAcquire(memory, r.producerAt);
            }
        }
        return n;
    }

    /** Bytes committed but not yet consumed in ring {@code index} (for monitoring). */
    public long available(int index) {
        Ring r = rings[index];
        return locked(() -> (long) LONG.getAcquire(Syscalls.UNSCOPED_MEMORY, r.producerAt)
                - (long) LONG.getAcquire(Syscalls.UNSCOPED_MEMORY, r.consumerAt));
    }

    /** The number of ring buffers this reader polls. */
    public int ringCount() {
        return rings.length;
    }

    @Override
    protected void release() {
        // the mappings go with the arena; the maps belong to their loaded object
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Ring r : rings) {
            names.add(r.name);
        }
        return "RingBufferReader" + names + (isClosed() ? " closed" : "");
    }

    private record Source(String name, IntSupplier map, long size, RecordHandler handler) {
    }

    /** Collects ring buffers and their handlers. */
    public static final class Builder {
        private final List<Source> sources = new ArrayList<>();
        private long busyPollNanos;

        private Builder() {
        }

        /** A ring buffer map of a loaded object, its records handed over as zero-copy views. */
        public Builder add(LoadedMap map, RecordHandler handler) {
            if (map.spec().mapType() != MapType.RINGBUF) {
                throw new BpfException("map '" + map.name() + "' is a " + map.spec().mapType()
                        + " map, not a ring buffer (BPF_MAP_TYPE_RINGBUF)");
            }
            // the kernel's size, not the object's: the loader rounds a ring buffer up to a
            // power-of-two number of pages
            long size = Integer.toUnsignedLong(Bpf.mapInfo(map.fd()).maxEntries());
            return add(map.name(), map.fd()::get, size, handler);
        }

        /**
         * A ring buffer map handle (from a generated binding or {@code BpfMaps.ringBuffer}), its
         * records handed over as zero-copy views; the handle keeps owning the map.
         */
        public Builder add(BpfRingBufferMap map, RecordHandler handler) {
            return add(map.name(), map::fileDescriptor, map.ringSize(), handler);
        }

        /**
         * A ring buffer of records (from a binding's {@code @Map BpfRingBuffer<R>} or
         * {@code BpfMaps.ringBuffer(obj, name, codec)}), each decoded by its codec for {@code consumer}.
         */
        public <T> Builder add(BpfRingBuffer<T> ring, Consumer<? super T> consumer) {
            return add(ring, ring.codec(), consumer);
        }

        /** A ring buffer map handle, each record decoded by {@code codec} for {@code consumer}. */
        public <T> Builder add(BpfRingBufferMap map, Codec<T> codec, Consumer<? super T> consumer) {
            return add(map, decoding(map.name(), codec, consumer));
        }

        /** A ring buffer map of a loaded object, each record decoded by {@code codec} for {@code consumer}. */
        public <T> Builder add(LoadedMap map, Codec<T> codec, Consumer<? super T> consumer) {
            return add(map, decoding(map.name(), codec, consumer));
        }

        /** A ring buffer map by descriptor (e.g. opened from a pin); its size is asked from the kernel. */
        public Builder add(OwnedFd map, RecordHandler handler) {
            MapInfo info = Bpf.mapInfo(map);
            if (info.type() != MapType.RINGBUF.value()) {
                throw new BpfException(map + " is not a ring buffer map (type " + info.type() + ")");
            }
            return add(map.name() == null ? map.toString() : map.name(), map::get, info.maxEntries(), handler);
        }

        private Builder add(String name, IntSupplier fd, long size, RecordHandler handler) {
            if (handler == null) {
                throw new IllegalArgumentException("no handler for ring buffer " + name);
            }
            if (Long.bitCount(size) != 1 || size % Syscalls.pageSize() != 0) {
                throw new BpfException("ring buffer " + name + " has size " + size
                        + ": must be a power of two and a multiple of the page size");
            }
            sources.add(new Source(name, fd, size, handler));
            return this;
        }

        /** Spins up to {@code max} checking for records before each epoll sleep (lowest latency, burns a CPU). */
        public Builder busyPoll(Duration max) {
            if (max.isNegative()) {
                throw new IllegalArgumentException("negative busy-poll time");
            }
            busyPollNanos = max.toNanos();
            return this;
        }

        /** Maps the rings; the reader owns the mappings, not the maps. */
        public RingBufferReader build() {
            if (sources.isEmpty()) {
                throw new IllegalStateException("no ring buffer added");
            }
            return new RingBufferReader(List.copyOf(sources), busyPollNanos);
        }
    }

    /** A handler that decodes with {@code codec}; records shorter than the codec's size are an error. */
    public static <T> RecordHandler decoding(String ring, Codec<T> codec, Consumer<? super T> consumer) {
        long need = codec.size();
        return (data, offset, length) -> {
            if (length < need) {
                throw new BpfException("record of " + length + " bytes in ring buffer " + ring + " is shorter than "
                        + "its codec's " + need + " bytes");
            }
            consumer.accept(codec.decode(data, offset));
        };
    }
}
