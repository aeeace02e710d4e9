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
 */
public record LoadOptions(Path pinRoot, int logLevel, int initialLogSize) {
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
        return new LoadOptions(DEFAULT_PIN_ROOT, 1, 1 << 20);
    }

    public LoadOptions withPinRoot(Path root) {
        return new LoadOptions(root, logLevel, initialLogSize);
    }

    public LoadOptions withLogLevel(int level) {
        return new LoadOptions(pinRoot, level, initialLogSize);
    }
}
