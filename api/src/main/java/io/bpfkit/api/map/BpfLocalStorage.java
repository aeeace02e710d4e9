package io.bpfkit.api.map;

/**
 * A local storage map: a value attached to each kernel object a program asks about, freed with
 * the object. From user space the object is named by a descriptor:
 * <ul>
 *   <li>{@code BPF_MAP_TYPE_TASK_STORAGE}: a pidfd ({@code pidfd_open}) of the task;</li>
 *   <li>{@code BPF_MAP_TYPE_SK_STORAGE}: the socket's descriptor;</li>
 *   <li>{@code BPF_MAP_TYPE_INODE_STORAGE}: a descriptor of an open file;</li>
 *   <li>{@code BPF_MAP_TYPE_CGRP_STORAGE}: a descriptor of the cgroup's directory.</li>
 * </ul>
 *
 * <pre>{@code
 * BpfLocalStorage<Stats> perSocket = BpfMaps.localStorage(loaded, "sk_stats", RecordCodec.of(Stats.class));
 * Stats s = perSocket.get(socketFd);          // null when the socket has none
 * perSocket.put(socketFd, new Stats(0, 0));
 * perSocket.delete(socketFd);
 * }</pre>
 *
 * @param <V> the value type
 */
public interface BpfLocalStorage<V> extends BpfMap {

    /** The value stored for the object of descriptor {@code fd}, or null. */
    V get(int fd);

    /**
     * Stores {@code value} for the object of descriptor {@code fd}.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses (EBADF: a descriptor of
     *     another kind of object)
     */
    void put(int fd, V value);

    /**
     * Stores {@code value} if {@code flag} allows it.
     *
     * @return false when the object had a value ({@link UpdateFlag#NO_EXIST}) or had none
     *     ({@link UpdateFlag#EXIST})
     */
    boolean put(int fd, V value, UpdateFlag flag);

    /**
     * Deletes the value of the object of descriptor {@code fd}.
     *
     * @return false when it had none
     */
    boolean delete(int fd);
}
