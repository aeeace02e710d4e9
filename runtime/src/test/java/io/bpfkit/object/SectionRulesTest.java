package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.object.SectionDef.BtfKind;
import io.bpfkit.object.SectionDef.BtfTarget;
import io.bpfkit.object.SectionDef.Kprobe;
import io.bpfkit.object.SectionDef.KprobeMulti;
import io.bpfkit.object.SectionDef.Ksyscall;
import io.bpfkit.object.SectionDef.RawTracepoint;
import io.bpfkit.object.SectionDef.Target;
import io.bpfkit.object.SectionDef.Tracepoint;
import io.bpfkit.object.SectionDef.TracingMulti;
import io.bpfkit.object.SectionDef.Uprobe;
import io.bpfkit.object.SectionDef.UprobeMulti;
import io.bpfkit.object.SectionDef.Usdt;
import io.bpfkit.uapi.BpfFlags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libbpf's section table, one or more cases per rule, written out independently of
 * {@link SectionRules}'s own table (expectations from libbpf's {@code section_defs[]} and its
 * attach functions).
 */
class SectionRulesTest {

    private static final int S = BpfFlags.BPF_F_SLEEPABLE;
    private static final int F = BpfFlags.BPF_F_XDP_HAS_FRAGS;

    /** One resolved name and everything it must give. */
    record Case(String section, String rule, ProgramType type, AttachType attach, int flags,
                AttachKind kind, Target target, boolean btf) {
        @Override
        public String toString() {
            return section;
        }
    }

    private static Case c(String section, String rule, ProgramType type, AttachType attach, int flags,
                          AttachKind kind, Target target) {
        return new Case(section, rule, type, attach, flags, kind, target, false);
    }

    private static Case btf(String section, String rule, ProgramType type, AttachType attach, int flags,
                            AttachKind kind, Target target) {
        return new Case(section, rule, type, attach, flags, kind, target, true);
    }

    private static BtfTarget fn(String name) {
        return new BtfTarget(null, name, name, BtfKind.FUNC);
    }

    private static Case cg(String section, ProgramType type, AttachType attach) {
        return c(section, section, type, attach, 0, AttachKind.CGROUP, null);
    }

    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        // sockets, kprobes, uprobes
        l.add(c("socket", "socket", ProgramType.SOCKET_FILTER, null, 0, AttachKind.SOCKET_FILTER, null));
        l.add(c("sk_reuseport/migrate", "sk_reuseport/migrate", ProgramType.SK_REUSEPORT,
                AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE, 0, AttachKind.SK_REUSEPORT, null));
        l.add(c("sk_reuseport", "sk_reuseport", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT, 0,
                AttachKind.SK_REUSEPORT, null));
        l.add(c("kprobe/do_sys_open+4", "kprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE,
                new Kprobe("do_sys_open", 4, false)));
        l.add(c("kprobe", "kprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE, null));
        l.add(c("kprobe/tcp_v4_connect", "kprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE,
                new Kprobe("tcp_v4_connect", 0, false)));
        l.add(c("kprobe/foo.isra.0+0x1f", "kprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE,
                new Kprobe("foo.isra.0", 31, false)));
        l.add(c("uprobe//usr/lib/libc.so.6:malloc+0x10", "uprobe+", ProgramType.KPROBE, null, 0, AttachKind.UPROBE,
                new Uprobe("/usr/lib/libc.so.6", "malloc", 16, false)));
        l.add(c("uprobe/libc.so.6:malloc", "uprobe+", ProgramType.KPROBE, null, 0, AttachKind.UPROBE,
                new Uprobe("libc.so.6", "malloc", 0, false)));
        l.add(c("uprobe", "uprobe+", ProgramType.KPROBE, null, 0, AttachKind.UPROBE, null));
        l.add(c("uprobe.s//usr/bin/bash:readline", "uprobe.s+", ProgramType.KPROBE, null, S, AttachKind.UPROBE,
                new Uprobe("/usr/bin/bash", "readline", 0, false)));
        l.add(c("kretprobe/do_unlinkat", "kretprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE,
                new Kprobe("do_unlinkat", 0, true)));
        l.add(c("kretprobe", "kretprobe+", ProgramType.KPROBE, null, 0, AttachKind.KPROBE, null));
        l.add(c("uretprobe//bin/bash:readline", "uretprobe+", ProgramType.KPROBE, null, 0, AttachKind.UPROBE,
                new Uprobe("/bin/bash", "readline", 0, true)));
        l.add(c("uretprobe.s/libc.so.6:free", "uretprobe.s+", ProgramType.KPROBE, null, S, AttachKind.UPROBE,
                new Uprobe("libc.so.6", "free", 0, true)));
        l.add(c("kprobe.multi/tcp_*", "kprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 0,
                AttachKind.KPROBE_MULTI, new KprobeMulti("tcp_*", false, false)));
        l.add(c("kprobe.multi", "kprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 0,
                AttachKind.KPROBE_MULTI, null));
        l.add(c("kretprobe.multi/vfs_?ead", "kretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 0,
                AttachKind.KPROBE_MULTI, new KprobeMulti("vfs_?ead", true, false)));
        l.add(c("kprobe.session/do_sys_*", "kprobe.session+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_SESSION, 0,
                AttachKind.KPROBE_SESSION, new KprobeMulti("do_sys_*", false, true)));
        l.add(c("uprobe.multi//usr/bin/bash:readline*", "uprobe.multi+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_MULTI, 0, AttachKind.UPROBE_MULTI,
                new UprobeMulti("/usr/bin/bash", "readline*", false, false)));
        l.add(c("uretprobe.multi/libc.so.6:mall*", "uretprobe.multi+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_MULTI, 0, AttachKind.UPROBE_MULTI,
                new UprobeMulti("libc.so.6", "mall*", true, false)));
        l.add(c("uprobe.session//bin/true:main", "uprobe.session+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_SESSION, 0, AttachKind.UPROBE_SESSION,
                new UprobeMulti("/bin/true", "main", false, true)));
        l.add(c("uprobe.multi.s//bin/true:ma*", "uprobe.multi.s+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_MULTI, S, AttachKind.UPROBE_MULTI,
                new UprobeMulti("/bin/true", "ma*", false, false)));
        l.add(c("uretprobe.multi.s//bin/true:ma*", "uretprobe.multi.s+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_MULTI, S, AttachKind.UPROBE_MULTI,
                new UprobeMulti("/bin/true", "ma*", true, false)));
        l.add(c("uprobe.session.s//bin/true:main", "uprobe.session.s+", ProgramType.KPROBE,
                AttachType.TRACE_UPROBE_SESSION, S, AttachKind.UPROBE_SESSION,
                new UprobeMulti("/bin/true", "main", false, true)));
        l.add(c("ksyscall/write", "ksyscall+", ProgramType.KPROBE, null, 0, AttachKind.KSYSCALL,
                new Ksyscall("write", false)));
        l.add(c("ksyscall", "ksyscall+", ProgramType.KPROBE, null, 0, AttachKind.KSYSCALL, null));
        l.add(c("kretsyscall/openat", "kretsyscall+", ProgramType.KPROBE, null, 0, AttachKind.KSYSCALL,
                new Ksyscall("openat", true)));
        l.add(c("usdt/libc.so.6:libc:setjmp", "usdt+", ProgramType.KPROBE, null, 0, AttachKind.USDT,
                new Usdt("libc.so.6", "libc", "setjmp")));
        l.add(c("usdt", "usdt+", ProgramType.KPROBE, null, 0, AttachKind.USDT, null));
        l.add(c("usdt.s//usr/bin/app:prov:probe", "usdt.s+", ProgramType.KPROBE, null, S, AttachKind.USDT,
                new Usdt("/usr/bin/app", "prov", "probe")));
        // tc, tcx, netkit
        l.add(c("tc/ingress", "tc/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, 0, AttachKind.TCX, null));
        l.add(c("tc/egress", "tc/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, 0, AttachKind.TCX, null));
        l.add(c("tcx/ingress", "tcx/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS, 0, AttachKind.TCX, null));
        l.add(c("tcx/egress", "tcx/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS, 0, AttachKind.TCX, null));
        l.add(c("tc", "tc", ProgramType.SCHED_CLS, null, 0, AttachKind.TC, null));
        l.add(c("classifier", "classifier", ProgramType.SCHED_CLS, null, 0, AttachKind.TC, null));
        l.add(c("action", "action", ProgramType.SCHED_ACT, null, 0, AttachKind.TC, null));
        l.add(c("netkit/primary", "netkit/primary", ProgramType.SCHED_CLS, AttachType.NETKIT_PRIMARY, 0,
                AttachKind.NETKIT, null));
        l.add(c("netkit/peer", "netkit/peer", ProgramType.SCHED_CLS, AttachType.NETKIT_PEER, 0,
                AttachKind.NETKIT, null));
        // tracepoints
        l.add(c("tracepoint/sched/sched_switch", "tracepoint+", ProgramType.TRACEPOINT, null, 0,
                AttachKind.TRACEPOINT, new Tracepoint("sched", "sched_switch")));
        l.add(c("tp/syscalls/sys_enter_write", "tp+", ProgramType.TRACEPOINT, null, 0, AttachKind.TRACEPOINT,
                new Tracepoint("syscalls", "sys_enter_write")));
        l.add(c("tp", "tp+", ProgramType.TRACEPOINT, null, 0, AttachKind.TRACEPOINT, null));
        l.add(c("tracepoint.s/syscalls/sys_enter_openat", "tracepoint.s+", ProgramType.TRACEPOINT, null, S,
                AttachKind.TRACEPOINT, new Tracepoint("syscalls", "sys_enter_openat")));
        l.add(c("tp.s/syscalls/sys_exit_openat", "tp.s+", ProgramType.TRACEPOINT, null, S,
                AttachKind.TRACEPOINT, new Tracepoint("syscalls", "sys_exit_openat")));
        l.add(c("raw_tracepoint/sched_switch", "raw_tracepoint+", ProgramType.RAW_TRACEPOINT, null, 0,
                AttachKind.RAW_TRACEPOINT, new RawTracepoint("sched_switch")));
        l.add(c("raw_tp/sys_enter", "raw_tp+", ProgramType.RAW_TRACEPOINT, null, 0,
                AttachKind.RAW_TRACEPOINT, new RawTracepoint("sys_enter")));
        l.add(c("raw_tp", "raw_tp+", ProgramType.RAW_TRACEPOINT, null, 0, AttachKind.RAW_TRACEPOINT, null));
        l.add(c("raw_tracepoint.s/sys_enter", "raw_tracepoint.s+", ProgramType.RAW_TRACEPOINT, null, S,
                AttachKind.RAW_TRACEPOINT, new RawTracepoint("sys_enter")));
        l.add(c("raw_tp.s/sys_exit", "raw_tp.s+", ProgramType.RAW_TRACEPOINT, null, S,
                AttachKind.RAW_TRACEPOINT, new RawTracepoint("sys_exit")));
        l.add(c("raw_tracepoint.w/bpf_test_finish", "raw_tracepoint.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null,
                0, AttachKind.RAW_TRACEPOINT, new RawTracepoint("bpf_test_finish")));
        l.add(c("raw_tp.w/bpf_test_finish", "raw_tp.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, null, 0,
                AttachKind.RAW_TRACEPOINT, new RawTracepoint("bpf_test_finish")));
        // BTF-id tracing
        l.add(btf("tp_btf/sched_switch", "tp_btf+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, 0,
                AttachKind.TRACING, new BtfTarget(null, "sched_switch", "btf_trace_sched_switch", BtfKind.TYPEDEF)));
        l.add(btf("tp_btf.s/sys_enter", "tp_btf.s+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, S,
                AttachKind.TRACING, new BtfTarget(null, "sys_enter", "btf_trace_sys_enter", BtfKind.TYPEDEF)));
        l.add(btf("fentry/do_unlinkat", "fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, 0,
                AttachKind.TRACING, fn("do_unlinkat")));
        l.add(btf("fentry", "fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, 0, AttachKind.TRACING, null));
        l.add(btf("fentry/nf_conntrack:nf_confirm", "fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, 0,
                AttachKind.TRACING, new BtfTarget("nf_conntrack", "nf_confirm", "nf_confirm", BtfKind.FUNC)));
        l.add(btf("fmod_ret/bpf_modify_return_test", "fmod_ret+", ProgramType.TRACING, AttachType.MODIFY_RETURN, 0,
                AttachKind.TRACING, fn("bpf_modify_return_test")));
        l.add(btf("fexit/do_unlinkat", "fexit+", ProgramType.TRACING, AttachType.TRACE_FEXIT, 0,
                AttachKind.TRACING, fn("do_unlinkat")));
        l.add(btf("fentry.s/__x64_sys_setdomainname", "fentry.s+", ProgramType.TRACING, AttachType.TRACE_FENTRY, S,
                AttachKind.TRACING, fn("__x64_sys_setdomainname")));
        l.add(btf("fmod_ret.s/bpf_fentry_test1", "fmod_ret.s+", ProgramType.TRACING, AttachType.MODIFY_RETURN, S,
                AttachKind.TRACING, fn("bpf_fentry_test1")));
        l.add(btf("fexit.s/bpf_fentry_test1", "fexit.s+", ProgramType.TRACING, AttachType.TRACE_FEXIT, S,
                AttachKind.TRACING, fn("bpf_fentry_test1")));
        l.add(btf("fsession/bpf_fentry_test1", "fsession+", ProgramType.TRACING, AttachType.TRACE_FSESSION, 0,
                AttachKind.TRACING, fn("bpf_fentry_test1")));
        l.add(btf("fsession.s/bpf_fentry_test1", "fsession.s+", ProgramType.TRACING, AttachType.TRACE_FSESSION, S,
                AttachKind.TRACING, fn("bpf_fentry_test1")));
        l.add(c("fsession.multi/bpf_fentry_test*", "fsession.multi+", ProgramType.TRACING,
                AttachType.TRACE_FSESSION_MULTI, 0, AttachKind.TRACING_MULTI, new TracingMulti("bpf_fentry_test*")));
        l.add(c("fsession.multi.s/bpf_fentry_test?", "fsession.multi.s+", ProgramType.TRACING,
                AttachType.TRACE_FSESSION_MULTI, S, AttachKind.TRACING_MULTI, new TracingMulti("bpf_fentry_test?")));
        l.add(c("fentry.multi/bpf_testmod:bpf_testmod_fentry_test*", "fentry.multi+", ProgramType.TRACING,
                AttachType.TRACE_FENTRY_MULTI, 0, AttachKind.TRACING_MULTI,
                new TracingMulti("bpf_testmod:bpf_testmod_fentry_test*")));
        l.add(c("fexit.multi/bpf_fentry_test*", "fexit.multi+", ProgramType.TRACING, AttachType.TRACE_FEXIT_MULTI,
                0, AttachKind.TRACING_MULTI, new TracingMulti("bpf_fentry_test*")));
        l.add(c("fentry.multi.s/bpf_fentry_test*", "fentry.multi.s+", ProgramType.TRACING,
                AttachType.TRACE_FENTRY_MULTI, S, AttachKind.TRACING_MULTI, new TracingMulti("bpf_fentry_test*")));
        l.add(c("fexit.multi.s/bpf_fentry_test*", "fexit.multi.s+", ProgramType.TRACING,
                AttachType.TRACE_FEXIT_MULTI, S, AttachKind.TRACING_MULTI, new TracingMulti("bpf_fentry_test*")));
        l.add(btf("freplace/handle_pkt", "freplace+", ProgramType.EXT, null, 0, AttachKind.FREPLACE,
                fn("handle_pkt")));
        l.add(btf("lsm/file_open", "lsm+", ProgramType.LSM, AttachType.LSM_MAC, 0, AttachKind.LSM,
                new BtfTarget(null, "file_open", "bpf_lsm_file_open", BtfKind.FUNC)));
        l.add(btf("lsm.s/bprm_committed_creds", "lsm.s+", ProgramType.LSM, AttachType.LSM_MAC, S, AttachKind.LSM,
                new BtfTarget(null, "bprm_committed_creds", "bpf_lsm_bprm_committed_creds", BtfKind.FUNC)));
        l.add(btf("lsm_cgroup/socket_bind", "lsm_cgroup+", ProgramType.LSM, AttachType.LSM_CGROUP, 0,
                AttachKind.LSM_CGROUP, new BtfTarget(null, "socket_bind", "bpf_lsm_socket_bind", BtfKind.FUNC)));
        l.add(btf("iter/task", "iter+", ProgramType.TRACING, AttachType.TRACE_ITER, 0, AttachKind.ITER,
                new BtfTarget(null, "task", "bpf_iter_task", BtfKind.FUNC)));
        l.add(btf("iter.s/task_vma", "iter.s+", ProgramType.TRACING, AttachType.TRACE_ITER, S, AttachKind.ITER,
                new BtfTarget(null, "task_vma", "bpf_iter_task_vma", BtfKind.FUNC)));
        l.add(c("syscall", "syscall", ProgramType.SYSCALL, null, S, AttachKind.PROG_RUN, null));
        // XDP
        l.add(c("xdp.frags/devmap", "xdp.frags/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, F,
                AttachKind.MAP_ELEMENT, null));
        l.add(c("xdp/devmap", "xdp/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, 0, AttachKind.MAP_ELEMENT, null));
        l.add(c("xdp.frags/cpumap", "xdp.frags/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, F,
                AttachKind.MAP_ELEMENT, null));
        l.add(c("xdp/cpumap", "xdp/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, 0, AttachKind.MAP_ELEMENT, null));
        l.add(c("xdp.frags", "xdp.frags", ProgramType.XDP, AttachType.XDP, F, AttachKind.XDP, null));
        l.add(c("xdp", "xdp", ProgramType.XDP, AttachType.XDP, 0, AttachKind.XDP, null));
        l.add(c("perf_event", "perf_event", ProgramType.PERF_EVENT, null, 0, AttachKind.PERF_EVENT, null));
        l.add(c("lwt_in", "lwt_in", ProgramType.LWT_IN, null, 0, AttachKind.NONE, null));
        l.add(c("lwt_out", "lwt_out", ProgramType.LWT_OUT, null, 0, AttachKind.NONE, null));
        l.add(c("lwt_xmit", "lwt_xmit", ProgramType.LWT_XMIT, null, 0, AttachKind.NONE, null));
        l.add(c("lwt_seg6local", "lwt_seg6local", ProgramType.LWT_SEG6LOCAL, null, 0, AttachKind.NONE, null));
        // sockets, cgroups
        l.add(c("sockops", "sockops", ProgramType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, 0, AttachKind.CGROUP, null));
        l.add(c("sk_skb/stream_parser", "sk_skb/stream_parser", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER,
                0, AttachKind.SOCKMAP, null));
        l.add(c("sk_skb/stream_verdict", "sk_skb/stream_verdict", ProgramType.SK_SKB,
                AttachType.SK_SKB_STREAM_VERDICT, 0, AttachKind.SOCKMAP, null));
        l.add(c("sk_skb/verdict", "sk_skb/verdict", ProgramType.SK_SKB, AttachType.SK_SKB_VERDICT, 0,
                AttachKind.SOCKMAP, null));
        l.add(c("sk_skb", "sk_skb", ProgramType.SK_SKB, null, 0, AttachKind.SOCKMAP, null));
        l.add(c("sk_msg", "sk_msg", ProgramType.SK_MSG, AttachType.SK_MSG_VERDICT, 0, AttachKind.SOCKMAP, null));
        l.add(c("lirc_mode2", "lirc_mode2", ProgramType.LIRC_MODE2, AttachType.LIRC_MODE2, 0, AttachKind.LIRC, null));
        l.add(c("flow_dissector", "flow_dissector", ProgramType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, 0,
                AttachKind.NETNS, null));
        l.add(cg("cgroup_skb/ingress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS));
        l.add(cg("cgroup_skb/egress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS));
        l.add(cg("cgroup/skb", ProgramType.CGROUP_SKB, null));
        l.add(cg("cgroup/sock_create", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE));
        l.add(cg("cgroup/sock_release", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE));
        l.add(cg("cgroup/sock", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE));
        l.add(cg("cgroup/post_bind4", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND));
        l.add(cg("cgroup/post_bind6", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND));
        l.add(cg("cgroup/bind4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND));
        l.add(cg("cgroup/bind6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND));
        l.add(cg("cgroup/connect4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT));
        l.add(cg("cgroup/connect6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT));
        l.add(cg("cgroup/connect_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_CONNECT));
        l.add(cg("cgroup/sendmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG));
        l.add(cg("cgroup/sendmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG));
        l.add(cg("cgroup/sendmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_SENDMSG));
        l.add(cg("cgroup/recvmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG));
        l.add(cg("cgroup/recvmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG));
        l.add(cg("cgroup/recvmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_RECVMSG));
        l.add(cg("cgroup/getpeername4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME));
        l.add(cg("cgroup/getpeername6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME));
        l.add(cg("cgroup/getpeername_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETPEERNAME));
        l.add(cg("cgroup/getsockname4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME));
        l.add(cg("cgroup/getsockname6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME));
        l.add(cg("cgroup/getsockname_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETSOCKNAME));
        l.add(cg("cgroup/sysctl", ProgramType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL));
        l.add(cg("cgroup/getsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT));
        l.add(cg("cgroup/setsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT));
        l.add(cg("cgroup/dev", ProgramType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE));
        l.add(c("struct_ops/tcp_init", "struct_ops+", ProgramType.STRUCT_OPS, null, 0, AttachKind.STRUCT_OPS, null));
        l.add(c("struct_ops", "struct_ops+", ProgramType.STRUCT_OPS, null, 0, AttachKind.STRUCT_OPS, null));
        l.add(c("struct_ops.s/dump", "struct_ops.s+", ProgramType.STRUCT_OPS, null, S, AttachKind.STRUCT_OPS, null));
        l.add(c("sk_lookup", "sk_lookup", ProgramType.SK_LOOKUP, AttachType.SK_LOOKUP, 0, AttachKind.NETNS, null));
        l.add(c("netfilter", "netfilter", ProgramType.NETFILTER, AttachType.NETFILTER, 0, AttachKind.NETFILTER, null));
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resolvesLikeLibbpf(Case c) {
        SectionDef d = SectionRules.resolve(c.section());
        assertTrue(d.known(), "known");
        assertEquals(c.section(), d.section());
        assertTrue(d.autoload());
        assertEquals(c.rule(), d.rule().pattern(), "matched rule");
        assertEquals(c.type(), d.programType(), "program type");
        assertEquals(c.attach(), d.expectedAttachType(), "expected attach type");
        assertEquals(c.attach() == null ? 0 : c.attach().value(), d.expectedAttachTypeValue());
        assertEquals(c.flags(), d.progFlags(), "prog flags");
        assertEquals((c.flags() & S) != 0, d.sleepable(), "sleepable");
        assertEquals((c.flags() & F) != 0, d.xdpFrags(), "xdp frags");
        assertEquals(c.kind(), d.attachKind(), "attach kind");
        assertEquals(c.target(), d.target(), "target");
        assertNull(d.targetError(), "target error");
        assertEquals(c.btf(), d.needsAttachBtfId(), "needs attach_btf_id");
        assertEquals(c.target() != null && c.kind().autoAttach(), d.autoAttach(), "auto-attach");
    }

    @Test
    void everyRuleOfTheTableIsCovered() {
        Set<String> covered = cases().stream().map(Case::rule).collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        for (SectionRules.Rule r : SectionRules.rules()) {
            if (!covered.contains(r.pattern())) {
                missing.add(r.pattern());
            }
        }
        assertEquals(Set.of(), missing);
        assertEquals(116, SectionRules.rules().size(), "libbpf master's section_defs[] has 116 entries");
        Set<String> unique = new HashSet<>();
        for (SectionRules.Rule r : SectionRules.rules()) {
            assertTrue(unique.add(r.pattern()), "duplicate rule " + r.pattern());
        }
    }

    /** The rules libbpf gives an auto-attach function (prog_attach_fn) to: exactly those whose kind auto-attaches. */
    @Test
    void autoAttachKindsAreTheRulesWithALibbpfAttachFunction() {
        Set<String> withAttachFn = Set.of("kprobe+", "uprobe+", "uprobe.s+", "kretprobe+", "uretprobe+",
                "uretprobe.s+", "kprobe.multi+", "kretprobe.multi+", "kprobe.session+", "uprobe.multi+",
                "uretprobe.multi+", "uprobe.session+", "uprobe.multi.s+", "uretprobe.multi.s+", "uprobe.session.s+",
                "ksyscall+", "kretsyscall+", "usdt+", "usdt.s+", "tracepoint+", "tp+", "tracepoint.s+", "tp.s+",
                "raw_tracepoint+", "raw_tp+", "raw_tracepoint.s+", "raw_tp.s+", "raw_tracepoint.w+", "raw_tp.w+",
                "tp_btf+", "tp_btf.s+", "fentry+", "fmod_ret+", "fexit+", "fentry.s+", "fmod_ret.s+", "fexit.s+",
                "fsession+", "fsession.s+", "fsession.multi+", "fsession.multi.s+", "fentry.multi+", "fexit.multi+",
                "fentry.multi.s+", "fexit.multi.s+", "freplace+", "lsm+", "lsm.s+", "iter+", "iter.s+");
        for (SectionRules.Rule r : SectionRules.rules()) {
            assertEquals(withAttachFn.contains(r.pattern()), r.attachKind().autoAttach(), r.pattern());
        }
    }

    /** libbpf's cookie flags other than sleepable/frags, from section_defs[]. */
    @Test
    void legacyAttachableAndOptionalAttachTypeFlags() {
        Set<String> attachableOpt = Set.of("xdp", "sockops", "sk_skb/stream_parser", "sk_skb/stream_verdict",
                "sk_skb/verdict", "sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb/ingress", "cgroup_skb/egress",
                "cgroup/sock", "cgroup/dev");
        for (SectionRules.Rule r : SectionRules.rules()) {
            assertEquals(attachableOpt.contains(r.pattern()), r.has(SectionRules.Flag.EXP_ATTACH_OPT), r.pattern());
            boolean attachable = attachableOpt.contains(r.pattern())
                    || r.pattern().startsWith("sk_reuseport") || r.pattern().equals("sk_lookup")
                    || r.pattern().equals("xdp/devmap") || r.pattern().equals("xdp/cpumap")
                    || (r.pattern().startsWith("cgroup/") && !r.pattern().equals("cgroup/skb"));
            assertEquals(attachable, r.has(SectionRules.Flag.ATTACHABLE), r.pattern());
            assertEquals(r.pattern().startsWith("usdt"), r.has(SectionRules.Flag.USDT), r.pattern());
        }
    }

    // ------------------------------------------------------------------ unknown names

    @ParameterizedTest
    @ValueSource(strings = {"", "?", ".text", "license", ".maps", "xdp_prog", "xdp/foo", "xdp.fragsX",
            "xdp.frags/", "xdp.frags/foo", "xdp/", "kprobe__do_sys_open", "kprobeX", "kprobe.multiX", "tc/foo",
            "tcx", "tcx/", "tcx/ingressX", "tc/ingress/", "netkit", "netkit/", "cgroup", "cgroup/", "cgroup/skbx",
            "cgroup/skb/", "cgroup_skb", "cgroup_skb/", "socket/filter", "socket_filter", "sk_skb/", "sk_skb/x",
            "syscall/x", "perf_event/x", "lsm_cgroupX", "fentry.", "fentry.x/y", "fentry.multix", "tracepoints/a/b",
            "tp_btfx", "iter.ss/task", "struct_opsx", "Kprobe/foo", "XDP", " xdp", "xdp ", "uprobe.mult/x:y",
            "usdt.x/a:b:c", "classifier/foo", "action/foo", "lwt_in/x", "sk_lookup/x", "netfilter/x"})
    void unknownSectionsResolveToUnspec(String name) {
        SectionDef d = SectionRules.resolve(name);
        assertFalse(d.known(), name);
        assertNull(d.rule());
        assertNull(d.prefix());
        assertEquals(ProgramType.UNSPEC, d.programType());
        assertNull(d.expectedAttachType());
        assertEquals(0, d.expectedAttachTypeValue());
        assertEquals(AttachKind.NONE, d.attachKind());
        assertNull(d.target());
        assertNull(d.targetError());
        assertEquals(0, d.progFlags());
        assertFalse(d.autoAttach());
        assertFalse(d.needsAttachBtfId());
        assertTrue(SectionRules.find(name.startsWith("?") ? name.substring(1) : name).isEmpty());
    }

    @Test
    void exactVersusPlusVersusSlashForms() {
        assertEquals("xdp.frags", SectionRules.resolve("xdp.frags").prefix());
        assertEquals("xdp.frags/devmap", SectionRules.resolve("xdp.frags/devmap").prefix());
        assertFalse(SectionRules.resolve("xdp.fragsX").known());
        assertEquals("tc", SectionRules.resolve("tc").prefix());
        assertEquals(AttachKind.TC, SectionRules.resolve("tc").attachKind());
        assertEquals(AttachType.TCX_INGRESS, SectionRules.resolve("tcx/ingress").expectedAttachType());
        assertEquals(AttachType.TCX_INGRESS, SectionRules.resolve("tc/ingress").expectedAttachType());
        assertEquals(ProgramType.CGROUP_SKB, SectionRules.resolve("cgroup/skb").programType());
        assertNull(SectionRules.resolve("cgroup/skb").expectedAttachType());
        // "cgroup/sock" is exact: it does not swallow cgroup/sock_create, and vice versa
        assertEquals(AttachType.CGROUP_INET_SOCK_RELEASE,
                SectionRules.resolve("cgroup/sock_release").expectedAttachType());
        assertEquals("cgroup/sock", SectionRules.resolve("cgroup/sock").prefix());
        // the first matching rule wins; "kprobe+" does not match "kprobe.multi/..." (no '/' after the prefix)
        assertEquals("kprobe.multi+", SectionRules.resolve("kprobe.multi/x").rule().pattern());
        assertEquals("raw_tp.w+", SectionRules.resolve("raw_tp.w/x").rule().pattern());
        assertEquals("lsm_cgroup+", SectionRules.resolve("lsm_cgroup/x").rule().pattern());
        assertEquals("uprobe.multi.s+", SectionRules.resolve("uprobe.multi.s/a:b").rule().pattern());
        // sleepable fentry with a trailing slash: matched, but the target is empty
        SectionDef fs = SectionRules.resolve("fentry.s/");
        assertEquals("fentry.s+", fs.rule().pattern());
        assertTrue(fs.sleepable());
        assertNull(fs.target());
        assertNotNull(fs.targetError());
        SectionDef bareFs = SectionRules.resolve("fentry.s");
        assertNull(bareFs.target());
        assertNull(bareFs.targetError());
        assertTrue(bareFs.needsAttachBtfId());
        assertFalse(bareFs.autoAttach());
    }

    @Test
    void matchingOfSlashTerminatedRules() {
        SectionRules.Rule r = new SectionRules.Rule("custom/", ProgramType.KPROBE, null, Set.of(), AttachKind.NONE);
        assertTrue(r.matches("custom/"));
        assertTrue(r.matches("custom/x/y"));
        assertFalse(r.matches("custom"));
        assertFalse(r.matches("customx"));
        assertFalse(r.takesTarget());
        SectionRules.Rule plus = SectionRules.find("kprobe").orElseThrow();
        assertTrue(plus.takesTarget());
        assertTrue(plus.matches("kprobe/"));
        assertFalse(plus.matches("kprobe_"));
    }

    @Test
    void questionMarkPrefixMeansNoAutoload() {
        SectionDef d = SectionRules.resolve("?fentry/do_unlinkat");
        assertFalse(d.autoload());
        assertEquals("?fentry/do_unlinkat", d.section());
        assertEquals("fentry/do_unlinkat", d.programSection());
        assertEquals(ProgramType.TRACING, d.programType());
        assertEquals(fn("do_unlinkat"), d.target());
        assertTrue(d.autoAttach());
        SectionDef unknown = SectionRules.resolve("?nonsense");
        assertFalse(unknown.known());
        assertFalse(unknown.autoload());
        assertFalse(SectionRules.resolve("??xdp").known());
        assertTrue(SectionRules.resolve("xdp").autoload());
        assertEquals("xdp", SectionRules.resolve("xdp").programSection());
    }

    // ------------------------------------------------------------------ bare names: valid, no auto-attach

    @ParameterizedTest
    @ValueSource(strings = {"kprobe", "kretprobe", "uprobe", "uretprobe", "uprobe.s", "uretprobe.s",
            "kprobe.multi", "kretprobe.multi", "kprobe.session", "uprobe.multi", "uretprobe.multi", "uprobe.session",
            "uprobe.multi.s", "uretprobe.multi.s", "uprobe.session.s", "ksyscall", "kretsyscall", "usdt",
            "tracepoint", "tp", "tracepoint.s", "tp.s", "raw_tracepoint", "raw_tp", "raw_tracepoint.s",
            "raw_tp.s", "raw_tracepoint.w", "raw_tp.w", "tp_btf", "fentry", "fexit", "fmod_ret", "fsession",
            "fentry.multi", "fexit.multi", "fsession.multi", "freplace", "lsm", "lsm.s", "lsm_cgroup",
            "iter", "iter.s", "struct_ops", "struct_ops.s",
            // libbpf's uprobe split: an empty binary path counts as "no target", not as an error
            "uprobe/", "uprobe/:malloc", "uretprobe.multi/", "uprobe.multi/:x"})
    void bareNamesHaveNoTargetAndNoError(String name) {
        SectionDef d = SectionRules.resolve(name);
        assertTrue(d.known(), name);
        assertNull(d.target(), name);
        assertNull(d.targetError(), name);
        assertFalse(d.autoAttach(), name);
    }

    // ------------------------------------------------------------------ malformed targets: type kept, error reported

    @ParameterizedTest
    @ValueSource(strings = {"tp/onlycategory", "tp/", "tracepoint/sched/", "tp//sched_switch", "tp.s/x",
            "raw_tp/", "raw_tracepoint.w/", "kprobe/", "kprobe/+4", "kprobe/-foo", "kretprobe/foo+4",
            "kprobe/foo+-4", "kprobe.multi/", "kprobe.session/!x", "kretprobe.multi/", "ksyscall/", "kretsyscall/",
            "uprobe/libc.so.6", "uprobe/libc.so.6:", "uretprobe/libc.so.6:malloc+8", "uprobe/bin:f+-8",
            "uprobe.multi/libc.so.6", "uprobe.session/bin:", "usdt/", "usdt/path", "usdt/path:prov",
            "usdt/path:prov:", "usdt/:prov:name", "usdt/path::name", "usdt.s/x", "fentry/", "fexit.s/",
            "lsm/", "lsm_cgroup/", "iter/", "tp_btf/", "freplace/", "fentry.multi/", "fexit.multi/!",
            "fsession.multi.s/"})
    void malformedTargetsKeepTheTypeAndReportTheProblem(String name) {
        SectionDef d = SectionRules.resolve(name);
        assertTrue(d.known(), name);
        assertNotEquals(ProgramType.UNSPEC, d.programType());
        assertNull(d.target(), name);
        assertNotNull(d.targetError(), name);
        assertTrue(d.targetError().contains(name), d.targetError());
        assertFalse(d.autoAttach(), name);
    }

    @Test
    void tracepointErrorMessage() {
        SectionDef d = SectionRules.resolve("tp/onlycategory");
        assertEquals(ProgramType.TRACEPOINT, d.programType());
        assertEquals("section 'tp/onlycategory': expected tp/<category>/<name>", d.targetError());
    }

    // ------------------------------------------------------------------ target parsing details

    @Test
    void tracepointNameKeepsFurtherSlashes() {
        assertEquals(new Tracepoint("a", "b/c"), SectionRules.resolve("tp/a/b/c").target());
        assertEquals(new Tracepoint("sched", "sched_switch"),
                SectionRules.resolve("tracepoint/sched/sched_switch").target());
    }

    @Test
    void kprobeParsingFollowsLibbpfsScanf() {
        // [a-zA-Z0-9_.]+ then optional "+%li"; anything else after the name is ignored by libbpf
        assertEquals(new Kprobe("do_sys_open", 4, false), SectionRules.resolve("kprobe/do_sys_open+4").target());
        assertEquals(new Kprobe("f", 16, false), SectionRules.resolve("kprobe/f+0x10").target());
        assertEquals(new Kprobe("f", 8, false), SectionRules.resolve("kprobe/f+010").target());
        assertEquals(new Kprobe("f", 12, false), SectionRules.resolve("kprobe/f+ 12").target());
        assertEquals(new Kprobe("f", 0, false), SectionRules.resolve("kprobe/f+0x").target());
        assertEquals(new Kprobe("f", 0, false), SectionRules.resolve("kprobe/f+abc").target());
        assertEquals(new Kprobe("f", 0, false), SectionRules.resolve("kprobe/f-bar").target());
        assertEquals(new Kprobe("mod", 0, false), SectionRules.resolve("kprobe/mod:func").target());
        assertEquals(new Kprobe("f", 16, false), SectionRules.resolve("kprobe/f+0x10zz").target());
        assertEquals(new Kprobe("f", Long.MAX_VALUE, false),
                SectionRules.resolve("kprobe/f+99999999999999999999").target());
        assertEquals(new Kprobe("f", 0, true), SectionRules.resolve("kretprobe/f+0").target());
        assertTrue(SectionRules.resolve("kretprobe/f").retprobe());
        assertFalse(SectionRules.resolve("kprobe/f").retprobe());
        assertTrue(SectionRules.resolve("kretprobe").retprobe());
        assertTrue(SectionRules.resolve("uretprobe.multi.s").retprobe());
        assertTrue(SectionRules.resolve("kretsyscall").retprobe());
    }

    @Test
    void uprobeParsingFollowsLibbpf() {
        // the offset is taken only when "+<number>" ends the function part
        assertEquals(new Uprobe("/lib/x.so", "f+1x", 0, false),
                SectionRules.resolve("uprobe//lib/x.so:f+1x").target());
        assertEquals(new Uprobe("/lib/x.so", "a+b", 2, false),
                SectionRules.resolve("uprobe//lib/x.so:a+b+2").target());
        assertEquals(new Uprobe("libc.so.6", "malloc@@GLIBC_2.2.5", 0, false),
                SectionRules.resolve("uprobe/libc.so.6:malloc@@GLIBC_2.2.5").target());
        // ':' ends the binary path, the function takes the rest (more colons included)
        assertEquals(new Uprobe("bin", "ns::f", 0, false), SectionRules.resolve("uprobe/bin:ns::f").target());
        // only an offset: no symbol
        Uprobe addr = (Uprobe) SectionRules.resolve("uprobe//usr/bin/app:+0x1234").target();
        assertNull(addr.function());
        assertEquals(0x1234, addr.offset());
        Uprobe apk = (Uprobe) SectionRules.resolve("uprobe/app.apk!/lib/arm64/libx.so:f").target();
        assertTrue(apk.inArchive());
        assertEquals("app.apk!/lib/arm64/libx.so", apk.binaryPath());
        assertEquals(new Uprobe("/bin/bash", "readline", 0, true),
                SectionRules.resolve("uretprobe.s//bin/bash:readline").target());
        assertEquals("section 'uretprobe/libc.so.6:malloc+8': uretprobes do not support an offset",
                SectionRules.resolve("uretprobe/libc.so.6:malloc+8").targetError());
    }

    @Test
    void usdtParsing() {
        assertEquals(new Usdt("/usr/lib/libc.so.6", "libc", "setjmp"),
                SectionRules.resolve("usdt//usr/lib/libc.so.6:libc:setjmp").target());
        // libbpf's third %m[^:] stops at a further ':' and ignores the rest
        assertEquals(new Usdt("p", "a", "b"), SectionRules.resolve("usdt/p:a:b:c").target());
        assertTrue(SectionRules.resolve("usdt/p:a:b").autoAttach());
    }

    @Test
    void btfTargets() {
        assertEquals(new BtfTarget("vmlinux", "do_unlinkat", "do_unlinkat", BtfKind.FUNC),
                SectionRules.resolve("fexit/vmlinux:do_unlinkat").target());
        assertEquals(new BtfTarget("bpf_testmod", "bpf_testmod_test_read", "btf_trace_bpf_testmod_test_read",
                BtfKind.TYPEDEF), SectionRules.resolve("tp_btf/bpf_testmod:bpf_testmod_test_read").target());
        // freplace names a function in the target program: no module split
        assertEquals(fn("a:b"), SectionRules.resolve("freplace/a:b").target());
        // libbpf's BTF_MAX_NAME_SIZE (128) applies to the prefixed name
        String ok = "f".repeat(127 - "bpf_lsm_".length());
        assertNotNull(SectionRules.resolve("lsm/" + ok).target());
        SectionDef tooLong = SectionRules.resolve("lsm/" + ok + "x");
        assertNull(tooLong.target());
        assertNotNull(tooLong.targetError());
        assertNotNull(SectionRules.resolve("fentry/" + "f".repeat(127)).target());
        assertNotNull(SectionRules.resolve("fentry/" + "f".repeat(128)).targetError());
    }

    @Test
    void multiPatterns() {
        assertEquals(new KprobeMulti("tcp_*", false, false), SectionRules.resolve("kprobe.multi/tcp_*!x").target());
        TracingMulti t = (TracingMulti) SectionRules.resolve("fentry.multi/mod:fn_*").target();
        assertEquals("mod", t.module());
        assertNull(new TracingMulti("fn_*").module());
        assertEquals(new UprobeMulti("/bin/x", "a*:b", false, false),
                SectionRules.resolve("uprobe.multi//bin/x:a*:b").target());
    }

    @Test
    void sectionDefRejectsTargetTogetherWithError() {
        assertThrows(IllegalArgumentException.class, () -> new SectionDef("kprobe/x", true, null,
                ProgramType.KPROBE, null, AttachKind.KPROBE, new Kprobe("x", 0, false), "both", 0, false, false));
    }

    @Test
    void findIsLibbpfProgTypeByName() {
        assertEquals("kprobe+", SectionRules.find("kprobe/x").orElseThrow().pattern());
        assertTrue(SectionRules.find("?kprobe/x").isEmpty(), "libbpf_prog_type_by_name does not strip '?'");
        assertEquals("kprobe", SectionRules.find("kprobe/x").orElseThrow().prefix());
        assertEquals("cgroup/skb", SectionRules.find("cgroup/skb").orElseThrow().prefix());
    }

    @Test
    void rulesAreImmutable() {
        assertThrows(UnsupportedOperationException.class, () -> SectionRules.rules().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> SectionRules.rules().get(0).flags().add(SectionRules.Flag.SLEEPABLE));
    }

    @Test
    void resolveNeverThrowsOnOddInput() {
        String alphabet = "/:+.-x0_ ?*@!\n\u00e9\u0000";
        Random random = new Random(7);
        for (SectionRules.Rule r : SectionRules.rules()) {
            for (int i = 0; i < 50; i++) {
                StringBuilder sb = new StringBuilder(r.prefix());
                int len = random.nextInt(12);
                for (int j = 0; j < len; j++) {
                    sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                SectionDef d = SectionRules.resolve(sb.toString());
                assertTrue(d.target() == null || d.targetError() == null);
                assertTrue(!d.autoAttach() || d.target() != null);
            }
        }
        assertThrows(NullPointerException.class, () -> SectionRules.resolve(null));
    }
}
