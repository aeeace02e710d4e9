package io.bpfkit.sys;

import io.bpfkit.api.OwnedFd;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An owned file descriptor: exactly one {@code Fd} owns a descriptor, and closing it closes
 * the descriptor once. After {@link #close()} (or {@link #release()}), {@link #get()} throws
 * {@link IllegalStateException}, so a closed handle never reaches a descriptor number the
 * process has since reused for something else.
 *
 * <p>{@code close()} is idempotent and thread-safe (an atomic swap decides which caller
 * closes). A thread that has already read the number with {@link #get()} while another
 * closes can still pass a stale number to a system call; owners that share an {@code Fd}
 * across threads must not close it while it is in use.
 *
 * <pre>{@code
 * try (Fd map = Bpf.mapCreate(MapCreateAttr.builder(1, 4, 8, 1024).name("counts").build())) {
 *     System.out.println(map);         // map fd 7 (counts)
 *     int raw = map.get();             // for a system call
 * }
 * }</pre>
 */
public final class Fd implements OwnedFd {
    private static final VarHandle FD;

    static {
        try {
            FD = MethodHandles.lookup().findVarHandle(Fd.class, "fd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through FD
    private volatile int fd;
    private final String kind;
    private final String name;

    private Fd(int fd, String kind, String name) {
        this.fd = fd;
        this.kind = kind;
        this.name = name;
    }

    /**
     * Takes ownership of {@code fd}.
     *
     * @param kind what it is, e.g. {@code map}, {@code prog}, {@code link}, {@code perf event}
     * @param name the object's name for messages, or null
     */
    public static Fd of(int fd, String kind, String name) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return new Fd(fd, kind, name);
    }

    /** The descriptor number, for a system call. */
    @Override
    public int get() {
        int v = (int) FD.getVolatile(this);
        if (v < 0) {
            throw new IllegalStateException("closed: " + this);
        }
        return v;
    }

    /** Whether this handle was closed or released. */
    @Override
    public boolean isClosed() {
        return (int) FD.getVolatile(this) < 0;
    }

    /** What the descriptor refers to, e.g. {@code map}. */
    @Override
    public String kind() {
        return kind;
    }

    /** The object's name, or null. */
    @Override
    public String name() {
        return name;
    }

    /**
     * Gives up ownership without closing: returns the number, and this handle behaves as
     * closed afterwards. For handing the descriptor to another owner.
     */
    public int release() {
        int v = (int) FD.getAndSet(this, -1);
        if (v < 0) {
            throw new IllegalStateException("closed: " + this);
        }
        return v;
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        int v = (int) FD.getAndSet(this, -1);
        if (v >= 0) {
            Syscalls.close(v);
        }
    }

    /** E.g. {@code map fd 7 (counts)}, or {@code map fd closed (counts)}. */
    @Override
    public String toString() {
        int v = (int) FD.getVolatile(this);
        String s = kind + " fd " + (v < 0 ? "closed" : Integer.toString(v));
        return name == null || name.isEmpty() ? s : s + " (" + name + ")";
    }
}
