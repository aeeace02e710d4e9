package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_XSKMAP}: AF_XDP sockets, by receive queue, that XDP programs redirect
 * packets to. The kernel takes only sockets bound to a device and queue, and does not read
 * entries back to user space.
 *
 * <pre>{@code
 * BpfXskMap xsks = BpfMaps.xskMap(loaded, "xsks");
 * xsks.set(0, xskFd);                   // an AF_XDP socket bound to queue 0
 * xsks.clear(0);
 * }</pre>
 */
public interface BpfXskMap extends BpfMap {

    /**
     * Puts the AF_XDP socket with descriptor {@code xskFd} in slot {@code queue}.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses it (EOPNOTSUPP: not an AF_XDP
     *     socket, or one not bound yet)
     */
    void set(int queue, int xskFd);

    /** Empties slot {@code queue}, whether it held a socket or not (the kernel does not tell). */
    void clear(int queue);

    /** The number of slots. */
    int length();
}
