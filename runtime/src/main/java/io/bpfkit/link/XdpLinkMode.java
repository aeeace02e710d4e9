package io.bpfkit.link;

/** How an XDP program is put on an interface (where it runs is {@link XdpMode}). */
public enum XdpLinkMode {
    /** An XDP link where the kernel has them (Linux 5.9+, found by probing), else {@link #NETLINK}. */
    AUTO,
    /** A BPF link ({@code BPF_LINK_CREATE} with {@code BPF_XDP}): pinnable, detached when its last reference closes. */
    LINK,
    /**
     * {@code RTM_SETLINK} with {@code IFLA_XDP} over rtnetlink, as {@code ip link set dev X xdp}
     * does: refuses to replace a program already there, and on close detaches only its own
     * program ({@code IFLA_XDP_EXPECTED_FD}).
     */
    NETLINK
}
