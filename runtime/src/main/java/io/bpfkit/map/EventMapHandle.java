package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfPerfEventArrayMap;
import io.bpfkit.api.map.BpfRingBuffer;
import io.bpfkit.api.map.BpfRingBufferMap;
import java.util.Objects;
import io.bpfkit.object.MapType;

/**
 * The map side of ring buffers and perf event arrays: name, descriptor, info, pin. The events
 * API reads from them.
 */
abstract class EventMapHandle extends MapHandle {
    EventMapHandle(MapRef ref, MapType type) {
        super(ref, types(type));
    }

    /** {@code BPF_MAP_TYPE_RINGBUF}. */
    static final class RingBuffer extends EventMapHandle implements BpfRingBufferMap {
        RingBuffer(MapRef ref) {
            super(ref, MapType.RINGBUF);
        }
    }

    /** {@code BPF_MAP_TYPE_RINGBUF} with the codec of its records. */
    static final class Records<R> extends EventMapHandle implements BpfRingBuffer<R> {
        private final Codec<R> codec;

        Records(MapRef ref, Codec<R> codec) {
            super(ref, MapType.RINGBUF);
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        @Override
        public Codec<R> codec() {
            return codec;
        }
    }

    /** {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}. */
    static final class PerfEventArray extends EventMapHandle implements BpfPerfEventArrayMap {
        PerfEventArray(MapRef ref) {
            super(ref, MapType.PERF_EVENT_ARRAY);
        }
    }
}
