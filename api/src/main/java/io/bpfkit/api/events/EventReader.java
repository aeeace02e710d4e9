package io.bpfkit.api.events;

import java.time.Duration;

/**
 * Reads events a BPF program emits (ring buffers, perf buffers) and hands them to handlers
 * on the thread that calls {@link #poll} or {@link #consume}: any thread the caller chooses,
 * virtual threads included. {@link #close()} may be called from any thread: a thread blocked
 * in {@code poll} wakes and returns, then the reader releases its memory and descriptors.
 *
 * <pre>{@code
 * try (EventReader reader = ...) {
 *     while (running) {
 *         reader.poll(Duration.ofMillis(100));   // handlers run here
 *     }
 * }
 * }</pre>
 */
public interface EventReader extends AutoCloseable {

    /**
     * Waits up to {@code timeout} for events (after a bounded busy-poll when the reader was
     * built with one), then hands every available event to its handler.
     *
     * @return the number of records handled; 0 on timeout or when the reader was closed meanwhile
     * @throws IllegalStateException when the reader was closed before the call
     */
    int poll(Duration timeout);

    /** Hands every event available now to its handler without waiting; returns how many. */
    int consume();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Wakes a thread blocked in {@link #poll}, then releases everything; idempotent. */
    @Override
    void close();
}
