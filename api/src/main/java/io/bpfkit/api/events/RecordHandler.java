package io.bpfkit.api.events;

import java.lang.foreign.MemorySegment;

/**
 * Receives one record of a ring buffer or perf buffer as a zero-copy view: the record's bytes
 * are {@code length} bytes of {@code data} starting at {@code offset}. The view is valid only
 * during the call (the reader hands the space back to the kernel right after); copy what you
 * keep. A codec decodes it in place: {@code codec.decode(data, offset)}.
 *
 * <pre>{@code
 * RecordHandler h = (data, offset, length) -> total += data.get(ValueLayout.JAVA_LONG, offset);
 * }</pre>
 */
@FunctionalInterface
public interface RecordHandler {

    /** One record; {@code data} must not be used after this returns. */
    void onRecord(MemorySegment data, long offset, int length);
}
