package io.bpfkit.object;

import io.bpfkit.uapi.BpfFlags;
import java.util.Objects;

/**
 * What an ELF program section name means, by libbpf's {@code SEC()} conventions: the program
 * type, the expected attach type, load flags, and the attach target written into the name.
 * Produced by {@link SectionRules#resolve(String)}; plain data, no kernel access.
 *
 * <pre>{@code
 * SectionDef d = SectionRules.resolve("uprobe//usr/lib/libc.so.6:malloc+0x10");
 * d.programType();          // KPROBE
 * d.attachKind();           // UPROBE
 * d.autoAttach();           // true
 * var u = (SectionDef.Uprobe) d.target();
 * u.binaryPath();           // "/usr/lib/libc.so.6"
 * u.function();             // "malloc"
 * u.offset();               // 16
 *
 * SectionDef bad = SectionRules.resolve("tp/onlycategory");
 * bad.programType();        // TRACEPOINT: opening still works
 * bad.targetError();        // "... expected tp/<category>/<name>": attaching it will fail
 *
 * SectionRules.resolve("xdp_prog").known();   // false: UNSPEC, the loader reports it
 * }</pre>
 *
 * @param section the ELF section name as written, including a leading {@code '?'} if any
 * @param autoload false when the name starts with {@code '?'}: libbpf's convention for "open
 *     this program but do not load it unless asked to"
 * @param rule the matched entry of libbpf's section table, or null when the name is unknown
 * @param programType the program type; {@link ProgramType#UNSPEC} when the name is unknown
 * @param expectedAttachType the {@code expected_attach_type} to load with, or null where libbpf
 *     passes 0 (kprobe, tracepoint, socket, ...; see {@link #expectedAttachTypeValue()})
 * @param attachKind how the program is attached later; {@link AttachKind#NONE} when unknown
 * @param target the attach target parsed out of the name, or null when the name has none
 *     (bare {@code SEC("kprobe")}, {@code SEC("xdp")}, ...) or it is malformed
 * @param targetError why the name's target is malformed, or null; libbpf opens such a program
 *     fine but fails to attach (or, for BTF targets, to load) it, and so should bpfkit
 * @param progFlags {@code prog_flags} for BPF_PROG_LOAD: {@link #BPF_F_SLEEPABLE},
 *     {@link #BPF_F_XDP_HAS_FRAGS}
 * @param autoAttach whether the name alone says where to attach: the kind has an auto-attach
 *     mechanism, a target is present and well formed
 * @param needsAttachBtfId whether loading needs {@code attach_btf_id}, resolved from the target
 *     name in kernel (or, for freplace, the target program's) BTF: fentry, fexit, fmod_ret,
 *     fsession, tp_btf, lsm, lsm_cgroup, iter, freplace
 */
public record SectionDef(
        String section,
        boolean autoload,
        SectionRules.Rule rule,
        ProgramType programType,
        AttachType expectedAttachType,
        AttachKind attachKind,
        Target target,
        String targetError,
        int progFlags,
        boolean autoAttach,
        boolean needsAttachBtfId) {


    /** Checks the invariants: non-null names and kinds, no target together with a target error. */
    public SectionDef {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(programType, "programType");
        Objects.requireNonNull(attachKind, "attachKind");
        if (target != null && targetError != null) {
            throw new IllegalArgumentException("a SectionDef has a target or a target error, not both");
        }
    }

    /** Whether libbpf's table knows the name; an unknown section has type {@link ProgramType#UNSPEC}. */
    public boolean known() {
        return rule != null;
    }

    /**
     * The matched rule's prefix, e.g. {@code "kprobe"} for rule {@code "kprobe+"} or
     * {@code "cgroup/connect4"}; null when unknown.
     */
    public String prefix() {
        return rule == null ? null : rule.prefix();
    }

    /** The name libbpf reports for the program ({@code bpf_program__section_name}): without a leading {@code '?'}. */
    public String programSection() {
        return autoload ? section : section.substring(1);
    }

    /** Whether the program is loaded sleepable ({@link #BPF_F_SLEEPABLE}). */
    public boolean sleepable() {
        return (progFlags & BpfFlags.BPF_F_SLEEPABLE) != 0;
    }

    /** Whether the XDP program is loaded with {@link #BPF_F_XDP_HAS_FRAGS}. */
    public boolean xdpFrags() {
        return (progFlags & BpfFlags.BPF_F_XDP_HAS_FRAGS) != 0;
    }

    /**
     * The number for {@code bpf_attr.expected_attach_type}: the attach type's value, or 0 where
     * libbpf passes 0. For {@link AttachKind#USDT} libbpf switches this to
     * {@link AttachType#TRACE_UPROBE_MULTI} at load time when the kernel has uprobe.multi links
     * (6.6 and later); so does bpfkit's loader.
     */
    public int expectedAttachTypeValue() {
        return expectedAttachType == null ? 0 : expectedAttachType.value();
    }

    /** Whether the rule is a return probe: {@code kretprobe}, {@code kretsyscall}, {@code uretprobe} and their variants. */
    public boolean retprobe() {
        String p = prefix();
        return p != null && (p.startsWith("kret") || p.startsWith("uret"));
    }

    /** An attach target parsed out of a section name. */
    public sealed interface Target
            permits Tracepoint, RawTracepoint, BtfTarget, Kprobe, Ksyscall, KprobeMulti, Uprobe,
                    UprobeMulti, Usdt, TracingMulti {
    }

    /**
     * A tracefs tracepoint: {@code tp/syscalls/sys_enter_write} is category {@code syscalls},
     * name {@code sys_enter_write}. Everything after the second {@code '/'} belongs to the name.
     *
     * @param category the tracepoint's subsystem directory under {@code events/}
     * @param name the tracepoint's name
     */
    public record Tracepoint(String category, String name) implements Target {
    }

    /**
     * A raw tracepoint by name, e.g. {@code raw_tp/sched_switch}.
     *
     * @param name everything after {@code raw_tp/} (or the other prefixes)
     */
    public record RawTracepoint(String name) implements Target {
    }

    /** What kind of BTF type the attach target is looked up as. */
    public enum BtfKind {
        /** {@code BTF_KIND_FUNC}: fentry, fexit, fmod_ret, fsession, lsm, lsm_cgroup, iter, freplace. */
        FUNC,
        /** {@code BTF_KIND_TYPEDEF}: tp_btf ({@code btf_trace_<name>}). */
        TYPEDEF
    }

    /**
     * A target resolved to a BTF type id at load time: {@code fentry/do_unlinkat},
     * {@code lsm/file_open}, {@code tp_btf/sched_switch}, {@code iter/task},
     * {@code fentry/nf_conntrack:nf_confirm} (in a module), {@code freplace/handle_pkt} (in the
     * program given as the attach target, whose BTF is searched instead of the kernel's).
     *
     * @param module the kernel module written before {@code ':'}, or null (search vmlinux first,
     *     then every module); always null for freplace
     * @param name the function, hook, tracepoint or iterator name as written
     * @param btfTypeName the BTF type name to look up: {@code name} with libbpf's prefix
     *     ({@code btf_trace_} for tp_btf, {@code bpf_lsm_} for lsm, {@code bpf_iter_} for iter)
     * @param kind the BTF kind to look up
     */
    public record BtfTarget(String module, String name, String btfTypeName, BtfKind kind)
            implements Target {
    }

    /**
     * A kprobe or kretprobe: {@code kprobe/do_sys_open+4}.
     *
     * @param function the kernel function ({@code [a-zA-Z0-9_.]+}, as libbpf scans it)
     * @param offset the byte offset into it; always 0 for kretprobes
     * @param retprobe true for {@code kretprobe/}
     */
    public record Kprobe(String function, long offset, boolean retprobe) implements Target {
    }

    /**
     * A system call probe: {@code ksyscall/write}; the attach layer adds the architecture's
     * prefix ({@code __x64_sys_write}) as libbpf does.
     *
     * @param syscall the system call name as written
     * @param retprobe true for {@code kretsyscall/}
     */
    public record Ksyscall(String syscall, boolean retprobe) implements Target {
    }

    /**
     * A kprobe.multi pattern: {@code kprobe.multi/tcp_*}; {@code '*'} and {@code '?'} are globs.
     *
     * @param pattern the pattern ({@code [a-zA-Z0-9_.*?]+}, as libbpf scans it)
     * @param retprobe true for {@code kretprobe.multi/}
     * @param session true for {@code kprobe.session/}
     */
    public record KprobeMulti(String pattern, boolean retprobe, boolean session) implements Target {
    }

    /**
     * A uprobe or uretprobe: {@code uprobe/<binary>:<function>[+<offset>]}, e.g.
     * {@code uprobe//usr/lib/libc.so.6:malloc+0x10} or {@code uretprobe/libc.so.6:malloc}.
     * A binary without {@code '/'} is searched for like libbpf does (LD_LIBRARY_PATH, then the
     * usual library and binary directories); {@code app.apk!/lib/x.so} names a member of a zip
     * archive. A function may carry a symbol version ({@code malloc@@GLIBC_2.2.5}).
     *
     * @param binaryPath the binary as written
     * @param function the symbol to probe, or null when the name gives only {@code +offset}
     *     ({@code uprobe/bin:+0x1234}): then {@code offset} is a file offset. libbpf itself looks up
     *     an empty symbol name there and fails; bpfkit's attach layer may accept it.
     * @param offset the offset from the symbol (or the file offset when {@code function} is null)
     * @param retprobe true for {@code uretprobe/} and {@code uretprobe.s/}
     */
    public record Uprobe(String binaryPath, String function, long offset, boolean retprobe)
            implements Target {

        /** Whether {@code binaryPath} names a member of a zip archive ({@code archive!/member}). */
        public boolean inArchive() {
            return binaryPath.contains("!/");
        }
    }

    /**
     * An uprobe.multi pattern: {@code uprobe.multi/<binary>:<pattern>}, e.g.
     * {@code uprobe.multi//usr/bin/bash:readline*}.
     *
     * @param binaryPath the binary as written
     * @param pattern the symbol glob
     * @param retprobe true for {@code uretprobe.multi/} (and {@code .s})
     * @param session true for {@code uprobe.session/} (and {@code .s})
     */
    public record UprobeMulti(String binaryPath, String pattern, boolean retprobe, boolean session)
            implements Target {
    }

    /**
     * A USDT probe: {@code usdt/<binary>:<provider>:<name>}, e.g.
     * {@code usdt/libc.so.6:libc:setjmp}.
     *
     * @param binaryPath the binary as written (resolved like a uprobe's)
     * @param provider the USDT provider
     * @param name the probe name
     */
    public record Usdt(String binaryPath, String provider, String name) implements Target {
    }

    /**
     * A multi-function tracing pattern: {@code fentry.multi/bpf_fentry_test*} or
     * {@code fentry.multi/bpf_testmod:bpf_testmod_fentry_test*} (newer than 6.18).
     *
     * @param pattern the pattern ({@code [a-zA-Z0-9_.*?:]+}, as libbpf scans it), with any module
     */
    public record TracingMulti(String pattern) implements Target {

        /** The module written before {@code ':'}, or null for vmlinux. */
        public String module() {
            int colon = pattern.indexOf(':');
            return colon < 0 ? null : pattern.substring(0, colon);
        }
    }

    /**
     * Whether a program of this section can be attached from the section alone, as a libbpf
     * skeleton's {@code attach} does: its kind attaches automatically and the section names its
     * target (or the kind is bound to its target at load: fentry/fexit, lsm, iter, freplace).
     */
    public boolean autoAttachable() {
        if (!attachKind().autoAttach() || targetError() != null) {
            return false;
        }
        boolean boundAtLoad = switch (attachKind()) {
            case TRACING, LSM, ITER, FREPLACE -> true;
            default -> false;
        };
        return boundAtLoad || target() != null;
    }
}
