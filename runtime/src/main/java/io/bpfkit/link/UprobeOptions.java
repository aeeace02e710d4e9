package io.bpfkit.link;

/**
 * Where a uprobe goes: a binary (a path, or a library name such as {@code libc.so.6} looked up
 * like libbpf does), a function in it and an offset from the function's start (or, with no
 * function, a file offset), entry or return, which process ({@code -1} every process,
 * {@code 0} this one, else a pid), and a BPF cookie.
 *
 * <pre>{@code
 * Attach.uprobe(prog, UprobeOptions.of("libc.so.6", "getpid").pid(0));
 * Attach.uprobe(prog, UprobeOptions.of("/usr/bin/bash", "readline").retprobe(true));
 * }</pre>
 */
public record UprobeOptions(String binary, String function, long offset, boolean retprobe, int pid, long cookie) {

    public UprobeOptions {
        if (binary == null || binary.isEmpty()) {
            throw new IllegalArgumentException("a uprobe needs a binary");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative uprobe offset " + offset);
        }
        if (pid < -1) {
            throw new IllegalArgumentException("pid must be -1 (all), 0 (this process) or a pid: " + pid);
        }
    }

    /** An entry probe on {@code function} of {@code binary}, in every process. */
    public static UprobeOptions of(String binary, String function) {
        return new UprobeOptions(binary, function, 0, false, -1, 0);
    }

    /** A probe at file offset {@code offset} of {@code binary}. */
    public static UprobeOptions atFileOffset(String binary, long offset) {
        return new UprobeOptions(binary, null, offset, false, -1, 0);
    }

    public UprobeOptions offset(long v) {
        return new UprobeOptions(binary, function, v, retprobe, pid, cookie);
    }

    public UprobeOptions retprobe(boolean v) {
        return new UprobeOptions(binary, function, offset, v, pid, cookie);
    }

    /** {@code -1} every process, {@code 0} this process, else that pid. */
    public UprobeOptions pid(int v) {
        return new UprobeOptions(binary, function, offset, retprobe, v, cookie);
    }

    public UprobeOptions cookie(long v) {
        return new UprobeOptions(binary, function, offset, retprobe, pid, v);
    }
}
