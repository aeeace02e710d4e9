package io.bpfkit.api.map;

import java.util.HexFormat;
import java.util.List;

/**
 * A {@code BPF_MAP_TYPE_STACK_TRACE}: the stacks {@code bpf_get_stackid} stores, by the stack id
 * it returns. A map created with {@code BPF_F_STACK_BUILD_ID} holds {@link BuildIdFrame}s
 * (build id and file offset) instead of instruction pointers.
 *
 * <pre>{@code
 * BpfStackTraceMap stacks = BpfMaps.stackTrace(loaded, "stacks");
 * long[] ips = stacks.stack(stackId);          // innermost frame first; null when absent
 * stacks.delete(stackId);                      // lets the id be reused for another stack
 * }</pre>
 */
public interface BpfStackTraceMap extends BpfMap {

    /** The frames a stack can hold: the map's value size over the size of one frame. */
    int depth();

    /** Whether the map holds build ids and offsets ({@code BPF_F_STACK_BUILD_ID}). */
    boolean hasBuildIds();

    /**
     * The instruction pointers of stack {@code stackId}, innermost first, up to the first empty
     * slot; null when the map has no such stack.
     *
     * @throws IllegalStateException when the map holds build ids ({@link #buildIdStack})
     */
    long[] stack(int stackId);

    /**
     * The frames of stack {@code stackId} in a {@code BPF_F_STACK_BUILD_ID} map, innermost
     * first, up to the first empty frame; null when the map has no such stack.
     *
     * @throws IllegalStateException when the map holds instruction pointers ({@link #stack})
     */
    List<BuildIdFrame> buildIdStack(int stackId);

    /**
     * Deletes stack {@code stackId}, so that its bucket takes the next stack that hashes to it.
     *
     * @return false when the map had no such stack
     */
    boolean delete(int stackId);

    /** The ids of the stacks the map holds now. */
    List<Integer> stackIds();

    /**
     * One frame of a build-id stack ({@code struct bpf_stack_build_id}): where the kernel could
     * read the mapped file's build id, the id and the offset in the file; where it could not,
     * only the instruction pointer.
     *
     * @param status  what the frame holds
     * @param buildId the 20-byte build id ({@link Status#VALID}), else empty
     * @param offset  the offset in the file ({@link Status#VALID}), or the instruction pointer
     *                ({@link Status#IP})
     */
    record BuildIdFrame(Status status, byte[] buildId, long offset) {
        /** {@code enum bpf_stack_build_id_status}. */
        public enum Status {
            /** No frame ({@code BPF_STACK_BUILD_ID_EMPTY}). */
            EMPTY,
            /** Build id and offset ({@code BPF_STACK_BUILD_ID_VALID}). */
            VALID,
            /** The instruction pointer only ({@code BPF_STACK_BUILD_ID_IP}). */
            IP
        }

        public BuildIdFrame {
            buildId = buildId.clone();
        }

        @Override
        public byte[] buildId() {
            return buildId.clone();
        }

        /** The build id as lower-case hex, as {@code readelf -n} prints it. */
        public String buildIdHex() {
            return HexFormat.of().formatHex(buildId);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BuildIdFrame f && f.status == status && f.offset == offset
                    && java.util.Arrays.equals(f.buildId, buildId);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(buildId) * 31 + Long.hashCode(offset);
        }

        @Override
        public String toString() {
            return status == Status.VALID ? buildIdHex() + "+0x" + Long.toHexString(offset)
                    : status == Status.IP ? "ip 0x" + Long.toHexString(offset) : "empty";
        }
    }
}
