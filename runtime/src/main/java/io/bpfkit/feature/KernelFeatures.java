package io.bpfkit.feature;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import io.bpfkit.sys.MapCreateAttr;
import io.bpfkit.sys.ProgLoadAttr;
import io.bpfkit.sys.ProgLoadResult;
import io.bpfkit.uapi.BpfAttachType;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfInsn;
import io.bpfkit.uapi.BpfMapType;
import io.bpfkit.uapi.BpfProgType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the kernel can do, found by probing as libbpf does: each {@link KernelFeature} is probed
 * once, on first question, with a tiny call whose errno tells the answer, and the answer is kept
 * for the life of the process. Attach calls ask here instead of trying the user's operation and
 * guessing from its errno.
 *
 * <p>{@link #simulated} gives a feature set without asking the kernel: what a unit test uses to
 * see what bpfkit does on a kernel it does not run on.
 *
 * <pre>{@code
 * KernelFeatures k = KernelFeatures.running();
 * if (!k.has(KernelFeature.TCX)) { ... }                 // probed once per process
 * k.require(KernelFeature.TCX, "use Attach.tc, which falls back to netlink");
 *     // UnsupportedFeatureException: "tcx needs Linux 6.6, this is 6.1.0-57-amd64; use Attach.tc, ..."
 *
 * KernelFeatures old = KernelFeatures.simulated("6.1.0-57-amd64", Set.of(KernelFeature.XDP_LINK,
 *         KernelFeature.PERF_LINK));                 // a 6.1 kernel, for tests
 * }</pre>
 */
public final class KernelFeatures {
    /** {@code BPF_PROG_TYPE_SCHED_CLS}. */
    private static final int SCHED_CLS = BpfProgType.BPF_PROG_TYPE_SCHED_CLS;
    /** {@code BPF_PROG_TYPE_TRACEPOINT}. */
    private static final int TRACEPOINT = BpfProgType.BPF_PROG_TYPE_TRACEPOINT;
    /** {@code BPF_TCX_INGRESS}. */
    private static final int BPF_TCX_INGRESS = BpfAttachType.BPF_TCX_INGRESS;
    /** {@code BPF_XDP}. */
    private static final int BPF_XDP = BpfAttachType.BPF_XDP;
    /** {@code BPF_TRACE_UPROBE_MULTI}. */
    private static final int BPF_TRACE_UPROBE_MULTI = BpfAttachType.BPF_TRACE_UPROBE_MULTI;
    /** {@code BPF_PROG_TYPE_KPROBE}. */
    private static final int KPROBE = BpfProgType.BPF_PROG_TYPE_KPROBE;
    /** {@code BPF_PERF_EVENT}. */
    private static final int BPF_PERF_EVENT = BpfAttachType.BPF_PERF_EVENT;
    /** An interface index no interface has. */
    private static final int NO_SUCH_IFINDEX = Integer.MAX_VALUE;

    /** {@code BPF_PROG_TYPE_SK_MSG}. */
    private static final int SK_MSG = BpfProgType.BPF_PROG_TYPE_SK_MSG;
    /** {@code BPF_SK_MSG_VERDICT}. */
    private static final int BPF_SK_MSG_VERDICT = BpfAttachType.BPF_SK_MSG_VERDICT;

    private static final KernelFeatures RUNNING = new KernelFeatures(
            System.getProperty("os.version", "unknown"), f -> probe(f, 0));

    private final String release;
    private final Predicate<KernelFeature> probe;
    private final Map<KernelFeature, Boolean> known = new EnumMap<>(KernelFeature.class);

    private KernelFeatures(String release, Predicate<KernelFeature> probe) {
        this.release = release;
        this.probe = probe;
    }

    /** The running kernel's features, probed on first question and kept for the process. */
    public static KernelFeatures running() {
        return RUNNING;
    }

    /**
     * The running kernel's features as a holder of {@code token} sees them: every probe's map and
     * program is created with the token, as libbpf's per-object feature cache does once it has
     * a token. Inside a user namespace a probe without the token says "no" for everything the
     * namespace may only do through it. Not cached across calls: one per load.
     *
     * <pre>{@code
     * KernelFeatures delegated = KernelFeatures.withToken(token);
     * delegated.has(KernelFeature.ARENA);
     * }</pre>
     */
    public static KernelFeatures withToken(OwnedFd token) {
        int tokenFd = token.get();
        return new KernelFeatures(RUNNING.release, f -> probe(f, tokenFd));
    }

    /**
     * A kernel that has exactly {@code present}, calling itself {@code release}; no probe runs.
     * For tests of what bpfkit does on kernels other than the one it runs on.
     */
    public static KernelFeatures simulated(String release, Set<KernelFeature> present) {
        Set<KernelFeature> copy = Set.copyOf(present);
        return new KernelFeatures(Objects.requireNonNull(release, "release"), copy::contains);
    }

    /** The kernel's release, e.g. {@code 6.1.0-57-amd64} ({@code uname -r}). */
    public String release() {
        return release;
    }

    /**
     * Whether the kernel has {@code feature}. A probe that cannot decide (e.g. no privilege for
     * bpf(2)) throws its {@link KernelException} and is asked again next time.
     */
    public boolean has(KernelFeature feature) {
        synchronized (known) {
            Boolean b = known.get(feature);
            if (b != null) {
                return b;
            }
        }
        boolean answer = probe.test(feature);
        synchronized (known) {
            known.putIfAbsent(feature, answer);
            return known.get(feature);
        }
    }

    /**
     * Throws an {@link UnsupportedFeatureException} naming {@code feature}, the first kernel
     * with it and this one, and {@code advice}, unless the kernel has it.
     */
    public void require(KernelFeature feature, String advice) {
        if (!has(feature)) {
            throw missing(feature, advice);
        }
    }

    /** The exception {@link #require} throws. */
    public UnsupportedFeatureException missing(KernelFeature feature, String advice) {
        return new UnsupportedFeatureException(feature.displayName(), feature.firstKernel(), release, advice);
    }

    @Override
    public String toString() {
        synchronized (known) {
            return "KernelFeatures[" + release + ", known " + known + "]";
        }
    }

    // ---- probes ---------------------------------------------------------------------------

    /** {@code tokenFd}: the BPF token the probe's maps and programs are made with, or 0. */
    private static boolean probe(KernelFeature f, int tokenFd) {
        return switch (f) {
            // A tcx link on an interface that does not exist: kernels with tcx look the interface
            // up (ENODEV); older ones refuse the attach type for a sched_cls program (EINVAL).
            case TCX -> linkErrno(SCHED_CLS, "tcx", BPF_TCX_INGRESS, NO_SUCH_IFINDEX, Errno.ENODEV, tokenFd);
            // An XDP link for no program (fd -1): kernels that know BPF_XDP as a link attach type
            // get as far as looking the program up (EBADF); older ones refuse the attach type or
            // the command (EINVAL). The interface lookup cannot tell: both answer EINVAL there.
            case XDP_LINK -> linkErrno(-1, "XDP link", BPF_XDP, NO_SUCH_IFINDEX, Errno.EBADF, tokenFd);
            // A perf link to no perf event (fd -1): kernels with perf links look the event up
            // (EBADF); older ones refuse the attach type (EINVAL). libbpf's probe_perf_link.
            case PERF_LINK -> linkErrno(TRACEPOINT, "perf link", BPF_PERF_EVENT, -1, Errno.EBADF, tokenFd);
            case UPROBE_MULTI -> uprobeMulti(tokenFd);
            case ARENA -> arena(tokenFd);
            case BPF_TOKEN -> token();
            // A sockmap link to no map (fd -1): kernels with sockmap links look the map up
            // (EBADF); older ones have no link for sk_msg programs (EINVAL). libbpf has no probe:
            // its bpf_program__attach_sockmap just fails on older kernels.
            case SOCKMAP_LINK -> linkErrno(SK_MSG, "sockmap link", BPF_SK_MSG_VERDICT, -1, Errno.EBADF, tokenFd);
        };
    }

    /**
     * {@code BPF_TOKEN_CREATE} from no file system (fd -1): kernels with tokens look the fd up
     * (EBADF); older ones do not know the command (EINVAL).
     */
    @SuppressWarnings("try") // the token exists only to show the call succeeded, which it must not
    private static boolean token() {
        try (OwnedFd token = Bpf.tokenCreate(-1, "probe")) {
            throw new IllegalStateException("probe for BPF token: BPF_TOKEN_CREATE from fd -1 succeeded");
        } catch (KernelException e) {
            return switch (e.errno()) {
                case Errno.EBADF -> true;
                case Errno.EINVAL -> false;
                default -> throw new KernelException("BPF_TOKEN_CREATE (probe for BPF token)", e.errno(),
                        e.errnoName(), cannotTell("BPF token", e.errno()));
            };
        }
    }

    /** {@code BPF_MAP_TYPE_ARENA}. */
    private static final int MAP_TYPE_ARENA = BpfMapType.BPF_MAP_TYPE_ARENA;
    /** {@code BPF_F_MMAPABLE}. */
    private static final int BPF_F_MMAPABLE = BpfFlags.BPF_F_MMAPABLE;

    /**
     * An arena map of one page, mmap-able anywhere (map_extra 0), as libbpf's
     * {@code bpf_probe_map_type} makes one: kernels with arenas create it; older ones do not know
     * the map type (EINVAL). A refusal for another reason (EPERM: no privilege, or a kernel whose
     * security policy refuses arenas) cannot tell.
     */
    @SuppressWarnings("try") // the map exists only to show the kernel creates it
    private static boolean arena(int tokenFd) {
        try (OwnedFd map = Bpf.mapCreate(MapCreateAttr.builder(MAP_TYPE_ARENA, 0, 0, 1)
                .mapFlags(BPF_F_MMAPABLE | tokenFlag(tokenFd)).mapTokenFd(tokenFd).name("probe_arena").build())) {
            return true;
        } catch (KernelException e) {
            if (e.errno() == Errno.EINVAL) {
                return false;
            }
            throw new KernelException("BPF_MAP_CREATE (probe for arena)", e.errno(), e.errnoName(),
                    cannotTell("arena", e.errno()));
        }
    }

    /**
     * A uprobe.multi link on {@code /}, which is no regular file: kernels with uprobe.multi
     * refuse the path (EBADF); older ones refuse the attach type (EINVAL), and kernels without
     * CONFIG_UPROBES answer EOPNOTSUPP. libbpf's probe_uprobe_multi_link.
     */
    @SuppressWarnings("try") // the link exists only to show the attach succeeded, which it must not
    private static boolean uprobeMulti(int tokenFd) {
        String feature = "uprobe.multi";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(16, 8);
            insns.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xb7); // r0 = 0
            insns.set(ValueLayout.JAVA_BYTE, 8, (byte) 0x95); // exit
            ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(KPROBE, insns).license("GPL").name("probe")
                    .expectedAttachType(BPF_TRACE_UPROBE_MULTI).progFlags(tokenFlag(tokenFd)).progTokenFd(tokenFd)
                    .build());
            if (!r.ok()) {
                if (r.errno() == Errno.EINVAL) {
                    return false;
                }
                KernelException e = r.exception();
                throw new KernelException("BPF_PROG_LOAD (probe for " + feature + ")", e.errno(), e.errnoName(),
                        cannotTell(feature, e.errno()));
            }
            MemorySegment offsets = arena.allocate(ValueLayout.JAVA_LONG, 1);
            try (OwnedFd prog = r.fd(); OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), 0, BPF_TRACE_UPROBE_MULTI,
                    0, new LinkCreateAttr.UprobeMulti("/", offsets, null, null, 1, 0, 0), "probe_uprobe_multi"))) {
                throw new IllegalStateException("probe for " + feature + ": a uprobe.multi link on / succeeded");
            } catch (KernelException e) {
                return switch (e.errno()) {
                    case Errno.EBADF -> true;
                    case Errno.EINVAL, Errno.EOPNOTSUPP -> false;
                    default -> throw new KernelException("BPF_LINK_CREATE (probe for " + feature + ")", e.errno(),
                            e.errnoName(), cannotTell(feature, e.errno()));
                };
            }
        }
    }

    /**
     * BPF_LINK_CREATE of a trivial program of {@code progType} (none when -1) with
     * {@code attachType} on {@code target}: true when it fails with {@code presentErrno}, false
     * on EINVAL; anything else is a probe that cannot decide.
     */
    private static boolean linkErrno(int progType, String feature, int attachType, int target, int presentErrno,
            int tokenFd) {
        OwnedFd prog = progType < 0 ? null : trivialProgram(progType, feature, tokenFd);
        try {
            OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(prog == null ? -1 : prog.get(), target, attachType, 0, null,
                    "probe_" + feature.replace(' ', '_')));
            link.close();
            throw new IllegalStateException("probe for " + feature + ": BPF_LINK_CREATE on a target that does not "
                    + "exist succeeded");
        } catch (KernelException e) {
            if (e.errno() == presentErrno) {
                return true;
            }
            if (e.errno() == Errno.EINVAL) {
                return false;
            }
            throw new KernelException("BPF_LINK_CREATE (probe for " + feature + ")", e.errno(), e.errnoName(),
                    cannotTell(feature, e.errno()));
        } finally {
            if (prog != null) {
                prog.close();
            }
        }
    }

    /** {@code BPF_F_TOKEN_FD} when there is a token: the flag that makes the kernel read the token field. */
    private static int tokenFlag(int tokenFd) {
        return tokenFd > 0 ? BpfFlags.BPF_F_TOKEN_FD : 0;
    }

    private static String cannotTell(String feature, int errno) {
        String hint = Errno.hint(errno);
        return "cannot tell whether the kernel supports " + feature + (hint == null ? "" : ": " + hint);
    }

    /** {@code r0 = 0; exit}, loaded as {@code progType}. */
    private static OwnedFd trivialProgram(int progType, String feature, int tokenFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(16, 8);
            insns.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xb7); // BPF_ALU64 | BPF_MOV | BPF_K: r0 = 0
            insns.set(ValueLayout.JAVA_BYTE, 8, (byte) (BpfInsn.BPF_JMP | BpfInsn.BPF_EXIT));
            ProgLoadResult r = Bpf.progLoad(ProgLoadAttr.builder(progType, insns).license("GPL")
                    .name("probe").progFlags(tokenFlag(tokenFd)).progTokenFd(tokenFd).build());
            if (!r.ok()) {
                KernelException e = r.exception();
                throw new KernelException("BPF_PROG_LOAD (probe for " + feature + ")", e.errno(), e.errnoName(),
                        cannotTell(feature, e.errno()));
            }
            return r.fd();
        }
    }
}
