package io.bpfkit.link;

/**
 * How {@link Attach#tc} attaches: the {@link TcLinkMode}, and for classic filters the priority
 * and handle (0: the kernel picks, as {@code tc} does). Immutable; each setter returns a copy.
 *
 * <pre>{@code
 * Attach.tc(prog, ifindex, TcDirection.EGRESS, TcOptions.defaults());                     // tcx where there is tcx
 * Attach.tc(prog, ifindex, TcDirection.EGRESS, TcOptions.defaults().mode(TcLinkMode.NETLINK)
 *         .priority(1).handle(1));                                                     // a clsact filter, prio 1
 * }</pre>
 *
 * @param mode tcx link, netlink filter, or whichever the kernel has
 * @param priority the filter's priority, 1 to 65535, 0 to let the kernel choose; netlink filters only
 * @param handle the filter's handle, 0 to let the kernel choose; netlink filters only
 */
public record TcOptions(TcLinkMode mode, int priority, int handle) {

    public TcOptions {
        if (mode == null) {
            throw new IllegalArgumentException("mode is null");
        }
        if (priority < 0 || priority > 0xffff) {
            throw new IllegalArgumentException("tc filter priority must be 0 (kernel's choice) to 65535: " + priority);
        }
        if (mode == TcLinkMode.TCX && (priority != 0 || handle != 0)) {
            throw new IllegalArgumentException("priority and handle belong to netlink filters; a tcx link has "
                    + "neither (use TcLinkMode.NETLINK or AUTO)");
        }
    }

    /** {@link TcLinkMode#AUTO}, priority and handle chosen by the kernel. */
    public static TcOptions defaults() {
        return new TcOptions(TcLinkMode.AUTO, 0, 0);
    }

    public TcOptions mode(TcLinkMode mode) {
        return new TcOptions(mode, priority, handle);
    }

    /** The filter's priority (lower runs first); used when the netlink path is taken. */
    public TcOptions priority(int priority) {
        return new TcOptions(mode, priority, handle);
    }

    /** The filter's handle; used when the netlink path is taken. */
    public TcOptions handle(int handle) {
        return new TcOptions(mode, priority, handle);
    }
}
