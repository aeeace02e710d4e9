package io.bpfkit.object;

import io.bpfkit.api.BpfProgram;
import java.util.Objects;

/**
 * What a program bound to its target at load time (fentry, fexit, fmod_ret, freplace, tp_btf,
 * lsm, iter) attaches to, set on {@link ProgramSpec#attachTarget(AttachTarget)} between open
 * and load where the section name does not say it, or says something else: libbpf's
 * {@code bpf_program__set_attach_target}. Either a function of the kernel or of one of its
 * modules, or a function of a BPF program already loaded (the target of fentry/fexit on a
 * program, and the only target freplace takes).
 *
 * <pre>{@code
 * // freplace: SEC("freplace/pick_action") replaces pick_action() in a dispatcher already loaded
 * try (LoadedObject dispatcher = BpfLoader.load(BpfObjects.open(dispatcherPath))) {
 *     BpfObjectSpec ext = BpfObjects.open(replacementPath);
 *     ext.program("replacement").orElseThrow()
 *             .attachTarget(AttachTarget.program(dispatcher.program("xdp_main").orElseThrow(), "pick_action"));
 *     try (LoadedObject loaded = BpfLoader.load(ext);
 *          Link l = AutoAttach.attach(loaded.program("replacement").orElseThrow())) { ... }
 * }
 *
 * // fentry on a function of the tun module, whatever the section says
 * spec.program("on_open").orElseThrow().attachTarget(AttachTarget.kernel("tun", "tun_chr_open"));
 * }</pre>
 */
public sealed interface AttachTarget {

    /** The function's name, as in the BTF it is looked up in (without libbpf's prefixes). */
    String function();

    /**
     * A function of the running kernel, looked up in vmlinux's BTF, then (with no module named)
     * in each loaded module's, as libbpf does. tp_btf, lsm and iter programs name the
     * tracepoint, hook or iterator without the {@code btf_trace_}/{@code bpf_lsm_}/{@code bpf_iter_}
     * prefix, as in their section names.
     *
     * @param module the kernel module whose BTF declares the function, or null to search vmlinux
     *     and then every module
     * @param function the function's name
     */
    record KernelFunction(String module, String function) implements AttachTarget {
        public KernelFunction {
            requireName(function, "function");
            if (module != null) {
                requireName(module, "module");
            }
        }

        @Override
        public String toString() {
            return module == null ? function : module + ":" + function;
        }
    }

    /**
     * A function of a loaded BPF program: its entry function or one of its global
     * subprograms, looked up in the program's own BTF (so the program must have been loaded with
     * BTF). freplace replaces it (a global function only); fentry and fexit trace it.
     *
     * @param program the loaded program, e.g. a {@code LoadedProgram} or a binding's program
     *     handle; it must stay loaded until this program is loaded (and, for freplace, attached)
     * @param function the function's name in the program's BTF
     */
    record ProgramFunction(BpfProgram program, String function) implements AttachTarget {
        public ProgramFunction {
            Objects.requireNonNull(program, "program");
            requireName(function, "function");
        }

        @Override
        public String toString() {
            return "program '" + program.name() + "' function " + function;
        }
    }

    /** A kernel function: {@code "do_unlinkat"}, or {@code "module:function"} as in a section name. */
    static AttachTarget kernel(String function) {
        Objects.requireNonNull(function, "function");
        int colon = function.indexOf(':');
        return colon < 0 ? new KernelFunction(null, function)
                : new KernelFunction(function.substring(0, colon), function.substring(colon + 1));
    }

    /** A function of kernel module {@code module}. */
    static AttachTarget kernel(String module, String function) {
        return new KernelFunction(Objects.requireNonNull(module, "module"), function);
    }

    /** A function of a loaded BPF program. */
    static AttachTarget program(BpfProgram program, String function) {
        return new ProgramFunction(program, function);
    }

    private static void requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':')) {
            throw new IllegalArgumentException("attach target " + what + " '" + name
                    + "' must be a non-empty name without spaces or ':'");
        }
    }
}
