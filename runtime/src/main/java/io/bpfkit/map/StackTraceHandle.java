package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.map.BpfStackTraceMap;
import io.bpfkit.object.MapType;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code BPF_MAP_TYPE_STACK_TRACE}: 4-byte stack ids to arrays of 8-byte instruction pointers,
 * or with {@code BPF_F_STACK_BUILD_ID} of 32-byte {@code struct bpf_stack_build_id}.
 */
final class StackTraceHandle extends MapHandle implements BpfStackTraceMap {
    /** {@code struct bpf_stack_build_id}: {@code __s32 status; unsigned char build_id[20]; __u64 offset or ip}. */
    static final int BUILD_ID_FRAME = 32;
    static final int BUILD_ID_SIZE = 20;
    private static final int BUILD_ID_AT = 4;
    private static final int OFFSET_AT = 24;

    private final boolean buildIds;
    private final int depth;
    private final Elements elements;

    StackTraceHandle(MapRef ref) {
        super(ref, types(MapType.STACK_TRACE));
        this.buildIds = (ref.info().mapFlags() & BpfFlags.BPF_F_STACK_BUILD_ID) != 0;
        int frame = buildIds ? BUILD_ID_FRAME : 8;
        if (ref.keySize() != 4 || ref.valueSize() % frame != 0) {
            throw new LoadException(what(), "has " + ref.keySize() + "-byte keys and " + ref.valueSize()
                    + "-byte values; a stack trace map has 4-byte stack ids and values of " + frame + "-byte frames"
                    + (buildIds ? " (BPF_F_STACK_BUILD_ID)" : ""));
        }
        this.depth = (int) (ref.valueSize() / frame);
        this.elements = new Elements(this, 4, ref.valueSize(), null);
    }

    @Override
    public int depth() {
        return depth;
    }

    @Override
    public boolean hasBuildIds() {
        return buildIds;
    }

    @Override
    public long[] stack(int stackId) {
        if (buildIds) {
            throw new IllegalStateException(what() + " holds build ids (BPF_F_STACK_BUILD_ID): read it with "
                    + "buildIdStack");
        }
        return elements.lookup(k -> k.set(ValueLayout.JAVA_INT, 0, stackId), v -> {
            long[] ips = new long[depth];
            int n = 0;
            while (n < depth && (ips[n] = v.getAtIndex(ValueLayout.JAVA_LONG, n)) != 0) {
                n++;
            }
            return Arrays.copyOf(ips, n);
        });
    }

    @Override
    public List<BuildIdFrame> buildIdStack(int stackId) {
        if (!buildIds) {
            throw new IllegalStateException(what() + " holds instruction pointers: read it with stack");
        }
        return elements.lookup(k -> k.set(ValueLayout.JAVA_INT, 0, stackId), v -> {
            List<BuildIdFrame> frames = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                MemorySegment f = v.asSlice((long) i * BUILD_ID_FRAME, BUILD_ID_FRAME);
                int status = f.get(ValueLayout.JAVA_INT, 0);
                if (status == 0) {
                    break;
                }
                BuildIdFrame.Status s = status == 1 ? BuildIdFrame.Status.VALID : BuildIdFrame.Status.IP;
                byte[] id = s == BuildIdFrame.Status.VALID
                        ? f.asSlice(BUILD_ID_AT, BUILD_ID_SIZE).toArray(ValueLayout.JAVA_BYTE) : new byte[0];
                frames.add(new BuildIdFrame(s, id, f.get(ValueLayout.JAVA_LONG, OFFSET_AT)));
            }
            return List.copyOf(frames);
        });
    }

    @Override
    public boolean delete(int stackId) {
        return elements.delete(k -> k.set(ValueLayout.JAVA_INT, 0, stackId));
    }

    @Override
    public List<Integer> stackIds() {
        return elements.keys(k -> k.get(ValueLayout.JAVA_INT, 0));
    }
}
