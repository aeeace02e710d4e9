package io.bpfkit.map;

import static io.bpfkit.sys.Bpf.BPF_MAP_DELETE_ELEM;
import static io.bpfkit.sys.Bpf.BPF_MAP_LOOKUP_ELEM;
import static io.bpfkit.sys.Bpf.BPF_MAP_UPDATE_ELEM;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.MapCalls;
import java.lang.foreign.ValueLayout;
import java.util.OptionalInt;

/**
 * The slots of a map whose values are descriptors of other kernel objects (program arrays,
 * maps of maps): written with a descriptor, read back as the object's id.
 */
final class FdSlots {
    private final MapHandle map;
    private final Codec<Object> keys;
    private final ScratchPool scratch;

    @SuppressWarnings("unchecked")
    FdSlots(MapHandle map, Codec<?> keys) {
        this.map = map;
        this.keys = (Codec<Object>) keys;
        if (keys.size() != map.ref.keySize() || map.ref.valueSize() != 4) {
            throw new IllegalArgumentException(map.what() + " has " + map.ref.keySize() + "-byte keys and "
                    + map.ref.valueSize() + "-byte values; the key codec " + keys + " is " + keys.size()
                    + " bytes (values must be 4-byte descriptors)");
        }
        this.scratch = new ScratchPool(keys.size(), 4);
    }

    void set(Object key, int objectFd) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            s.value.set(ValueLayout.JAVA_INT, 0, objectFd);
            long r = MapCalls.elem(s.attrAddress, s.callState, BPF_MAP_UPDATE_ELEM, fd, s.keyAddress, s.valueAddress, 0L);
            if (r < 0) {
                throw map.error("BPF_MAP_UPDATE_ELEM of slot " + key, r, "the program or map does not fit this map: "
                        + "program type, or inner map type, key and value size");
            }
        } finally {
            scratch.release(s);
        }
    }

    boolean delete(Object key) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            long r = MapCalls.elem(s.attrAddress, s.callState, BPF_MAP_DELETE_ELEM, fd, s.keyAddress, 0L, 0L);
            if (r >= 0 || r == -Errno.ENOENT) {
                return r >= 0;
            }
            throw map.error("BPF_MAP_DELETE_ELEM of slot " + key, r, null);
        } finally {
            scratch.release(s);
        }
    }

    OptionalInt id(Object key) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            long r = MapCalls.elem(s.attrAddress, s.callState, BPF_MAP_LOOKUP_ELEM, fd, s.keyAddress, s.valueAddress, 0L);
            if (r >= 0) {
                return OptionalInt.of(s.value.get(ValueLayout.JAVA_INT, 0));
            }
            if (r == -Errno.ENOENT) {
                return OptionalInt.empty();
            }
            throw map.error("BPF_MAP_LOOKUP_ELEM of slot " + key, r, null);
        } finally {
            scratch.release(s);
        }
    }
}
