package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfPushPopMap;
import io.bpfkit.api.map.BpfQueue;
import io.bpfkit.api.map.BpfStack;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.uapi.BpfFlags;

/** Queue and stack maps: no key; push is an update, pop a lookup-and-delete, peek a lookup. */
abstract class PushPopHandle<V> extends MapHandle implements BpfPushPopMap<V> {
    private final Codec<V> values;
    private final ScratchPool scratch;

    PushPopHandle(MapRef ref, MapType type, Codec<V> values) {
        super(ref, types(type));
        this.values = values;
        this.scratch = new ScratchPool(0, values.size());
    }

    @Override
    public boolean push(V value) {
        return push(value, 0L);
    }

    @Override
    public void pushOverwriting(V value) {
        push(value, BpfFlags.BPF_EXIST);
    }

    private boolean push(V value, long flags) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            values.encode(value, s.value, 0);
            return calls.push(s.attrAddress, s.callState, fd, s.valueAddress, flags);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public V pop() {
        return take(true);
    }

    @Override
    public V peek() {
        return take(false);
    }

    /** Pops ({@code remove}) or peeks at the next value; null when empty. */
    private V take(boolean remove) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            boolean found = remove ? calls.lookupAndDelete(s.attrAddress, s.callState, fd, 0L, s.valueAddress)
                    : calls.lookup(s.attrAddress, s.callState, fd, 0L, s.valueAddress);
            return found ? values.decode(s.value, 0) : null;
        } finally {
            scratch.release(s);
        }
    }

    /** {@code BPF_MAP_TYPE_QUEUE}. */
    static final class Queue<V> extends PushPopHandle<V> implements BpfQueue<V> {
        Queue(MapRef ref, Codec<V> values) {
            super(ref, MapType.QUEUE, values);
        }
    }

    /** {@code BPF_MAP_TYPE_STACK}. */
    static final class Stack<V> extends PushPopHandle<V> implements BpfStack<V> {
        Stack(MapRef ref, Codec<V> values) {
            super(ref, MapType.STACK, values);
        }
    }
}
