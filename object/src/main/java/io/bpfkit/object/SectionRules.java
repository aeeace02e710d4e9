package io.bpfkit.object;

import io.bpfkit.uapi.BpfFlags;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libbpf's {@code SEC()} naming conventions as data: which program type, expected attach type,
 * load flags and attach target an ELF section name stands for.
 *
 * <p>The table is libbpf's {@code section_defs[]} (libbpf 1.7 / master, in the same order, which
 * matters: the first matching rule wins). A rule is matched the way libbpf's
 * {@code sec_def_matches()} does it, with no tolerance for anything else (the "sloppy" prefixes
 * of libbpf before 1.0 are gone there too):
 * <ul>
 * <li>{@code "xdp"}: the name must be exactly {@code xdp} ({@code xdp/foo} and {@code xdp_prog}
 *     are unknown);
 * <li>{@code "kprobe+"}: exactly {@code kprobe}, or {@code kprobe/} followed by anything
 *     ({@code kprobe.multi/x} does not match it, {@code kprobe__x} matches nothing);
 * <li>a rule ending in {@code '/'} (none in libbpf's table today) matches any name starting
 *     with it.
 * </ul>
 * The target after the prefix is parsed as libbpf's attach functions ({@code attach_kprobe},
 * {@code attach_uprobe}, {@code attach_tp}, ...) parse it, including where they are lenient
 * (trailing characters after a kprobe function are ignored) and where a missing target is fine
 * ({@code SEC("kprobe")}: no auto-attach). A malformed target does not fail resolution: the
 * result keeps the program type and says what is wrong in {@link SectionDef#targetError()}.
 *
 * <pre>{@code
 * SectionDef d = SectionRules.resolve("tp/syscalls/sys_enter_write");
 * d.programType();                  // TRACEPOINT
 * d.target();                       // Tracepoint[category=syscalls, name=sys_enter_write]
 *
 * SectionRules.resolve("xdp.frags").progFlags();           // BPF_F_XDP_HAS_FRAGS
 * SectionRules.resolve("lsm.s/file_open").sleepable();     // true
 * SectionRules.resolve("?fentry/do_unlinkat").autoload();  // false
 * SectionRules.find("cgroup/skb").map(Rule::pattern);     // Optional[cgroup/skb]
 * }</pre>
 */
public final class SectionRules {

    /** libbpf's per-rule flags ({@code enum sec_def_flags}). */
    public enum Flag {
        /** The expected attach type may be dropped on kernels that do not take one (pre 4.17). */
        EXP_ATTACH_OPT,
        /**
         * Legacy marker of types attached with BPF_PROG_ATTACH; only libbpf's
         * {@code libbpf_attach_type_by_name()} looks at it.
         */
        ATTACHABLE,
        /** The target is a BTF type id, resolved by name at load time. */
        ATTACH_BTF,
        /** Loaded with {@code BPF_F_SLEEPABLE}. */
        SLEEPABLE,
        /** Loaded with {@code BPF_F_XDP_HAS_FRAGS}. */
        XDP_FRAGS,
        /** A USDT program: loaded as {@code BPF_TRACE_UPROBE_MULTI} where the kernel has uprobe.multi. */
        USDT
    }

    /**
     * One entry of the section table.
     *
     * @param pattern the entry as libbpf writes it: {@code "kprobe+"}, {@code "xdp.frags/devmap"}
     * @param programType the program type it gives
     * @param expectedAttachType the expected attach type, or null where libbpf's entry has 0
     * @param flags libbpf's flags for it
     * @param attachKind how its programs are attached
     */
    public record Rule(String pattern, ProgramType programType, AttachType expectedAttachType,
                       Set<Flag> flags, AttachKind attachKind) {

        /** Copies {@code flags} into an unmodifiable set. */
        public Rule {
            flags = Set.copyOf(flags);
        }

        /** The pattern without a trailing {@code '+'}: what a matching name starts with. */
        public String prefix() {
            return pattern.endsWith("+") ? pattern.substring(0, pattern.length() - 1) : pattern;
        }

        /** Whether the rule accepts a target after {@code '/'} ({@code "name+"} form). */
        public boolean takesTarget() {
            return pattern.endsWith("+");
        }

        /** Whether this rule has {@code flag}. */
        public boolean has(Flag flag) {
            return flags.contains(flag);
        }

        /** Whether {@code name} matches this rule, by libbpf's {@code sec_def_matches()}. */
        public boolean matches(String name) {
            if (pattern.endsWith("/")) {
                return name.startsWith(pattern);
            }
            if (pattern.endsWith("+")) {
                int len = pattern.length() - 1;
                if (!name.regionMatches(0, pattern, 0, len)) {
                    return false;
                }
                return name.length() == len || name.charAt(len) == '/';
            }
            return name.equals(pattern);
        }
    }

    private static final List<Rule> RULES = List.of(
            rule("socket", ProgramType.SOCKET_FILTER, null, AttachKind.SOCKET_FILTER),
            rule("sk_reuseport/migrate", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE,
                    AttachKind.SK_REUSEPORT, Flag.ATTACHABLE),
            rule("sk_reuseport", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT,
                    AttachKind.SK_REUSEPORT, Flag.ATTACHABLE),
            rule("kprobe+", ProgramType.KPROBE, null, AttachKind.KPROBE),
            rule("uprobe+", ProgramType.KPROBE, null, AttachKind.UPROBE),
            rule("uprobe.s+", ProgramType.KPROBE, null, AttachKind.UPROBE, Flag.SLEEPABLE),
            rule("kretprobe+", ProgramType.KPROBE, null, AttachKind.KPROBE),
            rule("uretprobe+", ProgramType.KPROBE, null, AttachKind.UPROBE),
            rule("uretprobe.s+", ProgramType.KPROBE, null, AttachKind.UPROBE, Flag.SLEEPABLE),
            rule("kprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, AttachKind.KPROBE_MULTI),
            rule("kretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, AttachKind.KPROBE_MULTI),
            rule("kprobe.session+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_SESSION, AttachKind.KPROBE_SESSION),
            rule("uprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, AttachKind.UPROBE_MULTI),
            rule("uretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, AttachKind.UPROBE_MULTI),
            rule("uprobe.session+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_SESSION, AttachKind.UPROBE_SESSION),
            rule("uprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, AttachKind.UPROBE_MULTI,
                    Flag.SLEEPABLE),
            rule("uretprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, AttachKind.UPROBE_MULTI,
                    Flag.SLEEPABLE),
            rule("uprobe.session.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_SESSION, AttachKind.UPROBE_SESSION,
                    Flag.SLEEPABLE),
            rule("ksyscall+", ProgramType.KPROBE, null, AttachKind.KSYSCALL),
            rule("kretsyscall+", ProgramType.KPROBE, null, AttachKind.KSYSCALL),
            rule("usdt+", ProgramType.KPROBE, null, AttachKind.USDT, Flag.USDT),
            rule("usdt.s+", ProgramType.KPROBE, null, AttachKind.USDT, Flag.USDT, Flag.SLEEPABLE),
            rule("tc/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, AttachKind.TCX),
            rule("tc/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, AttachKind.TCX),
            rule("tcx/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, AttachKind.TCX),
            rule("tcx/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, AttachKind.TCX),
            rule("tc", ProgramType.SCHED_CLS, null, AttachKind.TC),
            rule("classifier", ProgramType.SCHED_CLS, null, AttachKind.TC),
            rule("action", ProgramType.SCHED_ACT, null, AttachKind.TC),
            rule("netkit/primary", ProgramType.SCHED_CLS, AttachType.NETKIT_PRIMARY, AttachKind.NETKIT),
            rule("netkit/peer", ProgramType.SCHED_CLS, AttachType.NETKIT_PEER, AttachKind.NETKIT),
            rule("tracepoint+", ProgramType.TRACEPOINT, null, AttachKind.TRACEPOINT),
            rule("tp+", ProgramType.TRACEPOINT, null, AttachKind.TRACEPOINT),
            rule("tracepoint.s+", ProgramType.TRACEPOINT, null, AttachKind.TRACEPOINT, Flag.SLEEPABLE),
            rule("tp.s+", ProgramType.TRACEPOINT, null, AttachKind.TRACEPOINT, Flag.SLEEPABLE),
            rule("raw_tracepoint+", ProgramType.RAW_TRACEPOINT, null, AttachKind.RAW_TRACEPOINT),
            rule("raw_tp+", ProgramType.RAW_TRACEPOINT, null, AttachKind.RAW_TRACEPOINT),
            rule("raw_tracepoint.s+", ProgramType.RAW_TRACEPOINT, null, AttachKind.RAW_TRACEPOINT, Flag.SLEEPABLE),
            rule("raw_tp.s+", ProgramType.RAW_TRACEPOINT, null, AttachKind.RAW_TRACEPOINT, Flag.SLEEPABLE),
            rule("raw_tracepoint.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null, AttachKind.RAW_TRACEPOINT),
            rule("raw_tp.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null, AttachKind.RAW_TRACEPOINT),
            rule("tp_btf+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, AttachKind.TRACING, Flag.ATTACH_BTF),
            rule("tp_btf.s+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, AttachKind.TRACING,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, AttachKind.TRACING, Flag.ATTACH_BTF),
            rule("fmod_ret+", ProgramType.TRACING, AttachType.MODIFY_RETURN, AttachKind.TRACING, Flag.ATTACH_BTF),
            rule("fexit+", ProgramType.TRACING, AttachType.TRACE_FEXIT, AttachKind.TRACING, Flag.ATTACH_BTF),
            rule("fentry.s+", ProgramType.TRACING, AttachType.TRACE_FENTRY, AttachKind.TRACING,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("fmod_ret.s+", ProgramType.TRACING, AttachType.MODIFY_RETURN, AttachKind.TRACING,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("fexit.s+", ProgramType.TRACING, AttachType.TRACE_FEXIT, AttachKind.TRACING,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("fsession+", ProgramType.TRACING, AttachType.TRACE_FSESSION, AttachKind.TRACING, Flag.ATTACH_BTF),
            rule("fsession.s+", ProgramType.TRACING, AttachType.TRACE_FSESSION, AttachKind.TRACING,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("fsession.multi+", ProgramType.TRACING, AttachType.TRACE_FSESSION_MULTI, AttachKind.TRACING_MULTI),
            rule("fsession.multi.s+", ProgramType.TRACING, AttachType.TRACE_FSESSION_MULTI, AttachKind.TRACING_MULTI,
                    Flag.SLEEPABLE),
            rule("fentry.multi+", ProgramType.TRACING, AttachType.TRACE_FENTRY_MULTI, AttachKind.TRACING_MULTI),
            rule("fexit.multi+", ProgramType.TRACING, AttachType.TRACE_FEXIT_MULTI, AttachKind.TRACING_MULTI),
            rule("fentry.multi.s+", ProgramType.TRACING, AttachType.TRACE_FENTRY_MULTI, AttachKind.TRACING_MULTI,
                    Flag.SLEEPABLE),
            rule("fexit.multi.s+", ProgramType.TRACING, AttachType.TRACE_FEXIT_MULTI, AttachKind.TRACING_MULTI,
                    Flag.SLEEPABLE),
            rule("freplace+", ProgramType.EXT, null, AttachKind.FREPLACE, Flag.ATTACH_BTF),
            rule("lsm+", ProgramType.LSM, AttachType.LSM_MAC, AttachKind.LSM, Flag.ATTACH_BTF),
            rule("lsm.s+", ProgramType.LSM, AttachType.LSM_MAC, AttachKind.LSM, Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("lsm_cgroup+", ProgramType.LSM, AttachType.LSM_CGROUP, AttachKind.LSM_CGROUP, Flag.ATTACH_BTF),
            rule("iter+", ProgramType.TRACING, AttachType.TRACE_ITER, AttachKind.ITER, Flag.ATTACH_BTF),
            rule("iter.s+", ProgramType.TRACING, AttachType.TRACE_ITER, AttachKind.ITER,
                    Flag.ATTACH_BTF, Flag.SLEEPABLE),
            rule("syscall", ProgramType.SYSCALL, null, AttachKind.PROG_RUN, Flag.SLEEPABLE),
            rule("xdp.frags/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, AttachKind.MAP_ELEMENT, Flag.XDP_FRAGS),
            rule("xdp/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, AttachKind.MAP_ELEMENT, Flag.ATTACHABLE),
            rule("xdp.frags/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, AttachKind.MAP_ELEMENT, Flag.XDP_FRAGS),
            rule("xdp/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, AttachKind.MAP_ELEMENT, Flag.ATTACHABLE),
            rule("xdp.frags", ProgramType.XDP, AttachType.XDP, AttachKind.XDP, Flag.XDP_FRAGS),
            rule("xdp", ProgramType.XDP, AttachType.XDP, AttachKind.XDP, Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("perf_event", ProgramType.PERF_EVENT, null, AttachKind.PERF_EVENT),
            rule("lwt_in", ProgramType.LWT_IN, null, AttachKind.NONE),
            rule("lwt_out", ProgramType.LWT_OUT, null, AttachKind.NONE),
            rule("lwt_xmit", ProgramType.LWT_XMIT, null, AttachKind.NONE),
            rule("lwt_seg6local", ProgramType.LWT_SEG6LOCAL, null, AttachKind.NONE),
            rule("sockops", ProgramType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, AttachKind.CGROUP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("sk_skb/stream_parser", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, AttachKind.SOCKMAP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("sk_skb/stream_verdict", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT, AttachKind.SOCKMAP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("sk_skb/verdict", ProgramType.SK_SKB, AttachType.SK_SKB_VERDICT, AttachKind.SOCKMAP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("sk_skb", ProgramType.SK_SKB, null, AttachKind.SOCKMAP),
            rule("sk_msg", ProgramType.SK_MSG, AttachType.SK_MSG_VERDICT, AttachKind.SOCKMAP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("lirc_mode2", ProgramType.LIRC_MODE2, AttachType.LIRC_MODE2, AttachKind.LIRC,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("flow_dissector", ProgramType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, AttachKind.NETNS,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("cgroup_skb/ingress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, AttachKind.CGROUP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("cgroup_skb/egress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, AttachKind.CGROUP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("cgroup/skb", ProgramType.CGROUP_SKB, null, AttachKind.CGROUP),
            cgroup("cgroup/sock_create", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
            cgroup("cgroup/sock_release", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE),
            rule("cgroup/sock", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, AttachKind.CGROUP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            cgroup("cgroup/post_bind4", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND),
            cgroup("cgroup/post_bind6", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND),
            cgroup("cgroup/bind4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
            cgroup("cgroup/bind6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND),
            cgroup("cgroup/connect4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
            cgroup("cgroup/connect6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT),
            cgroup("cgroup/connect_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_CONNECT),
            cgroup("cgroup/sendmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG),
            cgroup("cgroup/sendmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG),
            cgroup("cgroup/sendmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_SENDMSG),
            cgroup("cgroup/recvmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG),
            cgroup("cgroup/recvmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG),
            cgroup("cgroup/recvmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_RECVMSG),
            cgroup("cgroup/getpeername4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME),
            cgroup("cgroup/getpeername6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME),
            cgroup("cgroup/getpeername_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETPEERNAME),
            cgroup("cgroup/getsockname4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME),
            cgroup("cgroup/getsockname6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME),
            cgroup("cgroup/getsockname_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETSOCKNAME),
            cgroup("cgroup/sysctl", ProgramType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL),
            cgroup("cgroup/getsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
            cgroup("cgroup/setsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT),
            rule("cgroup/dev", ProgramType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, AttachKind.CGROUP,
                    Flag.ATTACHABLE, Flag.EXP_ATTACH_OPT),
            rule("struct_ops+", ProgramType.STRUCT_OPS, null, AttachKind.STRUCT_OPS),
            rule("struct_ops.s+", ProgramType.STRUCT_OPS, null, AttachKind.STRUCT_OPS, Flag.SLEEPABLE),
            rule("sk_lookup", ProgramType.SK_LOOKUP, AttachType.SK_LOOKUP, AttachKind.NETNS, Flag.ATTACHABLE),
            rule("netfilter", ProgramType.NETFILTER, AttachType.NETFILTER, AttachKind.NETFILTER));

    /** libbpf's {@code BTF_MAX_NAME_SIZE}: a prefixed BTF name must be shorter. */
    private static final int BTF_MAX_NAME_SIZE = 128;

    private SectionRules() {
    }

    private static Rule rule(String pattern, ProgramType type, AttachType attachType, AttachKind kind,
                             Flag... flags) {
        Set<Flag> set = EnumSet.noneOf(Flag.class);
        set.addAll(List.of(flags));
        return new Rule(pattern, type, attachType, set, kind);
    }

    private static Rule cgroup(String pattern, ProgramType type, AttachType attachType) {
        return rule(pattern, type, attachType, AttachKind.CGROUP, Flag.ATTACHABLE);
    }

    /** libbpf's section table, in libbpf's order (the first match wins). */
    public static List<Rule> rules() {
        return RULES;
    }

    /**
     * The rule {@code name} matches, exactly as libbpf's {@code libbpf_prog_type_by_name()}
     * finds it: no {@code '?'} handling, no target parsing.
     */
    public static Optional<Rule> find(String name) {
        for (Rule r : RULES) {
            if (r.matches(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Everything an ELF section name says about its programs. Never throws for any name: an
     * unknown name gives a {@link SectionDef} with {@link SectionDef#known()} false and type
     * {@link ProgramType#UNSPEC}; a malformed target gives {@link SectionDef#targetError()}.
     *
     * <p>A leading {@code '?'} (libbpf: "do not auto-load") is removed before matching and
     * reported as {@link SectionDef#autoload()} false.
     *
     * @param sectionName the section name as in the ELF file
     * @return the resolved definition
     */
    public static SectionDef resolve(String sectionName) {
        SectionDef cached = RESOLVED.get(sectionName);
        if (cached != null) {
            return cached;
        }
        SectionDef def = compute(sectionName);
        if (RESOLVED.size() < RESOLVED_MAX) {
            RESOLVED.putIfAbsent(sectionName, def);
        }
        return def;
    }

    /** Section names resolved so far: the definition is immutable and depends on the name alone. */
    private static final ConcurrentHashMap<String, SectionDef> RESOLVED = new ConcurrentHashMap<>();
    private static final int RESOLVED_MAX = 4096;

    private static SectionDef compute(String sectionName) {
        String name = sectionName;
        boolean autoload = true;
        if (name.startsWith("?")) {
            name = name.substring(1);
            autoload = false;
        }
        Optional<Rule> found = find(name);
        if (found.isEmpty()) {
            return new SectionDef(sectionName, autoload, null, ProgramType.UNSPEC, null, AttachKind.NONE,
                    null, null, 0, false, false);
        }
        Rule rule = found.get();
        int progFlags = 0;
        if (rule.has(Flag.SLEEPABLE)) {
            progFlags |= BpfFlags.BPF_F_SLEEPABLE;
        }
        if (rule.has(Flag.XDP_FRAGS) && rule.programType() == ProgramType.XDP) {
            progFlags |= BpfFlags.BPF_F_XDP_HAS_FRAGS;
        }
        Parsed parsed = parseTarget(rule, name);
        boolean autoAttach = rule.attachKind().autoAttach() && parsed.target != null;
        return new SectionDef(sectionName, autoload, rule, rule.programType(), rule.expectedAttachType(),
                rule.attachKind(), parsed.target, parsed.error, progFlags, autoAttach,
                rule.has(Flag.ATTACH_BTF));
    }

    // ---------------------------------------------------------------- target parsing

    private record Parsed(SectionDef.Target target, String error) {
        static final Parsed NONE = new Parsed(null, null);

        static Parsed of(SectionDef.Target target) {
            return new Parsed(target, null);
        }

        static Parsed error(String message) {
            return new Parsed(null, message);
        }
    }

    private static Parsed parseTarget(Rule rule, String name) {
        if (!rule.takesTarget()) {
            return Parsed.NONE;
        }
        String prefix = rule.prefix();
        if (name.length() == prefix.length()) {
            // bare SEC("kprobe"), SEC("fentry"), ...: valid, nothing to auto-attach to
            return Parsed.NONE;
        }
        String rest = name.substring(prefix.length() + 1);
        return switch (rule.attachKind()) {
            case KPROBE -> kprobe(name, rest, prefix.equals("kretprobe"));
            case KSYSCALL -> rest.isEmpty()
                    ? Parsed.error("section '" + name + "': empty system call name")
                    : Parsed.of(new SectionDef.Ksyscall(rest, prefix.equals("kretsyscall")));
            case KPROBE_MULTI, KPROBE_SESSION -> kprobeMulti(name, rest, prefix.equals("kretprobe.multi"),
                    rule.attachKind() == AttachKind.KPROBE_SESSION);
            case UPROBE -> uprobe(name, prefix);
            case UPROBE_MULTI, UPROBE_SESSION -> uprobeMulti(name, prefix);
            case USDT -> usdt(name, prefix, rest);
            case TRACEPOINT -> tracepoint(name, prefix, rest);
            case RAW_TRACEPOINT -> rest.isEmpty()
                    ? Parsed.error("section '" + name + "': expected " + prefix + "/<tracepoint>")
                    : Parsed.of(new SectionDef.RawTracepoint(rest));
            case TRACING, LSM, LSM_CGROUP, ITER, FREPLACE -> btf(name, rule, rest);
            case TRACING_MULTI -> tracingMulti(name, rest);
            default -> Parsed.NONE; // struct_ops+: the part after '/' is free-form
        };
    }

    /** attach_kprobe: {@code %m[a-zA-Z0-9_.]+%li}, trailing characters ignored. */
    private static Parsed kprobe(String name, String rest, boolean retprobe) {
        int end = scan(rest, 0, SectionRules::isKprobeChar);
        if (end == 0) {
            return Parsed.error("section '" + name + "': kprobe function name is invalid: '" + rest + "'");
        }
        String function = rest.substring(0, end);
        long offset = 0;
        if (end < rest.length() && rest.charAt(end) == '+') {
            CLong n = parseCLong(rest, end + 1);
            if (n != null) {
                offset = n.value;
            }
        }
        if (offset < 0) {
            return Parsed.error("section '" + name + "': kprobe offset must be a non-negative integer: " + offset);
        }
        if (retprobe && offset != 0) {
            return Parsed.error("section '" + name + "': kretprobes do not support an offset");
        }
        return Parsed.of(new SectionDef.Kprobe(function, offset, retprobe));
    }

    /** attach_kprobe_multi / attach_kprobe_session: {@code %m[a-zA-Z0-9_.*?]}. */
    private static Parsed kprobeMulti(String name, String rest, boolean retprobe, boolean session) {
        int end = scan(rest, 0, c -> isKprobeChar(c) || c == '*' || c == '?');
        if (end == 0) {
            return Parsed.error("section '" + name + "': kprobe multi pattern is invalid: '" + rest + "'");
        }
        return Parsed.of(new SectionDef.KprobeMulti(rest.substring(0, end), retprobe, session));
    }

    /**
     * The {@code %m[^/]/%m[^:]:%m[^\n]} split of attach_uprobe and attach_uprobe_multi:
     * null when only the probe type matched (no auto-attach, not an error: this includes an
     * empty binary path), an array of one (binary path, no function) or two elements.
     */
    private static String[] splitUprobe(String name, String prefix) {
        int start = prefix.length() + 1;
        int colon = name.indexOf(':', start);
        String path = name.substring(start, colon < 0 ? name.length() : colon);
        if (path.isEmpty()) {
            return null;
        }
        if (colon < 0) {
            return new String[] {path};
        }
        int newline = name.indexOf('\n', colon + 1);
        String func = name.substring(colon + 1, newline < 0 ? name.length() : newline);
        return func.isEmpty() ? new String[] {path} : new String[] {path, func};
    }

    /** attach_uprobe: {@code <type>/<binary>:<function>[+<offset>]}. */
    private static Parsed uprobe(String name, String prefix) {
        String[] parts = splitUprobe(name, prefix);
        if (parts == null) {
            return Parsed.NONE;
        }
        if (parts.length == 1) {
            return Parsed.error("section '" + name + "': missing ':function[+offset]' after the binary");
        }
        String func = parts[1];
        long offset = 0;
        int plus = func.lastIndexOf('+');
        if (plus >= 0) {
            CLong n = parseCLong(func, plus + 1);
            if (n != null && n.end == func.length()) {
                offset = n.value;
                func = func.substring(0, plus);
            }
        }
        boolean retprobe = prefix.equals("uretprobe") || prefix.equals("uretprobe.s");
        if (offset < 0) {
            return Parsed.error("section '" + name + "': uprobe offset must be a non-negative integer: " + offset);
        }
        if (retprobe && offset != 0) {
            return Parsed.error("section '" + name + "': uretprobes do not support an offset");
        }
        return Parsed.of(new SectionDef.Uprobe(parts[0], func.isEmpty() ? null : func, offset, retprobe));
    }

    /** attach_uprobe_multi: {@code <type>/<binary>:<pattern>}. */
    private static Parsed uprobeMulti(String name, String prefix) {
        String[] parts = splitUprobe(name, prefix);
        if (parts == null) {
            return Parsed.NONE;
        }
        if (parts.length == 1) {
            return Parsed.error("section '" + name + "': expected " + prefix + "/<binary>:<pattern>");
        }
        return Parsed.of(new SectionDef.UprobeMulti(parts[0], parts[1],
                prefix.startsWith("uretprobe.multi"), prefix.startsWith("uprobe.session")));
    }

    /** attach_usdt: {@code usdt/%m[^:]:%m[^:]:%m[^:]}, all three present, anything after a third ':' ignored. */
    private static Parsed usdt(String name, String prefix, String rest) {
        String[] fields = new String[3];
        int pos = 0;
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                if (pos >= rest.length() || rest.charAt(pos) != ':') {
                    fields = null;
                    break;
                }
                pos++;
            }
            int end = rest.indexOf(':', pos);
            if (end < 0) {
                end = rest.length();
            }
            if (end == pos) {
                fields = null;
                break;
            }
            fields[i] = rest.substring(pos, end);
            pos = end;
        }
        if (fields == null) {
            return Parsed.error("section '" + name + "': expected " + prefix + "/<path>:<provider>:<name>");
        }
        return Parsed.of(new SectionDef.Usdt(fields[0], fields[1], fields[2]));
    }

    /** attach_tp: {@code <category>/<name>}; the name is everything after the first '/'. */
    private static Parsed tracepoint(String name, String prefix, String rest) {
        int slash = rest.indexOf('/');
        if (rest.isEmpty() || slash < 0) {
            return Parsed.error("section '" + name + "': expected " + prefix + "/<category>/<name>");
        }
        String category = rest.substring(0, slash);
        String tp = rest.substring(slash + 1);
        if (category.isEmpty() || tp.isEmpty()) {
            return Parsed.error("section '" + name + "': empty tracepoint category or name; expected "
                    + prefix + "/<category>/<name>");
        }
        return Parsed.of(new SectionDef.Tracepoint(category, tp));
    }

    /** The BTF-id targets: everything after the first '/', optionally {@code module:name}. */
    private static Parsed btf(String name, Rule rule, String rest) {
        if (rest.isEmpty()) {
            return Parsed.error("section '" + name + "': empty attach target after '" + rule.prefix() + "/'");
        }
        if (rule.attachKind() == AttachKind.FREPLACE) {
            // looked up as written in the target program's BTF
            return Parsed.of(new SectionDef.BtfTarget(null, rest, rest, SectionDef.BtfKind.FUNC));
        }
        String module = null;
        String target = rest;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            module = rest.substring(0, colon);
            target = rest.substring(colon + 1);
        }
        String btfPrefix;
        SectionDef.BtfKind kind = SectionDef.BtfKind.FUNC;
        AttachType at = rule.expectedAttachType();
        if (at == AttachType.TRACE_RAW_TP) {
            btfPrefix = "btf_trace_";
            kind = SectionDef.BtfKind.TYPEDEF;
        } else if (at == AttachType.LSM_MAC || at == AttachType.LSM_CGROUP) {
            btfPrefix = "bpf_lsm_";
        } else if (at == AttachType.TRACE_ITER) {
            btfPrefix = "bpf_iter_";
        } else {
            btfPrefix = "";
        }
        String btfName = btfPrefix + target;
        if (btfName.length() >= BTF_MAX_NAME_SIZE) {
            return Parsed.error("section '" + name + "': attach target '" + btfName + "' is longer than "
                    + (BTF_MAX_NAME_SIZE - 1) + " characters");
        }
        return Parsed.of(new SectionDef.BtfTarget(module, target, btfName, kind));
    }

    /** attach_tracing_multi: {@code %m[a-zA-Z0-9_.*?:]}. */
    private static Parsed tracingMulti(String name, String rest) {
        int end = scan(rest, 0, c -> isKprobeChar(c) || c == '*' || c == '?' || c == ':');
        if (end == 0) {
            return Parsed.error("section '" + name + "': tracing multi pattern is invalid: '" + rest + "'");
        }
        return Parsed.of(new SectionDef.TracingMulti(rest.substring(0, end)));
    }

    // ---------------------------------------------------------------- C scanning helpers

    private interface CharTest {
        boolean test(char c);
    }

    private static int scan(String s, int from, CharTest test) {
        int i = from;
        while (i < s.length() && test.test(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isKprobeChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }

    private record CLong(long value, int end) {
    }

    /**
     * sscanf's {@code %li}: leading white space, a sign, then 0x-hex, 0-octal or decimal digits;
     * out-of-range values saturate as glibc's strtol does. Null when no digits were converted.
     */
    private static CLong parseCLong(String s, int from) {
        int i = from;
        int n = s.length();
        while (i < n && isCSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        boolean hexPrefix = false;
        if (i < n && s.charAt(i) == '0') {
            if (i + 1 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
                // glibc consumes "0x" even when no hex digit follows, and converts it as 0
                radix = 16;
                hexPrefix = true;
                i += 2;
            } else {
                radix = 8;
            }
        }
        int digitsStart = i;
        long magnitude = 0;
        boolean overflow = false;
        while (i < n) {
            char c = s.charAt(i);
            int d = c < 128 ? Character.digit(c, radix) : -1;
            if (d < 0) {
                break;
            }
            if (!overflow) {
                if (magnitude > (Long.MAX_VALUE - d) / radix) {
                    overflow = true;
                } else {
                    magnitude = magnitude * radix + d;
                }
            }
            i++;
        }
        if (i == digitsStart && !hexPrefix) {
            return null;
        }
        long value;
        if (overflow) {
            value = negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else {
            value = negative ? -magnitude : magnitude;
        }
        return new CLong(value, i);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
