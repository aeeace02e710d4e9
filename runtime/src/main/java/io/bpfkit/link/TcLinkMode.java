package io.bpfkit.link;

/**
 * How a tc program is put on an interface's ingress or egress: a tcx link or a classic filter.
 * Both run the program in the same place, with the same {@code __sk_buff} and verdicts
 * ({@code TC_ACT_OK}, {@code TC_ACT_SHOT}, {@code TC_ACT_UNSPEC}/{@code TCX_NEXT}).
 */
public enum TcLinkMode {
    /** A tcx link where the kernel has tcx (Linux 6.6+, found by probing), else {@link #NETLINK}. */
    AUTO,
    /**
     * A tcx link ({@code BPF_LINK_CREATE} with {@code BPF_TCX_INGRESS}/{@code _EGRESS}):
     * pinnable, detached when its last reference closes. On older kernels an
     * {@link io.bpfkit.api.UnsupportedFeatureException}.
     */
    TCX,
    /**
     * A direct-action {@code bpf} filter on the interface's {@code clsact} qdisc over rtnetlink,
     * as libbpf's {@code bpf_tc_attach} and {@code tc filter add ... bpf da} do: works on every
     * kernel bpfkit supports. The qdisc is made when missing and removed again by the last of
     * this process's filters on it to close, when no other filter is left on it.
     */
    NETLINK
}
