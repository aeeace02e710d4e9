package io.bpfkit.object;

import io.bpfkit.uapi.BpfAttachType;
import java.util.Optional;

/**
 * The kernel's {@code enum bpf_attach_type} (include/uapi/linux/bpf.h).
 *
 * <p>{@link #value()} is the number the kernel expects in {@code bpf_attr.expected_attach_type},
 * {@code attach_type} and {@code link_create.attach_type}; {@link #libbpfName()} is the string
 * libbpf's {@code libbpf_bpf_attach_type_str()} returns (and {@code bpftool} prints).
 *
 * <p>Everything up to {@link #TRACE_UPROBE_SESSION} (57) is in Linux 6.18. The last four
 * ({@link #TRACE_FSESSION} and the {@code *_MULTI} tracing types) come from newer kernels; they
 * are here because current libbpf's section table names them ({@code fsession+},
 * {@code fentry.multi+}, ...). A 6.18 kernel rejects programs that use them.
 *
 * <pre>{@code
 * AttachType a = SectionRules.resolve("cgroup/connect4").expectedAttachType();
 * a == AttachType.CGROUP_INET4_CONNECT;   // true
 * a.value();                              // 10
 * a.libbpfName();                         // "cgroup_inet4_connect"
 * }</pre>
 */
public enum AttachType {
    /** {@code BPF_CGROUP_INET_INGRESS}. */
    CGROUP_INET_INGRESS(BpfAttachType.BPF_CGROUP_INET_INGRESS, "cgroup_inet_ingress"),
    /** {@code BPF_CGROUP_INET_EGRESS}. */
    CGROUP_INET_EGRESS(BpfAttachType.BPF_CGROUP_INET_EGRESS, "cgroup_inet_egress"),
    /** {@code BPF_CGROUP_INET_SOCK_CREATE}. */
    CGROUP_INET_SOCK_CREATE(BpfAttachType.BPF_CGROUP_INET_SOCK_CREATE, "cgroup_inet_sock_create"),
    /** {@code BPF_CGROUP_SOCK_OPS}. */
    CGROUP_SOCK_OPS(BpfAttachType.BPF_CGROUP_SOCK_OPS, "cgroup_sock_ops"),
    /** {@code BPF_SK_SKB_STREAM_PARSER}. */
    SK_SKB_STREAM_PARSER(BpfAttachType.BPF_SK_SKB_STREAM_PARSER, "sk_skb_stream_parser"),
    /** {@code BPF_SK_SKB_STREAM_VERDICT}. */
    SK_SKB_STREAM_VERDICT(BpfAttachType.BPF_SK_SKB_STREAM_VERDICT, "sk_skb_stream_verdict"),
    /** {@code BPF_CGROUP_DEVICE}. */
    CGROUP_DEVICE(BpfAttachType.BPF_CGROUP_DEVICE, "cgroup_device"),
    /** {@code BPF_SK_MSG_VERDICT}. */
    SK_MSG_VERDICT(BpfAttachType.BPF_SK_MSG_VERDICT, "sk_msg_verdict"),
    /** {@code BPF_CGROUP_INET4_BIND}. */
    CGROUP_INET4_BIND(BpfAttachType.BPF_CGROUP_INET4_BIND, "cgroup_inet4_bind"),
    /** {@code BPF_CGROUP_INET6_BIND}. */
    CGROUP_INET6_BIND(BpfAttachType.BPF_CGROUP_INET6_BIND, "cgroup_inet6_bind"),
    /** {@code BPF_CGROUP_INET4_CONNECT}. */
    CGROUP_INET4_CONNECT(BpfAttachType.BPF_CGROUP_INET4_CONNECT, "cgroup_inet4_connect"),
    /** {@code BPF_CGROUP_INET6_CONNECT}. */
    CGROUP_INET6_CONNECT(BpfAttachType.BPF_CGROUP_INET6_CONNECT, "cgroup_inet6_connect"),
    /** {@code BPF_CGROUP_INET4_POST_BIND}. */
    CGROUP_INET4_POST_BIND(BpfAttachType.BPF_CGROUP_INET4_POST_BIND, "cgroup_inet4_post_bind"),
    /** {@code BPF_CGROUP_INET6_POST_BIND}. */
    CGROUP_INET6_POST_BIND(BpfAttachType.BPF_CGROUP_INET6_POST_BIND, "cgroup_inet6_post_bind"),
    /** {@code BPF_CGROUP_UDP4_SENDMSG}. */
    CGROUP_UDP4_SENDMSG(BpfAttachType.BPF_CGROUP_UDP4_SENDMSG, "cgroup_udp4_sendmsg"),
    /** {@code BPF_CGROUP_UDP6_SENDMSG}. */
    CGROUP_UDP6_SENDMSG(BpfAttachType.BPF_CGROUP_UDP6_SENDMSG, "cgroup_udp6_sendmsg"),
    /** {@code BPF_LIRC_MODE2}. */
    LIRC_MODE2(BpfAttachType.BPF_LIRC_MODE2, "lirc_mode2"),
    /** {@code BPF_FLOW_DISSECTOR}. */
    FLOW_DISSECTOR(BpfAttachType.BPF_FLOW_DISSECTOR, "flow_dissector"),
    /** {@code BPF_CGROUP_SYSCTL}. */
    CGROUP_SYSCTL(BpfAttachType.BPF_CGROUP_SYSCTL, "cgroup_sysctl"),
    /** {@code BPF_CGROUP_UDP4_RECVMSG}. */
    CGROUP_UDP4_RECVMSG(BpfAttachType.BPF_CGROUP_UDP4_RECVMSG, "cgroup_udp4_recvmsg"),
    /** {@code BPF_CGROUP_UDP6_RECVMSG}. */
    CGROUP_UDP6_RECVMSG(BpfAttachType.BPF_CGROUP_UDP6_RECVMSG, "cgroup_udp6_recvmsg"),
    /** {@code BPF_CGROUP_GETSOCKOPT}. */
    CGROUP_GETSOCKOPT(BpfAttachType.BPF_CGROUP_GETSOCKOPT, "cgroup_getsockopt"),
    /** {@code BPF_CGROUP_SETSOCKOPT}. */
    CGROUP_SETSOCKOPT(BpfAttachType.BPF_CGROUP_SETSOCKOPT, "cgroup_setsockopt"),
    /** {@code BPF_TRACE_RAW_TP}. */
    TRACE_RAW_TP(BpfAttachType.BPF_TRACE_RAW_TP, "trace_raw_tp"),
    /** {@code BPF_TRACE_FENTRY}. */
    TRACE_FENTRY(BpfAttachType.BPF_TRACE_FENTRY, "trace_fentry"),
    /** {@code BPF_TRACE_FEXIT}. */
    TRACE_FEXIT(BpfAttachType.BPF_TRACE_FEXIT, "trace_fexit"),
    /** {@code BPF_MODIFY_RETURN}. */
    MODIFY_RETURN(BpfAttachType.BPF_MODIFY_RETURN, "modify_return"),
    /** {@code BPF_LSM_MAC}. */
    LSM_MAC(BpfAttachType.BPF_LSM_MAC, "lsm_mac"),
    /** {@code BPF_TRACE_ITER}. */
    TRACE_ITER(BpfAttachType.BPF_TRACE_ITER, "trace_iter"),
    /** {@code BPF_CGROUP_INET4_GETPEERNAME}. */
    CGROUP_INET4_GETPEERNAME(BpfAttachType.BPF_CGROUP_INET4_GETPEERNAME, "cgroup_inet4_getpeername"),
    /** {@code BPF_CGROUP_INET6_GETPEERNAME}. */
    CGROUP_INET6_GETPEERNAME(BpfAttachType.BPF_CGROUP_INET6_GETPEERNAME, "cgroup_inet6_getpeername"),
    /** {@code BPF_CGROUP_INET4_GETSOCKNAME}. */
    CGROUP_INET4_GETSOCKNAME(BpfAttachType.BPF_CGROUP_INET4_GETSOCKNAME, "cgroup_inet4_getsockname"),
    /** {@code BPF_CGROUP_INET6_GETSOCKNAME}. */
    CGROUP_INET6_GETSOCKNAME(BpfAttachType.BPF_CGROUP_INET6_GETSOCKNAME, "cgroup_inet6_getsockname"),
    /** {@code BPF_XDP_DEVMAP}. */
    XDP_DEVMAP(BpfAttachType.BPF_XDP_DEVMAP, "xdp_devmap"),
    /** {@code BPF_CGROUP_INET_SOCK_RELEASE}. */
    CGROUP_INET_SOCK_RELEASE(BpfAttachType.BPF_CGROUP_INET_SOCK_RELEASE, "cgroup_inet_sock_release"),
    /** {@code BPF_XDP_CPUMAP}. */
    XDP_CPUMAP(BpfAttachType.BPF_XDP_CPUMAP, "xdp_cpumap"),
    /** {@code BPF_SK_LOOKUP}. */
    SK_LOOKUP(BpfAttachType.BPF_SK_LOOKUP, "sk_lookup"),
    /** {@code BPF_XDP}. */
    XDP(BpfAttachType.BPF_XDP, "xdp"),
    /** {@code BPF_SK_SKB_VERDICT}. */
    SK_SKB_VERDICT(BpfAttachType.BPF_SK_SKB_VERDICT, "sk_skb_verdict"),
    /** {@code BPF_SK_REUSEPORT_SELECT}. */
    SK_REUSEPORT_SELECT(BpfAttachType.BPF_SK_REUSEPORT_SELECT, "sk_reuseport_select"),
    /** {@code BPF_SK_REUSEPORT_SELECT_OR_MIGRATE}. */
    SK_REUSEPORT_SELECT_OR_MIGRATE(BpfAttachType.BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, "sk_reuseport_select_or_migrate"),
    /** {@code BPF_PERF_EVENT}. */
    PERF_EVENT(BpfAttachType.BPF_PERF_EVENT, "perf_event"),
    /** {@code BPF_TRACE_KPROBE_MULTI}. */
    TRACE_KPROBE_MULTI(BpfAttachType.BPF_TRACE_KPROBE_MULTI, "trace_kprobe_multi"),
    /** {@code BPF_LSM_CGROUP}. */
    LSM_CGROUP(BpfAttachType.BPF_LSM_CGROUP, "lsm_cgroup"),
    /** {@code BPF_STRUCT_OPS}. */
    STRUCT_OPS(BpfAttachType.BPF_STRUCT_OPS, "struct_ops"),
    /** {@code BPF_NETFILTER}. */
    NETFILTER(BpfAttachType.BPF_NETFILTER, "netfilter"),
    /** {@code BPF_TCX_INGRESS}. */
    TCX_INGRESS(BpfAttachType.BPF_TCX_INGRESS, "tcx_ingress"),
    /** {@code BPF_TCX_EGRESS}. */
    TCX_EGRESS(BpfAttachType.BPF_TCX_EGRESS, "tcx_egress"),
    /** {@code BPF_TRACE_UPROBE_MULTI}. */
    TRACE_UPROBE_MULTI(BpfAttachType.BPF_TRACE_UPROBE_MULTI, "trace_uprobe_multi"),
    /** {@code BPF_CGROUP_UNIX_CONNECT}. */
    CGROUP_UNIX_CONNECT(BpfAttachType.BPF_CGROUP_UNIX_CONNECT, "cgroup_unix_connect"),
    /** {@code BPF_CGROUP_UNIX_SENDMSG}. */
    CGROUP_UNIX_SENDMSG(BpfAttachType.BPF_CGROUP_UNIX_SENDMSG, "cgroup_unix_sendmsg"),
    /** {@code BPF_CGROUP_UNIX_RECVMSG}. */
    CGROUP_UNIX_RECVMSG(BpfAttachType.BPF_CGROUP_UNIX_RECVMSG, "cgroup_unix_recvmsg"),
    /** {@code BPF_CGROUP_UNIX_GETPEERNAME}. */
    CGROUP_UNIX_GETPEERNAME(BpfAttachType.BPF_CGROUP_UNIX_GETPEERNAME, "cgroup_unix_getpeername"),
    /** {@code BPF_CGROUP_UNIX_GETSOCKNAME}. */
    CGROUP_UNIX_GETSOCKNAME(BpfAttachType.BPF_CGROUP_UNIX_GETSOCKNAME, "cgroup_unix_getsockname"),
    /** {@code BPF_NETKIT_PRIMARY}. */
    NETKIT_PRIMARY(BpfAttachType.BPF_NETKIT_PRIMARY, "netkit_primary"),
    /** {@code BPF_NETKIT_PEER}. */
    NETKIT_PEER(BpfAttachType.BPF_NETKIT_PEER, "netkit_peer"),
    /** {@code BPF_TRACE_KPROBE_SESSION}. */
    TRACE_KPROBE_SESSION(BpfAttachType.BPF_TRACE_KPROBE_SESSION, "trace_kprobe_session"),
    /** The last attach type of Linux 6.18. */
    TRACE_UPROBE_SESSION(BpfAttachType.BPF_TRACE_UPROBE_SESSION, "trace_uprobe_session"),
    /** Newer than Linux 6.18 (fentry/fexit session programs, libbpf {@code fsession+}). */
    TRACE_FSESSION(BpfAttachType.BPF_TRACE_FSESSION, "trace_fsession"),
    /** Newer than Linux 6.18 (libbpf {@code fentry.multi+}). */
    TRACE_FENTRY_MULTI(BpfAttachType.BPF_TRACE_FENTRY_MULTI, "trace_fentry_multi"),
    /** Newer than Linux 6.18 (libbpf {@code fexit.multi+}). */
    TRACE_FEXIT_MULTI(BpfAttachType.BPF_TRACE_FEXIT_MULTI, "trace_fexit_multi"),
    /** Newer than Linux 6.18 (libbpf {@code fsession.multi+}). */
    TRACE_FSESSION_MULTI(BpfAttachType.BPF_TRACE_FSESSION_MULTI, "trace_fsession_multi");

    /** The number of attach types Linux 6.18 defines ({@code __MAX_BPF_ATTACH_TYPE} there). */
    public static final int MAX_LINUX_6_18 = BpfAttachType.BPF_TRACE_UPROBE_SESSION + 1;

    private static final AttachType[] BY_VALUE = values();

    static {
        for (AttachType t : BY_VALUE) {
            if (t.value != t.ordinal()) {
                throw new ExceptionInInitializerError("AttachType " + t + " out of kernel order");
            }
        }
    }

    private final int value;
    private final String libbpfName;

    AttachType(int value, String libbpfName) {
        this.value = value;
        this.libbpfName = libbpfName;
    }

    /** The kernel's numeric value ({@code BPF_*} of {@code enum bpf_attach_type}). */
    public int value() {
        return value;
    }

    /** libbpf's name, e.g. {@code "trace_fentry"}, as {@code libbpf_bpf_attach_type_str()}. */
    public String libbpfName() {
        return libbpfName;
    }

    /** Whether Linux 6.18 knows this attach type. */
    public boolean inLinux618() {
        return value < MAX_LINUX_6_18;
    }

    /** The attach type with this kernel value; empty for a value this enum does not know. */
    public static Optional<AttachType> ofValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? Optional.of(BY_VALUE[value]) : Optional.empty();
    }

    /** The attach type libbpf calls {@code name} (e.g. {@code "tcx_ingress"}); empty if none. */
    public static Optional<AttachType> ofLibbpfName(String name) {
        for (AttachType t : BY_VALUE) {
            if (t.libbpfName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
