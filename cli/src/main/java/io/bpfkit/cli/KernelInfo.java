package io.bpfkit.cli;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.elf.CStrings;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.uapi.BpfLayouts;
import io.bpfkit.uapi.BpfLinkType;
import io.bpfkit.uapi.BtfInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * What the kernel says about a program, map, link or BTF object that it holds, read through
 * {@code BPF_OBJ_GET_INFO_BY_FD} into the generated {@code bpf_*_info} layouts, plus the
 * descriptor's {@code /proc/self/fdinfo} lines (memlock, frozen, a program array's owner), which
 * bpftool prints too.
 */
final class KernelInfo {
    private KernelInfo() {
    }

    /** {@code struct bpf_prog_info}, the members bpftool prints, with the map ids. */
    record Prog(int id, int type, String name, String tag, boolean gplCompatible, long runTimeNs, long runCnt,
                long recursionMisses, int ifindex, long netnsDev, long netnsIno, long loadTime, int createdByUid,
                int xlatedProgLen, int jitedProgLen, int[] mapIds, int btfId) {
    }

    /** {@code struct bpf_map_info}, the members bpftool prints. */
    record Map(int id, int type, String name, int keySize, int valueSize, int maxEntries, int flags, int ifindex,
               long netnsDev, long netnsIno, int btfId, int btfKeyTypeId, int btfValueTypeId,
               int btfVmlinuxValueTypeId) {
    }

    /**
     * {@code struct bpf_link_info}: the common part and the variant of its type (null for types
     * whose variant bpfkit does not decode: iter, kprobe_multi, uprobe_multi, netfilter, sockmap).
     */
    record Link(int id, int type, int progId, LinkTarget target) {
    }

    /** The variant of {@code struct bpf_link_info} of one link type. */
    sealed interface LinkTarget {
    }

    record RawTracepoint(String tpName) implements LinkTarget {
    }

    /** @param progType the program's type (bpftool prints it for tracing links) */
    record Tracing(int progType, int attachType, int targetObjId, int targetBtfId) implements LinkTarget {
    }

    record Cgroup(long cgroupId, int attachType) implements LinkTarget {
    }

    record Netns(int netnsIno, int attachType) implements LinkTarget {
    }

    /** XDP ({@code attachType} -1), tcx and netkit links. */
    record Device(int ifindex, int attachType) implements LinkTarget {
    }

    record StructOps(int mapId) implements LinkTarget {
    }

    /** An sk_msg or sk_skb program's link on a sockmap or sockhash (6.10). */
    record Sockmap(int mapId, int attachType) implements LinkTarget {
    }

    /** A perf_event link on a tracepoint ({@code BPF_PERF_EVENT_TRACEPOINT}). */
    record PerfTracepoint(String tpName, long cookie) implements LinkTarget {
    }

    /** A perf_event link on a perf event ({@code BPF_PERF_EVENT_EVENT}). */
    record PerfEvent(int eventType, long config, long cookie) implements LinkTarget {
    }

    static Prog prog(OwnedFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            StructLayout l = BpfLayouts.PROG_INFO;
            MemorySegment i = arena.allocate(l);
            Bpf.objGetInfo(fd, i);
            byte[] tag = new byte[8];
            MemorySegment.copy(i, ValueLayout.JAVA_BYTE, offset(l, "tag"), tag, 0, 8);
            String name = cString(i, offset(l, "name"), 16);
            int btfId = u32(i, l, "btf_id");
            int nrFuncInfo = u32(i, l, "nr_func_info");
            int recSize = u32(i, l, "func_info_rec_size");
            int nrMapIds = u32(i, l, "nr_map_ids");
            Prog p = new Prog(u32(i, l, "id"), u32(i, l, "type"), name, HexFormat.of().formatHex(tag),
                    (u32(i, l, "gpl_compatible") & 1) != 0, u64(i, l, "run_time_ns"), u64(i, l, "run_cnt"),
                    u64(i, l, "recursion_misses"), u32(i, l, "ifindex"), u64(i, l, "netns_dev"),
                    u64(i, l, "netns_ino"), u64(i, l, "load_time"), u32(i, l, "created_by_uid"),
                    u32(i, l, "xlated_prog_len"), u32(i, l, "jited_prog_len"),
                    nrMapIds == 0 ? new int[0] : Bpf.progMapIds(fd), btfId);
            if (name.length() >= 15 && btfId != 0 && nrFuncInfo != 0) {
                String full = fullName(fd, btfId, recSize);
                if (full != null) {
                    return new Prog(p.id(), p.type(), full, p.tag(), p.gplCompatible(), p.runTimeNs(), p.runCnt(),
                            p.recursionMisses(), p.ifindex(), p.netnsDev(), p.netnsIno(), p.loadTime(),
                            p.createdByUid(), p.xlatedProgLen(), p.jitedProgLen(), p.mapIds(), p.btfId());
                }
            }
            return p;
        }
    }

    /**
     * The program's name from its BTF (the function of its first func_info record), which is not
     * cut at 15 characters as the info's name is; null when the BTF does not say.
     */
    private static String fullName(OwnedFd fd, int btfId, int recSize) {
        try (Arena arena = Arena.ofConfined()) {
            StructLayout l = BpfLayouts.PROG_INFO;
            MemorySegment i = arena.allocate(l);
            MemorySegment rec = arena.allocate(8, 8);
            set32(i, l, "nr_func_info", 1);
            set32(i, l, "func_info_rec_size", Math.min(recSize, 8));
            i.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(l, "func_info"), rec.address());
            Bpf.objGetInfo(fd, i);
            int typeId = rec.get(ValueLayout.JAVA_INT, 4);
            Btf btf = btf(btfId);
            return btf.hasType(typeId) && btf.type(typeId) instanceof BtfType.Func f ? f.name() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Map map(OwnedFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            StructLayout l = BpfLayouts.MAP_INFO;
            MemorySegment i = arena.allocate(l);
            Bpf.objGetInfo(fd, i);
            return new Map(u32(i, l, "id"), u32(i, l, "type"), cString(i, offset(l, "name"), 16), u32(i, l, "key_size"),
                    u32(i, l, "value_size"), u32(i, l, "max_entries"), u32(i, l, "map_flags"), u32(i, l, "ifindex"),
                    u64(i, l, "netns_dev"), u64(i, l, "netns_ino"), u32(i, l, "btf_id"), u32(i, l, "btf_key_type_id"),
                    u32(i, l, "btf_value_type_id"), u32(i, l, "btf_vmlinux_value_type_id"));
        }
    }

    static Link link(OwnedFd fd) {
        try (Arena arena = Arena.ofConfined()) {
            StructLayout l = BpfLayouts.LINK_INFO;
            MemorySegment i = arena.allocate(l);
            Bpf.objGetInfo(fd, i);
            int type = u32(i, l, "type");
            int progId = u32(i, l, "prog_id");
            LinkTarget target = switch (type) {
                case BpfLinkType.BPF_LINK_TYPE_RAW_TRACEPOINT -> new RawTracepoint(Bpf.linkInfo(fd).tpName());
                case BpfLinkType.BPF_LINK_TYPE_TRACING -> {
                    StructLayout t = BpfLayouts.LINK_INFO_TRACING;
                    int progType;
                    try (Fd prog = Bpf.progGetFdById(progId)) {
                        progType = prog(prog).type();
                    }
                    yield new Tracing(progType, u32(i, t, "tracing.attach_type"), u32(i, t, "tracing.target_obj_id"),
                            u32(i, t, "tracing.target_btf_id"));
                }
                case BpfLinkType.BPF_LINK_TYPE_CGROUP -> new Cgroup(u64(i, BpfLayouts.LINK_INFO_CGROUP, "cgroup.cgroup_id"),
                        u32(i, BpfLayouts.LINK_INFO_CGROUP, "cgroup.attach_type"));
                case BpfLinkType.BPF_LINK_TYPE_NETNS -> new Netns(u32(i, BpfLayouts.LINK_INFO_NETNS, "netns.netns_ino"),
                        u32(i, BpfLayouts.LINK_INFO_NETNS, "netns.attach_type"));
                case BpfLinkType.BPF_LINK_TYPE_XDP -> new Device(u32(i, BpfLayouts.LINK_INFO_XDP, "xdp.ifindex"), -1);
                case BpfLinkType.BPF_LINK_TYPE_TCX, BpfLinkType.BPF_LINK_TYPE_NETKIT ->
                        new Device(u32(i, BpfLayouts.LINK_INFO_TCX, "tcx.ifindex"),
                                u32(i, BpfLayouts.LINK_INFO_TCX, "tcx.attach_type"));
                case BpfLinkType.BPF_LINK_TYPE_STRUCT_OPS ->
                        new StructOps(u32(i, BpfLayouts.LINK_INFO_STRUCT_OPS, "struct_ops.map_id"));
                case BpfLinkType.BPF_LINK_TYPE_PERF_EVENT -> perfEvent(fd, arena);
                case BpfLinkType.BPF_LINK_TYPE_SOCKMAP ->
                        new Sockmap(u32(i, BpfLayouts.LINK_INFO_SOCKMAP, "sockmap.map_id"),
                                u32(i, BpfLayouts.LINK_INFO_SOCKMAP, "sockmap.attach_type"));
                default -> null;
            };
            return new Link(u32(i, l, "id"), type, progId, target);
        }
    }

    private static LinkTarget perfEvent(OwnedFd fd, Arena arena) {
        StructLayout l = BpfLayouts.LINK_INFO_PERF_EVENT_TRACEPOINT;
        MemorySegment i = arena.allocate(l);
        MemorySegment name = arena.allocate(256);
        i.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(l, "perf_event.tracepoint.tp_name"), name.address());
        set32(i, l, "perf_event.tracepoint.name_len", (int) name.byteSize());
        Bpf.objGetInfo(fd, i);
        return switch (u32(i, l, "perf_event.type")) {
            case BpfLinkType.BPF_PERF_EVENT_TRACEPOINT ->
                    new PerfTracepoint(cString(name, 0, name.byteSize()), u64(i, l, "perf_event.tracepoint.cookie"));
            case BpfLinkType.BPF_PERF_EVENT_EVENT -> {
                // The tracepoint alternative's name pointer was read as the event's config: ask again plainly.
                StructLayout e = BpfLayouts.LINK_INFO_PERF_EVENT;
                MemorySegment j = arena.allocate(e);
                Bpf.objGetInfo(fd, j);
                yield new PerfEvent(u32(j, e, "perf_event.event.type"), u64(j, e, "perf_event.event.config"),
                        u64(j, e, "perf_event.event.cookie"));
            }
            default -> null;
        };
    }

    /**
     * The BTF object {@code id} as the kernel holds it; a kernel module's BTF is split over
     * vmlinux and read over it.
     */
    static Btf btf(int id) {
        try (Fd fd = Bpf.btfGetFdById(id)) {
            BtfInfo info = Bpf.btfInfo(fd);
            byte[] data = Bpf.btfData(fd);
            Btf base = info.kernelBtf() && !info.name().equals("vmlinux") ? KernelBtf.vmlinux() : null;
            return base == null ? Btf.parse(MemorySegment.ofArray(data)) : Btf.parse(MemorySegment.ofArray(data), base);
        }
    }

    /**
     * The value of the first line of {@code /proc/self/fdinfo/FD} that mentions {@code key}
     * (bpftool's lookup), or null.
     */
    static String fdinfo(OwnedFd fd, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.get()))) {
                if (line.contains(key)) {
                    int tab = line.indexOf('\t');
                    return tab < 0 || tab + 1 == line.length() ? null : line.substring(tab + 1);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** Whether {@code /proc/self/fdinfo/FD} has a line {@code key:} ({@code map_type}: the descriptor is a map). */
    static boolean hasFdinfoKey(OwnedFd fd, String key) {
        try {
            return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.get())).stream()
                    .anyMatch(line -> line.startsWith(key + ":"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The name of network interface {@code ifindex} in this network namespace, or null. */
    static String interfaceName(int ifindex) {
        try {
            java.net.NetworkInterface n = java.net.NetworkInterface.getByIndex(ifindex);
            return n == null ? null : n.getName();
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /** libbpf's name of a link type ({@code libbpf_bpf_link_type_str}), or null for one it does not know. */
    static String linkTypeName(int type) {
        List<String> names = List.of("unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp",
                "perf_event", "kprobe_multi", "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap");
        return type >= 0 && type < names.size() && type <= BpfLinkType.BPF_LINK_TYPE_SOCKMAP ? names.get(type) : null;
    }

    private static long offset(StructLayout l, String member) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    private static int u32(MemorySegment s, StructLayout l, String member) {
        return s.get(ValueLayout.JAVA_INT_UNALIGNED, offset(l, member));
    }

    private static long u64(MemorySegment s, StructLayout l, String member) {
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset(l, member));
    }

    private static void set32(MemorySegment s, StructLayout l, String member, int value) {
        s.set(ValueLayout.JAVA_INT_UNALIGNED, offset(l, member), value);
    }

    private static String cString(MemorySegment s, long offset, long max) {
        return CStrings.decode(s, offset, CStrings.strlen(s, offset, Math.min(s.byteSize(), offset + max)));
    }
}
