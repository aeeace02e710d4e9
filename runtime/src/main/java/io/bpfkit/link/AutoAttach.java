package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.AttachTarget;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.SectionDef;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Attaches programs where their section names say, as libbpf's {@code bpf_program__attach}
 * and skeleton {@code attach} do: {@code tp/syscalls/sys_enter_write} on that tracepoint,
 * {@code raw_tp/sched_switch}, {@code tp_btf/...}, {@code fentry/...}, {@code lsm/...},
 * {@code iter/...}, {@code uprobe/libc.so.6:malloc}, {@code uprobe.multi/...}, {@code usdt/libjvm.so:hotspot:gc__begin},
 * {@code kprobe/...}, {@code ksyscall/...}, {@code kprobe.multi/...}; and, given an interface,
 * {@code xdp}, {@code tc/ingress}, {@code tc/egress}, {@code tc}, {@code classifier} and
 * {@code tcx/...} ({@link #attach(LoadedProgram, int)}).
 *
 * <pre>{@code
 * try (LoadedObject obj = BpfLoader.load(spec)) {
 *     AutoAttach.attachAll(obj);          // links owned by obj, detached when it closes
 *     ...
 * }
 * Link l = AutoAttach.attach(obj.program("handle_exec").orElseThrow());   // caller owns l
 * }</pre>
 */
public final class AutoAttach {
    private AutoAttach() {
    }

    /** Whether the program's section names where to attach it. */
    public static boolean canAutoAttach(LoadedProgram prog) {
        return prog.spec().sectionDef().autoAttachable();
    }

    /**
     * Attaches every loaded program whose section names its target, as a skeleton's
     * {@code attach} does (programs without one, e.g. {@code xdp} or bare {@code uprobe}, are
     * left for explicit calls); the links belong to {@code obj}. If one attach fails, the
     * links made so far are closed and the failure is thrown. Then, as a skeleton's attach,
     * registers the object's struct_ops maps ({@link StructOps#registerAll}), also owned by
     * {@code obj}.
     */
    public static List<BpfProgramLink> attachAll(LoadedObject obj) {
        List<BpfProgramLink> made = new ArrayList<>();
        try {
            for (LoadedProgram p : obj.programs().values()) {
                if (canAutoAttach(p)) {
                    made.add(new BpfProgramLink(p, attach(p)));
                }
            }
        } catch (RuntimeException e) {
            Attach.closeQuietly(made.stream().map(BpfProgramLink::link).toList(), e);
            throw e;
        }
        made.forEach(l -> obj.own(l.link()));
        StructOps.registerAll(obj);
        return List.copyOf(made);
    }

    /** A program and the link auto-attach made for it. */
    public record BpfProgramLink(BpfProgram program, Link link) {
    }

    /**
     * Attaches one program where its section says; the caller owns the link.
     *
     * @throws BpfException when the section gives no target (attach explicitly with {@link Attach})
     * @throws UnsupportedFeatureException when the kernel lacks the mechanism (kprobes here)
     */
    public static Link attach(LoadedProgram prog) {
        SectionDef d = prog.spec().sectionDef();
        if (d.targetError() != null) {
            throw new BpfException("cannot attach program '" + prog.name() + "': section '" + d.section() + "': "
                    + d.targetError());
        }
        return switch (d.attachKind()) {
            case TRACING, LSM -> Attach.tracing(prog);
            // Through the target program, so that it attaches again after a detach (the kernel
            // forgets the load-time target of an extension once it has been attached).
            case FREPLACE -> prog.spec().attachTarget() instanceof AttachTarget.ProgramFunction
                    ? Attach.freplace(prog) : Attach.tracing(prog);
            case ITER -> Attach.iterator(prog).link();
            default -> attachToTarget(prog, d);
        };
    }

    /**
     * Attaches a program that runs on a network interface ({@code xdp}, {@code tc/ingress},
     * {@code tc/egress}, {@code tcx/ingress}, {@code tcx/egress}) to interface {@code ifindex}
     * the way its section says: tc sections through {@link TcLinkMode#AUTO} (tcx where the
     * kernel has it, else a clsact filter over netlink), {@code tcx/*} through tcx only, XDP
     * through {@link XdpLinkMode#AUTO} in the driver's default mode. The caller owns the link.
     * {@code SEC("tc")} and {@code SEC("classifier")} name no direction: use
     * {@link #attach(LoadedProgram, int, TcDirection)}.
     *
     * <pre>{@code
     * Link l = AutoAttach.attach(obj.program("ingress_count").orElseThrow(), Attach.ifindex("eth0"));
     * }</pre>
     */
    public static Link attach(LoadedProgram prog, int ifindex) {
        return attach(prog, ifindex, null);
    }

    /**
     * As {@link #attach(LoadedProgram, int)}, with the direction for tc sections that name none
     * ({@code tc}, {@code classifier}); for those that do, {@code direction} must agree or be
     * null.
     *
     * @throws LoadException when {@code direction} is given for an XDP program, or differs from
     *     the one the section names
     */
    public static Link attach(LoadedProgram prog, int ifindex, TcDirection direction) {
        return attach(prog, ifindex, direction, prog.kernelFeatures());
    }

    static Link attach(LoadedProgram prog, int ifindex, TcDirection direction, KernelFeatures features) {
        SectionDef d = prog.spec().sectionDef();
        String section = d.programSection();
        switch (d.attachKind()) {
            case XDP -> {
                if (direction != null) {
                    throw new LoadException("program '" + prog.name() + "'", "(section '" + section
                            + "') is an XDP program: it has no tc direction");
                }
                return Attach.xdp(prog, ifindex, XdpMode.DEFAULT, XdpLinkMode.AUTO, features);
            }
            case TCX -> {
                TcDirection named = d.expectedAttachType() == AttachType.TCX_EGRESS ? TcDirection.EGRESS
                        : TcDirection.INGRESS;
                if (direction != null && direction != named) {
                    throw new LoadException("program '" + prog.name() + "'", "(section '" + section
                            + "') runs on " + TcAttach.lower(named) + ", not " + TcAttach.lower(direction));
                }
                return d.prefix().startsWith("tcx/") ? Attach.tcx(prog, ifindex, named, features)
                        : Attach.tc(prog, ifindex, named, TcOptions.defaults(), features);
            }
            case TC -> {
                if (direction == null) {
                    throw new BpfException("program '" + prog.name() + "' (section '" + section + "') names no "
                            + "direction: pass TcDirection.INGRESS or EGRESS to AutoAttach.attach");
                }
                return Attach.tc(prog, ifindex, direction, TcOptions.defaults(), features);
            }
            default -> throw new BpfException("program '" + prog.name() + "' (section '" + section + "') does not "
                    + "run on a network interface (" + d.attachKind().name().toLowerCase(java.util.Locale.ROOT)
                    + "); attach it with AutoAttach.attach(prog) or io.bpfkit.link.Attach");
        }
    }

    private static Link attachToTarget(LoadedProgram prog, SectionDef d) {
        if (d.attachKind() == AttachKind.XDP || d.attachKind() == AttachKind.TCX || d.attachKind() == AttachKind.TC) {
            throw new BpfException("program '" + prog.name() + "' (section '" + d.section() + "') names no attach target: "
                    + "it runs on a network interface; attach it with AutoAttach.attach(prog, ifindex), Attach.tc or "
                    + "Attach.xdp");
        }
        if (d.target() == null) {
            throw new BpfException("program '" + prog.name() + "' (section '" + d.section() + "') names no attach "
                    + "target; attach it with io.bpfkit.link.Attach (" + d.attachKind().name().toLowerCase(
                            java.util.Locale.ROOT) + ")");
        }
        return switch (d.target()) {
            case SectionDef.Tracepoint t -> Attach.tracepoint(prog, t.category(), t.name());
            case SectionDef.RawTracepoint t -> Attach.rawTracepoint(prog, t.name());
            case SectionDef.Uprobe u -> {
                if (u.inArchive()) {
                    throw new BpfException("uprobe target " + u.binaryPath() + " is inside a zip archive: bpfkit "
                            + "attaches to plain files only");
                }
                yield Attach.uprobe(prog, new UprobeOptions(u.binaryPath(), u.function(), u.offset(), u.retprobe(),
                        -1, 0));
            }
            case SectionDef.UprobeMulti u -> {
                if (u.session()) {
                    throw new UnsupportedFeatureException("uprobe.session", "bpfkit does not attach session uprobes");
                }
                yield Attach.uprobeMulti(prog, u.binaryPath(), null, u.pattern(), u.retprobe(), -1);
            }
            case SectionDef.Kprobe k -> Attach.kprobe(prog, k.function(), k.offset(), k.retprobe());
            case SectionDef.Ksyscall k -> Attach.kprobe(prog, syscallPrefix() + k.syscall(), 0, k.retprobe());
            case SectionDef.KprobeMulti k -> kprobeMulti(prog, k);
            case SectionDef.BtfTarget b -> Attach.tracing(prog);
            case SectionDef.Usdt u -> Attach.usdt(prog, UsdtOptions.of(u.binaryPath(), u.provider(), u.name()));
            case SectionDef.TracingMulti t -> throw new UnsupportedFeatureException("fentry.multi",
                    "multi-function tracing links are newer than Linux 6.18");
        };
    }

    /**
     * Refuses {@code feature} unless the running kernel's BTF, which describes what it was built
     * with, has the type {@code name} (and, for an enum, the value {@code value}): a kprobe.multi
     * link object exists only with CONFIG_FPROBE, a session attach type only from Linux 6.10.
     * Without this the kernel answers EOPNOTSUPP or EINVAL, which says neither.
     */
    private static void requireInKernelBtf(String feature, BtfKind kind, String name, String value, String why) {
        Btf vmlinux;
        try {
            vmlinux = KernelBtf.vmlinux();
        } catch (BpfException e) {
            return; // no kernel BTF to ask: let the kernel answer
        }
        boolean present = vmlinux.find(name, kind)
                .map(t -> value == null || t instanceof BtfType.Enum en
                        && en.values().stream().anyMatch(v -> v.name().equals(value)))
                .orElse(false);
        if (!present) {
            throw new UnsupportedFeatureException(feature, why + " (the kernel's BTF has no " + (value != null ? value
                    + " in enum " + name : kind.label() + " " + name) + "; running " + System.getProperty("os.version")
                    + ")");
        }
    }

    /** The architecture's system call wrapper prefix, as libbpf adds it for ksyscall. */
    static String syscallPrefix() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> "__x64_sys_";
            case "aarch64", "arm64" -> "__arm64_sys_";
            case "s390x" -> "__s390x_sys_";
            case "riscv64" -> "__riscv_sys_";
            default -> "__se_sys_";
        };
    }

    /**
     * kprobe.multi: the pattern matched against tracefs {@code available_filter_functions},
     * one link for all. Needs kprobes and fprobe in the kernel.
     */
    static Link kprobeMulti(LoadedProgram prog, SectionDef.KprobeMulti k) {
        String feature = k.session() ? "kprobe.session" : "kprobe.multi";
        Attach.requireKprobes(feature);
        requireInKernelBtf(feature, BtfKind.STRUCT, "bpf_kprobe_multi_link", null,
                "the kernel is built without CONFIG_FPROBE, which kprobe.multi links need (Linux 5.18+); "
                        + "attach a kprobe per function instead");
        if (k.session()) {
            requireInKernelBtf(feature, BtfKind.ENUM, "bpf_attach_type", "BPF_TRACE_KPROBE_SESSION",
                    "kprobe.session needs Linux 6.10; use a kprobe.multi and a kretprobe.multi program instead");
        }
        Pattern p = Pattern.compile(UprobeTargets.globRegex(k.pattern()));
        List<String> names;
        Path list = Tracefs.root().resolve("available_filter_functions");
        try (var lines = Files.lines(list)) {
            names = lines.map(l -> l.split("[ \t]")[0]).filter(n -> p.matcher(n).matches()).distinct().toList();
        } catch (IOException e) {
            throw new BpfException("cannot read " + list, e);
        }
        if (names.isEmpty()) {
            throw new BpfException("no kernel function matches '" + k.pattern() + "' (" + list + ")");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment syms = arena.allocate(ValueLayout.ADDRESS, names.size());
            for (int i = 0; i < names.size(); i++) {
                syms.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(names.get(i)));
            }
            AttachType type = k.session() ? AttachType.TRACE_KPROBE_SESSION : AttachType.TRACE_KPROBE_MULTI;
            OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), 0, type.value(), 0,
                    new LinkCreateAttr.KprobeMulti(k.retprobe() ? 1 : 0, names.size(), syms, null, null), prog.name()));
            return Link.bpf("kprobe.multi " + k.pattern() + " (" + names.size() + " functions, " + prog.name() + ")",
                    link);
        }
    }
}
