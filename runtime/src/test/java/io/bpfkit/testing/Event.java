package io.bpfkit.testing;

import io.bpfkit.api.codec.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/** struct event of events.bpf.c, and a hand-written codec for it. */
public record Event(long seq, long value, int cpu, int tag, long pad) {
    public static final long GOLDEN = 0x9e3779b97f4a7c15L;

    /** The value events.bpf.c stores for {@code seq}. */
    public static long valueOf(long seq) {
        return seq * GOLDEN;
    }

    public static final Codec<Event> CODEC = new Codec<>() {
        private final StructLayout layout = MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("seq"),
                ValueLayout.JAVA_LONG.withName("value"), ValueLayout.JAVA_INT.withName("cpu"),
                ValueLayout.JAVA_INT.withName("tag"), ValueLayout.JAVA_LONG.withName("pad"));

        @Override
        public MemoryLayout layout() {
            return layout;
        }

        @Override
        public void encode(Event v, MemorySegment target, long offset) {
            target.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, v.seq());
            target.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8, v.value());
            target.set(ValueLayout.JAVA_INT_UNALIGNED, offset + 16, v.cpu());
            target.set(ValueLayout.JAVA_INT_UNALIGNED, offset + 20, v.tag());
            target.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 24, v.pad());
        }

        @Override
        public Event decode(MemorySegment source, long offset) {
            return new Event(source.get(ValueLayout.JAVA_LONG_UNALIGNED, offset),
                    source.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8),
                    source.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16),
                    source.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 20),
                    source.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 24));
        }
    };

    /** Whether the fields are what the program writes for this seq. */
    public boolean wellFormed() {
        return value == valueOf(seq) && pad == ~seq;
    }
}
