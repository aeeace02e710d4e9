package io.bpfkit.api;

/**
 * What was asked needs a kernel feature this machine lacks, e.g. kprobes on a kernel built
 * without {@code CONFIG_KPROBES}, or tcx links on a kernel older than 6.6. Names the feature,
 * how bpfkit found out and, for features that came with a kernel release, that release and the
 * running kernel.
 *
 * <pre>{@code
 * try {
 *     Attach.tcx(prog, ifindex, TcDirection.INGRESS);
 * } catch (UnsupportedFeatureException e) {
 *     // "tcx needs Linux 6.6, this is 6.1.0-57-amd64; use Attach.tc, which falls back to netlink"
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class UnsupportedFeatureException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String feature;
    private final String firstKernel;
    private final String runningKernel;

    /**
     * @param feature the missing feature, e.g. {@code kprobe}
     * @param detail what shows it is missing and what to do
     */
    public UnsupportedFeatureException(String feature, String detail) {
        super(feature + " unsupported on this kernel: " + detail);
        this.feature = feature;
        this.firstKernel = null;
        this.runningKernel = null;
    }

    /**
     * A feature that came with a kernel release the running kernel predates (as a probe of the
     * kernel showed, not its version number).
     *
     * @param feature the missing feature, e.g. {@code tcx}
     * @param firstKernel the first Linux release that has it, e.g. {@code 6.6}
     * @param runningKernel the running kernel's release, e.g. {@code 6.1.0-57-amd64}
     * @param advice what to do instead, or null
     */
    public UnsupportedFeatureException(String feature, String firstKernel, String runningKernel, String advice) {
        super(feature + " needs Linux " + firstKernel + ", this is " + runningKernel
                + (advice == null ? "" : "; " + advice));
        this.feature = feature;
        this.firstKernel = firstKernel;
        this.runningKernel = runningKernel;
    }

    public String feature() {
        return feature;
    }

    /** The first Linux release with the feature, e.g. {@code 6.6}; null when no release brings it. */
    public String firstKernel() {
        return firstKernel;
    }

    /** The running kernel's release, e.g. {@code 6.1.0-57-amd64}; null when not named. */
    public String runningKernel() {
        return runningKernel;
    }
}
