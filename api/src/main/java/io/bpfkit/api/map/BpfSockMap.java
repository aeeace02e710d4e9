package io.bpfkit.api.map;

import java.util.OptionalLong;

/**
 * A {@code BPF_MAP_TYPE_SOCKMAP}: slots of sockets (TCP, UDP, unix) that {@code sk_msg} and
 * {@code sk_skb} programs attached to the map see and redirect between. Attach those programs
 * with the runtime's {@code Attach.sockMap(program, map)}.
 *
 * <pre>{@code
 * BpfSockMap socks = BpfMaps.sockMap(loaded, "socks");
 * socks.set(0, clientFd);                       // a connected socket's descriptor
 * long cookie = socks.cookie(0).orElseThrow();  // the socket's cookie (8-byte values only)
 * socks.clear(0);
 * }</pre>
 */
public interface BpfSockMap extends BpfMap {

    /**
     * Puts the socket with descriptor {@code socketFd} in slot {@code index}.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses the socket (EOPNOTSUPP: not a
     *     socket it can hold, e.g. a TCP socket that is neither connected nor listening)
     */
    void set(int index, int socketFd);

    /**
     * Takes the socket out of slot {@code index}.
     *
     * @return false when the slot was empty
     */
    boolean clear(int index);

    /**
     * The cookie ({@code SO_COOKIE}) of the socket in slot {@code index}, or empty when the slot is
     * empty.
     *
     * @throws IllegalStateException when the map's values are 4 bytes (the kernel reads back
     *     cookies only from maps with 8-byte values)
     */
    OptionalLong cookie(int index);

    /** The number of slots. */
    int length();
}
