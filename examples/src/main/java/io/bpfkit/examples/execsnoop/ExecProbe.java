package io.bpfkit.examples.execsnoop;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfRingBuffer;

/**
 * The Java side of {@code execsnoop.bpf.c}: one {@link ExecEvent} per successful exec, through a
 * ring buffer. javac checks it (and {@link ExecEvent} against {@code struct exec_event}) against
 * the object and writes {@code ExecProbeBinding}, with the codec that decodes each event.
 *
 * <pre>{@code
 * try (ExecProbe probe = ExecProbeBinding.open().load();      // attached on load
 *      RingBufferReader reader = RingBufferReader.builder()
 *              .add(probe.events(), e -> System.out.println(e.commandLine()))
 *              .build()) {
 *     while (true) reader.poll(Duration.ofMillis(100));
 * }
 * }</pre>
 */
@BpfObject("/io/bpfkit/examples/execsnoop.bpf.o")
public interface ExecProbe extends AutoCloseable {

    /** {@link ExecEvent}s, decoded by the generated codec. */
    @Map
    BpfRingBuffer<ExecEvent> events();

    @Program(autoAttach = true)
    BpfProgram onExec();

    /** Events dropped because the ring buffer was full. */
    @Global
    @Unsigned
    long lost();

    @Override
    void close();
}
