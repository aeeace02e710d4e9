package io.bpfkit.sys;

import io.bpfkit.api.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A netlink socket to the kernel ({@code socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)},
 * bound to a port id the kernel picks) with extended acknowledgements on: the kernel's error
 * replies carry its own message ({@code NETLINK_EXT_ACK}) and leave out the request they answer
 * ({@code NETLINK_CAP_ACK}). Bytes in, bytes out: building and parsing messages is
 * {@code io.bpfkit.netlink}'s job.
 *
 * <p>The socket belongs to the network namespace of the thread that opened it, for its whole
 * life. Calls are serialized: one thread at a time sends and receives.
 *
 * <pre>{@code
 * try (NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, "rtnetlink")) {
 *     s.send(request, "RTM_GETLINK");
 *     byte[] reply = s.receive("RTM_GETLINK");
 * }
 * }</pre>
 */
public final class NetlinkSocket implements AutoCloseable {
    /** The routing family: links, addresses, qdiscs, filters. */
    public static final int NETLINK_ROUTE = 0;
    /** {@code SOL_NETLINK}: the level of the netlink socket options. */
    public static final int SOL_NETLINK = 270;
    /** Error replies carry only the header of the failed request, not all of it. */
    public static final int NETLINK_CAP_ACK = 10;
    /** Error replies carry the kernel's message and the offset of the offending attribute. */
    public static final int NETLINK_EXT_ACK = 11;

    private static final int INITIAL_BUFFER = 32 * 1024;

    private final Fd fd;
    private final String what;
    private int bufferSize = INITIAL_BUFFER;

    private NetlinkSocket(Fd fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /**
     * Opens and binds a netlink socket of {@code protocol} with {@code NETLINK_EXT_ACK} and
     * {@code NETLINK_CAP_ACK} set.
     *
     * @param what its purpose, for messages (e.g. {@code rtnetlink})
     */
    public static NetlinkSocket open(int protocol, String what) {
        Fd fd = Sockets.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW, protocol, what);
        try {
            Sockets.setIntOption(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, 1, "setsockopt NETLINK_EXT_ACK on " + what);
            Sockets.setIntOption(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, 1, "setsockopt NETLINK_CAP_ACK on " + what);
            try (Arena arena = Arena.ofConfined()) {
                Sockets.bind(fd, sockaddrKernel(arena), "bind of netlink socket (" + what + ")");
            }
            return new NetlinkSocket(fd, what);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** {@code struct sockaddr_nl} with port id 0 and no groups: the kernel, or "pick one for me" in bind. */
    private static MemorySegment sockaddrKernel(Arena arena) {
        MemorySegment a = arena.allocate(12, 4);
        a.set(ValueLayout.JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
        return a;
    }

    /** Sends one message (or a batch of them) to the kernel. */
    public synchronized void send(byte[] message, String operation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(message.length, 8);
            MemorySegment.copy(message, 0, data, ValueLayout.JAVA_BYTE, 0, message.length);
            long sent = Sockets.sendMessage(fd, sockaddrKernel(arena), data, 0, operation);
            if (sent != message.length) {
                throw new BpfException(operation + ": sendmsg sent " + sent + " of " + message.length
                        + " bytes on " + what);
            }
        }
    }

    /**
     * Receives the next datagram from the kernel, whatever its size (it is peeked at first to
     * size the buffer); blocks until one arrives.
     */
    public synchronized byte[] receive(String operation) {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(bufferSize, 8);
                long length = Sockets.receiveMessage(fd, buf, Sockets.MSG_PEEK | Sockets.MSG_TRUNC, operation);
                if (length > bufferSize) {
                    bufferSize = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(length, 2L * bufferSize));
                    continue;
                }
                long got = Sockets.receiveMessage(fd, buf, 0, operation);
                return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            }
        }
    }

    /** The socket's descriptor. */
    public Fd fd() {
        return fd;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "NetlinkSocket[" + what + ", " + fd + "]";
    }
}
