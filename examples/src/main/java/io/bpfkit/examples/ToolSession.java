package io.bpfkit.examples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long an example tool traces: until {@code --duration} has passed or the user presses
 * Ctrl-C, whichever comes first; either way the tool then prints what it saw and closes its
 * BPF object (the shutdown hook waits for that, so Ctrl-C still prints the results).
 *
 * <pre>{@code
 * try (ToolSession session = new ToolSession(seconds)) {   // Double.POSITIVE_INFINITY: until Ctrl-C
 *     session.await();                   // or: while (session.active()) reader.poll(...);
 *     print(results);
 * }
 * }</pre>
 */
public final class ToolSession implements AutoCloseable {
    private final Thread main = Thread.currentThread();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::interruptAndWait, "bpfkit-tool-stop");
    private final long end;
    private volatile boolean stopping;

    /** A session of {@code seconds} ({@link Double#POSITIVE_INFINITY}: until Ctrl-C), from now. */
    public ToolSession(double seconds) {
        end = Double.isInfinite(seconds) ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the session goes on: its time has not run out and nobody pressed Ctrl-C. */
    public boolean active() {
        return !stopping && end - System.nanoTime() > 0;
    }

    /** Sleeps while the session is {@link #active()}; returns early on Ctrl-C or an interrupt. */
    public void await() {
        try {
            for (long left; !stopping && (left = end - System.nanoTime()) > 0; ) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        } catch (InterruptedException e) {
            // Ctrl-C: the tool prints what it has
        }
    }

    private void interruptAndWait() {
        stopping = true;
        main.interrupt();
        try {
            finished.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Thread.interrupted(); // a Ctrl-C interrupt is handled: the tool's output is complete
        finished.countDown();
        if (!stopping) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }
}
