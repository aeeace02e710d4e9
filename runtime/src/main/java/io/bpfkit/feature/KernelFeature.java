package io.bpfkit.feature;

/**
 * A kernel feature bpfkit chooses a path by, with the first Linux release that has it. Whether
 * the running kernel has one is found by {@link KernelFeatures#has probing} (a tiny program,
 * map or link call, as libbpf does), never from the version number: distribution kernels
 * backport features and configurations leave some out.
 *
 * <pre>{@code
 * KernelFeatures.running().has(KernelFeature.TCX);     // true on 6.6 and later
 * KernelFeature.TCX.firstKernel();                     // "6.6"
 * }</pre>
 */
public enum KernelFeature {
    /** BPF links on perf events ({@code BPF_LINK_CREATE} with {@code BPF_PERF_EVENT}); before, {@code PERF_EVENT_IOC_SET_BPF}. */
    PERF_LINK("BPF perf link", "5.15"),
    /** XDP as a BPF link ({@code BPF_LINK_CREATE} with {@code BPF_XDP}); before, netlink {@code IFLA_XDP}. */
    XDP_LINK("XDP link", "5.9"),
    /** tcx: tc ingress/egress hooks as BPF links ({@code BPF_TCX_INGRESS}/{@code BPF_TCX_EGRESS}); before, clsact and cls_bpf over netlink. */
    TCX("tcx", "6.6"),
    /** uprobe.multi: many uprobes of one binary in one BPF link ({@code BPF_TRACE_UPROBE_MULTI}); before, one perf event per function. */
    UPROBE_MULTI("uprobe.multi", "6.6"),
    /** BPF arenas: {@code BPF_MAP_TYPE_ARENA}, memory shared by programs and user space at one address ({@code __arena} globals). */
    ARENA("arena", "6.9"),
    /** BPF tokens ({@code BPF_TOKEN_CREATE}): loads delegated to a user namespace through a bpf file system mounted with {@code delegate_*} options. */
    BPF_TOKEN("BPF token", "6.9"),
    /** sk_msg and sk_skb programs attached to a sockmap or sockhash as a BPF link ({@code BPF_LINK_TYPE_SOCKMAP}); before, {@code BPF_PROG_ATTACH}. */
    SOCKMAP_LINK("sockmap link", "6.10");

    private final String displayName;
    private final String firstKernel;

    KernelFeature(String displayName, String firstKernel) {
        this.displayName = displayName;
        this.firstKernel = firstKernel;
    }

    /** The name messages use, e.g. {@code tcx}, {@code XDP link}. */
    public String displayName() {
        return displayName;
    }

    /** The first Linux release with the feature, e.g. {@code 6.6}. */
    public String firstKernel() {
        return firstKernel;
    }
}
