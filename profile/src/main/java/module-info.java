/**
 * Profiling with bpfkit: stack traces from BPF maps symbolized in pure Java (kernel symbols,
 * native ELF symbols, Java JIT frames from the JVM's perf map), folded stacks and flame graphs,
 * and the sampling CPU profiler behind {@code bpfkit profile}.
 */
module io.bpfkit.profile {
    requires transitive io.bpfkit.runtime;

    exports io.bpfkit.profile;
}
