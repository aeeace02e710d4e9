package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.VerifierException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfPatch;
import io.bpfkit.core.CoreRelocator;
import io.bpfkit.core.CoreTarget;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.object.AttachKind;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.DatasecLayout;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.Instructions;
import io.bpfkit.object.KernelNames;
import io.bpfkit.object.MapSlot;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.object.Relocation;
import io.bpfkit.pmu.PmuCounterSet;
import io.bpfkit.pmu.PmuPlacement;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.BtfLoadResult;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.MapCreateAttr;
import io.bpfkit.sys.ProgLoadAttr;
import io.bpfkit.sys.ProgLoadResult;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfInsn;
import io.bpfkit.uapi.MapInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One load of one spec: the state a failure must unwind. */
final class ObjectLoader {
    private static final int FUNC_INFO_SIZE = 8;
    private static final int LINE_INFO_SIZE = 16;
    /** Map types the kernel takes no BTF for (libbpf's list), whose key and value are fds or none. */
    private static final java.util.Set<MapType> NO_BTF_TYPES = java.util.EnumSet.of(MapType.PERF_EVENT_ARRAY,
            MapType.CGROUP_ARRAY, MapType.STACK_TRACE, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.DEVMAP,
            MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP, MapType.SOCKMAP, MapType.SOCKHASH, MapType.QUEUE,
            MapType.STACK, MapType.ARENA);
    private static final Pattern INSN_LINE = Pattern.compile("^(\\d+): \\(", Pattern.MULTILINE);

    private final BpfObjectSpec spec;
    private final LoadOptions options;
    private final String object;
    private final List<OwnedFd> made = new ArrayList<>();
    /** Arena memory this load mapped: a failed load unmaps it. */
    private final List<ArenaMapping> mapped = new ArrayList<>();
    /** Pins this load created (not reused ones): a failed load removes them, as libbpf does. */
    private final List<Path> pinned = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** The .rodata variable of bpfkit/pmu.h that the loader sets to the possible-CPU count. */
    static final String PMU_CPUS_VARIABLE = "bpfkit_pmu_cpus";

    private final Map<String, LoadedMap> maps = new HashMap<>();
    private OwnedFd btfFd;
    /** Why the object's BTF is not in the kernel though the object has BTF, or null. */
    private String btfUnloaded;
    private CoreTarget coreTarget;
    private CoreRelocator relocator;
    private final ExternResolver externs;
    private Map<String, ExternResolver.Ksym> ksyms = Map.of();
    /** Instructions poisoned by CO-RE, per program, to explain a verifier refusal. */
    private final Map<String, List<CoreRelocator.Poisoned>> poisoned = new HashMap<>();
    /** Module BTF fds for kfunc calls: fd_array, index 0 reserved for vmlinux (libbpf's layout). */
    private final List<OwnedFd> fdArray = new ArrayList<>();
    private final Map<String, Integer> fdArrayIndex = new HashMap<>();
    private StructOpsLoader structOps;
    /** The BPF token every creation of this load carries (see {@link LoadOptions#bpfTokenPath()}), or null. */
    private OwnedFd token;
    /** What the kernel can do for this load: probed with the token when there is one. */
    private KernelFeatures features = KernelFeatures.running();

    ObjectLoader(BpfObjectSpec spec, LoadOptions options) {
        this.spec = spec;
        this.options = options;
        this.object = "object '" + spec.name() + "'";
        // Typed ksyms and kfuncs name ids the running kernel checks: its own BTF, never the caller's
        // target file (which only stands in for CO-RE, as libbpf's btf_custom_path).
        this.externs = new ExternResolver(spec, CoreTarget::kernel, () -> KernelConfig.running().orElse(null));
    }

    /** What CO-RE and BTF-typed externs resolve against: the caller's file or the running kernel. */
    private CoreTarget coreTarget() {
        if (coreTarget == null) {
            coreTarget = options.targetBtf() != null ? CoreTarget.fromFile(options.targetBtf()) : CoreTarget.kernel();
        }
        return coreTarget;
    }

    LoadedObject load() {
        try {
            checkLoadable();
            Thread kernelSearch = startKernelBtfSearch();
            prepareToken();
            requireArenas();
            structOps = StructOpsLoader.prepare(spec, this::moduleBtfFd);
            List<LinkedProgram> linked = link();
            if (spec.externs().stream().anyMatch(e -> e.section().equals(".ksyms"))) {
                ksyms = externs.ksyms();
            }
            loadBtf();
            tellPmuCpuCount();
            List<LoadedMap> loadedMaps = createMaps();
            List<PmuCounterSet> pmuCounters = placePmuCounters(loadedMaps);
            // libbpf's order: map-of-maps slots before the programs load (measured here: the
            // same updates cost 0.4-1.3 ms more afterwards), program arrays once their programs exist.
            fillSlots(List.of(), false);
            // CO-RE after the maps, as libbpf: the kernel's BTF was read and searched meanwhile.
            awaitKernelBtfSearch(kernelSearch);
            linked = relocateCore(linked);
            List<LoadedProgram> programs = new ArrayList<>();
            for (LinkedProgram lp : linked) {
                programs.add(loadProgram(lp));
            }
            fillSlots(programs, true);
            setStructOpsValues(loadedMaps, programs);
            LoadedObject loaded = new LoadedObject(spec, btfFd, loadedMaps, programs, pmuCounters, warnings, token);
            token = null; // the object owns it now
            // as libbpf: module BTF fds serve the loads only; the programs hold their own references
            fdArray.stream().filter(Objects::nonNull).forEach(OwnedFd::close);
            return loaded;
        } catch (RuntimeException | Error e) {
            try {
                LoadedObject.closeAll(made.reversed());
            } catch (BpfException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            mapped.forEach(ArenaMapping::close);
            closeToken();
            for (Path pin : pinned) {
                try {
                    Files.deleteIfExists(pin);
                } catch (java.io.IOException unpinFailure) {
                    e.addSuppressed(unpinFailure);
                }
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ BPF token

    /**
     * The token for the load, as libbpf's {@code bpf_object_prepare_token}: none when the options
     * or the environment say so; from a path the options or the environment name, which must
     * work; else from {@code /sys/fs/bpf} when a token can be made there, silently none otherwise.
     */
    private void prepareToken() {
        String path = tokenPath(options.bpfTokenPath(), System::getenv);
        if (path != null && path.isEmpty()) {
            return;
        }
        boolean mandatory = path != null;
        String bpffs = mandatory ? path : LoadOptions.DEFAULT_PIN_ROOT.toString();
        String what = object + ": BPF token from " + bpffs;
        OwnedFd dir;
        try {
            dir = Syscalls.open(bpffs, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0, "bpffs");
        } catch (KernelException e) {
            if (!mandatory) {
                return;
            }
            throw new KernelException(what + ": " + e.operation(), e.errno(), e.errnoName(),
                    e.errno() == Errno.ENOTDIR ? bpffs + " is not a directory" : Errno.hint(e.errno()));
        }
        try (dir) {
            token = Bpf.tokenCreate(dir, bpffs);
        } catch (KernelException e) {
            if (!mandatory) {
                return;
            }
            if (e.errno() == Errno.EINVAL && !features.has(KernelFeature.BPF_TOKEN)) {
                throw features.missing(KernelFeature.BPF_TOKEN, object + " was to load with a token from " + bpffs
                        + "; load without one (LoadOptions.withoutToken(), or unset " + LoadOptions.TOKEN_PATH_ENV
                        + " and " + LoadOptions.LIBBPF_TOKEN_PATH_ENV + ")");
            }
            throw e;
        }
        features = KernelFeatures.withToken(token);
    }

    /**
     * The token path in effect: the options' if set, else {@value LoadOptions#TOKEN_PATH_ENV},
     * else {@value LoadOptions#LIBBPF_TOKEN_PATH_ENV}; null when none is set (the optional default).
     */
    static String tokenPath(String option, java.util.function.UnaryOperator<String> env) {
        if (option != null) {
            return option;
        }
        String ours = env.apply(LoadOptions.TOKEN_PATH_ENV);
        return ours != null ? ours : env.apply(LoadOptions.LIBBPF_TOKEN_PATH_ENV);
    }

    private void closeToken() {
        if (token != null) {
            token.close();
            token = null;
        }
    }

    /** {@code a} carrying the token, when the load has one. */
    private MapCreateAttr tokened(MapCreateAttr a) {
        return token == null ? a
                : a.toBuilder().mapFlags(a.mapFlags() | BpfFlags.BPF_F_TOKEN_FD).mapTokenFd(token.get()).build();
    }

    private ProgLoadAttr tokened(ProgLoadAttr a) {
        return token == null ? a
                : a.toBuilder().progFlags(a.progFlags() | BpfFlags.BPF_F_TOKEN_FD).progTokenFd(token.get()).build();
    }

    private BtfLoadResult btfLoad(MemorySegment data, int logLevel, MemorySegment log) {
        return token == null ? Bpf.btfLoad(data, logLevel, log, spec.name())
                : Bpf.btfLoad(data, logLevel, log, BpfFlags.BPF_F_TOKEN_FD, token.get(), spec.name());
    }

    private <T extends OwnedFd> T own(T fd) {
        made.add(fd);
        return fd;
    }

    // ------------------------------------------------------------------ checks and linking

    private void checkLoadable() {
        if (spec.byteOrder() != ByteOrder.nativeOrder()) {
            throw new LoadException(object, "is " + (spec.byteOrder() == ByteOrder.BIG_ENDIAN ? "big" : "little")
                    + "-endian; this host is " + ByteOrder.nativeOrder() + ": rebuild it with clang -target bpf"
                    + " (or bpfel/bpfeb to match the host)");
        }
    }

    private List<LinkedProgram> link() {
        ProgramLinker linker = new ProgramLinker(spec);
        List<LinkedProgram> out = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            if (p.isSubprogram() || !p.autoload()) {
                continue;
            }
            String what = "program '" + p.name() + "'";
            if (p.type() == ProgramType.UNSPEC) {
                throw new LoadException(what, "section '" + p.section() + "' is not a known SEC() name, so its"
                        + " program type is unknown; set it with ProgramSpec.type(...) before load or rename the section");
            }
            if (p.type() == ProgramType.STRUCT_OPS && structOps.binding(p.name()) == null) {
                throw new LoadException(what, "is a struct_ops program (section '" + p.section() + "') that no"
                        + " struct_ops map the load creates uses, so there is no member for it to implement; set it"
                        + " in a SEC(\".struct_ops\") variable or turn its autoload off");
            }
            out.add(linker.link(p));
        }
        return out;
    }

    /**
     * Starts reading and searching the running kernel's BTF for the CO-RE candidates of every
     * program on a thread of its own, as the load's first step, so that it overlaps the first
     * system calls (whose downcall is linked then), the linking, the object's BTF load and the
     * map creation (on a second CPU: a cold process spends 40-80 ms on it, mostly interpreted);
     * null when the load relocates against a file or has no CO-RE relocation. The thread only
     * fills the process-wide caches of {@link io.bpfkit.btf.KernelBtf} and
     * {@link CoreTarget#kernel()}: if it fails, relocating does the same work again and reports
     * the failure where it belongs.
     */
    private Thread startKernelBtfSearch() {
        // Once the process has the kernel's BTF, the search is a few cache lookups: no thread.
        if (options.targetBtf() != null || spec.btf().isEmpty() || CoreTarget.kernelRead()) {
            return null;
        }
        List<BtfExt.CoreRelocation> relos = allCoreRelocations();
        if (relos.isEmpty()) {
            return null;
        }
        Thread t = new Thread(new KernelBtfSearch(spec.btf().get(), relos), "bpfkit-kernel-btf");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The CO-RE relocations of every program of the object, loaded or not: the names to search
     * the target for at once (extra names only fill the cache).
     */
    private List<BtfExt.CoreRelocation> allCoreRelocations() {
        List<BtfExt.CoreRelocation> relos = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            relos.addAll(p.extInfo().coreRelocations());
        }
        return relos;
    }

    /** {@link #startKernelBtfSearch}'s work (a class, not a lambda: nothing to link on a cold path). */
    private static final class KernelBtfSearch implements Runnable {
        private final Btf local;
        private final List<BtfExt.CoreRelocation> relos;

        KernelBtfSearch(Btf local, List<BtfExt.CoreRelocation> relos) {
            this.local = local;
            this.relos = relos;
        }

        @Override
        public void run() {
            try {
                new CoreRelocator(local, CoreTarget.kernel()).findCandidates(relos);
            } catch (RuntimeException e) {
                // Relocating repeats the work and reports this where the load can say which object failed.
            }
        }
    }

    private static void awaitKernelBtfSearch(Thread t) {
        if (t == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private List<LinkedProgram> relocateCore(List<LinkedProgram> linked) {
        List<LinkedProgram> out = new ArrayList<>(linked.size());
        for (LinkedProgram lp : linked) {
            out.add(lp.coreRelocations().isEmpty() ? lp : relocateCore(lp));
        }
        return out;
    }

    /** Applies the CO-RE relocations to a copy of the linked instructions. */
    private LinkedProgram relocateCore(LinkedProgram lp) {
        String name = lp.program().name();
        Btf btf = spec.btf().orElseThrow(() -> new LoadException("program '" + name + "'",
                "has CO-RE relocations but the object has no BTF"));
        if (relocator == null) {
            relocator = new CoreRelocator(btf, coreTarget());
            // Every program's candidates in one search of the kernel's types, not one per program.
            relocator.findCandidates(allCoreRelocations());
        }
        byte[] insns = lp.instructions().clone();
        List<CoreRelocator.Poisoned> dead = relocator.apply(name, insns, spec.byteOrder(), lp.coreRelocations());
        if (!dead.isEmpty()) {
            poisoned.put(name, dead);
        }
        return new LinkedProgram(lp.program(), insns, lp.relocations(), lp.funcInfo(), lp.lineInfo(),
                lp.coreRelocations(), lp.subprograms());
    }

    // ------------------------------------------------------------------ BTF

    private void loadBtf() {
        Btf btf = spec.btf().orElse(null);
        if (btf == null) {
            return;
        }
        BtfFeatures features = token == null ? BtfFeatures.running() : BtfFeatures.probe(token.get());
        if (!features.btf()) {
            btfUnloaded = "this kernel does not accept BTF at all (BPF_BTF_LOAD of a single int was refused)";
            warnings.add(object + ": loading without BTF: " + btfUnloaded);
            return;
        }
        BtfPatch patch = ObjectBtfSanitizer.sanitize(spec, features);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(patch.size());
            patch.writeTo(data);
            BtfLoadResult r = btfLoad(data, 0, null);
            if (r.ok()) {
                btfFd = own(r.fd());
                return;
            }
            if (r.errno() == Errno.EPERM || r.errno() == Errno.EACCES) {
                throw r.exception(); // no privilege: nothing else will load either
            }
            MemorySegment log = arena.allocate(1 << 20);
            BtfLoadResult withLog = btfLoad(data, 1, log);
            if (withLog.ok()) {
                btfFd = own(withLog.fd());
                return;
            }
            String refusal = btfRefusal(patch, withLog);
            if (!options.continueWithoutBtf()) {
                throw new LoadException(object, refusal + ". Programs that call kfuncs or hold kptrs and maps of"
                        + " local storage need it; to load the rest without BTF (as libbpf does on kernels that"
                        + " predate a BTF feature), use LoadOptions.withContinueWithoutBtf(true)",
                        withLog.exception());
            }
            btfUnloaded = refusal;
            warnings.add(object + ": loading without BTF: " + refusal);
        }
    }

    private static final Pattern BTF_LOG_TYPE = Pattern.compile("^\\[(\\d+)\\] (\\w+) ?(\\S*)(.*)$", Pattern.MULTILINE);

    /** The kernel's refusal of the object's BTF: errno, the type its log names, the log's end. */
    private String btfRefusal(BtfPatch patch, BtfLoadResult r) {
        KernelException e = r.exception();
        StringBuilder b = new StringBuilder("the kernel refused the object's BTF (BPF_BTF_LOAD: ")
                .append(e.errnoName()).append(')');
        Matcher m = BTF_LOG_TYPE.matcher(r.log());
        String named = null;
        while (m.find()) {
            named = m.group();
        }
        if (named != null) {
            b.append(" at type ").append(named.strip());
        }
        String log = r.log().strip();
        if (!log.isEmpty()) {
            String[] lines = log.split("\n");
            b.append("; kernel BTF log (last lines):");
            for (int i = Math.max(0, lines.length - 5); i < lines.length; i++) {
                b.append("\n  ").append(lines[i]);
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ maps

    private List<LoadedMap> createMaps() {
        List<LoadedMap> out = new ArrayList<>();
        for (MapSpec m : spec.maps()) {
            if (!m.autocreate()) {
                continue;
            }
            LoadedMap lm = createMap(m);
            maps.put(m.name(), lm);
            out.add(lm);
        }
        return out;
    }

    /** bpfkit/pmu.h indexes counters by {@code counter * bpfkit_pmu_cpus + cpu}. */
    private void tellPmuCpuCount() {
        spec.dataMap(".rodata").filter(m -> m.variable(PMU_CPUS_VARIABLE).map(v -> v.size() == 4).orElse(false))
                .ifPresent(m -> m.setVariable(PMU_CPUS_VARIABLE, java.nio.ByteBuffer.allocate(4)
                        .order(spec.byteOrder()).putInt(Cpus.possibleCount()).array()));
    }

    private List<PmuCounterSet> placePmuCounters(List<LoadedMap> loadedMaps) {
        List<PmuCounterSet> out = new ArrayList<>();
        PmuPlacement placement = null;
        for (LoadedMap lm : loadedMaps) {
            if (!lm.spec().pmuCounters().isEmpty()) {
                if (placement == null) {
                    placement = PmuPlacement.system();
                }
                out.addAll(placement.place(lm.spec(), lm.fd(), this::own, warnings));
            }
        }
        return out;
    }

    private LoadedMap createMap(MapSpec m) {
        String what = "map '" + m.name() + "'";
        Path pin = pinPath(m);
        if (pin != null && Files.exists(pin)) {
            OwnedFd existing = own(Bpf.objGet(pin.toString(), 0, "map"));
            checkCompatible(m, existing, pin);
            return new LoadedMap(m, existing, true);
        }
        boolean arena = m.mapType() == MapType.ARENA;
        if (arena) {
            ArenaMapping.checkGlobalsFit(m);
        }
        OwnedFd inner = m.innerMap() == null ? null : create(m.innerMap(), null);
        OwnedFd fd;
        try {
            fd = own(arena ? createArena(m) : create(m, inner));
        } finally {
            if (inner != null) {
                inner.close(); // the outer map keeps its own reference to the template
            }
        }
        if (m.isGlobalData()) {
            initializeData(m, fd, m.definition() == MapSpec.Definition.KCONFIG ? externs.kconfigData(m) : m.initialData());
        }
        ArenaMapping memory = null;
        if (arena) {
            // As libbpf: mapped (and its globals copied in) right after creation, before any program
            // loads, since the mapping fixes the user address programs see.
            memory = ArenaMapping.map(m, fd);
            mapped.add(memory);
        }
        if (pin != null) {
            try {
                Files.createDirectories(pin.getParent());
            } catch (java.io.IOException e) {
                throw new LoadException(what, "cannot create pin directory " + pin.getParent() + ": " + e.getMessage(), e);
            }
            Bpf.objPin(fd, pin.toString());
            pinned.add(pin);
        }
        return new LoadedMap(m, fd, false, memory);
    }

    /**
     * An object with an arena needs a kernel with arenas: said first, before its kfuncs
     * (bpf_arena_alloc_pages, ...) fail to resolve for the same reason. Where the probe cannot
     * tell (EPERM), the map's creation reports the kernel's refusal itself.
     */
    private void requireArenas() {
        for (MapSpec m : spec.maps()) {
            if (m.mapType() != MapType.ARENA) {
                continue;
            }
            boolean present;
            try {
                present = features.has(KernelFeature.ARENA);
            } catch (KernelException cannotTell) {
                present = true;
            }
            if (!present) {
                throw features.missing(KernelFeature.ARENA,
                        "map '" + m.name() + "' is an arena (BPF_MAP_TYPE_ARENA), which this kernel does not know");
            }
        }
    }

    /**
     * An arena map, with the kernel's refusal explained: a kernel before 6.9 does not know the
     * map type (EINVAL, confirmed by the probe), and a kernel may refuse arenas to this process
     * (EPERM) though it loads programs.
     */
    private OwnedFd createArena(MapSpec m) {
        try {
            return create(m, null);
        } catch (KernelException e) {
            if (e.errno() == Errno.EINVAL && !features.has(KernelFeature.ARENA)) {
                throw features.missing(KernelFeature.ARENA,
                        "map '" + m.name() + "' is an arena (BPF_MAP_TYPE_ARENA), which this kernel does not know");
            }
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new KernelException(e.operation() + " (an arena, BPF_MAP_TYPE_ARENA)", e.errno(), e.errnoName(),
                        "the kernel refused to create the arena map: it needs root or CAP_BPF, or this kernel's"
                                + " security policy (lockdown, an LSM) refuses arena maps to this process");
            }
            throw e;
        }
    }

    private Path pinPath(MapSpec m) {
        if (m.pinPath() != null) {
            return Path.of(m.pinPath());
        }
        return m.pinning() == MapSpec.Pinning.BY_NAME ? options.pinRoot().resolve(m.name()) : null;
    }

    private void checkCompatible(MapSpec m, OwnedFd fd, Path pin) {
        MapInfo info = Bpf.mapInfo(fd);
        long max = maxEntries(m);
        List<String> diffs = new ArrayList<>();
        if (info.type() != m.type()) {
            diffs.add("type " + info.type() + " vs " + m.type());
        }
        if (Integer.toUnsignedLong(info.keySize()) != m.keySize()) {
            diffs.add("key size " + info.keySize() + " vs " + m.keySize());
        }
        if (Integer.toUnsignedLong(info.valueSize()) != m.valueSize()) {
            diffs.add("value size " + info.valueSize() + " vs " + m.valueSize());
        }
        if (Integer.toUnsignedLong(info.maxEntries()) != max) {
            diffs.add("max entries " + info.maxEntries() + " vs " + max);
        }
        if (Integer.toUnsignedLong(info.mapFlags()) != m.flags()) {
            diffs.add("flags 0x" + Integer.toHexString(info.mapFlags()) + " vs 0x" + Long.toHexString(m.flags()));
        }
        if (!diffs.isEmpty()) {
            throw new LoadException("map '" + m.name() + "'", "the map pinned at " + pin + " is not compatible"
                    + " (pinned vs this object: " + String.join(", ", diffs) + "); remove the pin or rename the map");
        }
    }

    private static long maxEntries(MapSpec m) {
        if (m.mapType() == MapType.PERF_EVENT_ARRAY && m.maxEntries() == 0) {
            // as libbpf: one slot per possible CPU; per counter for a map of PMU counters
            return (long) Cpus.possibleCount() * Math.max(1, m.pmuCounters().size());
        }
        if (m.mapType() == MapType.RINGBUF || m.mapType() == MapType.USER_RINGBUF) {
            return MapSpec.ringBufferSize(m.maxEntries(), Syscalls.pageSize());
        }
        return m.maxEntries();
    }

    private OwnedFd create(MapSpec m, OwnedFd inner) {
        MapCreateAttr.Builder b = MapCreateAttr.builder(m.type(), (int) m.keySize(), (int) m.valueSize(),
                (int) maxEntries(m))
                .mapFlags((int) m.flags())
                .numaNode((int) m.numaNode())
                .mapExtra(m.mapExtra())
                .name(KernelNames.of(m.name()));
        if (inner != null) {
            b.innerMapFd(inner.get());
        }
        if (m.structOps() != null) {
            return Bpf.mapCreate(tokened(structOps.createAttr(m, b, btfFd).build()));
        }
        boolean withBtf = btfFd != null && (m.keyTypeId() != 0 || m.valueTypeId() != 0)
                && !NO_BTF_TYPES.contains(m.mapType());
        String needsBtf = MapBtfNeeds.why(m, spec.btf().orElse(null));
        if (needsBtf != null && !withBtf) {
            throw new LoadException("map '" + m.name() + "'", needsBtf + ", so it needs the object's BTF, which "
                    + (btfUnloaded != null ? "is not loaded: " + btfUnloaded
                    : spec.btf().isEmpty() ? "the object does not have (compile with clang -g)"
                    : "does not describe this map (no key or value type)"));
        }
        if (withBtf) {
            try {
                return Bpf.mapCreate(tokened(b.btfFd(btfFd.get()).btfKeyTypeId(m.keyTypeId())
                        .btfValueTypeId(m.valueTypeId()).build()));
            } catch (KernelException e) {
                if (needsBtf != null) {
                    // Without its BTF such a map cannot exist: the kernel's refusal with it is the answer.
                    throw new LoadException("map '" + m.name() + "'", needsBtf + "; the kernel refused it with its BTF: "
                            + e.getMessage(), e);
                }
                // As libbpf: retry without BTF (a key type without a value type is refused, for one).
                warnings.add("map '" + m.name() + "': created without BTF after " + e.errnoName() + " with it");
                b.btfFd(0).btfKeyTypeId(0).btfValueTypeId(0);
            }
        }
        return Bpf.mapCreate(tokened(b.build()));
    }

    private void initializeData(MapSpec m, OwnedFd fd, byte[] data) {
        if (data != null && data.length > 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = arena.allocate(data.length);
                MemorySegment.copy(data, 0, value, ValueLayout.JAVA_BYTE, 0, data.length);
                // A global data map is a one-element array, whose element 0 always exists: BPF_EXIST
                // is the same update as BPF_ANY, and it goes through the bpf(2) downcall every other
                // command of the load uses, where BPF_ANY's goes through one a fresh process links
                // for this call alone (the errno-less one hot map updates take).
                if (!MapCalls.of(fd).update(key, value, BpfFlags.BPF_EXIST)) {
                    throw new LoadException("map '" + m.name() + "'", "its element 0 is missing: not an array");
                }
            }
        }
        if (m.isReadOnlyData()) {
            MapCalls.of(fd).freeze();
        }
    }

    // ------------------------------------------------------------------ programs

    private LoadedProgram loadProgram(LinkedProgram lp) {
        ProgramSpec p = lp.program();
        byte[] insns = lp.instructions().clone();
        applyDataRelocations(lp, insns);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(insns.length, 8);
            MemorySegment.copy(insns, 0, code, ValueLayout.JAVA_BYTE, 0, insns.length);
            ProgLoadAttr.Builder b = ProgLoadAttr.builder(p.type().value(), code)
                    .license(spec.license())
                    .kernVersion((int) spec.kernelVersion())
                    .progFlags(p.flags())
                    .name(KernelNames.of(p.name()));
            AttachType expected = expectedAttachType(p);
            if (expected != null) {
                b.expectedAttachType(expected.value());
            }
            if (!fdArray.isEmpty()) {
                MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, fdArray.size());
                for (int k = 1; k < fdArray.size(); k++) {
                    fds.setAtIndex(ValueLayout.JAVA_INT, k, fdArray.get(k).get());
                }
                // unbound (fd_array_cnt 0), as libbpf: a count makes 6.14+ bind every fd in it to the
                // program (slot 0 stands for vmlinux and holds no fd), and older kernels refuse it
                b.fdArray(fds, 0);
            }
            AttachTargets.Resolved target = p.sectionDef().needsAttachBtfId() || p.attachTarget() != null
                    ? AttachTargets.resolve(p) : null;
            if (target != null) {
                target.applyTo(b);
            }
            StructOpsLoader.Binding member = structOps.binding(p.name());
            if (member != null) {
                b.attachBtfId(member.structTypeId()).expectedAttachType(member.memberIndex());
                if (member.module() != null) {
                    b.attachBtfObjFd(moduleBtfFd(member.module()).get());
                }
            }
            if (btfFd != null && !lp.funcInfo().isEmpty()) {
                b.progBtfFd(btfFd.get());
                b.funcInfo(funcInfo(arena, lp.funcInfo()), FUNC_INFO_SIZE, lp.funcInfo().size());
                if (!lp.lineInfo().isEmpty()) {
                    b.lineInfo(lineInfo(arena, lp.lineInfo()), LINE_INFO_SIZE, lp.lineInfo().size());
                }
            }
            ProgLoadAttr attr = tokened(b.build());
            ProgLoadResult first;
            ProgLoadResult r;
            try {
                first = Bpf.progLoad(attr);
                r = first.ok() ? first : retryWithLog(attr, arena);
            } finally {
                if (target != null) {
                    target.close();
                }
            }
            if (r.ok()) {
                return new LoadedProgram(p, own(r.fd()), lp, features);
            }
            throw loadError(p, lp, first, r, poisoned.getOrDefault(p.name(), List.of()));
        }
    }

    private void applyDataRelocations(LinkedProgram lp, byte[] insns) {
        ByteOrder order = spec.byteOrder();
        for (Relocation r : lp.relocations()) {
            int i = r.instruction();
            switch (r.kind()) {
                case MAP -> {
                    Instructions.setSrcReg(insns, i, BpfInsn.BPF_PSEUDO_MAP_FD, order);
                    Instructions.setImm(insns, i, mapFd(r.target(), lp).get(), order);
                }
                case DATA -> {
                    int off = Instructions.imm(insns, i, order) + (int) r.symbolValue();
                    Instructions.setImm(insns, i + 1, off, order);
                    Instructions.setSrcReg(insns, i, BpfInsn.BPF_PSEUDO_MAP_VALUE, order);
                    Instructions.setImm(insns, i, mapFd(r.target(), lp).get(), order);
                }
                case CALL, FUNCTION_POINTER -> {
                    // Done by the linker.
                }
                case EXTERN_VARIABLE -> relocateExternVariable(lp, insns, i, r);
                case EXTERN_CALL -> relocateKfuncCall(lp, insns, i, r);
            }
        }
    }

    /** libbpf's RELO_EXTERN_LD64: a kconfig value in the .kconfig map, or a ksym's address or BTF id. */
    private void relocateExternVariable(LinkedProgram lp, byte[] insns, int i, Relocation r) {
        ByteOrder order = spec.byteOrder();
        GlobalVariable ext = extern(lp, r);
        if (ext.section().equals(".kconfig")) {
            MapSpec kconfig = spec.maps().stream().filter(m -> m.definition() == MapSpec.Definition.KCONFIG)
                    .findFirst().orElseThrow();
            Instructions.setSrcReg(insns, i, BpfInsn.BPF_PSEUDO_MAP_VALUE, order);
            Instructions.setImm(insns, i, mapFd(kconfig.name(), lp).get(), order);
            Instructions.setImm(insns, i + 1, (int) ext.offset(), order);
            return;
        }
        ExternResolver.Ksym k = ksyms.get(ext.name());
        if (k.kind() == ExternResolver.Ksym.Kind.BTF_VAR || k.kind() == ExternResolver.Ksym.Kind.KFUNC) {
            // A typed variable, or a kfunc's address (as bpf_ksym_exists takes it): its BTF id.
            Instructions.setSrcReg(insns, i, BpfInsn.BPF_PSEUDO_BTF_ID, order);
            Instructions.setImm(insns, i, k.btfId(), order);
            Instructions.setImm(insns, i + 1, k.module() == null ? 0 : moduleBtfFd(k.module()).get(), order);
        } else {
            Instructions.setImm(insns, i, (int) k.address(), order);
            Instructions.setImm(insns, i + 1, (int) (k.address() >>> 32), order);
        }
    }

    /** libbpf's RELO_EXTERN_CALL: a kfunc call by BTF id (module BTF through fd_array), or poisoned when missing. */
    private void relocateKfuncCall(LinkedProgram lp, byte[] insns, int i, Relocation r) {
        ByteOrder order = spec.byteOrder();
        ExternResolver.Ksym k = ksyms.get(extern(lp, r).name());
        if (k == null || (k.kind() != ExternResolver.Ksym.Kind.KFUNC && k.kind() != ExternResolver.Ksym.Kind.MISSING_KFUNC)) {
            throw new LoadException("program '" + lp.program().name() + "'", "calls extern '" + r.target()
                    + "', which is not a kfunc declared __ksym");
        }
        if (k.kind() == ExternResolver.Ksym.Kind.MISSING_KFUNC) {
            insns[i * Instructions.SIZE] = (byte) Instructions.OP_CALL;
            insns[i * Instructions.SIZE + 1] = 0;
            Instructions.setOffset(insns, i, (short) 0, order);
            Instructions.setImm(insns, i, ExternResolver.POISON_KFUNC_BASE + k.index(), order);
            poisoned.computeIfAbsent(lp.program().name(), n -> new ArrayList<>()).add(new CoreRelocator.Poisoned(i, -1,
                    "weak kfunc '" + r.target() + "' is not in the kernel"));
            return;
        }
        Instructions.setSrcReg(insns, i, BpfInsn.BPF_PSEUDO_KFUNC_CALL, order);
        Instructions.setImm(insns, i, k.btfId(), order);
        Instructions.setOffset(insns, i, (short) (k.module() == null ? 0 : fdArraySlot(k.module())), order);
    }

    private GlobalVariable extern(LinkedProgram lp, Relocation r) {
        for (GlobalVariable v : spec.externs()) {
            if (v.name().equals(r.target())) {
                return v;
            }
        }
        throw new LoadException("program '" + lp.program().name() + "'", "refers to extern '" + r.target()
                + "', which the object does not declare in .kconfig or .ksyms");
    }

    /** The fd of a kernel module's BTF object, opened once per load. */
    private OwnedFd moduleBtfFd(String module) {
        Integer slot = fdArrayIndex.get(module);
        if (slot != null) {
            return fdArray.get(slot);
        }
        OwnedFd fd = AttachTargets.openModuleBtf(module);
        if (fd != null) {
            own(fd);
            if (fdArray.isEmpty()) {
                fdArray.add(null); // index 0 stands for vmlinux
            }
            fdArrayIndex.put(module, fdArray.size());
            fdArray.add(fd);
            return fd;
        }
        throw new LoadException("kernel module '" + module + "'", "its BTF is no longer loaded");
    }

    private int fdArraySlot(String module) {
        moduleBtfFd(module);
        return fdArrayIndex.get(module);
    }

    private OwnedFd mapFd(String name, LinkedProgram lp) {
        LoadedMap m = maps.get(name);
        if (m == null) {
            throw new LoadException("program '" + lp.program().name() + "'", "refers to map '" + name
                    + "', which the object does not define");
        }
        return m.fd();
    }

    /**
     * The program's expected attach type, but USDT programs load for uprobe.multi links where the
     * kernel has them, as libbpf loads them: the verifier then picks the helpers of that attach
     * type ({@code bpf_get_attach_cookie} reads the uprobe.multi link's cookie).
     */
    private AttachType expectedAttachType(ProgramSpec p) {
        if (p.expectedAttachType() == null && p.sectionDef().attachKind() == AttachKind.USDT
                && features.has(KernelFeature.UPROBE_MULTI)) {
            return AttachType.TRACE_UPROBE_MULTI;
        }
        return p.expectedAttachType();
    }

    private static MemorySegment funcInfo(Arena arena, List<BtfExt.FuncInfo> records) {
        MemorySegment s = arena.allocate((long) records.size() * FUNC_INFO_SIZE, 4);
        long at = 0;
        for (BtfExt.FuncInfo f : records) {
            s.set(ValueLayout.JAVA_INT, at, f.insnIndex());
            s.set(ValueLayout.JAVA_INT, at + 4, f.typeId());
            at += FUNC_INFO_SIZE;
        }
        return s;
    }

    private static MemorySegment lineInfo(Arena arena, List<BtfExt.LineInfo> records) {
        MemorySegment s = arena.allocate((long) records.size() * LINE_INFO_SIZE, 4);
        long at = 0;
        for (BtfExt.LineInfo l : records) {
            s.set(ValueLayout.JAVA_INT, at, l.insnIndex());
            s.set(ValueLayout.JAVA_INT, at + 4, l.fileNameOffset());
            s.set(ValueLayout.JAVA_INT, at + 8, l.lineOffset());
            s.set(ValueLayout.JAVA_INT, at + 12, l.lineNumber() << 10 | l.column());
            at += LINE_INFO_SIZE;
        }
        return s;
    }

    /**
     * The load again with a verifier log, grown to the size the kernel says it needs; the
     * first attempt runs without one because building the log slows the verifier down.
     */
    private ProgLoadResult retryWithLog(ProgLoadAttr attr, Arena arena) {
        int size = options.initialLogSize();
        ProgLoadResult r;
        int attempt = 0;
        do {
            r = Bpf.progLoad(attr.withLog(options.logLevel(), arena.allocate(size)));
            boolean truncated = !r.ok() && r.errno() == Errno.ENOSPC;
            if (!truncated) {
                break;
            }
            // Kernels before 6.4 do not say how much they need (log_true_size stays 0): grow by 4x.
            size = r.logTrueSize() > size ? r.logTrueSize() + 1 : (int) Math.min(Integer.MAX_VALUE / 2, 4L * size);
        } while (++attempt < 8);
        return r;
    }

    /** What a refusal means: a verifier rejection with its log, or a plain kernel error. */
    private static KernelException loadError(ProgramSpec p, LinkedProgram lp, ProgLoadResult first,
                                             ProgLoadResult withLog, List<CoreRelocator.Poisoned> dead) {
        String log = withLog.log() == null ? "" : withLog.log();
        int errno = withLog.errno() == 0 ? first.errno() : withLog.errno();
        if (log.isBlank() && errno == Errno.EPERM) {
            return new KernelException("BPF_PROG_LOAD of program '" + p.name() + "'", Errno.EPERM, "EPERM",
                    "the kernel refused it with an empty verifier log: it needs root or CAP_BPF + CAP_PERFMON, or"
                            + " this kernel is locked down and refuses " + p.type().libbpfName() + " programs");
        }
        if (log.isBlank()) {
            return withLog.exception();
        }
        int insn = failingInstruction(log);
        String source = insn < 0 ? null : sourceLine(lp, insn);
        VerifierException e = new VerifierException(p.name(), errno, Errno.name(errno), log, insn, source);
        for (CoreRelocator.Poisoned d : dead) {
            if (d.instruction() == insn) {
                // The verifier reached an instruction CO-RE could not relocate: say which and why.
                e.initCause(new LoadException("program '" + p.name() + "'", d.describe()));
            }
        }
        return e;
    }

    /** The verifier prints "N: (op) ..." for every instruction it walks; the last one failed. */
    static int failingInstruction(String log) {
        Matcher m = INSN_LINE.matcher(log);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    static String sourceLine(LinkedProgram lp, int insn) {
        BtfExt.LineInfo best = null;
        for (BtfExt.LineInfo l : lp.lineInfo()) {
            if (l.insnIndex() <= insn && (best == null || l.insnIndex() >= best.insnIndex())) {
                best = l;
            }
        }
        return best == null ? null : best.describe();
    }

    /** What registering a struct_ops map hands the kernel: its value with the programs' fds. */
    private void setStructOpsValues(List<LoadedMap> loadedMaps, List<LoadedProgram> programs) {
        if (structOps.isEmpty()) {
            return;
        }
        Map<String, LoadedProgram> byName = new HashMap<>();
        programs.forEach(p -> byName.put(p.name(), p));
        for (LoadedMap m : loadedMaps) {
            m.structOpsValue(structOps.value(m.name(), byName));
        }
    }

    // ------------------------------------------------------------------ slots

    private void fillSlots(List<LoadedProgram> programs, boolean programArrays) {
        Map<String, LoadedProgram> byName = new HashMap<>();
        programs.forEach(p -> byName.put(p.name(), p));
        for (MapSpec m : spec.maps()) {
            if (m.initialSlots().isEmpty() || (m.mapType() == MapType.PROG_ARRAY) != programArrays) {
                continue;
            }
            LoadedMap outer = maps.get(m.name());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
                for (MapSlot slot : m.initialSlots()) {
                    OwnedFd target;
                    if (m.mapType() == MapType.PROG_ARRAY) {
                        LoadedProgram p = byName.get(slot.target());
                        if (p == null) {
                            warnings.add("map '" + m.name() + "': slot " + slot.index() + " stays empty: program '"
                                    + slot.target() + "' was not loaded");
                            continue;
                        }
                        target = p.fd();
                    } else {
                        LoadedMap inner = maps.get(slot.target());
                        if (inner == null) {
                            throw new LoadException("map '" + m.name() + "'", "slot " + slot.index()
                                    + " names map '" + slot.target() + "', which the object does not define");
                        }
                        target = inner.fd();
                    }
                    key.set(ValueLayout.JAVA_INT, 0, slot.index());
                    value.set(ValueLayout.JAVA_INT, 0, target.get());
                    MapCalls.of(outer.fd()).update(key, value, BpfFlags.BPF_ANY);
                }
            }
        }
    }
}
