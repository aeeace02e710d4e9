/**
 * The {@code bpfkit} command line: {@code inspect}, {@code load}, {@code btf dump}, and the example
 * tools ({@code top}, {@code syscount}, ...) by name. {@code ./bpfkit} at the project's root runs it.
 */
module io.bpfkit.cli {
    requires io.bpfkit.runtime;
    requires io.bpfkit.examples;
    requires io.bpfkit.gen;
    requires io.bpfkit.profile;
}
