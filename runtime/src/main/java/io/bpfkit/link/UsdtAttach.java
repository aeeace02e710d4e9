package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.object.AttachType;
import io.bpfkit.sys.LinkCreateAttr;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.PerfEvents;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import io.bpfkit.usdt.UsdtArch;
import io.bpfkit.usdt.UsdtNotes;
import io.bpfkit.usdt.UsdtProbe;
import io.bpfkit.usdt.UsdtSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * USDT attach as libbpf's {@code bpf_program__attach_usdt} does it, for objects written against
 * {@code usdt.bpf.h}: every site of the probe gets a uprobe at its file offset (all sites in one
 * uprobe.multi link where the loader loaded the program for one, as libbpf does on 6.6+; else
 * one perf-event uprobe per site) (with the
 * semaphore's file offset as {@code ref_ctr_offset}, so that the kernel counts it up while the
 * probe is traced), and a spec id as its BPF cookie; the spec (where each argument is, its width
 * and sign, the user's cookie) goes into the program's {@code __bpf_usdt_specs} map at that id.
 * Sites with the same argument string share one id. Ids are freed when the link closes.
 *
 * <p>bpfkit loads into kernels that have BPF cookies (5.15+) and sets
 * {@code LINUX_HAS_BPF_COOKIE}, so {@code usdt.bpf.h} never reads
 * {@code __bpf_usdt_ip_to_spec_id}; bpfkit leaves that map empty.
 */
final class UsdtAttach {
    /** The kernel truncates map names to 15 characters. */
    static final String SPECS_MAP = "__bpf_usdt_specs";

    /** Free spec ids per {@code __bpf_usdt_specs} map (by kernel map id), dropped when no link uses the map. */
    private static final Map<Integer, SpecIds> SPEC_IDS = new HashMap<>();

    private UsdtAttach() {
    }

    private static final class SpecIds {
        final int capacity;
        int next;
        int inUse;
        final ArrayDeque<Integer> free = new ArrayDeque<>();

        SpecIds(int capacity) {
            this.capacity = capacity;
        }
    }

    static Link attach(BpfProgram prog, UsdtOptions o) {
        if (!Tracefs.hasPmu("uprobe")) {
            throw new UnsupportedFeatureException("usdt", "no 'uprobe' PMU in /sys/bus/event_source/devices "
                    + "(kernel built without CONFIG_UPROBE_EVENTS)");
        }
        int pid = o.pid() == 0 ? Syscalls.getpid() : o.pid();
        String label = o.provider() + ":" + o.name();
        Path binary = UprobeTargets.resolveBinary(o.binary(), pid);
        UsdtNotes notes = UsdtNotes.read(binary);
        List<UsdtProbe> sites = notes.find(o.provider(), o.name());
        UsdtArch arch = UsdtArch.host();
        if (arch == null || notes.arch() != arch) {
            throw new LoadException("USDT probe " + label + " of " + binary, "the file is for ELF machine "
                    + notes.machine() + ", this machine runs " + System.getProperty("os.arch")
                    + " (bpfkit reads x86-64 and arm64 argument specs)");
        }
        SpecsMap specsMapRef = specsMap(prog);
        Map<String, byte[]> specs = new LinkedHashMap<>();
        for (UsdtProbe site : sites) {
            specs.computeIfAbsent(site.arguments(), a -> UsdtSpec.encode(site.arguments(arch), o.cookie(),
                    ByteOrder.nativeOrder(), specsMapRef == null ? UsdtSpec.Layout.LIBBPF_1_1 : specsMapRef.layout()));
        }
        boolean semaphores = sites.stream().anyMatch(UsdtProbe::hasSemaphore);
        int refCtrShift = -1;
        if (semaphores) {
            if (!Files.exists(Path.of("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"))) {
                throw new UnsupportedFeatureException("usdt semaphore", "probe " + label + " of " + binary
                        + " has a semaphore, and this kernel's uprobes cannot count it (no ref_ctr_offset, Linux 4.20+)");
            }
            refCtrShift = Tracefs.formatShift("uprobe", "ref_ctr_offset");
        }
        String what = "usdt " + binary + ":" + label + (pid > 0 ? " pid " + pid : "");
        int specsMapId = specsMapRef == null ? -1 : specsMapRef.id();
        if (specsMapId < 0 && o.cookie() != 0) {
            throw new LoadException("program '" + prog.name() + "'", "uses no " + SPECS_MAP + " map, so cookie "
                    + o.cookie() + " of " + what + " cannot reach it: include <bpf/usdt.bpf.h> and read it with "
                    + "bpf_usdt_cookie()");
        }
        List<Link> made = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        try (OwnedFd specsMap = specsMapId < 0 ? null : Bpf.mapGetFdById(specsMapId, 0)) {
            Map<String, Integer> idOf = new HashMap<>();
            for (Map.Entry<String, byte[]> e : specs.entrySet()) {
                if (specsMap == null) {
                    idOf.put(e.getKey(), 0); // the program reads no spec
                    continue;
                }
                int id = allocate(specsMapId, specsMap, what);
                ids.add(id);
                idOf.put(e.getKey(), id);
                writeSpec(specsMap, id, e.getValue());
            }
            if (loadedForMulti(prog)) {
                made.add(multi(prog, binary, sites, idOf, pid, what));
            } else {
                int type = Tracefs.pmuType("uprobe");
                for (UsdtProbe site : sites) {
                    long config = site.hasSemaphore() ? site.semaphoreFileOffset() << refCtrShift : 0;
                    String siteName = what + " @0x" + Long.toHexString(site.fileOffset());
                    OwnedFd event;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment path = arena.allocateFrom(binary.toString());
                        PerfEventAttr attr = new PerfEventAttr().type(type).config(config).config1(path.address())
                                .config2(site.fileOffset());
                        event = PerfEvents.open(attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, null,
                                Perf.PERF_FLAG_FD_CLOEXEC, siteName);
                    } catch (KernelException e) {
                        throw exited(e, pid, siteName);
                    }
                    made.add(Attach.onPerfEvent(prog, event, siteName, PerfLinkMode.AUTO,
                            idOf.get(site.arguments())));
                }
            }
        } catch (RuntimeException e) {
            Attach.closeQuietly(made, e);
            release(specsMapId, ids);
            throw e;
        }
        List<Link> links = List.copyOf(made);
        List<Integer> owned = List.copyOf(ids);
        return Link.action(what + " (" + sites.size() + (sites.size() == 1 ? " site, " : " sites, ") + prog.name()
                + ")", () -> {
                    try {
                        RuntimeException first = null;
                        for (Link l : links) {
                            try {
                                l.close();
                            } catch (RuntimeException e) {
                                first = first == null ? e : first;
                            }
                        }
                        if (first != null) {
                            throw first;
                        }
                    } finally {
                        release(specsMapId, owned);
                    }
                });
    }

    /**
     * Whether the loader loaded the program for uprobe.multi links (a USDT section with no
     * attach type of its own, on a kernel that has them), as libbpf does; such a program attaches
     * only through one.
     */
    private static boolean loadedForMulti(BpfProgram prog) {
        io.bpfkit.load.LoadedProgram lp = Attach.loaded(prog);
        return lp.spec().expectedAttachType() == null
                && lp.spec().sectionDef().attachKind() == io.bpfkit.object.AttachKind.USDT
                && lp.kernelFeatures().has(KernelFeature.UPROBE_MULTI);
    }

    /** Every site in one uprobe.multi link: offsets, semaphore offsets and spec ids as cookies. */
    private static Link multi(BpfProgram prog, Path binary, List<UsdtProbe> sites, Map<String, Integer> idOf, int pid,
            String what) {
        try (Arena arena = Arena.ofConfined()) {
            int n = sites.size();
            MemorySegment offsets = arena.allocate(ValueLayout.JAVA_LONG, n);
            MemorySegment refCtrs = arena.allocate(ValueLayout.JAVA_LONG, n);
            MemorySegment cookies = arena.allocate(ValueLayout.JAVA_LONG, n);
            boolean anySemaphore = false;
            for (int i = 0; i < n; i++) {
                UsdtProbe site = sites.get(i);
                offsets.setAtIndex(ValueLayout.JAVA_LONG, i, site.fileOffset());
                refCtrs.setAtIndex(ValueLayout.JAVA_LONG, i, site.semaphoreFileOffset());
                cookies.setAtIndex(ValueLayout.JAVA_LONG, i, idOf.get(site.arguments()));
                anySemaphore |= site.hasSemaphore();
            }
            OwnedFd link;
            try {
                link = Bpf.linkCreate(new LinkCreateAttr(prog.fileDescriptor(), 0,
                        AttachType.TRACE_UPROBE_MULTI.value(), 0, new LinkCreateAttr.UprobeMulti(binary.toString(),
                                offsets, anySemaphore ? refCtrs : null, cookies, n, 0, Math.max(pid, 0)),
                        prog.name()));
            } catch (KernelException e) {
                throw exited(e, pid, what);
            }
            return Link.bpf(what + " (uprobe.multi, " + prog.name() + ")", link);
        }
    }

    private static RuntimeException exited(KernelException e, int pid, String what) {
        if (e.errno() == Errno.ESRCH && pid > 0) {
            return new BpfException("cannot attach " + what + ": process " + pid + " does not exist (it exited)", e);
        }
        return e;
    }

    /** A program's {@code __bpf_usdt_specs} map: its kernel id and the spec layout its value size says. */
    private record SpecsMap(int id, UsdtSpec.Layout layout) {
    }

    /**
     * The program's {@code __bpf_usdt_specs} map, or null when the program uses none (it reads
     * no argument).
     */
    private static SpecsMap specsMap(BpfProgram prog) {
        int[] mapIds = Bpf.progMapIds(Attach.fdOf(prog));
        String truncated = SPECS_MAP.substring(0, BpfFlags.BPF_OBJ_NAME_LEN - 1);
        for (int id : mapIds) {
            MapInfo info;
            try (OwnedFd m = Bpf.mapGetFdById(id, 0)) {
                info = Bpf.mapInfo(m);
            }
            if (info.name().equals(truncated)) {
                UsdtSpec.Layout layout = UsdtSpec.Layout.forValueSize(info.valueSize());
                if (layout == null) {
                    throw new LoadException("program '" + prog.name() + "'", "its " + SPECS_MAP + " map has "
                            + info.valueSize() + "-byte values: neither the " + UsdtSpec.Layout.LIBBPF_1_1.size()
                            + " bytes of struct __bpf_usdt_spec in usdt.bpf.h up to libbpf 1.6 nor the "
                            + UsdtSpec.Layout.LIBBPF_1_7.size() + " bytes of libbpf 1.7");
                }
                return new SpecsMap(id, layout);
            }
        }
        return null;
    }

    private static int allocate(int mapId, OwnedFd specsMap, String what) {
        synchronized (SPEC_IDS) {
            SpecIds s = SPEC_IDS.computeIfAbsent(mapId, k -> new SpecIds(Bpf.mapInfo(specsMap).maxEntries()));
            int id;
            if (!s.free.isEmpty()) {
                id = s.free.pop();
            } else if (s.next < s.capacity) {
                id = s.next++;
            } else {
                throw new LoadException(what, "all " + s.capacity + " USDT spec slots of " + SPECS_MAP + " are in use; "
                        + "define BPF_USDT_MAX_SPEC_CNT larger before including usdt.bpf.h");
            }
            s.inUse++;
            return id;
        }
    }

    private static void release(int mapId, List<Integer> ids) {
        synchronized (SPEC_IDS) {
            SpecIds s = SPEC_IDS.get(mapId);
            if (s == null) {
                return;
            }
            for (int id : ids) {
                s.free.push(id);
                s.inUse--;
            }
            if (s.inUse == 0) {
                SPEC_IDS.remove(mapId);
            }
        }
    }

    private static void writeSpec(OwnedFd map, int id, byte[] spec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, id);
            MemorySegment value = arena.allocate(spec.length);
            MemorySegment.copy(spec, 0, value, ValueLayout.JAVA_BYTE, 0, spec.length);
            MapCalls.of(map).update(key, value, BpfFlags.BPF_ANY);
        }
    }
}
