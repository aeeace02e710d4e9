package io.bpfkit.map;

import io.bpfkit.sys.MapCalls;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Single-element calls of the handles on maps of kernel objects (stack traces, sockets, devices,
 * CPUs, local storage): the key and value written and read through callbacks, on a handle's
 * reusable scratch memory, every errno but the ordinary answers thrown by {@link MapCalls}.
 */
final class Elements {
    private final MapHandle map;
    private final ScratchPool scratch;
    private final MapCalls calls;

    /** {@code invalidHint}: what EINVAL from an update means for this map type, or null. */
    Elements(MapHandle map, long keySize, long valueSize, String invalidHint) {
        this.map = map;
        this.scratch = new ScratchPool(keySize, Math.max(keySize, valueSize)); // the value also takes a next key
        this.calls = invalidHint == null ? map.calls : map.calls.withInvalidHint(invalidHint);
    }

    /** The value of the key {@code key} writes, as {@code read} decodes it; null when absent. */
    <T> T lookup(Consumer<MemorySegment> key, Function<MemorySegment, T> read) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            key.accept(s.key);
            return calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress) ? read.apply(s.value)
                    : null;
        } finally {
            scratch.release(s);
        }
    }

    /** Writes an element; false when {@code flags}' condition does not hold. */
    boolean update(Consumer<MemorySegment> key, Consumer<MemorySegment> value, long flags) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            key.accept(s.key);
            value.accept(s.value);
            return calls.update(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress, flags);
        } finally {
            scratch.release(s);
        }
    }

    /** Deletes an element; false when absent. */
    boolean delete(Consumer<MemorySegment> key) {
        int fd = map.fdNumber();
        Scratch s = scratch.take();
        try {
            key.accept(s.key);
            return calls.delete(s.attrAddress, s.callState, fd, s.keyAddress);
        } finally {
            scratch.release(s);
        }
    }

    /** Every key of the map, each decoded by {@code read}, in the kernel's order. */
    <K> java.util.List<K> keys(Function<MemorySegment, K> read) {
        int fd = map.fdNumber();
        java.util.List<K> out = new java.util.ArrayList<>();
        Scratch s = scratch.take();
        try {
            long previous = 0L; // null: the first key
            while (calls.nextKey(s.attrAddress, s.callState, fd, previous, s.valueAddress)) {
                out.add(read.apply(s.value));
                MemorySegment.copy(s.value, 0, s.key, 0, s.key.byteSize());
                previous = s.keyAddress;
            }
            return out;
        } finally {
            scratch.release(s);
        }
    }
}
