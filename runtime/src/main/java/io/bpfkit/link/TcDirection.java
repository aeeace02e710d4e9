package io.bpfkit.link;

/** Which way through an interface a tc program sees packets. */
public enum TcDirection {
    /** Packets the interface receives. */
    INGRESS,
    /** Packets the interface sends. */
    EGRESS
}
