package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.uapi.BpfFlags;
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
    private final MapCalls calls;

    @SuppressWarnings("unchecked")
    FdSlots(MapHandle map, Codec<?> keys) {
        this.map = map;
        this.keys = (Codec<Object>) keys;
        if (keys.size() != map.ref.keySize() || map.ref.valueSize() != 4) {
            throw new LoadException(map.what(), "has " + map.ref.keySize() + "-byte keys and "
                    + map.ref.valueSize() + "-byte values; the key codec " + keys + " is " + keys.size()
                    + " bytes (values must be 4-byte descriptors)");
        }
        this.scratch = new ScratchPool(keys.size(), 4);
        this.calls = map.calls.withInvalidHint("the program or map does not fit this map: program type, or inner map "
                + "type, key and value size");
    }

    void set(Object key, int objectFd) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            s.value.set(ValueLayout.JAVA_INT, 0, objectFd);
            calls.update(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress, BpfFlags.BPF_ANY);
        } finally {
            scratch.release(s);
        }
    }

    boolean delete(Object key) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            return calls.delete(s.attrAddress, s.callState, fd, s.keyAddress);
        } finally {
            scratch.release(s);
        }
    }

    OptionalInt id(Object key) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            keys.encode(key, s.key, 0);
            return calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress)
                    ? OptionalInt.of(s.value.get(ValueLayout.JAVA_INT, 0)) : OptionalInt.empty();
        } finally {
            scratch.release(s);
        }
    }
}
