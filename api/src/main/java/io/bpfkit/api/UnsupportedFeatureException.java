package io.bpfkit.api;

/**
 * What was asked needs a kernel feature this machine lacks, e.g. kprobes on a kernel built
 * without {@code CONFIG_KPROBES}. Names the feature and how bpfkit found out.
 *
 * <pre>{@code
 * try {
 *     Attach.kprobe(prog, "do_unlinkat", 0, false);
 * } catch (UnsupportedFeatureException e) {
 *     System.err.println(e.feature() + " unsupported: " + e.getMessage());
 * }
 * }</pre>
 */
public class UnsupportedFeatureException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String feature;

    /**
     * @param feature the missing feature, e.g. {@code kprobe}
     * @param detail what shows it is missing and what to do
     */
    public UnsupportedFeatureException(String feature, String detail) {
        super(feature + " unsupported on this kernel: " + detail);
        this.feature = feature;
    }

    public String feature() {
        return feature;
    }
}
