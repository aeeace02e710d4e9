package io.bpfkit.api.map;

import java.util.List;
import java.util.OptionalLong;

/**
 * A {@code BPF_MAP_TYPE_SOCKHASH}: sockets by a key of the program's choice (often the
 * connection's addresses), for {@code sk_msg} and {@code sk_skb} programs attached to the map.
 *
 * <pre>{@code
 * BpfSockHash<Integer> socks = BpfMaps.sockHash(loaded, "socks", Codecs.int32());
 * socks.put(7, clientFd);
 * socks.delete(7);
 * }</pre>
 *
 * @param <K> the key type
 */
public interface BpfSockHash<K> extends BpfMap {

    /**
     * Puts the socket with descriptor {@code socketFd} under {@code key}.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses the socket
     */
    void put(K key, int socketFd);

    /**
     * Takes the socket under {@code key} out of the map.
     *
     * @return false when the map had no such key
     */
    boolean delete(K key);

    /**
     * The cookie of the socket under {@code key}, or empty.
     *
     * @throws IllegalStateException when the map's values are 4 bytes
     */
    OptionalLong cookie(K key);

    /** The keys the map holds now. */
    List<K> keys();
}
