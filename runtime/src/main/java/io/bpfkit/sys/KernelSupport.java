package io.bpfkit.sys;

import io.bpfkit.api.KernelException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Whether this process can use bpf(2) here, and if not, why: not Linux, no bpf(2), or no
 * privilege. Probed once by creating and closing a one-element array map.
 *
 * <pre>{@code
 * KernelSupport k = KernelSupport.probe();
 * if (!k.available()) System.err.println(k.reason());
 * }</pre>
 */
public record KernelSupport(boolean available, String reason) {
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_MAP_TYPE_ARRAY = 2;

    private static volatile KernelSupport cached;

    /** The probe result, computed on first call. */
    public static KernelSupport probe() {
        KernelSupport k = cached;
        if (k == null) {
            k = runProbe();
            cached = k;
        }
        return k;
    }

    private static KernelSupport runProbe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return new KernelSupport(false, "not Linux (" + os + "): bpf(2) is a Linux system call");
        }
        try (Arena arena = Arena.ofConfined()) {
            // union bpf_attr, map-create variant: map_type, key_size, value_size, max_entries.
            MemorySegment attr = arena.allocate(72, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_MAP_TYPE_ARRAY);
            attr.set(ValueLayout.JAVA_INT, 4, 4);
            attr.set(ValueLayout.JAVA_INT, 8, 4);
            attr.set(ValueLayout.JAVA_INT, 12, 1);
            int fd = Syscalls.bpf(BPF_MAP_CREATE, attr, "BPF_MAP_CREATE (probe)");
            Syscalls.close(fd);
            return new KernelSupport(true, "bpf(2) works");
        } catch (KernelException e) {
            return new KernelSupport(false, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new KernelSupport(false, "bpf(2) cannot be called: " + e);
        }
    }
}
