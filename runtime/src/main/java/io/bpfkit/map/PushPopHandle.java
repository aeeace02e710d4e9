package io.bpfkit.map;

import static io.bpfkit.sys.Bpf.BPF_MAP_LOOKUP_AND_DELETE_ELEM;
import static io.bpfkit.sys.Bpf.BPF_MAP_LOOKUP_ELEM;
import static io.bpfkit.sys.Bpf.BPF_MAP_UPDATE_ELEM;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfPushPopMap;
import io.bpfkit.api.map.BpfQueue;
import io.bpfkit.api.map.BpfStack;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.MapCalls;

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
        push(value, Bpf.BPF_EXIST);
    }

    private boolean push(V value, long flags) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            values.encode(value, s.value, 0);
            long r = MapCalls.elem(s.attrAddress, s.callState, BPF_MAP_UPDATE_ELEM, fd, 0L, s.valueAddress, flags);
            if (r >= 0) {
                return true;
            }
            if (r == -Errno.E2BIG && flags == 0L) {
                return false;
            }
            throw error("BPF_MAP_UPDATE_ELEM (push)", r, null);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public V pop() {
        return take(BPF_MAP_LOOKUP_AND_DELETE_ELEM, "BPF_MAP_LOOKUP_AND_DELETE_ELEM (pop)");
    }

    @Override
    public V peek() {
        return take(BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM (peek)");
    }

    private V take(int cmd, String what) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            long r = MapCalls.elem(s.attrAddress, s.callState, cmd, fd, 0L, s.valueAddress, 0L);
            if (r >= 0) {
                return values.decode(s.value, 0);
            }
            if (r == -Errno.ENOENT) {
                return null;
            }
            throw error(what, r, null);
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
