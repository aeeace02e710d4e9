package io.bpfkit.load;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a spec is loaded.
 *
 * <pre>{@code
 * LoadedObject obj = BpfLoader.load(spec, LoadOptions.defaults().withPinRoot(Path.of("/sys/fs/bpf/myapp")));
 * }</pre>
 *
 * @param pinRoot where maps with {@code pinning = LIBBPF_PIN_BY_NAME} are pinned (libbpf's default
 *     {@code /sys/fs/bpf})
 * @param logLevel the verifier log level for the retry after a refusal (1, or 2 for every state)
 * @param initialLogSize the first verifier log buffer; grown to what the kernel reports it needs
 * @param targetBtf a raw BTF file CO-RE relocations are resolved against instead of the running
 *     kernel's {@code /sys/kernel/btf/vmlinux} (for kernels built without BTF, BTFHub style), or
 *     null for the running kernel's; module BTF is not searched then. Typed ksyms, kfuncs and
 *     attach targets still use the running kernel's BTF, whose ids the kernel checks (as libbpf's
 *     {@code btf_custom_path})
 * @param continueWithoutBtf when the kernel refuses the object's BTF, load the maps and programs
 *     without it and say so in {@link LoadedObject#warnings()} (libbpf's fallback for kernels that
 *     predate a BTF feature) instead of failing; programs that use kfuncs or kptrs, maps that hold
 *     them and local-storage maps cannot load without BTF either way
 */
public record LoadOptions(Path pinRoot, int logLevel, int initialLogSize, Path targetBtf, boolean continueWithoutBtf) {
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf");

    public LoadOptions {
        Objects.requireNonNull(pinRoot, "pinRoot");
        if (logLevel < 1 || logLevel > 2) {
            throw new IllegalArgumentException("log level " + logLevel + " is not 1 or 2");
        }
        if (initialLogSize < 128) {
            throw new IllegalArgumentException("initial log size " + initialLogSize + " is below 128 bytes");
        }
    }

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_PIN_ROOT, 1, 1 << 20, null, false);
    }

    public LoadOptions withPinRoot(Path root) {
        return new LoadOptions(root, logLevel, initialLogSize, targetBtf, continueWithoutBtf);
    }

    public LoadOptions withLogLevel(int level) {
        return new LoadOptions(pinRoot, level, initialLogSize, targetBtf, continueWithoutBtf);
    }

    /**
     * Resolves CO-RE relocations against this raw BTF file instead of the running
     * kernel's, e.g. {@code withTargetBtf(Path.of("/var/lib/btfhub/5.4.0-generic.btf"))}.
     */
    public LoadOptions withTargetBtf(Path file) {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, file, continueWithoutBtf);
    }

    /**
     * Loads without the object's BTF when the kernel refuses it, with a warning, instead of
     * failing: {@code LoadOptions.defaults().withContinueWithoutBtf(true)}.
     */
    public LoadOptions withContinueWithoutBtf(boolean continueWithout) {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, targetBtf, continueWithout);
    }
}
