package io.bpfkit.object;

/**
 * How a program of a given section gets attached: the mechanism an attach layer has to use.
 *
 * <p>Kinds for which {@link #autoAttach()} is true are those libbpf attaches by itself
 * ({@code bpf_program__attach()}, skeleton {@code attach}) when the section name carries the
 * target, e.g. {@code SEC("tp/sched/sched_switch")}. The others always need something only the
 * caller knows: an interface, a cgroup, a socket, a map, a perf event.
 *
 * <pre>{@code
 * SectionDef d = SectionRules.resolve("kretprobe/do_unlinkat");
 * d.attachKind();                 // KPROBE
 * d.attachKind().autoAttach();    // true
 * SectionRules.resolve("xdp").attachKind();   // XDP: needs an interface index
 * }</pre>
 */
public enum AttachKind {
    /** Nothing to attach through this section, or attached some way bpfkit does not model (lwt_*: routes). */
    NONE(false),
    /** perf_event_open of a tracefs tracepoint ({@code tracepoint+}, {@code tp+}, and their {@code .s}). */
    TRACEPOINT(true),
    /** BPF_RAW_TRACEPOINT_OPEN / link by tracepoint name ({@code raw_tp+}, {@code raw_tracepoint+}, {@code .w}, {@code .s}). */
    RAW_TRACEPOINT(true),
    /** BPF_LINK_CREATE for a BTF-id bound tracing program: {@code tp_btf}, {@code fentry}, {@code fexit}, {@code fmod_ret}, {@code fsession}. */
    TRACING(true),
    /** Multi-function tracing links ({@code fentry.multi+}, {@code fexit.multi+}, {@code fsession.multi+}; newer than 6.18). */
    TRACING_MULTI(true),
    /** BPF_LINK_CREATE of an LSM hook program ({@code lsm+}, {@code lsm.s+}). */
    LSM(true),
    /** An LSM hook scoped to a cgroup ({@code lsm_cgroup+}): needs a cgroup fd; libbpf does not auto-attach it. */
    LSM_CGROUP(false),
    /** A BPF iterator link ({@code iter+}); reading the link's iterator fd runs the program. */
    ITER(true),
    /**
     * Replaces a function of another, loaded BPF program ({@code freplace+}). That program must be
     * given at load time (libbpf: {@code bpf_program__set_attach_target}); the link then needs
     * nothing more, so libbpf auto-attaches it.
     */
    FREPLACE(true),
    /** A kprobe or kretprobe on a kernel function ({@code kprobe+}, {@code kretprobe+}). */
    KPROBE(true),
    /** A kprobe on a system call, named without its arch prefix ({@code ksyscall+}, {@code kretsyscall+}). */
    KSYSCALL(true),
    /** A kprobe.multi link on a function name pattern ({@code kprobe.multi+}, {@code kretprobe.multi+}). */
    KPROBE_MULTI(true),
    /** A kprobe.multi link in session mode ({@code kprobe.session+}). */
    KPROBE_SESSION(true),
    /** A uprobe or uretprobe on a function of a binary ({@code uprobe+}, {@code uretprobe+}, {@code .s}). */
    UPROBE(true),
    /** An uprobe.multi link on a symbol pattern of a binary ({@code uprobe.multi+}, {@code uretprobe.multi+}, {@code .s}). */
    UPROBE_MULTI(true),
    /** An uprobe.multi link in session mode ({@code uprobe.session+}, {@code uprobe.session.s+}). */
    UPROBE_SESSION(true),
    /** A USDT probe, found in the binary's {@code .note.stapsdt} ({@code usdt+}, {@code usdt.s+}). */
    USDT(true),
    /** An XDP link or netlink attach to a network interface ({@code xdp}, {@code xdp.frags}). */
    XDP(false),
    /** A tcx link on an interface's ingress or egress ({@code tcx/*}, and {@code tc/ingress}, {@code tc/egress}). */
    TCX(false),
    /** Legacy tc: a clsact qdisc filter or action via netlink ({@code tc}, {@code classifier}, {@code action}). */
    TC(false),
    /** A netkit link on the primary or peer device ({@code netkit/primary}, {@code netkit/peer}). */
    NETKIT(false),
    /** A cgroup attach or link ({@code cgroup/*}, {@code cgroup_skb/*}, {@code sockops}). */
    CGROUP(false),
    /** Attached to a sockmap or sockhash map ({@code sk_skb*}, {@code sk_msg}). */
    SOCKMAP(false),
    /** SO_ATTACH_BPF on a socket ({@code socket}). */
    SOCKET_FILTER(false),
    /** SO_ATTACH_REUSEPORT_EBPF on a reuseport socket group ({@code sk_reuseport*}). */
    SK_REUSEPORT(false),
    /** A link to a network namespace ({@code flow_dissector}, {@code sk_lookup}). */
    NETNS(false),
    /** Attached to a LIRC device fd ({@code lirc_mode2}). */
    LIRC(false),
    /** PERF_EVENT_IOC_SET_BPF / perf link on a perf event the caller opens ({@code perf_event}). */
    PERF_EVENT(false),
    /** Becomes active when its struct_ops map is registered ({@code struct_ops+}). */
    STRUCT_OPS(false),
    /** A netfilter hook link; protocol family and hook come from the caller ({@code netfilter}). */
    NETFILTER(false),
    /** Stored in a devmap or cpumap element ({@code xdp/devmap}, {@code xdp/cpumap}, and their {@code .frags}). */
    MAP_ELEMENT(false),
    /** Never attached: run on demand with BPF_PROG_RUN ({@code syscall}). */
    PROG_RUN(false);

    private final boolean autoAttach;

    AttachKind(boolean autoAttach) {
        this.autoAttach = autoAttach;
    }

    /**
     * Whether libbpf has an auto-attach function for this kind: the section name alone (when it
     * carries a target) says where to attach.
     */
    public boolean autoAttach() {
        return autoAttach;
    }
}
