package io.bpfkit.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * An AF_XDP socket bound (copy mode) to one receive queue of a device, with the least the
 * kernel asks for before the bind: a registered UMEM of 16 frames, fill, completion and RX
 * rings of 16 entries. The rings are not mapped: the socket is only put into an XSKMAP.
 */
public final class AfXdpSocket implements AutoCloseable {
    private static final StructLayout STATE = Libc.STATE;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final int AF_XDP = 44;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_XDP = 283;
    private static final int XDP_RX_RING = 2;
    private static final int XDP_UMEM_REG = 4;
    private static final int XDP_UMEM_FILL_RING = 5;
    private static final int XDP_UMEM_COMPLETION_RING = 6;
    private static final short XDP_COPY = 1 << 1;
    private static final int FRAME = 4096;
    private static final int FRAMES = 16;

    /** The socket's descriptor. */
    public final int fd;
    private final Arena umem;

    private AfXdpSocket(int fd, Arena umem) {
        this.fd = fd;
        this.umem = umem;
    }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return Libc.handle(name, d);
    }

    /** Thrown when a step fails; {@link #errno} says why. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int errno;

        Refused(String step, int errno) {
            super(step + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    private static void check(String step, int r, MemorySegment state) {
        if (r < 0) {
            throw new Refused(step, Libc.errno(state));
        }
    }

    /** Binds a new AF_XDP socket to queue {@code queue} of the device with index {@code ifindex}. */
    public static AfXdpSocket bind(int ifindex, int queue) {
        Arena umem = Arena.ofShared();
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            fd = (int) SOCKET.invokeExact(state, AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
            check("socket(AF_XDP)", fd, state);
            MemorySegment frames = umem.allocate((long) FRAME * FRAMES, FRAME);
            MemorySegment reg = arena.allocate(24, 8); // struct xdp_umem_reg as of 4.18
            reg.set(ValueLayout.JAVA_LONG, 0, frames.address());
            reg.set(ValueLayout.JAVA_LONG, 8, frames.byteSize());
            reg.set(INT, 16, FRAME);
            reg.set(INT, 20, 0);
            check("XDP_UMEM_REG", (int) SETSOCKOPT.invokeExact(state, fd, SOL_XDP, XDP_UMEM_REG, reg, 24), state);
            MemorySegment entries = arena.allocate(INT);
            entries.set(INT, 0, FRAMES);
            for (int ring : new int[] {XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING, XDP_RX_RING}) {
                check("ring " + ring, (int) SETSOCKOPT.invokeExact(state, fd, SOL_XDP, ring, entries, 4), state);
            }
            MemorySegment addr = arena.allocate(16, 4); // struct sockaddr_xdp
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_XDP);
            addr.set(ValueLayout.JAVA_SHORT, 2, XDP_COPY);
            addr.set(INT, 4, ifindex);
            addr.set(INT, 8, queue);
            check("bind(AF_XDP)", (int) BIND.invokeExact(state, fd, addr, 16), state);
            return new AfXdpSocket(fd, umem);
        } catch (Throwable t) {
            if (fd >= 0) {
                Libc.close(fd);
            }
            umem.close();
            throw t instanceof RuntimeException e ? e : new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
        umem.close();
    }
}
