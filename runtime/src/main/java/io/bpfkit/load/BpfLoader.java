package io.bpfkit.load;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.object.BpfObjectSpec;

/**
 * The load phase: creates the maps of a spec, relocates and loads its programs, and returns
 * the {@link LoadedObject} that owns them. The spec is not changed and can be loaded again.
 *
 * <pre>{@code
 * BpfObjectSpec spec = BpfObjects.open(Path.of("syscount.bpf.o"));
 * try (LoadedObject obj = BpfLoader.load(spec)) {
 *     ...
 * }
 * try (LoadedObject again = BpfLoader.load(spec)) { ... }   // no re-parsing
 * }</pre>
 */
public final class BpfLoader {
    private BpfLoader() {
    }

    /** Loads with {@link LoadOptions#defaults()}. */
    public static LoadedObject load(BpfObjectSpec spec) {
        return load(spec, LoadOptions.defaults());
    }

    /**
     * Loads a copy of {@code spec}. On failure every file descriptor made so far is closed.
     *
     * @throws io.bpfkit.api.VerifierException when the verifier refuses a program
     * @throws KernelException when the kernel refuses something else (with errno and hint)
     * @throws LoadException when the object needs something this bpfkit cannot do
     */
    public static LoadedObject load(BpfObjectSpec spec, LoadOptions options) {
        return new ObjectLoader(spec.copy(), options).load();
    }
}
