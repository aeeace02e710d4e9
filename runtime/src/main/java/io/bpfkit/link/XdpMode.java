package io.bpfkit.link;

/** How an XDP program runs on an interface: the {@code XDP_FLAGS_*_MODE} of the link. */
public enum XdpMode {
    /** The driver's native mode when it has one, else generic. */
    DEFAULT(0),
    /** Generic XDP on the socket buffer ({@code XDP_FLAGS_SKB_MODE}): every interface, {@code lo} included. */
    GENERIC(1 << 1),
    /** In the driver ({@code XDP_FLAGS_DRV_MODE}): only drivers with XDP support. */
    DRIVER(1 << 2),
    /** Offloaded to the NIC ({@code XDP_FLAGS_HW_MODE}). */
    OFFLOAD(1 << 3);

    private final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    /** The link's flags word. */
    public int flags() {
        return flags;
    }
}
