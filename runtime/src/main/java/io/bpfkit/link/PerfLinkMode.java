package io.bpfkit.link;

/** How a program is put on a perf event (tracepoints, uprobes, kprobes, perf_event programs). */
public enum PerfLinkMode {
    /** A BPF perf link where the kernel has them (5.15+), else the ioctl, as libbpf does. */
    AUTO,
    /** Only a BPF perf link (pinnable; carries the BPF cookie). */
    LINK,
    /** {@code PERF_EVENT_IOC_SET_BPF}: the older way; the perf event descriptor is the attachment. */
    IOCTL
}
