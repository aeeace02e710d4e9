package io.bpfkit.api;

/**
 * A netlink request the kernel refused (rtnetlink: qdiscs, tc filters, XDP on an interface):
 * names the operation, the errno and, when the kernel said why (an extended acknowledgement),
 * the kernel's own message.
 *
 * <pre>{@code
 * try {
 *     Attach.xdp(prog, Attach.ifindex("lo"), XdpMode.DRIVER, XdpLinkMode.NETLINK);
 * } catch (NetlinkException e) {
 *     System.err.println(e.kernelMessage());   // "Underlying driver does not support XDP in native mode"
 * }
 * }</pre>
 */
public class NetlinkException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String kernelMessage;

    /**
     * @param operation what was asked, e.g. {@code RTM_NEWTFILTER (bpf filter 'count' on ifindex 1 ingress)}
     * @param errno the errno of the kernel's error reply
     * @param errnoName its symbolic name
     * @param kernelMessage the kernel's extended acknowledgement message, or null when it sent none
     * @param hint what to do about it, or null
     */
    public NetlinkException(String operation, int errno, String errnoName, String kernelMessage, String hint) {
        super(operation, errno, errnoName, join(kernelMessage, hint));
        this.kernelMessage = kernelMessage;
    }

    private static String join(String kernelMessage, String hint) {
        if (kernelMessage == null || kernelMessage.isEmpty()) {
            return hint;
        }
        String k = "the kernel says \"" + kernelMessage + "\"";
        return hint == null ? k : k + "; " + hint;
    }

    /** The kernel's own explanation ({@code NLMSGERR_ATTR_MSG}), or null when it gave none. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
