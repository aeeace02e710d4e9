package io.bpfkit.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.testing.Events;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** BPF_PROG_TEST_RUN through the public API: XDP, tc, socket, raw_tp and syscall programs. */
@KernelTest
class TestRunTest {

    static byte[] packet(int size) {
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @Test
    void xdpProgramRewritesThePacketAndReturnsItsVerdict() {
        try (LoadedObject obj = Events.load()) {
            byte[] in = packet(64);
            TestRun.Result r = TestRun.of(Events.program(obj, "xdp_flip")).data(in).run();
            assertEquals(3, r.returnValue(), "XDP_TX");
            assertEquals(64, r.fullDataSize());
            byte[] out = r.data();
            assertEquals((byte) ~in[0], out[0]);
            for (int i = 1; i < 64; i++) {
                assertEquals(in[i], out[i]);
            }
            assertFalse(r.duration().isNegative());
            TestRun.Result many = TestRun.of(Events.program(obj, "xdp_count")).data(in).repeat(1000).run();
            assertEquals(2, many.returnValue(), "XDP_PASS");
            assertTrue(many.duration().compareTo(Duration.ofMillis(1)) < 0, "mean time of one run: " + many.duration());
        }
    }

    @Test
    void tcAndSocketFilterPrograms() {
        try (LoadedObject obj = Events.load()) {
            assertEquals(-1, TestRun.of(Events.program(obj, "tcx_ingress_count")).data(packet(64)).run().returnValue(),
                    "TCX_NEXT");
            assertEquals(100 - 14, TestRun.of(Events.program(obj, "sock_count")).data(packet(100)).run().returnValue(),
                    "skb->len: a socket filter sees the packet after its Ethernet header");
            // too little output space is the kernel's ENOSPC, said plainly
            KernelException e = assertThrows(KernelException.class,
                    () -> TestRun.of(Events.program(obj, "xdp_flip")).data(packet(64)).dataOutSize(16).run());
            assertEquals("ENOSPC", e.errnoName());
            assertTrue(e.getMessage().contains("too small"), e.getMessage());
        }
    }

    @Test
    void rawTracepointProgramWithArgumentsOnAChosenCpu() {
        try (LoadedObject obj = Events.load()) {
            TestRun.Result r = TestRun.of(Events.program(obj, "emit_rb")).arguments(0, 7, 0, 1).cpu(0).run();
            assertEquals(7, r.returnValue(), "events reserved");
            assertEquals(0, r.context().length, "raw_tp gives no context back");
            // a tc program's __sk_buff goes in and comes back when asked for
            byte[] skb = new byte[192];
            java.nio.ByteBuffer.wrap(skb).order(java.nio.ByteOrder.nativeOrder()).putInt(8, 0x1234); // mark
            TestRun.Result tc = TestRun.of(Events.program(obj, "tcx_ingress_count")).data(packet(64))
                    .context(skb).contextOutSize(192).run();
            assertEquals(192, tc.context().length);
            assertEquals(0x1234, java.nio.ByteBuffer.wrap(tc.context()).order(java.nio.ByteOrder.nativeOrder()).getInt(8),
                    "__sk_buff.mark");
        }
    }

    @Test
    void syscallProgram() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("programs.bpf.o"));
        spec.program("dump_task").orElseThrow().autoload(false); // reads task->pid through CO-RE
        try (LoadedObject obj = BpfLoader.load(spec)) {
            TestRun.Result r = TestRun.of(obj.program("run_loop").orElseThrow()).run();
            assertEquals(45, r.returnValue(), "sum of 0..9 through bpf_loop");
            assertTrue(r.duration().compareTo(Duration.ofSeconds(1)) < 0);
        }
    }

    @Test
    void whatTheKernelRefusesIsAKernelException() {
        try (LoadedObject obj = Events.load()) {
            // XDP programs cannot be pinned to a CPU
            KernelException e = assertThrows(KernelException.class,
                    () -> TestRun.of(Events.program(obj, "xdp_flip")).data(packet(64)).cpu(1).run());
            assertEquals("EINVAL", e.errnoName());
            // tracepoint programs have no test run
            KernelException tp = assertThrows(KernelException.class,
                    () -> TestRun.of(Events.program(obj, "tp_getppid")).run());
            assertTrue(tp.getMessage().contains("BPF_PROG_TEST_RUN"), tp.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TestRun.of(Events.program(obj, "xdp_flip")).repeat(-1));
        }
    }
}
