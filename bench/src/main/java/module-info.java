/** JMH benchmarks of bpfkit, run beside a C harness on libbpf. */
module io.bpfkit.bench {
    requires io.bpfkit.runtime;
}
