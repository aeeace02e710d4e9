package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfLocalStorage;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.object.MapType;
import java.lang.foreign.ValueLayout;

/**
 * Task, socket, inode and cgroup local storage: the key is the descriptor of the object the
 * value belongs to (a pidfd, socket, open file or cgroup directory).
 */
final class LocalStorageHandle<V> extends MapHandle implements BpfLocalStorage<V> {
    private final Codec<V> values;
    private final Elements elements;

    LocalStorageHandle(MapRef ref, Codec<V> values) {
        super(ref, types(MapType.TASK_STORAGE, MapType.SK_STORAGE, MapType.INODE_STORAGE, MapType.CGRP_STORAGE));
        this.values = values;
        this.elements = new Elements(this, 4, values.size(), "the descriptor is not a " + owner() + ", or the "
                + "value does not fit the map");
    }

    private String owner() {
        return switch (ref.type()) {
            case TASK_STORAGE -> "pidfd (task storage is keyed by pidfd_open's descriptor)";
            case SK_STORAGE -> "socket";
            case INODE_STORAGE -> "descriptor of an open file";
            default -> "descriptor of a cgroup v2 directory";
        };
    }

    @Override
    public V get(int fd) {
        return elements.lookup(k -> k.set(ValueLayout.JAVA_INT, 0, fd), v -> values.decode(v, 0));
    }

    @Override
    public void put(int fd, V value) {
        put(fd, value, UpdateFlag.ANY);
    }

    @Override
    public boolean put(int fd, V value, UpdateFlag flag) {
        return elements.update(k -> k.set(ValueLayout.JAVA_INT, 0, fd), v -> values.encode(value, v, 0),
                KeyValueHandle.flags(flag));
    }

    @Override
    public boolean delete(int fd) {
        return elements.delete(k -> k.set(ValueLayout.JAVA_INT, 0, fd));
    }
}
