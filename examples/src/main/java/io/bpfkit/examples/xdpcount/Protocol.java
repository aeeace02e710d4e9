package io.bpfkit.examples.xdpcount;

/** The classes {@code xdpcount.bpf.c} counts packets in, in the order of its {@code packets} array. */
public enum Protocol {
    IPV4_TCP("IPv4", "TCP"), IPV4_UDP("IPv4", "UDP"), IPV4_ICMP("IPv4", "ICMP"), IPV4_OTHER("IPv4", "other"),
    IPV6_TCP("IPv6", "TCP"), IPV6_UDP("IPv6", "UDP"), IPV6_ICMP("IPv6", "ICMPv6"), IPV6_OTHER("IPv6", "other"),
    NOT_IP("not IP", "");

    private final String family;
    private final String protocol;

    Protocol(String family, String protocol) {
        this.family = family;
        this.protocol = protocol;
    }

    /** The index of its counter in the {@code packets} map. */
    public int index() {
        return ordinal();
    }

    /** "IPv4 UDP", "not IP", ... */
    public String label() {
        return protocol.isEmpty() ? family : family + " " + protocol;
    }
}
