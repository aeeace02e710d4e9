package io.bpfkit.api;

/**
 * A file descriptor bpfkit owns: a map's, a program's, a link's, a perf event's. Exactly one
 * owner closes it, once; after that {@link #get()} throws, so a closed handle never reaches a
 * number the process has since reused. Handles bpfkit gives out (a loaded map's, a link's) stay
 * owned by what gave them out: use the number for calls bpfkit does not wrap, and leave closing
 * to the owner.
 *
 * <pre>{@code
 * OwnedFd fd = loaded.map("counts").orElseThrow().fd();
 * int raw = fd.get();          // e.g. for an ioctl, or to hand to another process
 * }</pre>
 */
public interface OwnedFd extends AutoCloseable {
    /**
     * The descriptor number.
     *
     * @throws IllegalStateException when it has been closed
     */
    int get();

    /** Whether it has been closed (or released by its owner). */
    boolean isClosed();

    /** What it refers to: {@code map}, {@code prog}, {@code link}, {@code perf event}, ... */
    String kind();

    /** The object's name for messages, or null. */
    String name();

    /** Closes the descriptor; a second call does nothing. */
    @Override
    void close();
}
