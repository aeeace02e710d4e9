/**
 * JMH benchmarks of bpfkit, run beside a C harness on libbpf (scripts/bench).
 *
 * <p>JMH's jar has no module name of its own, so it is the automatic module {@code jmh.core}
 * (named after the file); JMH's generated harness classes need it. The benchmarks are run on
 * the class path, where this declaration plays no part.
 */
@SuppressWarnings("requires-automatic") // jmh.core: see above
module io.bpfkit.bench {
    requires io.bpfkit.runtime;
    requires jmh.core;
    requires java.management;
    requires io.bpfkit.examples;
    requires io.bpfkit.profile;
}
