/**
 * bpfkit's runtime: the pure-Java opener ({@code elf}, {@code btf}, {@code object}), the
 * FFM system-call layer ({@code sys}), and the {@code bpfkit} command line.
 */
module io.bpfkit.runtime {
    requires transitive io.bpfkit.api;
}
