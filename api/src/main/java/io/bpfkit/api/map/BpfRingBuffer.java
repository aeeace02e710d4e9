package io.bpfkit.api.map;

import io.bpfkit.api.codec.Codec;

/**
 * A ring buffer whose records are {@code R}: the map side of a {@code BPF_MAP_TYPE_RINGBUF}
 * together with the codec that decodes each record, so a reader needs nothing else. In a
 * binding, declare the record type and javac supplies the generated codec (checked against the
 * object's struct of the same name):
 *
 * <pre>{@code
 * @Map BpfRingBuffer<ExecEvent> events();
 *
 * try (ExecProbe probe = ExecProbeBinding.open().load();
 *      RingBufferReader reader = RingBufferReader.builder()
 *              .add(probe.events(), e -> System.out.println(e.commandLine()))
 *              .build()) {
 *     reader.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * @param <R> the record type
 */
public interface BpfRingBuffer<R> extends BpfRingBufferMap {

    /** The codec of one record: {@code codec().decode(data, offset)} in a zero-copy handler. */
    Codec<R> codec();
}
