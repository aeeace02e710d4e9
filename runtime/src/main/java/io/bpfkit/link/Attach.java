package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.AttachTargets;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.AttachTarget;
import io.bpfkit.object.AttachType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.sys.Sockets;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attaches loaded programs, one call per kind, with the options each kind takes. Every call
 * returns a {@link Link} the caller owns (or hands to {@code LoadedObject.own}); closing it
 * detaches. {@link AutoAttach} picks the call from the program's section name.
 *
 * <pre>{@code
 * try (Link tp = Attach.tracepoint(prog, "syscalls", "sys_enter_getpid");
 *      Link xdp = Attach.xdp(xdpProg, Attach.ifindex("lo"), XdpMode.GENERIC);
 *      Link tc = Attach.tc(tcProg, Attach.ifindex("lo"), TcDirection.INGRESS);
 *      Link up = Attach.uprobe(upProg, UprobeOptions.of("libc.so.6", "getpid").pid(0))) {
 *     ...
 * }
 * }</pre>
 */
public final class Attach {
    /** What to do instead of uprobe.multi on a kernel before 6.6. */
    static final String UPROBE_MULTI_ADVICE = "load the program as a uprobe (SEC(\"uprobe/...\")) and attach it "
            + "to each function with Attach.uprobe";

    private Attach() {
    }

    // ---- perf-event based: tracepoint, uprobe, kprobe, perf_event ---------------------------

    /** A tracefs tracepoint, e.g. {@code syscalls:sys_enter_getpid}, through a perf link (ioctl where there is none). */
    public static Link tracepoint(BpfProgram prog, String category, String name) {
        return tracepoint(prog, category, name, PerfLinkMode.AUTO, 0);
    }

    /** A tracepoint with a BPF cookie ({@code bpf_get_attach_cookie}; links only) and a chosen {@link PerfLinkMode}. */
    public static Link tracepoint(BpfProgram prog, String category, String name, PerfLinkMode mode, long cookie) {
        long id = Tracefs.tracepointId(category, name);
        PerfEventAttr attr = new PerfEventAttr().type(Perf.PERF_TYPE_TRACEPOINT).config(id);
        String what = "tracepoint " + category + ":" + name;
        OwnedFd event = PerfEvents.open(attr, -1, 0, null, Perf.PERF_FLAG_FD_CLOEXEC, category + ":" + name);
        return onPerfEvent(prog, event, what, mode, cookie);
    }

    /** A uprobe or uretprobe (see {@link UprobeOptions}), the function's offset read from the binary's ELF. */
    public static Link uprobe(BpfProgram prog, UprobeOptions o) {
        if (!Tracefs.hasPmu("uprobe")) {
            throw new UnsupportedFeatureException("uprobe", "no 'uprobe' PMU in /sys/bus/event_source/devices "
                    + "(kernel built without CONFIG_UPROBE_EVENTS)");
        }
        int pid = o.pid() == 0 ? Syscalls.getpid() : o.pid();
        Path binary = UprobeTargets.resolveBinary(o.binary(), pid);
        long offset = o.function() == null ? o.offset() : UprobeTargets.symbolOffset(binary, o.function()) + o.offset();
        String what = (o.retprobe() ? "uretprobe " : "uprobe ") + binary + ":"
                + (o.function() == null ? "0x" + Long.toHexString(offset) : o.function()
                        + (o.offset() == 0 ? "" : "+0x" + Long.toHexString(o.offset())))
                + (pid > 0 ? " pid " + pid : "");
        OwnedFd event;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(binary.toString());
            PerfEventAttr attr = new PerfEventAttr().type(Tracefs.pmuType("uprobe"))
                    .config(o.retprobe() ? 1L << Tracefs.formatBit("uprobe", "retprobe") : 0)
                    .config1(path.address()).config2(offset);
            event = PerfEvents.open(attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, null, Perf.PERF_FLAG_FD_CLOEXEC,
                    what);
        }
        return onPerfEvent(prog, event, what, PerfLinkMode.AUTO, o.cookie());
    }

    /**
     * A USDT probe (see {@link UsdtOptions}) for a program written against libbpf's
     * {@code usdt.bpf.h}: one uprobe per site of the probe, each site's argument spec in the
     * program's {@code __bpf_usdt_specs} map (so {@code bpf_usdt_arg}, {@code bpf_usdt_arg_cnt}
     * and {@code bpf_usdt_cookie} work as under libbpf), semaphores counted by the kernel
     * ({@code ref_ctr_offset}). Closing the link detaches every site.
     *
     * <pre>{@code
     * Link gc = Attach.usdt(prog, UsdtOptions.of("libjvm.so", "hotspot", "gc__begin").pid(jvmPid));
     * }</pre>
     *
     * @throws io.bpfkit.api.LoadException when the binary has no such probe, or the program no
     *     {@code __bpf_usdt_specs} map
     * @throws io.bpfkit.api.ObjectFormatException when a note or an argument spec is malformed
     */
    public static Link usdt(BpfProgram prog, UsdtOptions o) {
        return UsdtAttach.attach(prog, o);
    }

    /**
     * A kprobe or kretprobe on a kernel function. Kernels built without {@code CONFIG_KPROBES}
     * (this project's CI machine) have no {@code kprobe} PMU: that gives an
     * {@link UnsupportedFeatureException}.
     */
    public static Link kprobe(BpfProgram prog, String function, long offset, boolean retprobe) {
        requireKprobes(retprobe ? "kretprobe" : "kprobe");
        String what = (retprobe ? "kretprobe " : "kprobe ") + function + (offset == 0 ? "" : "+" + offset);
        OwnedFd event;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(function);
            PerfEventAttr attr = new PerfEventAttr().type(Tracefs.pmuType("kprobe"))
                    .config(retprobe ? 1L << Tracefs.formatBit("kprobe", "retprobe") : 0)
                    .config1(name.address()).config2(offset);
            event = PerfEvents.open(attr, -1, 0, null, Perf.PERF_FLAG_FD_CLOEXEC, what);
        }
        return onPerfEvent(prog, event, what, PerfLinkMode.AUTO, 0);
    }

    static void requireKprobes(String kind) {
        if (!Tracefs.hasPmu("kprobe")) {
            throw new UnsupportedFeatureException(kind, "no 'kprobe' PMU in /sys/bus/event_source/devices: the "
                    + "kernel is built without CONFIG_KPROBES; use a tracepoint, raw_tp or tp_btf program instead");
        }
    }

    /**
     * A perf_event program on one perf event the caller describes, e.g. a software
     * {@code cpu-clock} sampling every 100 000 ns: {@code pid -1, cpu N} for one CPU, {@code pid P,
     * cpu -1} for one task (0: this thread).
     */
    public static Link perfEvent(BpfProgram prog, PerfEventAttr attr, int pid, int cpu) {
        String what = "perf event " + attr + (pid >= 0 ? " pid " + pid : "") + (cpu >= 0 ? " cpu " + cpu : "");
        OwnedFd event = PerfEvents.open(attr, pid, cpu, null, Perf.PERF_FLAG_FD_CLOEXEC, what);
        return onPerfEvent(prog, event, what, PerfLinkMode.AUTO, 0);
    }

    /** The same perf event on every online CPU, one link per CPU; all closed if any fails. */
    public static List<Link> perfEventPerCpu(BpfProgram prog, PerfEventAttr attr) {
        List<Link> links = new ArrayList<>();
        try {
            for (int cpu : io.bpfkit.sys.Cpus.online()) {
                links.add(perfEvent(prog, attr, -1, cpu));
            }
            return links;
        } catch (RuntimeException e) {
            closeQuietly(links, e);
            throw e;
        }
    }

    /**
     * Puts {@code prog} on an open perf event that this call takes ownership of: a BPF perf
     * link, or (mode IOCTL, or AUTO on kernels without perf links, found by probing)
     * {@code PERF_EVENT_IOC_SET_BPF}. The event is enabled either way.
     */
    public static Link onPerfEvent(BpfProgram prog, OwnedFd event, String what, PerfLinkMode mode, long cookie) {
        return onPerfEvent(prog, event, what, mode, cookie, featuresOf(prog));
    }

    static Link onPerfEvent(BpfProgram prog, OwnedFd event, String what, PerfLinkMode mode, long cookie,
            KernelFeatures features) {
        String name = what + " (" + prog.name() + ")";
        try {
            boolean link = switch (mode) {
                case AUTO -> features.has(KernelFeature.PERF_LINK);
                case LINK -> {
                    features.require(KernelFeature.PERF_LINK, "use PerfLinkMode.AUTO, which attaches by ioctl there");
                    yield true;
                }
                case IOCTL -> false;
            };
            if (link) {
                OwnedFd l = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), event.get(),
                        AttachType.PERF_EVENT.value(), 0, new LinkCreateAttr.PerfEvent(cookie), prog.name()));
                try {
                    PerfEvents.enable(event);
                } catch (RuntimeException e) {
                    l.close();
                    throw e;
                }
                return Link.bpf(name, l, event);
            }
            if (cookie != 0) {
                throw new BpfException("a BPF cookie needs a perf link; " + name + " is attached by ioctl");
            }
            PerfEvents.setBpf(event, fdOf(prog));
            PerfEvents.enable(event);
            return Link.descriptor(name, event);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
    }

    // ---- BPF-only attachments -------------------------------------------------------------

    /** A raw tracepoint by name ({@code raw_tp} programs), e.g. {@code sys_enter}. */
    public static Link rawTracepoint(BpfProgram prog, String name) {
        return Link.bpf("raw_tp " + name + " (" + prog.name() + ")", Bpf.rawTracepointOpen(name, fdOf(prog), 0));
    }

    /**
     * A program bound to its target at load time: tp_btf, fentry, fexit, fmod_ret, lsm,
     * freplace, on that target ({@code BPF_RAW_TRACEPOINT_OPEN}). One bound to a function of
     * another BPF program attaches there once per load: the kernel forgets that target after
     * the first attach (an freplace program attaches again with {@link #freplace}). (On a
     * locked-down kernel fentry/fexit/lsm programs never get here: their load is refused with
     * EPERM.)
     */
    public static Link tracing(BpfProgram prog) {
        LoadedProgram p = loaded(prog);
        return Link.bpf(p.spec().sectionDef().programSection() + " (" + prog.name() + ")",
                Bpf.rawTracepointOpen(null, p.fd(), 0));
    }

    /**
     * An freplace program ({@code SEC("freplace/...")}) on the target it was loaded for
     * ({@link io.bpfkit.object.ProgramSpec#attachTarget}), by BPF_LINK_CREATE with the target
     * program and function. Unlike {@link #tracing}, which uses the load-time target once, this
     * works again after the link is closed: each link replaces the function until it is closed.
     *
     * <pre>{@code
     * try (Link l = Attach.freplace(obj.program("replacement").orElseThrow())) {
     *     // every call of pick_action() in the target program now runs replacement()
     * }
     * }</pre>
     *
     * @throws LoadException when {@code prog} is not an freplace program loaded with a program
     *     function as its attach target
     */
    public static Link freplace(BpfProgram prog) {
        LoadedProgram p = loaded(prog);
        if (!(p.spec().attachTarget() instanceof AttachTarget.ProgramFunction target)
                || p.spec().sectionDef().attachKind() != AttachKind.FREPLACE) {
            throw new LoadException("program '" + prog.name() + "'", "is not an freplace program loaded with a"
                    + " program function as its attach target");
        }
        return freplace(prog, target.program(), target.function());
    }

    /**
     * An freplace program on {@code function} of {@code target}, which need not be the program it
     * was loaded for: any program whose global function of that name has the same prototype
     * (libbpf's {@code bpf_program__attach_freplace}). The link holds the target program in the
     * kernel until it is closed.
     */
    public static Link freplace(BpfProgram prog, BpfProgram target, String function) {
        int btfId = AttachTargets.programFunctionId(target, function);
        OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(fdOf(prog).get(), target.fileDescriptor(),
                loaded(prog).spec().sectionDef().expectedAttachTypeValue(), 0,
                new LinkCreateAttr.TargetBtfId(btfId), prog.name()));
        return Link.bpf("freplace " + target.name() + ":" + function + " (" + prog.name() + ")", link);
    }

    /**
     * uprobe.multi: one link for several functions of a binary, given by name or by a glob
     * ({@code names} null), in every process ({@code pid} -1), this one (0) or one pid. The
     * program must be loaded as uprobe.multi ({@code SEC("uprobe.multi...")}). uprobe.multi
     * came with Linux 6.6: on older kernels an {@link UnsupportedFeatureException}.
     */
    public static Link uprobeMulti(BpfProgram prog, String binary, List<String> names, String glob, boolean retprobe,
            int pid) {
        return uprobeMulti(prog, binary, names, glob, retprobe, pid, featuresOf(prog));
    }

    static Link uprobeMulti(BpfProgram prog, String binary, List<String> names, String glob, boolean retprobe,
            int pid, KernelFeatures features) {
        features.require(KernelFeature.UPROBE_MULTI, UPROBE_MULTI_ADVICE);
        int target = pid == 0 ? Syscalls.getpid() : pid;
        Path path = UprobeTargets.resolveBinary(binary, target);
        Map<String, Long> offsets = names != null ? UprobeTargets.symbolOffsets(path, names)
                : UprobeTargets.matchingOffsets(path, glob);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offs = arena.allocate(ValueLayout.JAVA_LONG, offsets.size());
            int i = 0;
            for (long o : offsets.values()) {
                offs.setAtIndex(ValueLayout.JAVA_LONG, i++, o);
            }
            OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), 0,
                    AttachType.TRACE_UPROBE_MULTI.value(), 0, new LinkCreateAttr.UprobeMulti(path.toString(), offs,
                            null, null, offsets.size(), retprobe ? 1 : 0, Math.max(target, 0)), prog.name()));
            return Link.bpf((retprobe ? "uretprobe.multi " : "uprobe.multi ") + path + ":" + offsets.keySet()
                    + (target > 0 ? " pid " + target : "") + " (" + prog.name() + ")", link);
        }
    }

    /**
     * An XDP program on interface {@code ifindex} (see {@link #ifindex(String)}), running in
     * {@code mode}: a BPF link where the kernel has XDP links (5.9+), else over netlink
     * ({@link XdpLinkMode#AUTO}).
     */
    public static Link xdp(BpfProgram prog, int ifindex, XdpMode mode) {
        return xdp(prog, ifindex, mode, XdpLinkMode.AUTO);
    }

    /**
     * An XDP program on interface {@code ifindex}, attached the way {@code how} says: a BPF link
     * ({@link XdpLinkMode#LINK}; an {@link UnsupportedFeatureException} on kernels before 5.9),
     * {@code IFLA_XDP} over rtnetlink ({@link XdpLinkMode#NETLINK}), or whichever the kernel has.
     * Either way one program per interface and mode: a second is refused, with the kernel's
     * reason.
     *
     * <pre>{@code
     * try (Link l = Attach.xdp(prog, Attach.ifindex("lo"), XdpMode.GENERIC, XdpLinkMode.NETLINK)) { ... }
     * }</pre>
     */
    public static Link xdp(BpfProgram prog, int ifindex, XdpMode mode, XdpLinkMode how) {
        return xdp(prog, ifindex, mode, how, featuresOf(prog));
    }

    /** As {@link #xdp(BpfProgram, int, XdpMode, XdpLinkMode)} on a kernel with {@code features} (tests simulate one). */
    static Link xdp(BpfProgram prog, int ifindex, XdpMode mode, XdpLinkMode how, KernelFeatures features) {
        return XdpAttach.attach(prog, ifindex, mode, how, features);
    }

    /**
     * A tc program on the {@code direction} of interface {@code ifindex}: a tcx link where the
     * kernel has tcx (6.6+), else a direct-action filter on the interface's clsact qdisc over
     * rtnetlink, as libbpf's {@code bpf_tc_attach} does ({@link TcLinkMode#AUTO}). The program
     * must be a sched_cls program ({@code SEC("tc")}, {@code tc/ingress}, {@code tc/egress},
     * {@code tcx/...}, {@code classifier}); return {@code TC_ACT_UNSPEC} (-1, also
     * {@code TCX_NEXT}) to let the packet go on to the next program.
     *
     * <pre>{@code
     * try (Link in = Attach.tc(prog, Attach.ifindex("eth0"), TcDirection.INGRESS)) { ... }
     * }</pre>
     */
    public static Link tc(BpfProgram prog, int ifindex, TcDirection direction) {
        return tc(prog, ifindex, direction, TcOptions.defaults());
    }

    /**
     * A tc program on the {@code direction} of interface {@code ifindex}, attached as
     * {@code options} say: {@link TcLinkMode#TCX}, {@link TcLinkMode#NETLINK} (with a priority
     * and handle, 0 for the kernel's choice) or {@link TcLinkMode#AUTO}. A netlink filter makes
     * the clsact qdisc when the interface has none, and the last of this process's filters on
     * it removes it again on close, unless other filters are on it; a clsact that was there is
     * left alone.
     *
     * <pre>{@code
     * Link l = Attach.tc(prog, ifindex, TcDirection.EGRESS,
     *         TcOptions.defaults().mode(TcLinkMode.NETLINK).priority(10));
     * }</pre>
     */
    public static Link tc(BpfProgram prog, int ifindex, TcDirection direction, TcOptions options) {
        return tc(prog, ifindex, direction, options, featuresOf(prog));
    }

    /** As {@link #tc(BpfProgram, int, TcDirection, TcOptions)} on a kernel with {@code features} (tests simulate one). */
    static Link tc(BpfProgram prog, int ifindex, TcDirection direction, TcOptions options, KernelFeatures features) {
        return TcAttach.attach(loaded(prog), ifindex, direction, options, features);
    }

    /**
     * A tcx link on the ingress or egress of interface {@code ifindex}, appended after those
     * there. tcx came with Linux 6.6: on older kernels an {@link UnsupportedFeatureException}
     * (use {@link #tc(BpfProgram, int, TcDirection)}, which falls back to netlink).
     */
    public static Link tcx(BpfProgram prog, int ifindex, boolean ingress) {
        return tcx(prog, ifindex, ingress ? TcDirection.INGRESS : TcDirection.EGRESS);
    }

    /** A tcx link on {@code direction} of interface {@code ifindex}; see {@link #tcx(BpfProgram, int, boolean)}. */
    public static Link tcx(BpfProgram prog, int ifindex, TcDirection direction) {
        return tcx(prog, ifindex, direction, featuresOf(prog));
    }

    static Link tcx(BpfProgram prog, int ifindex, TcDirection direction, KernelFeatures features) {
        LoadedProgram p = loaded(prog);
        TcAttach.requireClassifier(p);
        features.require(KernelFeature.TCX, TcAttach.TCX_ADVICE);
        return TcAttach.tcxLink(p, ifindex, direction);
    }

    /**
     * A cgroup link: {@code cgroup} is a cgroup v2 directory, {@code type} any cgroup attach
     * type ({@code CGROUP_INET_INGRESS}, {@code CGROUP_INET4_CONNECT}, {@code CGROUP_SOCK_OPS},
     * {@code CGROUP_DEVICE}, {@code CGROUP_SYSCTL}, ...; the program's expected attach type
     * when it has one). Several links may share a cgroup (multi-attach).
     */
    public static Link cgroup(BpfProgram prog, Path cgroup, AttachType type) {
        try (OwnedFd cg = Syscalls.open(cgroup.toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0, "cgroup")) {
            OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), cg.get(), type.value(), 0, null,
                    prog.name()));
            return Link.bpf("cgroup " + cgroup + " " + type.libbpfName() + " (" + prog.name() + ")", link);
        }
    }

    /** A cgroup link with the attach type the program was loaded for. */
    public static Link cgroup(BpfProgram prog, Path cgroup) {
        AttachType t = loaded(prog).spec().expectedAttachType();
        if (t == null) {
            throw new BpfException("program '" + prog.name() + "' has no expected attach type: name the cgroup "
                    + "attach type");
        }
        return cgroup(prog, cgroup, t);
    }

    /**
     * A socket filter on socket descriptor {@code socket} ({@code SO_ATTACH_BPF}); closing the
     * link detaches it ({@code SO_DETACH_BPF}). Close the link before the socket.
     */
    public static Link socketFilter(BpfProgram prog, int socket) {
        Sockets.setIntOption(socket, Sockets.SOL_SOCKET, Sockets.SO_ATTACH_BPF, prog.fileDescriptor(),
                "SO_ATTACH_BPF of program '" + prog.name() + "' on socket fd " + socket);
        return Link.action("socket filter on fd " + socket + " (" + prog.name() + ")", () -> {
            try {
                Sockets.setIntOption(socket, Sockets.SOL_SOCKET, Sockets.SO_DETACH_BPF, 0,
                        "SO_DETACH_BPF on socket fd " + socket);
            } catch (KernelException e) {
                if (e.errno() != Errno.EBADF && e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        });
    }

    /**
     * Attaches an {@code sk_msg} or {@code sk_skb} program to a sockmap or sockhash, with the
     * attach type its section names ({@code sk_msg}, {@code sk_skb/stream_verdict},
     * {@code sk_skb/stream_parser}, {@code sk_skb/verdict}). Where the kernel has sockmap links
     * (6.10, probed: {@link KernelFeature#SOCKMAP_LINK}) this is a BPF link
     * ({@code BPF_LINK_CREATE} with the map as target, as libbpf's
     * {@code bpf_program__attach_sockmap}): {@link Link#info()} shows it, {@link Link#update}
     * swaps its program, it can be pinned. Older kernels get {@code BPF_PROG_ATTACH} with the map
     * as target, undone by {@code BPF_PROG_DETACH} on close. Either way the link holds its own
     * references to the program and the map, so it detaches correctly after the object closed;
     * closing it detaches.
     *
     * <pre>{@code
     * BpfSockMap socks = BpfMaps.sockMap(loaded, "socks");
     * try (Link l = Attach.sockMap(loaded.program("on_msg").orElseThrow(), socks)) {
     *     socks.set(0, clientFd);
     * }
     * }</pre>
     */
    public static Link sockMap(BpfProgram prog, io.bpfkit.api.map.BpfMap map) {
        AttachType t = loaded(prog).spec().expectedAttachType();
        if (t == null) {
            throw new BpfException("program '" + prog.name() + "' (section " + loaded(prog).spec().section()
                    + ") has no expected attach type: name it (SK_SKB_STREAM_VERDICT, SK_SKB_STREAM_PARSER, "
                    + "SK_SKB_VERDICT or SK_MSG_VERDICT)");
        }
        return sockMap(prog, map, t);
    }

    /** {@link #sockMap(BpfProgram, io.bpfkit.api.map.BpfMap)} with attach type {@code type}. */
    public static Link sockMap(BpfProgram prog, io.bpfkit.api.map.BpfMap map, AttachType type) {
        return sockMap(prog, map, type, featuresOf(prog));
    }

    /** {@link #sockMap(BpfProgram, io.bpfkit.api.map.BpfMap, AttachType)} on a kernel with {@code features}. */
    static Link sockMap(BpfProgram prog, io.bpfkit.api.map.BpfMap map, AttachType type, KernelFeatures features) {
        io.bpfkit.object.ProgramType pt = loaded(prog).spec().type();
        if (pt != io.bpfkit.object.ProgramType.SK_MSG && pt != io.bpfkit.object.ProgramType.SK_SKB) {
            throw new BpfException("program '" + prog.name() + "' is a " + pt.libbpfName() + " program; a sockmap "
                    + "takes sk_msg and sk_skb programs");
        }
        if (type != AttachType.SK_MSG_VERDICT && type != AttachType.SK_SKB_STREAM_VERDICT
                && type != AttachType.SK_SKB_STREAM_PARSER && type != AttachType.SK_SKB_VERDICT) {
            throw new BpfException("attach type " + type.libbpfName() + " is no sockmap attach type");
        }
        String name = type.libbpfName() + " on map '" + map.name() + "' (" + prog.name() + ")";
        if (features.has(KernelFeature.SOCKMAP_LINK)) {
            // the link holds the program and the map itself
            return Link.bpf(name, Bpf.linkCreate(new LinkCreateAttr(fdOf(prog).get(), map.fileDescriptor(), type.value(), 0,
                    null, prog.name())));
        }
        int mapId = map.info().id();
        Fd mapRef = Bpf.mapGetFdById(mapId, 0);
        Fd progRef;
        try {
            progRef = Bpf.progGetFdById(Bpf.progInfo(fdOf(prog)).id());
        } catch (RuntimeException e) {
            mapRef.close();
            throw e;
        }
        try {
            Bpf.progAttach(mapRef.get(), progRef, type.value(), 0);
        } catch (RuntimeException e) {
            progRef.close();
            mapRef.close();
            throw e;
        }
        return Link.action(name, () -> Bpf.progDetach(mapRef.get(), progRef, type.value()), () -> {
                    progRef.close();
                    mapRef.close();
                });
    }

    /** A BPF iterator link ({@code iter/...} programs); read its output with {@link IterLink#open()}. */
    public static IterLink iterator(BpfProgram prog) {
        OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), 0, AttachType.TRACE_ITER.value(), 0,
                new LinkCreateAttr.Iter(null), prog.name()));
        return new IterLink(Link.bpf("iter (" + prog.name() + ")", link));
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** The index of network interface {@code name}, e.g. {@code lo}, from {@code /sys/class/net}. */
    public static int ifindex(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("..")) {
            throw new IllegalArgumentException("bad interface name '" + name + "'");
        }
        Path p = Path.of("/sys/class/net", name, "ifindex");
        try {
            return Integer.parseInt(Files.readString(p).trim());
        } catch (NoSuchFileException e) {
            throw new BpfException("no network interface '" + name + "' (" + p + " does not exist)");
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the index of interface '" + name + "' from " + p, e);
        }
    }

    /**
     * The features an attach of {@code prog} chooses its path by: those its loader saw (with the
     * object's BPF token, inside a user namespace that could not probe without it).
     */
    static KernelFeatures featuresOf(BpfProgram prog) {
        return prog instanceof LoadedProgram p ? p.kernelFeatures() : KernelFeatures.running();
    }

    static LoadedProgram loaded(BpfProgram prog) {
        if (prog instanceof LoadedProgram p) {
            return p;
        }
        throw new IllegalArgumentException("not a program bpfkit loaded: " + prog);
    }

    static OwnedFd fdOf(BpfProgram prog) {
        return loaded(prog).fd();
    }

    static void closeQuietly(List<? extends AutoCloseable> links, RuntimeException cause) {
        for (AutoCloseable l : links.reversed()) {
            try {
                l.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }
}
