package io.bpfkit.api.map;

import io.bpfkit.api.map.BpfStackTraceMap.BuildIdFrame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Stacks a program wrote with {@code bpf_get_stack(ctx, buf, size, flags)} into a record (a ring
 * buffer or perf buffer event), decoded into the frames a {@link BpfStackTraceMap} gives for a
 * stack id: instruction pointers, or with {@code BPF_F_USER_BUILD_ID} the 32-byte
 * {@code struct bpf_stack_build_id} frames. The record should carry the helper's return value
 * (the bytes it wrote, or a negative errno), since the frames after it are zeros.
 *
 * <pre>{@code
 * // struct event { __s32 stack_bytes; __u32 pad; __u64 stack[64]; };
 * // e->stack_bytes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), BPF_F_USER_STACK);
 * record Event(int stackBytes, int pad, @Size(64) long[] stack) {}
 *
 * long[] ips = StackBuffers.ips(event.stack(), event.stackBytes());
 * symbolizer.user(pid, ips);                               // as for stacks.stack(stackId)
 * // with BPF_F_USER_STACK | BPF_F_USER_BUILD_ID (the buffer holds 4 longs per frame):
 * symbolizer.buildIds(pid, StackBuffers.buildIdFrames(event.stack(), event.stackBytes()));
 * }</pre>
 */
public final class StackBuffers {
    /** {@code sizeof(struct bpf_stack_build_id)}. */
    public static final int BUILD_ID_FRAME_BYTES = 32;
    private static final int BUILD_ID_BYTES = 20;
    private static final int STATUS_VALID = 1;
    private static final int STATUS_IP = 2;

    private StackBuffers() {
    }

    /**
     * The instruction pointers of a buffer {@code bpf_get_stack} filled, innermost first.
     *
     * @param buffer the record's {@code __u64} array
     * @param bytes  what {@code bpf_get_stack} returned: the bytes it wrote
     * @throws IllegalArgumentException when {@code bytes} is negative (the helper failed: the
     *         message names the errno), beyond the buffer, or not a whole number of frames
     */
    public static long[] ips(long[] buffer, long bytes) {
        int frames = frames(buffer, bytes, Long.BYTES, "");
        long[] ips = new long[frames];
        System.arraycopy(buffer, 0, ips, 0, frames);
        return ips;
    }

    /**
     * The frames of a buffer {@code bpf_get_stack(..., BPF_F_USER_STACK | BPF_F_USER_BUILD_ID)}
     * filled, innermost first, as {@link BpfStackTraceMap#buildIdStack} gives them: a
     * {@code BPF_STACK_BUILD_ID_EMPTY} frame ends the stack.
     *
     * @param buffer the record's {@code __u64} array, 4 elements per frame
     * @param bytes  what {@code bpf_get_stack} returned
     * @throws IllegalArgumentException as {@link #ips}, and for a frame status the kernel does not
     *         write
     */
    public static List<BuildIdFrame> buildIdFrames(long[] buffer, long bytes) {
        int frames = frames(buffer, bytes, BUILD_ID_FRAME_BYTES, " of build-id frames (BPF_F_USER_BUILD_ID)");
        ByteBuffer b = ByteBuffer.allocate(frames * BUILD_ID_FRAME_BYTES).order(ByteOrder.nativeOrder());
        b.asLongBuffer().put(buffer, 0, frames * (BUILD_ID_FRAME_BYTES / Long.BYTES));
        List<BuildIdFrame> list = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            int at = i * BUILD_ID_FRAME_BYTES;
            int status = b.getInt(at);
            long offset = b.getLong(at + 24);
            if (status == 0) {
                break;
            }
            if (status == STATUS_VALID) {
                byte[] id = new byte[BUILD_ID_BYTES];
                b.get(at + 4, id);
                list.add(new BuildIdFrame(BuildIdFrame.Status.VALID, id, offset));
            } else if (status == STATUS_IP) {
                list.add(new BuildIdFrame(BuildIdFrame.Status.IP, new byte[0], offset));
            } else {
                throw new IllegalArgumentException("build-id stack frame " + i + " has status " + status
                        + "; bpf_get_stack writes 0 (empty), 1 (build id and offset) or 2 (ip): is the buffer "
                        + "one bpf_get_stack filled with BPF_F_USER_BUILD_ID?");
            }
        }
        return List.copyOf(list);
    }

    private static int frames(long[] buffer, long bytes, int frameBytes, String what) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bpf_get_stack failed with error " + bytes + " (-errno): the record "
                    + "holds no stack");
        }
        long capacity = (long) buffer.length * Long.BYTES;
        if (bytes > capacity) {
            throw new IllegalArgumentException("stack length " + bytes + " bytes is beyond the " + capacity
                    + "-byte buffer (" + buffer.length + " longs): the length and the buffer do not belong together, "
                    + "or the record was truncated");
        }
        if (bytes % frameBytes != 0) {
            throw new IllegalArgumentException("stack length " + bytes + " bytes is not a whole number of "
                    + frameBytes + "-byte frames" + what);
        }
        return (int) (bytes / frameBytes);
    }
}
