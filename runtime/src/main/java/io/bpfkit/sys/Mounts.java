package io.bpfkit.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code mount(2)} for the pseudo file systems bpfkit needs and may find unmounted: tracefs
 * (tracepoint ids) and bpffs (pins).
 *
 * <pre>{@code
 * Mounts.mount("nodev", "/sys/kernel/tracing", "tracefs");
 * }</pre>
 */
public final class Mounts {
    private static final MethodHandle MOUNT = Syscalls.downcall("mount",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), Syscalls.CAPTURE);

    private Mounts() {
    }

    /** {@code mount(source, target, type, 0, NULL)}. */
    public static void mount(String source, String target, String type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Syscalls.captureState();
            int r;
            try {
                r = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                        arena.allocateFrom(type), 0L, MemorySegment.NULL);
            } catch (Throwable t) {
                throw Syscalls.downcallFailed("mount", t);
            }
            if (r < 0) {
                int errno = Syscalls.errno(state);
                throw Syscalls.error("mount -t " + type + " " + source + " " + target, errno,
                        errno == Errno.EPERM ? "needs root (CAP_SYS_ADMIN)" : null);
            }
        }
    }
}
