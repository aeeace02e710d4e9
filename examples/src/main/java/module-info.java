/** Example tools written with bpfkit; their BPF objects ship as class-path resources. */
module io.bpfkit.examples {
    requires io.bpfkit.runtime;
}
