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
 * @param bpfTokenPath where the BPF token for the load comes from, as libbpf's
 *     {@code bpf_token_path}: null for the default (see {@link #withDefaultToken()}), the empty
 *     string for no token ({@link #withoutToken()}), else the root of a bpf file system mounted
 *     with {@code delegate_*} options, from which a token must be created ({@link #withToken})
 */
public record LoadOptions(Path pinRoot, int logLevel, int initialLogSize, Path targetBtf, boolean continueWithoutBtf,
                          String bpfTokenPath) {
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf");
    /**
     * The environment variable naming the bpf file system a load takes its BPF token from when
     * the options name none; empty for no token. bpfkit reads it first, then libbpf's
     * {@value #LIBBPF_TOKEN_PATH_ENV}, so that a container set up for libbpf tools serves bpfkit too.
     */
    public static final String TOKEN_PATH_ENV = "BPFKIT_BPF_TOKEN_PATH";
    /** libbpf's variable for the same ({@code LIBBPF_BPF_TOKEN_PATH}), read when {@value #TOKEN_PATH_ENV} is unset. */
    public static final String LIBBPF_TOKEN_PATH_ENV = "LIBBPF_BPF_TOKEN_PATH";

    public LoadOptions {
        Objects.requireNonNull(pinRoot, "pinRoot");
        if (logLevel < 1 || logLevel > 2) {
            throw new IllegalArgumentException("log level " + logLevel + " is not 1 or 2");
        }
        if (initialLogSize < 128) {
            throw new IllegalArgumentException("initial log size " + initialLogSize + " is below 128 bytes");
        }
    }

    /** Options with the default token behaviour ({@link #withDefaultToken()}). */
    public LoadOptions(Path pinRoot, int logLevel, int initialLogSize, Path targetBtf, boolean continueWithoutBtf) {
        this(pinRoot, logLevel, initialLogSize, targetBtf, continueWithoutBtf, null);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_PIN_ROOT, 1, 1 << 20, null, false, null);
    }

    public LoadOptions withPinRoot(Path root) {
        return new LoadOptions(root, logLevel, initialLogSize, targetBtf, continueWithoutBtf, bpfTokenPath);
    }

    public LoadOptions withLogLevel(int level) {
        return new LoadOptions(pinRoot, level, initialLogSize, targetBtf, continueWithoutBtf, bpfTokenPath);
    }

    /**
     * Resolves CO-RE relocations against this raw BTF file instead of the running
     * kernel's, e.g. {@code withTargetBtf(Path.of("/var/lib/btfhub/5.4.0-generic.btf"))}.
     */
    public LoadOptions withTargetBtf(Path file) {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, file, continueWithoutBtf, bpfTokenPath);
    }

    /**
     * Loads without the object's BTF when the kernel refuses it, with a warning, instead of
     * failing: {@code LoadOptions.defaults().withContinueWithoutBtf(true)}.
     */
    public LoadOptions withContinueWithoutBtf(boolean continueWithout) {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, targetBtf, continueWithout, bpfTokenPath);
    }

    /**
     * Loads with a BPF token created from the bpf file system mounted at {@code bpffs}, which
     * must work: the load fails with the kernel's reason when no token can be made there (a
     * directory that is not the root of a bpffs, a bpffs without {@code delegate_*} options, one
     * of another user namespace, a kernel before 6.9). Every BTF, map and program the load
     * creates, and the feature probes it runs, carry the token, as libbpf's
     * {@code bpf_token_path}; the loaded object keeps it until it closes
     * ({@link LoadedObject#token()}), and attach calls for its programs probe with it.
     *
     * <pre>{@code
     * // inside a container whose runtime mounted a delegated bpffs at /sys/fs/bpf
     * LoadedObject obj = BpfLoader.load(spec, LoadOptions.defaults().withToken(Path.of("/sys/fs/bpf")));
     * }</pre>
     */
    public LoadOptions withToken(Path bpffs) {
        String path = Objects.requireNonNull(bpffs, "bpffs").toString();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the bpf file system path for a token is empty; use withoutToken()");
        }
        return new LoadOptions(pinRoot, logLevel, initialLogSize, targetBtf, continueWithoutBtf, path);
    }

    /** Loads without a BPF token, whatever the environment says (libbpf's empty {@code bpf_token_path}). */
    public LoadOptions withoutToken() {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, targetBtf, continueWithoutBtf, "");
    }

    /**
     * The default, as libbpf's: the path in {@value #TOKEN_PATH_ENV} or else
     * {@value #LIBBPF_TOKEN_PATH_ENV} when one is set (empty: no token; otherwise the token must
     * work, as with {@link #withToken}); with neither set, a token from {@code /sys/fs/bpf} if
     * one can be made there, and none, silently, if not (the usual case outside a user namespace).
     */
    public LoadOptions withDefaultToken() {
        return new LoadOptions(pinRoot, logLevel, initialLogSize, targetBtf, continueWithoutBtf, null);
    }
}
