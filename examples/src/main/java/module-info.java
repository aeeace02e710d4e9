/** Example tools written with bpfkit; their BPF objects ship as class-path resources. */
module io.bpfkit.examples {
    requires transitive io.bpfkit.runtime;

    exports io.bpfkit.examples;
}
