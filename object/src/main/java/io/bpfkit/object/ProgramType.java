package io.bpfkit.object;

import io.bpfkit.uapi.BpfProgType;
import java.util.Optional;

/**
 * The kernel's {@code enum bpf_prog_type} (include/uapi/linux/bpf.h, complete as of Linux 6.18).
 *
 * <p>{@link #value()} is the number the kernel expects in {@code bpf_attr.prog_type};
 * {@link #libbpfName()} is the string libbpf's {@code libbpf_bpf_prog_type_str()} returns, which
 * is also what {@code bpftool} prints.
 *
 * <pre>{@code
 * ProgramType t = SectionRules.resolve("tp/syscalls/sys_enter_write").programType();
 * t == ProgramType.TRACEPOINT;      // true
 * t.value();                        // 5
 * t.libbpfName();                   // "tracepoint"
 * ProgramType.ofValue(6);           // Optional[XDP]
 * }</pre>
 */
public enum ProgramType {
    /** No type: the section name was not recognised. The kernel refuses to load it. */
    UNSPEC(BpfProgType.BPF_PROG_TYPE_UNSPEC, "unspec"),
    /** {@code BPF_PROG_TYPE_SOCKET_FILTER}. */
    SOCKET_FILTER(BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter"),
    /** {@code BPF_PROG_TYPE_KPROBE}. */
    KPROBE(BpfProgType.BPF_PROG_TYPE_KPROBE, "kprobe"),
    /** {@code BPF_PROG_TYPE_SCHED_CLS}. */
    SCHED_CLS(BpfProgType.BPF_PROG_TYPE_SCHED_CLS, "sched_cls"),
    /** {@code BPF_PROG_TYPE_SCHED_ACT}. */
    SCHED_ACT(BpfProgType.BPF_PROG_TYPE_SCHED_ACT, "sched_act"),
    /** {@code BPF_PROG_TYPE_TRACEPOINT}. */
    TRACEPOINT(BpfProgType.BPF_PROG_TYPE_TRACEPOINT, "tracepoint"),
    /** {@code BPF_PROG_TYPE_XDP}. */
    XDP(BpfProgType.BPF_PROG_TYPE_XDP, "xdp"),
    /** {@code BPF_PROG_TYPE_PERF_EVENT}. */
    PERF_EVENT(BpfProgType.BPF_PROG_TYPE_PERF_EVENT, "perf_event"),
    /** {@code BPF_PROG_TYPE_CGROUP_SKB}. */
    CGROUP_SKB(BpfProgType.BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb"),
    /** {@code BPF_PROG_TYPE_CGROUP_SOCK}. */
    CGROUP_SOCK(BpfProgType.BPF_PROG_TYPE_CGROUP_SOCK, "cgroup_sock"),
    /** {@code BPF_PROG_TYPE_LWT_IN}. */
    LWT_IN(BpfProgType.BPF_PROG_TYPE_LWT_IN, "lwt_in"),
    /** {@code BPF_PROG_TYPE_LWT_OUT}. */
    LWT_OUT(BpfProgType.BPF_PROG_TYPE_LWT_OUT, "lwt_out"),
    /** {@code BPF_PROG_TYPE_LWT_XMIT}. */
    LWT_XMIT(BpfProgType.BPF_PROG_TYPE_LWT_XMIT, "lwt_xmit"),
    /** {@code BPF_PROG_TYPE_SOCK_OPS}. */
    SOCK_OPS(BpfProgType.BPF_PROG_TYPE_SOCK_OPS, "sock_ops"),
    /** {@code BPF_PROG_TYPE_SK_SKB}. */
    SK_SKB(BpfProgType.BPF_PROG_TYPE_SK_SKB, "sk_skb"),
    /** {@code BPF_PROG_TYPE_CGROUP_DEVICE}. */
    CGROUP_DEVICE(BpfProgType.BPF_PROG_TYPE_CGROUP_DEVICE, "cgroup_device"),
    /** {@code BPF_PROG_TYPE_SK_MSG}. */
    SK_MSG(BpfProgType.BPF_PROG_TYPE_SK_MSG, "sk_msg"),
    /** {@code BPF_PROG_TYPE_RAW_TRACEPOINT}. */
    RAW_TRACEPOINT(BpfProgType.BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint"),
    /** {@code BPF_PROG_TYPE_CGROUP_SOCK_ADDR}. */
    CGROUP_SOCK_ADDR(BpfProgType.BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup_sock_addr"),
    /** {@code BPF_PROG_TYPE_LWT_SEG6LOCAL}. */
    LWT_SEG6LOCAL(BpfProgType.BPF_PROG_TYPE_LWT_SEG6LOCAL, "lwt_seg6local"),
    /** {@code BPF_PROG_TYPE_LIRC_MODE2}. */
    LIRC_MODE2(BpfProgType.BPF_PROG_TYPE_LIRC_MODE2, "lirc_mode2"),
    /** {@code BPF_PROG_TYPE_SK_REUSEPORT}. */
    SK_REUSEPORT(BpfProgType.BPF_PROG_TYPE_SK_REUSEPORT, "sk_reuseport"),
    /** {@code BPF_PROG_TYPE_FLOW_DISSECTOR}. */
    FLOW_DISSECTOR(BpfProgType.BPF_PROG_TYPE_FLOW_DISSECTOR, "flow_dissector"),
    /** {@code BPF_PROG_TYPE_CGROUP_SYSCTL}. */
    CGROUP_SYSCTL(BpfProgType.BPF_PROG_TYPE_CGROUP_SYSCTL, "cgroup_sysctl"),
    /** {@code BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE}. */
    RAW_TRACEPOINT_WRITABLE(BpfProgType.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, "raw_tracepoint_writable"),
    /** {@code BPF_PROG_TYPE_CGROUP_SOCKOPT}. */
    CGROUP_SOCKOPT(BpfProgType.BPF_PROG_TYPE_CGROUP_SOCKOPT, "cgroup_sockopt"),
    /** {@code BPF_PROG_TYPE_TRACING}. */
    TRACING(BpfProgType.BPF_PROG_TYPE_TRACING, "tracing"),
    /** {@code BPF_PROG_TYPE_STRUCT_OPS}. */
    STRUCT_OPS(BpfProgType.BPF_PROG_TYPE_STRUCT_OPS, "struct_ops"),
    /** {@code BPF_PROG_TYPE_EXT}. */
    EXT(BpfProgType.BPF_PROG_TYPE_EXT, "ext"),
    /** {@code BPF_PROG_TYPE_LSM}. */
    LSM(BpfProgType.BPF_PROG_TYPE_LSM, "lsm"),
    /** {@code BPF_PROG_TYPE_SK_LOOKUP}. */
    SK_LOOKUP(BpfProgType.BPF_PROG_TYPE_SK_LOOKUP, "sk_lookup"),
    /** {@code BPF_PROG_TYPE_SYSCALL}. */
    SYSCALL(BpfProgType.BPF_PROG_TYPE_SYSCALL, "syscall"),
    /** {@code BPF_PROG_TYPE_NETFILTER}. */
    NETFILTER(BpfProgType.BPF_PROG_TYPE_NETFILTER, "netfilter");

    private static final ProgramType[] BY_VALUE = values();

    static {
        for (ProgramType t : BY_VALUE) {
            if (t.value != t.ordinal()) {
                throw new ExceptionInInitializerError("ProgramType " + t + " out of kernel order");
            }
        }
    }

    private final int value;
    private final String libbpfName;

    ProgramType(int value, String libbpfName) {
        this.value = value;
        this.libbpfName = libbpfName;
    }

    /** The kernel's numeric value ({@code BPF_PROG_TYPE_*}). */
    public int value() {
        return value;
    }

    /** libbpf's name for this type, e.g. {@code "sched_cls"}, as {@code libbpf_bpf_prog_type_str()}. */
    public String libbpfName() {
        return libbpfName;
    }

    /** The type with this kernel value; empty for a value this enum does not know (a newer kernel). */
    public static Optional<ProgramType> ofValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? Optional.of(BY_VALUE[value]) : Optional.empty();
    }

    /** The type libbpf calls {@code name} (e.g. {@code "tracepoint"}); empty if there is none. */
    public static Optional<ProgramType> ofLibbpfName(String name) {
        for (ProgramType t : BY_VALUE) {
            if (t.libbpfName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
