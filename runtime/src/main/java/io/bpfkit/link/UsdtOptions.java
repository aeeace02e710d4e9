package io.bpfkit.link;

/**
 * Which USDT probe a program attaches to: a binary (a path, or a library name such as
 * {@code libjvm.so} looked up as uprobes do: in the target process's mappings, then the library
 * directories), the probe's provider and name, which process ({@code -1} every process,
 * {@code 0} this one, else a pid), and a cookie that {@code bpf_usdt_cookie()} returns.
 *
 * <pre>{@code
 * Attach.usdt(prog, UsdtOptions.of("libjvm.so", "hotspot", "gc__begin").pid(jvmPid));
 * Attach.usdt(prog, UsdtOptions.of("/usr/bin/python3", "python", "function__entry").cookie(7));
 * }</pre>
 */
public record UsdtOptions(String binary, String provider, String name, int pid, long cookie) {

    public UsdtOptions {
        if (binary == null || binary.isEmpty()) {
            throw new IllegalArgumentException("a USDT probe needs a binary");
        }
        if (provider == null || provider.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a USDT probe needs a provider and a name");
        }
        if (pid < -1) {
            throw new IllegalArgumentException("pid must be -1 (all), 0 (this process) or a pid: " + pid);
        }
    }

    /** Probe {@code provider:name} of {@code binary}, in every process. */
    public static UsdtOptions of(String binary, String provider, String name) {
        return new UsdtOptions(binary, provider, name, -1, 0);
    }

    /** {@code -1} every process, {@code 0} this process, else that pid. */
    public UsdtOptions pid(int v) {
        return new UsdtOptions(binary, provider, name, v, cookie);
    }

    /** The value {@code bpf_usdt_cookie()} gives the program at this probe. */
    public UsdtOptions cookie(long v) {
        return new UsdtOptions(binary, provider, name, pid, v);
    }
}
