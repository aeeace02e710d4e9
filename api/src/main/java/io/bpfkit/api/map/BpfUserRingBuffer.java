package io.bpfkit.api.map;

import io.bpfkit.api.RingBufferFullException;
import io.bpfkit.api.codec.Codec;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The producer side of a {@code BPF_MAP_TYPE_USER_RINGBUF}: Java writes samples, a program
 * reads them with {@code bpf_user_ringbuf_drain(&map, callback, ctx, 0)}, each handed to the
 * callback as a dynptr. Typed records of {@code R} are encoded by {@link #codec()}; samples of
 * any size go through {@link #tryReserve}/{@link #reserve}, written in place and then
 * submitted or discarded (a discarded sample is skipped by the drain).
 *
 * <pre>{@code
 * @Map BpfUserRingBuffer<Command> commands();                  // in a binding, or
 * BpfUserRingBuffer<Command> commands = BpfMaps.userRingBuffer(obj, "commands", RecordCodec.of(Command.class));
 *
 * if (!commands.offer(new Command(1, 42))) { ... }             // full: false, never blocks
 * commands.submit(new Command(2, 7), Duration.ofSeconds(1));    // waits for room, else RingBufferFullException
 *
 * BpfUserRingBuffer.Sample s = commands.reserve(100, Duration.ofSeconds(1));
 * s.data().setString(0, "variable-size payload");
 * s.submit();                                                   // or s.discard()
 * }</pre>
 *
 * <p>Thread-safety: several threads may produce at once. Reservations are serialised by a lock
 * (libbpf's producer is single-threaded); a sample can be submitted or discarded from any thread
 * and in any order, but the drain stops at the oldest sample not yet submitted, so hold a
 * reservation only briefly. Closing the handle unmaps the ring: the segments of samples still
 * held then throw {@link IllegalStateException}.
 *
 * @param <R> the record type
 */
public interface BpfUserRingBuffer<R> extends BpfMap {

    /** The codec of one record, {@code codec().size()} bytes per sample. */
    Codec<R> codec();

    /** The ring's size in bytes ({@code max_entries}, a power of two times the page size). */
    default long ringSize() {
        return Integer.toUnsignedLong(info().maxEntries());
    }

    /**
     * The largest sample this ring takes: the ring less the 8-byte sample header, and at most
     * what a dynptr holds ({@code 2^24 - 1} bytes).
     */
    long maxSampleSize();

    /** Bytes the drain has not yet freed, headers and padding included (for monitoring). */
    long pendingBytes();

    /** Encodes {@code record} into the ring and submits it; false, without blocking, when there is no room. */
    boolean offer(R record);

    /**
     * Encodes {@code record} into the ring and submits it, waiting up to {@code timeout} for
     * the drain to free room.
     *
     * @throws RingBufferFullException when there is still no room after {@code timeout}
     * @throws io.bpfkit.api.BpfException when the thread is interrupted while waiting (its
     *     interrupt status stays set)
     */
    void submit(R record, Duration timeout);

    /**
     * Reserves a sample of {@code size} bytes; null, without blocking, when there is no room.
     *
     * @throws IllegalArgumentException when {@code size} is negative or above {@link #maxSampleSize()}
     */
    Sample tryReserve(long size);

    /**
     * Reserves a sample of {@code size} bytes, waiting up to {@code timeout} for room.
     *
     * @throws RingBufferFullException when there is still no room after {@code timeout}
     * @throws IllegalArgumentException when {@code size} is negative or above {@link #maxSampleSize()}
     */
    Sample reserve(long size, Duration timeout);

    /** A reserved sample: write {@link #data()}, then {@link #submit()} or {@link #discard()} it once. */
    interface Sample {

        /** The sample's bytes, in the ring itself (valid until submitted or discarded). */
        MemorySegment data();

        /** Hands the sample to the drain. */
        void submit();

        /** Gives the space back without the drain's callback seeing the sample. */
        void discard();
    }
}
