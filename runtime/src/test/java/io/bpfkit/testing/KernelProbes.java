package io.bpfkit.testing;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import io.bpfkit.sys.ProgLoadAttr;
import io.bpfkit.sys.ProgLoadResult;
import io.bpfkit.api.KernelException;
import io.bpfkit.uapi.BpfFlags;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * What the running kernel can do, found the way libbpf probes features: by asking the kernel
 * for the smallest thing that needs the feature (a two-instruction program of the kind, loaded
 * and attached by raw bpf(2) calls, not through bpfkit's loader), or by what it publishes in
 * sysfs. The kernel tests that have a branch per answer ask here, so which branch runs is
 * decided by the kernel, never by the outcome of the operation under test. Answers are cached
 * per process.
 *
 * <pre>{@code
 * KernelProbes.Probe fentry = KernelProbes.trampoline("do_unlinkat");
 * if (fentry.present()) { ... attach and count ... } else { ... assert the refusal: fentry.errno() ... }
 * }</pre>
 */
@SuppressWarnings("try") // a probe's link is made to show the attach works, then closed unused
public final class KernelProbes {
    /** {@code r0 = 0; exit}: a program every type accepts. */
    private static final byte[] RETURN_ZERO = {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
    private static final Map<String, Probe> CACHE = new ConcurrentHashMap<>();

    private KernelProbes() {
    }

    /**
     * One answer.
     *
     * @param feature what was probed, e.g. {@code fentry on do_unlinkat}
     * @param present whether the kernel allowed it
     * @param detail how the kernel showed it, for display names and messages
     * @param stage where a refusal came: {@code load}, {@code attach} or {@code sysfs}; null when present
     * @param errno the kernel's errno of the refusal, 0 when present or not from a system call
     */
    public record Probe(String feature, boolean present, String detail, String stage, int errno) {
        static Probe yes(String feature, String detail) {
            return new Probe(feature, true, detail, null, 0);
        }

        static Probe no(String feature, String stage, int errno, String detail) {
            return new Probe(feature, false, detail, stage, errno);
        }

        /** The errno's name of a refusal, e.g. {@code EPERM}. */
        public String errnoName() {
            return Errno.name(errno);
        }

        /** {@code present: ...} or {@code absent: ...}, for a display name or a log line. */
        public String branch() {
            return (present ? "present: " : "absent: ") + detail;
        }
    }

    /**
     * A test with one branch per answer of {@code probe}: its display name ends in
     * {@code [present: ...]} or {@code [absent: ...]} and it prints {@code branch: present|absent},
     * so the report and the log say which branch ran on which kernel.
     */
    public static DynamicTest branch(String what, Probe probe, Executable present, Executable absent) {
        return DynamicTest.dynamicTest(what + " [" + probe.branch() + "]", () -> {
            System.out.println("branch: " + (probe.present() ? "present" : "absent") + " (" + probe.feature() + ": "
                    + probe.detail() + ") for " + what);
            (probe.present() ? present : absent).execute();
        });
    }

    /** kprobes: the kernel publishes a {@code kprobe} PMU when built with CONFIG_KPROBES. */
    public static Probe kprobes() {
        return cached("kprobes", () -> {
            Path pmu = Path.of("/sys/bus/event_source/devices/kprobe");
            return Files.isDirectory(pmu) ? Probe.yes("kprobes", pmu + " exists")
                    : Probe.no("kprobes", "sysfs", 0, "no " + pmu + " (kernel built without CONFIG_KPROBES)");
        });
    }

    /**
     * A BPF trampoline on {@code function}: an fentry program loaded for it and attached
     * ({@code BPF_RAW_TRACEPOINT_OPEN}), then detached.
     */
    public static Probe trampoline(String function) {
        return cached("fentry " + function, () -> btfProgram("fentry on " + function, ProgramType.TRACING,
                AttachType.TRACE_FENTRY, function, 0));
    }

    /** As {@link #trampoline}, for a sleepable fentry program ({@code BPF_F_SLEEPABLE}). */
    public static Probe sleepableTrampoline(String function) {
        return cached("fentry.s " + function, () -> btfProgram("fentry.s on " + function, ProgramType.TRACING,
                AttachType.TRACE_FENTRY, function, BpfFlags.BPF_F_SLEEPABLE));
    }

    /**
     * BPF LSM: "bpf" among the active LSMs, and an LSM program on {@code hook} (e.g.
     * {@code file_open}) loaded and attached; it returns 0 (allow) while attached.
     */
    public static Probe lsm(String hook) {
        return cached("lsm " + hook, () -> {
            String feature = "lsm on " + hook;
            Path lsms = Path.of("/sys/kernel/security/lsm");
            try {
                if (!Files.readString(lsms).contains("bpf")) {
                    return Probe.no(feature, "sysfs", 0, "'bpf' is not an active LSM (" + lsms + ")");
                }
            } catch (IOException e) {
                return Probe.no(feature, "sysfs", 0, "cannot read " + lsms + ": " + e.getMessage());
            }
            return btfProgram(feature, ProgramType.LSM, AttachType.LSM_MAC, "bpf_lsm_" + hook, 0);
        });
    }

    /**
     * fentry on a BPF program: an XDP program with BTF (one global FUNC) loaded as the target,
     * then an fentry program loaded for that function ({@code attach_prog_fd}) and attached.
     */
    public static Probe programTrampoline() {
        return cached("fentry on a program", () -> onProgram("fentry on a BPF program's function",
                ProgramType.TRACING, AttachType.TRACE_FENTRY));
    }

    /**
     * freplace: as {@link #programTrampoline()}, with an extension program (its own BTF giving
     * the same prototype) replacing the target's function.
     */
    public static Probe programExtension() {
        return cached("freplace", () -> onProgram("freplace of a BPF program's function", ProgramType.EXT, null));
    }

    /**
     * fentry on a function of kernel module {@code module}: the module loaded as by
     * {@link #moduleBtf}, the function's id read from the module's BTF, an fentry program loaded
     * with the module's BTF object ({@code attach_btf_obj_fd}) and attached.
     */
    public static Probe moduleTrampoline(String module, String function) {
        return cached("fentry " + module + ":" + function, () -> {
            String feature = "fentry on " + module + ":" + function;
            Probe btf = moduleBtf(module);
            if (!btf.present()) {
                return Probe.no(feature, btf.stage(), btf.errno(), btf.detail());
            }
            Btf moduleBtf = KernelBtf.modules().get(module);
            OptionalInt id = moduleBtf == null ? OptionalInt.empty() : moduleBtf.findId(function, BtfKind.FUNC);
            if (id.isEmpty()) {
                return Probe.no(feature, "sysfs", 0, "module " + module + "'s BTF has no function " + function);
            }
            Fd obj = null;
            for (int next = Bpf.btfGetNextId(0); next != 0 && obj == null; next = Bpf.btfGetNextId(next)) {
                Fd fd = Bpf.btfGetFdById(next);
                if (module.equals(Bpf.btfInfo(fd).name())) {
                    obj = fd;
                } else {
                    fd.close();
                }
            }
            if (obj == null) {
                return Probe.no(feature, "sysfs", 0, "no BTF object named " + module + " among the kernel's");
            }
            try (Fd btfObj = obj; Arena arena = Arena.ofConfined()) {
                ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.TRACING.value(), code(arena))
                        .license("GPL").expectedAttachType(AttachType.TRACE_FENTRY.value())
                        .attachBtfId(id.getAsInt()).attachBtfObjFd(btfObj.get()).build());
                return attachedOrRefused(feature, r);
            }
        });
    }

    /**
     * A target with BTF, an XDP program whose main function calls a global function, then a
     * program of {@code type} loaded for that function and attached.
     */
    private static Probe onProgram(String feature, ProgramType type, AttachType attach) {
        io.bpfkit.btf.BtfBuilder b = new io.bpfkit.btf.BtfBuilder();
        int proto = b.funcProto(b.integer("int", 4, 1, 0, 32));
        int main = b.func("probe_main", proto, 1);
        int func = b.func("probe_target", proto, 1);
        byte[] blob = b.build();
        // main: call probe_target; exit.  probe_target: r0 = 0; exit.
        byte[] callThenReturnZero = {(byte) 0x85, 0x10, 0, 0, 1, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0,
                (byte) 0xb7, 0, 0, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(blob.length);
            MemorySegment.copy(blob, 0, data, ValueLayout.JAVA_BYTE, 0, blob.length);
            MemorySegment targetCode = arena.allocate(callThenReturnZero.length, 8);
            MemorySegment.copy(callThenReturnZero, 0, targetCode, ValueLayout.JAVA_BYTE, 0, callThenReturnZero.length);
            MemorySegment targetInfo = arena.allocate(16, 4);
            targetInfo.set(ValueLayout.JAVA_INT, 0, 0);
            targetInfo.set(ValueLayout.JAVA_INT, 4, main);
            targetInfo.set(ValueLayout.JAVA_INT, 8, 2);
            targetInfo.set(ValueLayout.JAVA_INT, 12, func);
            MemorySegment probeInfo = arena.allocate(8, 4);
            probeInfo.set(ValueLayout.JAVA_INT, 0, 0);
            probeInfo.set(ValueLayout.JAVA_INT, 4, func);
            try (Fd btf = Bpf.btfLoad(data, 0, null, "probe").orThrow()) {
                ProgLoadResult target = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.XDP.value(), targetCode)
                        .license("GPL").progBtfFd(btf.get()).funcInfo(targetInfo, 8, 2).build());
                if (!target.ok()) {
                    throw new IllegalStateException("cannot probe " + feature + ": an XDP program with BTF was"
                            + " refused with " + Errno.name(target.errno()));
                }
                try (Fd targetFd = target.fd()) {
                    ProgLoadAttr.Builder probe = ProgLoadAttr.builder(type.value(), code(arena)).license("GPL")
                            .attachProgFd(targetFd.get()).attachBtfId(func);
                    if (attach != null) {
                        probe.expectedAttachType(attach.value());
                    } else {
                        probe.progBtfFd(btf.get()).funcInfo(probeInfo, 8, 1); // an extension states its prototype
                    }
                    ProgLoadResult r = Bpf.progLoad(probe.build());
                    if (!r.ok() && r.errno() != Errno.EPERM) {
                        // say why in the branch's name
                        ProgLoadResult logged = Bpf.progLoad(probe.log(1, arena.allocate(64 * 1024)).build());
                        if (!logged.ok()) {
                            return Probe.no(feature, "load", logged.errno(), "BPF_PROG_LOAD refused with "
                                    + Errno.name(logged.errno()) + ": " + logged.log().strip().replace('\n', ' '));
                        }
                        logged.fd().close();
                    }
                    return attachedOrRefused(feature, r);
                }
            }
        }
    }

    private static Probe attachedOrRefused(String feature, ProgLoadResult r) {
        if (!r.ok()) {
            return Probe.no(feature, "load", r.errno(), "BPF_PROG_LOAD refused with " + Errno.name(r.errno()));
        }
        try (Fd prog = r.fd(); Fd link = Bpf.rawTracepointOpen(null, prog, 0)) {
            return Probe.yes(feature, "loaded and attached");
        } catch (KernelException e) {
            return Probe.no(feature, "attach", e.errno(), "attach refused with " + e.errnoName());
        }
    }

    /** kprobe.multi: a kprobe program loaded for BPF_TRACE_KPROBE_MULTI and linked to {@code function}. */
    public static Probe kprobeMulti(String function) {
        return cached("kprobe.multi " + function, () -> multiLink("kprobe.multi on " + function,
                AttachType.TRACE_KPROBE_MULTI, function));
    }

    /** kprobe.session (Linux 6.10): as {@link #kprobeMulti}, with BPF_TRACE_KPROBE_SESSION. */
    public static Probe kprobeSession(String function) {
        return cached("kprobe.session " + function, () -> multiLink("kprobe.session on " + function,
                AttachType.TRACE_KPROBE_SESSION, function));
    }

    /**
     * A kernel module with its own BTF: loaded with modprobe when it is not yet, then its
     * {@code /sys/kernel/btf/MODULE} exists. Absent where the module is built in, missing, or
     * the kernel publishes no module BTF.
     */
    public static Probe moduleBtf(String module) {
        return cached("module " + module, () -> {
            String feature = "module " + module + " with BTF";
            Path btf = KernelBtf.SYSFS_BTF.resolve(module);
            if (Files.exists(btf)) {
                return Probe.yes(feature, btf + " exists");
            }
            Path modprobe = Tools.find("modprobe", "/usr/sbin/modprobe", "/sbin/modprobe");
            if (modprobe == null) {
                return Probe.no(feature, "sysfs", 0, "no " + btf + " and no modprobe to load " + module);
            }
            Tools.Result r = Tools.run(60, modprobe.toString(), module);
            if (Files.exists(btf)) {
                return Probe.yes(feature, "modprobe " + module + ", " + btf + " exists");
            }
            return Probe.no(feature, "sysfs", 0, "no " + btf + " after modprobe " + module + " (exit "
                    + r.exitCode() + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()) + ")");
        });
    }

    /**
     * {@code log_true_size} (Linux 6.4): a program loaded with a verifier log at level 2 comes
     * back with the size its whole log needs; older kernels leave the field 0.
     */
    public static Probe logTrueSize() {
        return cached("log_true_size", () -> {
            String feature = "log_true_size";
            try (Arena arena = Arena.ofConfined()) {
                ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.SOCKET_FILTER.value(), code(arena))
                        .license("GPL").log(2, arena.allocate(64 * 1024)).build());
                if (!r.ok()) {
                    throw new IllegalStateException("cannot tell whether the kernel reports log_true_size: "
                            + "BPF_PROG_LOAD of a socket filter refused with " + Errno.name(r.errno()));
                }
                r.fd().close();
                return r.logTrueSize() > 0 ? Probe.yes(feature, "a " + r.log().length() + "-byte log, log_true_size "
                        + r.logTrueSize()) : Probe.no(feature, "load", 0, "a " + r.log().length()
                        + "-byte log, log_true_size left 0 (before Linux 6.4)");
            }
        });
    }

    /** tcx (Linux 6.6): a tcx link on an interface that does not exist is refused with ENODEV, not EINVAL. */
    public static Probe tcx() {
        return cached("tcx", () -> linkErrno("tcx", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS,
                Integer.MAX_VALUE, null, Errno.ENODEV));
    }

    /**
     * uprobe.multi (Linux 6.6): a uprobe.multi link on {@code /} (not a regular file) is refused
     * with EBADF, not EINVAL.
     */
    public static Probe uprobeMulti() {
        return cached("uprobe.multi", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment offsets = arena.allocate(ValueLayout.JAVA_LONG, 1);
                return linkErrno("uprobe.multi", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, 0,
                        new LinkCreateAttr.UprobeMulti("/", offsets, null, null, 1, 0, 0), Errno.EBADF);
            }
        });
    }

    /** Netfilter programs (Linux 6.4): a program of type {@code BPF_PROG_TYPE_NETFILTER} loads. */
    public static Probe netfilter() {
        return cached("netfilter", () -> {
            String feature = "netfilter programs";
            try (Arena arena = Arena.ofConfined()) {
                ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.NETFILTER.value(), code(arena))
                        .license("GPL").expectedAttachType(AttachType.NETFILTER.value()).build());
                if (!r.ok()) {
                    return Probe.no(feature, "load", r.errno(), "BPF_PROG_LOAD refused with " + Errno.name(r.errno()));
                }
                r.fd().close();
                return Probe.yes(feature, "loaded");
            }
        });
    }

    /**
     * A function the kernel's BTF declares ({@code /sys/kernel/btf/vmlinux}, FUNC), e.g. the
     * kfunc {@code bpf_task_from_pid} (Linux 6.2): what a weak {@code __ksym} of it resolves to.
     */
    public static Probe kernelBtfFunction(String function) {
        return cached("btf func " + function, () -> {
            String feature = "kernel BTF function " + function;
            return KernelBtf.vmlinux().findId(function, BtfKind.FUNC).isPresent()
                    ? Probe.yes(feature, KernelBtf.VMLINUX + " declares it")
                    : Probe.no(feature, "sysfs", 0, KernelBtf.VMLINUX + " has no FUNC " + function);
        });
    }

    /**
     * kfuncs tagged in the kernel's BTF: pahole 1.27 on (kernels since 6.11 built with it) puts a
     * {@code bpf_kfunc} DECL_TAG on each; what a generated vmlinux.h writes prototypes from.
     */
    public static Probe kfuncDeclTags() {
        return cached("bpf_kfunc decl tags", () -> {
            String feature = "bpf_kfunc decl tags";
            io.bpfkit.btf.Btf btf = KernelBtf.vmlinux();
            int tags = 0;
            for (int id = 1; id < btf.typeCount(); id++) {
                if (btf.kind(id) == BtfKind.DECL_TAG && btf.name(id).equals("bpf_kfunc")) {
                    tags++;
                }
            }
            return tags > 0 ? Probe.yes(feature, tags + " in " + KernelBtf.VMLINUX)
                    : Probe.no(feature, "sysfs", 0, KernelBtf.VMLINUX + " tags no kfunc (built with pahole before 1.27)");
        });
    }

    /**
     * Raw tracepoint cookies (Linux 6.10): {@code BPF_RAW_TRACEPOINT_OPEN} of {@code sys_enter}
     * with a cookie succeeds; older kernels refuse the unknown field with EINVAL.
     */
    public static Probe rawTracepointCookie() {
        return cached("raw_tp cookie", () -> {
            String feature = "raw tracepoint cookie";
            try (Arena arena = Arena.ofConfined()) {
                ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.RAW_TRACEPOINT.value(), code(arena))
                        .license("GPL").build());
                if (!r.ok()) {
                    throw new IllegalStateException("cannot tell whether the kernel has raw tracepoint cookies: "
                            + "BPF_PROG_LOAD of a raw tracepoint program refused with " + Errno.name(r.errno()));
                }
                try (Fd prog = r.fd(); Fd link = Bpf.rawTracepointOpen("sys_enter", prog, 1)) {
                    return Probe.yes(feature, "sys_enter opened with a cookie");
                } catch (KernelException e) {
                    if (e.errno() != Errno.EINVAL) {
                        throw new IllegalStateException("cannot tell whether the kernel has raw tracepoint cookies",
                                e);
                    }
                    return Probe.no(feature, "attach", e.errno(), "BPF_RAW_TRACEPOINT_OPEN with a cookie refused "
                            + "with EINVAL");
                }
            }
        });
    }

    /**
     * Whether the kernel's link info of a raw tracepoint link carries its cookie: the kernel's
     * BTF of {@code struct bpf_link_info} has a {@code cookie} in {@code raw_tracepoint}
     * (added after the cookie itself, which 6.10 has).
     */
    public static Probe rawTracepointCookieInLinkInfo() {
        return cached("raw_tp cookie in link info", () -> {
            String feature = "raw tracepoint cookie in bpf_link_info";
            Btf vmlinux = KernelBtf.vmlinux();
            BtfType.Struct info = vmlinux.find("bpf_link_info", BtfKind.STRUCT).map(BtfType.Struct.class::cast)
                    .orElse(null);
            if (info == null) {
                return Probe.no(feature, "sysfs", 0, "the kernel's BTF has no struct bpf_link_info");
            }
            for (BtfType.Member m : info.members()) {
                if (vmlinux.type(vmlinux.skipModifiers(m.type())) instanceof BtfType.Union u) {
                    for (BtfType.Member um : u.members()) {
                        if (um.name().equals("raw_tracepoint")
                                && vmlinux.type(vmlinux.skipModifiers(um.type())) instanceof BtfType.Struct rt) {
                            boolean cookie = rt.members().stream().anyMatch(f -> f.name().equals("cookie"));
                            return cookie ? Probe.yes(feature, "bpf_link_info.raw_tracepoint.cookie in the kernel's BTF")
                                    : Probe.no(feature, "sysfs", 0, "bpf_link_info.raw_tracepoint has no cookie in "
                                            + "the kernel's BTF");
                        }
                    }
                }
            }
            return Probe.no(feature, "sysfs", 0, "no bpf_link_info.raw_tracepoint in the kernel's BTF");
        });
    }

    /**
     * A member of a struct in the kernel's BTF, e.g. {@code sched_entity.deadline} (Linux 6.6):
     * what {@code bpf_core_field_exists} answers for it.
     */
    public static Probe kernelBtfMember(String struct, String member) {
        return cached("btf member " + struct + "." + member, () -> {
            String feature = "kernel BTF member " + struct + "." + member;
            boolean has = KernelBtf.vmlinux().find(struct, BtfKind.STRUCT)
                    .map(t -> ((BtfType.Struct) t).members().stream().anyMatch(m -> m.name().equals(member)))
                    .orElse(false);
            return has ? Probe.yes(feature, KernelBtf.VMLINUX + " declares it")
                    : Probe.no(feature, "sysfs", 0, KernelBtf.VMLINUX + " has no struct " + struct + " member " + member);
        });
    }

    /**
     * BPF arenas (Linux 6.9): an arena map of one page, mmap-able anywhere, created by a raw
     * BPF_MAP_CREATE as libbpf's map type probe makes it. Absent with the kernel's errno: EINVAL
     * where the map type is unknown, EPERM where the kernel refuses arenas to this process.
     */
    public static Probe arena() {
        return cached("arena", () -> {
            String feature = "arena maps";
            try (Fd map = Bpf.mapCreate(io.bpfkit.sys.MapCreateAttr.builder(io.bpfkit.object.MapType.ARENA.value(),
                    0, 0, 1).mapFlags(BpfFlags.BPF_F_MMAPABLE).name("probe_arena").build())) {
                return Probe.yes(feature, "BPF_MAP_CREATE of an arena made one");
            } catch (KernelException e) {
                return Probe.no(feature, "create", e.errno(), "BPF_MAP_CREATE of an arena refused with " + e.errnoName());
            }
        });
    }

    /**
     * sockmap links (Linux 6.10): a trivial sk_msg program linked ({@code BPF_SK_MSG_VERDICT})
     * to map fd -1: EBADF where the kernel looks the map up, EINVAL where sk_msg has no link.
     */
    public static Probe sockmapLink() {
        return cached("sockmap link", () -> linkErrno("sockmap links", ProgramType.SK_MSG, AttachType.SK_MSG_VERDICT,
                -1, null, Errno.EBADF));
    }

    /**
     * BPF tokens (Linux 6.9): a raw {@code BPF_TOKEN_CREATE} from fd -1: EBADF where the kernel
     * has the command and looks the bpffs fd up, EINVAL where it does not know the command.
     */
    public static Probe bpfToken() {
        return cached("bpf token", () -> {
            String feature = "BPF tokens";
            try (Fd token = Bpf.tokenCreate(-1, "probe")) {
                throw new IllegalStateException("probe for " + feature + ": BPF_TOKEN_CREATE from fd -1 succeeded");
            } catch (KernelException e) {
                if (e.errno() == Errno.EBADF) {
                    return Probe.yes(feature, "BPF_TOKEN_CREATE from fd -1 refused with EBADF");
                }
                if (e.errno() == Errno.EINVAL) {
                    return Probe.no(feature, "create", e.errno(), "BPF_TOKEN_CREATE is unknown (EINVAL)");
                }
                throw new IllegalStateException("cannot tell whether the kernel has " + feature, e);
            }
        });
    }

    private static Probe cached(String key, Supplier<Probe> probe) {
        return CACHE.computeIfAbsent(key, k -> probe.get());
    }

    private static Probe btfProgram(String feature, ProgramType type, AttachType attach, String function,
            int flags) {
        OptionalInt id = KernelBtf.vmlinux().findId(function, BtfKind.FUNC);
        if (id.isEmpty()) {
            return Probe.no(feature, "load", 0, "the kernel's BTF has no function " + function);
        }
        try (Arena arena = Arena.ofConfined()) {
            ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(type.value(), code(arena)).license("GPL")
                    .expectedAttachType(attach.value()).attachBtfId(id.getAsInt()).progFlags(flags).build());
            return attachedOrRefused(feature, r);
        }
    }

    private static Probe multiLink(String feature, AttachType attach, String function) {
        try (Arena arena = Arena.ofConfined()) {
            ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(ProgramType.KPROBE.value(), code(arena))
                    .license("GPL").expectedAttachType(attach.value()).build());
            if (!r.ok()) {
                return Probe.no(feature, "load", r.errno(), "BPF_PROG_LOAD refused with " + Errno.name(r.errno()));
            }
            MemorySegment syms = arena.allocate(ValueLayout.ADDRESS);
            syms.set(ValueLayout.ADDRESS, 0, arena.allocateFrom(function));
            try (Fd prog = r.fd(); Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), 0, attach.value(), 0,
                    new LinkCreateAttr.KprobeMulti(0, 1, syms, null, null), "probe"))) {
                return Probe.yes(feature, "linked");
            } catch (KernelException e) {
                return Probe.no(feature, "attach", e.errno(), "BPF_LINK_CREATE refused with " + e.errnoName());
            }
        }
    }

    /**
     * A trivial program of {@code type} loaded for {@code attach}, then BPF_LINK_CREATE on a
     * target that cannot work: {@code presentErrno} when the kernel knows the attach type,
     * EINVAL when it does not; anything else cannot tell.
     */
    private static Probe linkErrno(String feature, ProgramType type, AttachType attach, int target,
            LinkCreateAttr.Variant variant, int presentErrno) {
        try (Arena arena = Arena.ofConfined()) {
            ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(type.value(), code(arena)).license("GPL")
                    .expectedAttachType(attach.value()).build());
            if (!r.ok()) {
                return Probe.no(feature, "load", r.errno(), "BPF_PROG_LOAD refused with " + Errno.name(r.errno()));
            }
            try (Fd prog = r.fd(); Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), target, attach.value(), 0,
                    variant, "probe"))) {
                throw new IllegalStateException("probe for " + feature + ": BPF_LINK_CREATE on a target that "
                        + "cannot work succeeded");
            } catch (KernelException e) {
                if (e.errno() == presentErrno) {
                    return Probe.yes(feature, "BPF_LINK_CREATE on a bad target refused with " + e.errnoName());
                }
                if (e.errno() == Errno.EINVAL) {
                    return Probe.no(feature, "attach", e.errno(), "BPF_LINK_CREATE refused the attach type with "
                            + "EINVAL");
                }
                throw new IllegalStateException("cannot tell whether the kernel has " + feature, e);
            }
        }
    }

    private static MemorySegment code(Arena arena) {
        MemorySegment s = arena.allocate(RETURN_ZERO.length, 8);
        MemorySegment.copy(RETURN_ZERO, 0, s, ValueLayout.JAVA_BYTE, 0, RETURN_ZERO.length);
        return s;
    }
}
