package io.bpfkit.examples.xdpcount;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.api.map.BpfPerCpuArray;

/**
 * The Java side of {@code xdpcount.bpf.c}: packets counted by protocol, per CPU. The program
 * is not attached on load: attach it to an interface with {@code Attach.xdp}, or run it on
 * crafted packets with {@code TestRun} (see {@code XdpCountTestRunTest}).
 *
 * <pre>{@code
 * try (XdpCountProbe p = XdpCountProbeBinding.open().load();
 *      Link link = Attach.xdp(p.countPackets(), Attach.ifindex("eth0"), XdpMode.GENERIC)) {
 *     Thread.sleep(1000);
 *     long udp4 = p.packets().get(Protocol.IPV4_UDP.index()).sum(Long::longValue);
 * }
 * }</pre>
 */
@BpfObject("/io/bpfkit/examples/xdpcount.bpf.o")
public interface XdpCountProbe extends AutoCloseable {

    /** Packets per {@link Protocol#index()}, one counter per CPU. */
    @Map
    BpfPerCpuArray<@Unsigned Long> packets();

    @Program
    BpfProgram countPackets();

    @Override
    void close();
}
