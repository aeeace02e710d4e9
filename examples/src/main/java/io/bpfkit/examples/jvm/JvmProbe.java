package io.bpfkit.examples.jvm;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfRingBuffer;

/**
 * The Java side of {@code jvm.bpf.c}: HotSpot's USDT probes turned into {@link JvmEvent}s.
 * Each program is a bare {@code SEC("usdt")}: attach it to its probe of a libjvm.so with
 * {@code Attach.usdt}, for every process or one.
 *
 * <pre>{@code
 * try (JvmProbe p = JvmProbeBinding.open().load();
 *      Link gc = Attach.usdt(p.onGcEnd(), UsdtOptions.of("libjvm.so", "hotspot", "gc__end").pid(pid))) {
 *     ...
 * }
 * }</pre>
 */
@BpfObject("/io/bpfkit/examples/jvm.bpf.o")
public interface JvmProbe extends AutoCloseable {

    /** What the JVMs did, decoded by the generated codec. */
    @Map
    BpfRingBuffer<JvmEvent> events();

    /** {@code hotspot:gc__begin}. */
    @Program
    BpfProgram onGcBegin();

    /** {@code hotspot:gc__end}. */
    @Program
    BpfProgram onGcEnd();

    /** {@code hotspot:class__loaded}. */
    @Program
    BpfProgram onClassLoaded();

    /** {@code hotspot:class__unloaded}. */
    @Program
    BpfProgram onClassUnloaded();

    /** {@code hotspot:method__compile__begin}. */
    @Program
    BpfProgram onCompileBegin();

    /** {@code hotspot:method__compile__end}. */
    @Program
    BpfProgram onCompileEnd();

    /** {@code hotspot:thread__start}. */
    @Program
    BpfProgram onThreadStart();

    /** {@code hotspot:thread__stop}. */
    @Program
    BpfProgram onThreadStop();

    /** {@code hotspot:monitor__contended__enter} (JVMs with -XX:+ExtendedDTraceProbes only). */
    @Program
    BpfProgram onMonitorContended();

    /** Events dropped because the ring buffer was full. */
    @Global
    @Unsigned
    long lost();

    @Override
    void close();
}
