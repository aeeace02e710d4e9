package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bpfkit.api.map.BpfStackTraceMap.BuildIdFrame;
import io.bpfkit.api.map.StackBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bpf_get_stack buffers decoded, bad lengths refused with what is wrong, unknown build ids named as such. */
class StackBuffersTest {

    /** struct bpf_stack_build_id frames as the kernel lays them out, in this machine's byte order. */
    private static long[] buildIdBuffer(int capacityFrames, Object... statusIdOffset) {
        ByteBuffer b = ByteBuffer.allocate(capacityFrames * 32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < statusIdOffset.length / 3; i++) {
            b.putInt(i * 32, (Integer) statusIdOffset[3 * i]);
            b.put(i * 32 + 4, (byte[]) statusIdOffset[3 * i + 1]);
            b.putLong(i * 32 + 24, (Long) statusIdOffset[3 * i + 2]);
        }
        long[] out = new long[capacityFrames * 4];
        b.asLongBuffer().get(out);
        return out;
    }

    @Test
    void ipBuffersTakeTheBytesTheHelperWrote() {
        long[] buf = {0x401000, 0x401100, 0x7f0000001000L, 0, 0};
        assertArrayEquals(new long[] {0x401000, 0x401100, 0x7f0000001000L}, StackBuffers.ips(buf, 24));
        assertArrayEquals(new long[0], StackBuffers.ips(buf, 0));
    }

    @Test
    void badLengthsAreRefusedSayingWhy() {
        long[] buf = new long[4];
        assertEquals("stack length 40 bytes is beyond the 32-byte buffer (4 longs): the length and the buffer do not "
                + "belong together, or the record was truncated",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.ips(buf, 40)).getMessage());
        assertEquals("bpf_get_stack failed with error -14 (-errno): the record holds no stack",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.ips(buf, -14)).getMessage());
        assertEquals("stack length 12 bytes is not a whole number of 8-byte frames",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.ips(buf, 12)).getMessage());
        assertEquals("stack length 16 bytes is not a whole number of 32-byte frames of build-id frames "
                + "(BPF_F_USER_BUILD_ID)",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.buildIdFrames(buf, 16)).getMessage());
        assertEquals("stack length 64 bytes is beyond the 32-byte buffer (4 longs): the length and the buffer do not "
                + "belong together, or the record was truncated",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.buildIdFrames(buf, 64)).getMessage());
        long[] garbage = buildIdBuffer(1, 7, new byte[20], 0L);
        assertEquals("build-id stack frame 0 has status 7; bpf_get_stack writes 0 (empty), 1 (build id and offset) "
                + "or 2 (ip): is the buffer one bpf_get_stack filled with BPF_F_USER_BUILD_ID?",
                assertThrows(IllegalArgumentException.class, () -> StackBuffers.buildIdFrames(garbage, 32)).getMessage());
    }

    @Test
    void buildIdBuffersDecodeAsTheStackMapGivesThem() {
        byte[] id = HexFormat.of().parseHex("1234abcd5678ef0011223344556677889900aabb");
        long[] buf = buildIdBuffer(4, 1, id, 0x1234L, 2, new byte[20], 0x7f00deadbeefL, 0, new byte[20], 0L);
        List<BuildIdFrame> frames = StackBuffers.buildIdFrames(buf, 96);
        assertEquals(List.of(new BuildIdFrame(BuildIdFrame.Status.VALID, id, 0x1234),
                new BuildIdFrame(BuildIdFrame.Status.IP, new byte[0], 0x7f00deadbeefL)), frames);
    }

    @Test
    void unknownBuildIdsArePrintedAsSuchAndNotedOnce() {
        StackSymbolizer symbols = new StackSymbolizer(Path.of("/nonexistent/kallsyms"), false, Duration.ofSeconds(1));
        byte[] id = HexFormat.of().parseHex("1234abcd5678ef0011223344556677889900aabb");
        List<BuildIdFrame> stack = List.of(new BuildIdFrame(BuildIdFrame.Status.VALID, id, 0x4f2),
                new BuildIdFrame(BuildIdFrame.Status.VALID, id, 0x10), new BuildIdFrame(BuildIdFrame.Status.IP, new byte[0], 0x401000));
        List<StackSymbolizer.Frame> frames = symbols.buildIds(0, stack);
        assertEquals(List.of("[buildid 1234abcd…]+0x4f2", "[buildid 1234abcd…]+0x10", StackSymbolizer.UNKNOWN),
                frames.stream().map(StackSymbolizer.Frame::name).toList());
        assertEquals(List.of("no file added with addFile has build id 1234abcd5678ef0011223344556677889900aabb: its "
                + "frames are printed as [buildid 1234abcd…]+0xOFFSET (file offsets)"), symbols.notes());
    }
}
