package io.bpfkit.map;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfSockHash;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Errno;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Sockmaps and sockhashes: an update writes a socket's descriptor (a 4- or 8-byte value), a
 * lookup reads back the socket's cookie, which the kernel gives only for 8-byte values.
 */
abstract class SockMapHandle extends MapHandle {
    private static final String INVALID = "the descriptor is no socket this map can hold (TCP, UDP or unix, "
            + "connected or listening), or the key is outside the map";
    private final Elements elements;

    SockMapHandle(MapRef ref, MapType type, long keySize) {
        super(ref, types(type));
        if (ref.keySize() != keySize || (ref.valueSize() != 4 && ref.valueSize() != 8)) {
            throw new LoadException(what(), "has " + ref.keySize() + "-byte keys and " + ref.valueSize()
                    + "-byte values; the handle needs " + keySize + "-byte keys and 4- or 8-byte socket values");
        }
        this.elements = new Elements(this, keySize, ref.valueSize(), INVALID);
    }

    final void put(Consumer<MemorySegment> key, int socketFd) {
        long valueSize = ref.valueSize();
        elements.update(key, v -> {
            if (valueSize == 8) {
                v.set(ValueLayout.JAVA_LONG, 0, socketFd);
            } else {
                v.set(ValueLayout.JAVA_INT, 0, socketFd);
            }
        }, BpfFlags.BPF_ANY);
    }

    final boolean remove(Consumer<MemorySegment> key) {
        return elements.delete(key);
    }

    final OptionalLong cookieOf(Consumer<MemorySegment> key) {
        if (ref.valueSize() != 8) {
            throw new IllegalStateException(what() + " has 4-byte values: the kernel reads back socket cookies "
                    + "only from maps with 8-byte values");
        }
        Long cookie = elements.lookup(key, v -> v.get(ValueLayout.JAVA_LONG, 0));
        return cookie == null ? OptionalLong.empty() : OptionalLong.of(cookie);
    }

    final Elements elements() {
        return elements;
    }

    /** {@code BPF_MAP_TYPE_SOCKMAP}. */
    static final class Array extends SockMapHandle implements BpfSockMap {
        Array(MapRef ref) {
            super(ref, MapType.SOCKMAP, 4);
        }

        @Override
        public void set(int index, int socketFd) {
            put(slot(index), socketFd);
        }

        @Override
        public boolean clear(int index) {
            try {
                return remove(slot(index));
            } catch (KernelException e) {
                if (e.errno() == Errno.EINVAL) {
                    return false; // a sockmap answers the delete of an empty slot (in range) so
                }
                throw e;
            }
        }

        @Override
        public OptionalLong cookie(int index) {
            return cookieOf(slot(index));
        }

        @Override
        public int length() {
            return ref.maxEntries();
        }

        private Consumer<MemorySegment> slot(int index) {
            if (index < 0 || index >= ref.maxEntries()) {
                throw new IndexOutOfBoundsException("slot " + index + " is outside sockmap '" + name() + "' of "
                        + ref.maxEntries() + " slots");
            }
            return k -> k.set(ValueLayout.JAVA_INT, 0, index);
        }
    }

    /** {@code BPF_MAP_TYPE_SOCKHASH}. */
    static final class Hash<K> extends SockMapHandle implements BpfSockHash<K> {
        private final Codec<K> keys;

        Hash(MapRef ref, Codec<K> keys) {
            super(ref, MapType.SOCKHASH, keys.size());
            this.keys = keys;
        }

        @Override
        public void put(K key, int socketFd) {
            put(encode(key), socketFd);
        }

        @Override
        public boolean delete(K key) {
            return remove(encode(key));
        }

        @Override
        public OptionalLong cookie(K key) {
            return cookieOf(encode(key));
        }

        @Override
        public List<K> keys() {
            return elements().keys(k -> keys.decode(k, 0));
        }

        private Consumer<MemorySegment> encode(K key) {
            return k -> keys.encode(key, k, 0);
        }
    }
}
