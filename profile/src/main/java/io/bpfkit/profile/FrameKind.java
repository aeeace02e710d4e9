package io.bpfkit.profile;

/**
 * What kind of code a stack frame ran, as flame graphs colour it. In folded stacks (one line per
 * stack, frames root first separated by {@code ;}, then a space and the count) the kind travels
 * as the suffix that async-profiler writes and flame graph tools read: {@code _[k]} kernel,
 * {@code _[j]} JIT-compiled Java, {@code _[i]} interpreted Java; native frames carry none.
 *
 * <pre>{@code
 * String folded = FrameKind.JIT.annotate("com.example.Hot.loop");   // "com.example.Hot.loop_[j]"
 * FrameKind kind = FrameKind.of(folded);                            // JIT
 * String name = FrameKind.strip(folded);                            // "com.example.Hot.loop"
 * }</pre>
 */
public enum FrameKind {
    /** Kernel code (kallsyms). */
    KERNEL("_[k]"),
    /** Machine code of an ELF file or an unknown mapping: C, C++, the JVM itself. */
    NATIVE(""),
    /** Java code compiled by the JIT, named through the JVM's perf map. */
    JIT("_[j]"),
    /** Java code the interpreter ran. */
    INTERPRETED("_[i]");

    private final String suffix;

    FrameKind(String suffix) {
        this.suffix = suffix;
    }

    /** The suffix of this kind in a folded stack; empty for {@link #NATIVE}. */
    public String suffix() {
        return suffix;
    }

    /** {@code name} with this kind's suffix, as one frame of a folded stack. */
    public String annotate(String name) {
        return name + suffix;
    }

    /** The kind a folded frame's suffix names; {@link #NATIVE} when it has none. */
    public static FrameKind of(String foldedFrame) {
        for (FrameKind kind : values()) {
            if (!kind.suffix.isEmpty() && foldedFrame.endsWith(kind.suffix)) {
                return kind;
            }
        }
        return NATIVE;
    }

    /** A folded frame without its kind suffix. */
    public static String strip(String foldedFrame) {
        FrameKind kind = of(foldedFrame);
        return foldedFrame.substring(0, foldedFrame.length() - kind.suffix.length());
    }
}
