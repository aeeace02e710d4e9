package io.bpfkit.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A connected TCP pair on 127.0.0.1 made with libc (socket, bind, listen, connect, accept), so
 * that both ends have descriptors to put into sockmaps and socket storage; and pidfd_open.
 * Closing closes the three sockets.
 */
public final class LoopbackTcp implements AutoCloseable {
    private static final StructLayout STATE = Libc.STATE;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle CONNECT = handle("connect",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle ACCEPT = handle("accept",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle GETSOCKNAME = handle("getsockname",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SEND = handle("send",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, INT));
    private static final MethodHandle RECV = handle("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, INT));
    private static final MethodHandle SYSCALL = handle("syscall",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG));
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;

    /** The listening socket, the connecting end and the accepted end. */
    public final int listener;
    public final int client;
    public final int server;

    private LoopbackTcp(int listener, int client, int server) {
        this.listener = listener;
        this.client = client;
        this.server = server;
    }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return Libc.handle(name, d);
    }

    private static int check(String call, int r, MemorySegment state) {
        if (r < 0) {
            throw new IllegalStateException(call + " failed: errno " + Libc.errno(state));
        }
        return r;
    }

    /** Listens on an ephemeral port of 127.0.0.1, connects to it and accepts. */
    public static LoopbackTcp open() {
        int listener = -1;
        int client = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment addr = arena.allocate(16);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            addr.set(INT.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
            MemorySegment len = arena.allocate(INT);
            listener = check("socket", (int) SOCKET.invokeExact(state, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), state);
            check("bind", (int) BIND.invokeExact(state, listener, addr, 16), state);
            check("listen", (int) LISTEN.invokeExact(state, listener, 4), state);
            len.set(INT, 0, 16);
            check("getsockname", (int) GETSOCKNAME.invokeExact(state, listener, addr, len), state);
            client = check("socket", (int) SOCKET.invokeExact(state, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), state);
            check("connect", (int) CONNECT.invokeExact(state, client, addr, 16), state);
            int server = check("accept", (int) ACCEPT.invokeExact(state, listener, MemorySegment.NULL,
                    MemorySegment.NULL), state);
            return new LoopbackTcp(listener, client, server);
        } catch (Throwable t) {
            if (client >= 0) {
                Libc.close(client);
            }
            if (listener >= 0) {
                Libc.close(listener);
            }
            throw t instanceof IllegalStateException e ? e : new IllegalStateException(t);
        }
    }

    /** send(2) of {@code bytes} on {@code fd}; returns how many were sent. */
    public static long send(int fd, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long r = (long) SEND.invokeExact(state, fd, buf, (long) bytes.length, 0);
            if (r < 0) {
                check("send", -1, state);
            }
            return r;
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException(t);
        }
    }

    /**
     * What {@code fd} receives within {@code millis} (polling without blocking), up to
     * {@code max} bytes; empty when nothing came.
     */
    public static byte[] receive(int fd, int max, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment buf = arena.allocate(max);
            while (true) {
                long r = (long) RECV.invokeExact(state, fd, buf, (long) max, MSG_DONTWAIT);
                if (r > 0) {
                    return Arrays.copyOf(buf.toArray(ValueLayout.JAVA_BYTE), (int) r);
                }
                if (r == 0 || Libc.errno(state) != EAGAIN) {
                    check("recv", r == 0 ? -1 : (int) r, state);
                }
                if (System.nanoTime() > deadline) {
                    return new byte[0];
                }
                Thread.sleep(5);
            }
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException(t);
        }
    }

    /** pidfd_open(2) of process {@code pid}; the caller closes it. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long r = (long) SYSCALL.invokeExact(state, (long) SyscallNumbers.of("pidfd_open"), (long) pid, 0L);
            return check("pidfd_open", (int) r, state);
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e : new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        Libc.close(server);
        Libc.close(client);
        Libc.close(listener);
    }
}
