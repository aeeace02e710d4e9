package io.bpfkit.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel structures bpfkit passes to {@code bpf(2)} and {@code perf_event_open(2)}, as
 * {@link StructLayout}s with the UAPI's field names (Linux 6.18
 * {@code include/uapi/linux/bpf.h} and {@code perf_event.h}), native byte order.
 *
 * <p>Each variant of {@code union bpf_attr} is its own layout that ends (padded to 8 bytes)
 * after the last field bpfkit knows for that command; {@code bpf(2)} is called with that size,
 * and the kernel accepts it as long as the fields it does not know are zero. Members that sit
 * inside a named sub-struct of the union carry its path: {@code link_create.tracing.cookie} is
 * member {@code tracing.cookie} of {@link #LINK_CREATE_TRACING}. Where the UAPI has a union of
 * same-sized alternatives (e.g. {@code attach_prog_fd} / {@code attach_btf_obj_fd}) the layout
 * names the first.
 *
 * <p>{@code runtime/src/test/c/attr_offsets.c} prints the C compiler's offsets of the same
 * members; {@code BpfLayoutDifferentialTest} compares them.
 */
public final class BpfLayouts {
    private BpfLayouts() {
    }

    private static ValueLayout.OfInt u32(String name) {
        return ValueLayout.JAVA_INT.withName(name);
    }

    private static ValueLayout.OfShort u16(String name) {
        return ValueLayout.JAVA_SHORT.withName(name);
    }

    private static ValueLayout.OfLong u64(String name) {
        return ValueLayout.JAVA_LONG.withName(name);
    }

    private static MemoryLayout chars(String name, int n) {
        return MemoryLayout.sequenceLayout(n, ValueLayout.JAVA_BYTE).withName(name);
    }

    /** A struct of {@code members} with C's alignment padding, padded at the end to 8 bytes. */
    private static StructLayout struct(String name, MemoryLayout... members) {
        List<MemoryLayout> out = new ArrayList<>();
        long off = 0;
        for (MemoryLayout m : members) {
            long a = m.byteAlignment();
            long pad = (a - off % a) % a;
            if (pad > 0) {
                out.add(MemoryLayout.paddingLayout(pad));
            }
            out.add(m);
            off += pad + m.byteSize();
        }
        long pad = (8 - off % 8) % 8;
        if (pad > 0) {
            out.add(MemoryLayout.paddingLayout(pad));
        }
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new)).withName(name);
    }

    /** A struct padded with zero bytes to exactly {@code size} bytes (a union variant). */
    private static StructLayout sized(String name, long size, MemoryLayout... members) {
        StructLayout s = struct(name, members);
        if (s.byteSize() > size) {
            throw new AssertionError(name + " is larger than " + size);
        }
        if (s.byteSize() == size) {
            return s;
        }
        List<MemoryLayout> out = new ArrayList<>(s.memberLayouts());
        out.add(MemoryLayout.paddingLayout(size - s.byteSize()));
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new)).withName(name);
    }

    // ---- union bpf_attr variants ----------------------------------------------------------

    /** {@code BPF_MAP_CREATE}. */
    public static final StructLayout MAP_CREATE = struct("map_create",
            u32("map_type"), u32("key_size"), u32("value_size"), u32("max_entries"), u32("map_flags"),
            u32("inner_map_fd"), u32("numa_node"), chars("map_name", 16), u32("map_ifindex"), u32("btf_fd"),
            u32("btf_key_type_id"), u32("btf_value_type_id"), u32("btf_vmlinux_value_type_id"), u64("map_extra"),
            u32("value_type_btf_obj_fd"), u32("map_token_fd"), u64("excl_prog_hash"), u32("excl_prog_hash_size"));

    /** {@code BPF_MAP_*_ELEM}, {@code BPF_MAP_GET_NEXT_KEY}, {@code BPF_MAP_FREEZE}; {@code value} is also {@code next_key}. */
    public static final StructLayout MAP_ELEM = struct("map_elem",
            u32("map_fd"), u64("key"), u64("value"), u64("flags"));

    /** {@code BPF_MAP_*_BATCH} ({@code attr.batch}). */
    public static final StructLayout MAP_BATCH = struct("map_batch",
            u64("in_batch"), u64("out_batch"), u64("keys"), u64("values"), u32("count"), u32("map_fd"),
            u64("elem_flags"), u64("flags"));

    /** {@code BPF_PROG_LOAD}; {@code attach_prog_fd} is also {@code attach_btf_obj_fd}. */
    public static final StructLayout PROG_LOAD = struct("prog_load",
            u32("prog_type"), u32("insn_cnt"), u64("insns"), u64("license"), u32("log_level"), u32("log_size"),
            u64("log_buf"), u32("kern_version"), u32("prog_flags"), chars("prog_name", 16), u32("prog_ifindex"),
            u32("expected_attach_type"), u32("prog_btf_fd"), u32("func_info_rec_size"), u64("func_info"),
            u32("func_info_cnt"), u32("line_info_rec_size"), u64("line_info"), u32("line_info_cnt"),
            u32("attach_btf_id"), u32("attach_prog_fd"), u32("core_relo_cnt"), u64("fd_array"), u64("core_relos"),
            u32("core_relo_rec_size"), u32("log_true_size"), u32("prog_token_fd"), u32("fd_array_cnt"),
            u64("signature"), u32("signature_size"), u32("keyring_id"));

    /** {@code BPF_OBJ_PIN}, {@code BPF_OBJ_GET}. */
    public static final StructLayout OBJ = struct("obj",
            u64("pathname"), u32("bpf_fd"), u32("file_flags"), u32("path_fd"));

    /** {@code BPF_PROG_ATTACH}, {@code BPF_PROG_DETACH}; {@code target_fd} is also {@code target_ifindex}. */
    public static final StructLayout PROG_ATTACH = struct("prog_attach",
            u32("target_fd"), u32("attach_bpf_fd"), u32("attach_type"), u32("attach_flags"), u32("replace_bpf_fd"),
            u32("relative_fd"), u64("expected_revision"));

    /** {@code BPF_PROG_TEST_RUN} ({@code attr.test}). */
    public static final StructLayout TEST_RUN = struct("test",
            u32("prog_fd"), u32("retval"), u32("data_size_in"), u32("data_size_out"), u64("data_in"),
            u64("data_out"), u32("repeat"), u32("duration"), u32("ctx_size_in"), u32("ctx_size_out"),
            u64("ctx_in"), u64("ctx_out"), u32("flags"), u32("cpu"), u32("batch_size"));

    /** {@code BPF_*_GET_NEXT_ID}, {@code BPF_*_GET_FD_BY_ID}; {@code start_id} is also prog/map/btf/link id. */
    public static final StructLayout GET_ID = struct("get_id",
            u32("start_id"), u32("next_id"), u32("open_flags"), u32("fd_by_id_token_fd"));

    /** {@code BPF_OBJ_GET_INFO_BY_FD} ({@code attr.info}). */
    public static final StructLayout INFO = struct("info",
            u32("bpf_fd"), u32("info_len"), u64("info"));

    /** {@code BPF_PROG_QUERY} ({@code attr.query}); {@code prog_cnt} is also {@code count}. */
    public static final StructLayout QUERY = struct("query",
            u32("target_fd"), u32("attach_type"), u32("query_flags"), u32("attach_flags"), u64("prog_ids"),
            u32("prog_cnt"), u64("prog_attach_flags"), u64("link_ids"), u64("link_attach_flags"),
            u64("revision"));

    /** {@code BPF_RAW_TRACEPOINT_OPEN} ({@code attr.raw_tracepoint}). */
    public static final StructLayout RAW_TRACEPOINT = struct("raw_tracepoint",
            u64("name"), u32("prog_fd"), u64("cookie"));

    /** {@code BPF_BTF_LOAD}. */
    public static final StructLayout BTF_LOAD = struct("btf_load",
            u64("btf"), u64("btf_log_buf"), u32("btf_size"), u32("btf_log_size"), u32("btf_log_level"),
            u32("btf_log_true_size"), u32("btf_flags"), u32("btf_token_fd"));

    /** {@code BPF_TASK_FD_QUERY} ({@code attr.task_fd_query}). */
    public static final StructLayout TASK_FD_QUERY = struct("task_fd_query",
            u32("pid"), u32("fd"), u32("flags"), u32("buf_len"), u64("buf"), u32("prog_id"), u32("fd_type"),
            u64("probe_offset"), u64("probe_addr"));

    private static final long LINK_CREATE_SIZE = 64;

    private static MemoryLayout[] linkHead(MemoryLayout... tail) {
        MemoryLayout[] all = new MemoryLayout[4 + tail.length];
        all[0] = u32("prog_fd");
        all[1] = u32("target_fd");
        all[2] = u32("attach_type");
        all[3] = u32("flags");
        System.arraycopy(tail, 0, all, 4, tail.length);
        return all;
    }

    /**
     * {@code BPF_LINK_CREATE} ({@code attr.link_create}) with the plain {@code target_btf_id};
     * {@code prog_fd} is also {@code map_fd}, {@code target_fd} also {@code target_ifindex}.
     * All {@code LINK_CREATE*} layouts are 64 bytes, the size of the whole variant.
     */
    public static final StructLayout LINK_CREATE = sized("link_create", LINK_CREATE_SIZE,
            linkHead(u32("target_btf_id")));
    /** {@code link_create} with {@code iter_info}, {@code iter_info_len}. */
    public static final StructLayout LINK_CREATE_ITER = sized("link_create_iter", LINK_CREATE_SIZE,
            linkHead(u64("iter_info"), u32("iter_info_len")));
    /** {@code link_create.perf_event}. */
    public static final StructLayout LINK_CREATE_PERF_EVENT = sized("link_create_perf_event", LINK_CREATE_SIZE,
            linkHead(u64("perf_event.bpf_cookie")));
    /** {@code link_create.kprobe_multi}. */
    public static final StructLayout LINK_CREATE_KPROBE_MULTI = sized("link_create_kprobe_multi",
            LINK_CREATE_SIZE, linkHead(u32("kprobe_multi.flags"), u32("kprobe_multi.cnt"), u64("kprobe_multi.syms"),
                    u64("kprobe_multi.addrs"), u64("kprobe_multi.cookies")));
    /** {@code link_create.tracing}. */
    public static final StructLayout LINK_CREATE_TRACING = sized("link_create_tracing", LINK_CREATE_SIZE,
            linkHead(u32("tracing.target_btf_id"), u64("tracing.cookie")));
    /** {@code link_create.netfilter}. */
    public static final StructLayout LINK_CREATE_NETFILTER = sized("link_create_netfilter", LINK_CREATE_SIZE,
            linkHead(u32("netfilter.pf"), u32("netfilter.hooknum"), u32("netfilter.priority"),
                    u32("netfilter.flags")));
    /** {@code link_create.tcx}; {@code netkit} and {@code cgroup} have the same shape. */
    public static final StructLayout LINK_CREATE_TCX = sized("link_create_tcx", LINK_CREATE_SIZE,
            linkHead(u32("tcx.relative_fd"), u64("tcx.expected_revision")));
    /** {@code link_create.uprobe_multi}. */
    public static final StructLayout LINK_CREATE_UPROBE_MULTI = sized("link_create_uprobe_multi",
            LINK_CREATE_SIZE, linkHead(u64("uprobe_multi.path"), u64("uprobe_multi.offsets"),
                    u64("uprobe_multi.ref_ctr_offsets"), u64("uprobe_multi.cookies"), u32("uprobe_multi.cnt"),
                    u32("uprobe_multi.flags"), u32("uprobe_multi.pid")));

    /** {@code BPF_LINK_UPDATE} ({@code attr.link_update}). */
    public static final StructLayout LINK_UPDATE = struct("link_update",
            u32("link_fd"), u32("new_prog_fd"), u32("flags"), u32("old_prog_fd"));

    /** {@code BPF_LINK_DETACH} ({@code attr.link_detach}). */
    public static final StructLayout LINK_DETACH = struct("link_detach", u32("link_fd"));

    /** {@code BPF_ENABLE_STATS} ({@code attr.enable_stats}). */
    public static final StructLayout ENABLE_STATS = struct("enable_stats", u32("type"));

    /** {@code BPF_ITER_CREATE} ({@code attr.iter_create}). */
    public static final StructLayout ITER_CREATE = struct("iter_create", u32("link_fd"), u32("flags"));

    /** {@code BPF_PROG_BIND_MAP} ({@code attr.prog_bind_map}). */
    public static final StructLayout PROG_BIND_MAP = struct("prog_bind_map",
            u32("prog_fd"), u32("map_fd"), u32("flags"));

    // ---- info structs ---------------------------------------------------------------------

    /**
     * {@code struct bpf_prog_info}. {@code gpl_compatible} is the 32-bit word whose bit 0 is the
     * {@code gpl_compatible:1} bit field.
     */
    public static final StructLayout PROG_INFO = struct("bpf_prog_info",
            u32("type"), u32("id"), chars("tag", 8), u32("jited_prog_len"), u32("xlated_prog_len"),
            u64("jited_prog_insns"), u64("xlated_prog_insns"), u64("load_time"), u32("created_by_uid"),
            u32("nr_map_ids"), u64("map_ids"), chars("name", 16), u32("ifindex"), u32("gpl_compatible"),
            u64("netns_dev"), u64("netns_ino"), u32("nr_jited_ksyms"), u32("nr_jited_func_lens"),
            u64("jited_ksyms"), u64("jited_func_lens"), u32("btf_id"), u32("func_info_rec_size"), u64("func_info"),
            u32("nr_func_info"), u32("nr_line_info"), u64("line_info"), u64("jited_line_info"),
            u32("nr_jited_line_info"), u32("line_info_rec_size"), u32("jited_line_info_rec_size"),
            u32("nr_prog_tags"), u64("prog_tags"), u64("run_time_ns"), u64("run_cnt"), u64("recursion_misses"),
            u32("verified_insns"), u32("attach_btf_obj_id"), u32("attach_btf_id"));

    /** {@code struct bpf_map_info}. */
    public static final StructLayout MAP_INFO = struct("bpf_map_info",
            u32("type"), u32("id"), u32("key_size"), u32("value_size"), u32("max_entries"), u32("map_flags"),
            chars("name", 16), u32("ifindex"), u32("btf_vmlinux_value_type_id"), u64("netns_dev"),
            u64("netns_ino"), u32("btf_id"), u32("btf_key_type_id"), u32("btf_value_type_id"),
            u32("btf_vmlinux_id"), u64("map_extra"), u64("hash"), u32("hash_size"));

    /** {@code struct bpf_btf_info}. */
    public static final StructLayout BTF_INFO = struct("bpf_btf_info",
            u64("btf"), u32("btf_size"), u32("id"), u64("name"), u32("name_len"), u32("kernel_btf"));

    private static final long LINK_INFO_SIZE = 64;
    /** The union of {@code bpf_link_info} starts 8-aligned, at 16. */
    private static final MemoryLayout UNION_PAD = MemoryLayout.paddingLayout(4);

    /** {@code struct bpf_link_info}, common part; all {@code LINK_INFO*} layouts are 64 bytes. */
    public static final StructLayout LINK_INFO = sized("bpf_link_info", LINK_INFO_SIZE,
            u32("type"), u32("id"), u32("prog_id"));
    /** {@code bpf_link_info.raw_tracepoint}. */
    public static final StructLayout LINK_INFO_RAW_TRACEPOINT = sized("bpf_link_info_raw_tracepoint",
            LINK_INFO_SIZE, u32("type"), u32("id"), u32("prog_id"), u64("raw_tracepoint.tp_name"),
            u32("raw_tracepoint.tp_name_len"), u64("raw_tracepoint.cookie"));
    /** {@code bpf_link_info.tracing}. */
    public static final StructLayout LINK_INFO_TRACING = sized("bpf_link_info_tracing", LINK_INFO_SIZE,
            u32("type"), u32("id"), u32("prog_id"), UNION_PAD, u32("tracing.attach_type"), u32("tracing.target_obj_id"),
            u32("tracing.target_btf_id"), u64("tracing.cookie"));
    /** {@code bpf_link_info.perf_event} with its {@code event} alternative. */
    public static final StructLayout LINK_INFO_PERF_EVENT = sized("bpf_link_info_perf_event", LINK_INFO_SIZE,
            u32("type"), u32("id"), u32("prog_id"), UNION_PAD, u32("perf_event.type"), u64("perf_event.event.config"),
            u32("perf_event.event.type"), u64("perf_event.event.cookie"));

    // ---- perf_event_attr ------------------------------------------------------------------

    /**
     * {@code struct perf_event_attr} up to {@code config3} ({@code PERF_ATTR_SIZE_VER8}, 136
     * bytes). {@code flags} is the 64-bit word of bit fields ({@code disabled},
     * {@code inherit}, ...; see {@link PerfEventAttr}); unions are named by their first
     * member, except {@code config1}/{@code config2} (also {@code bp_addr}/{@code bp_len}).
     */
    public static final StructLayout PERF_EVENT_ATTR = struct("perf_event_attr",
            u32("type"), u32("size"), u64("config"), u64("sample_period"), u64("sample_type"), u64("read_format"),
            u64("flags"), u32("wakeup_events"), u32("bp_type"), u64("config1"), u64("config2"),
            u64("branch_sample_type"), u64("sample_regs_user"), u32("sample_stack_user"), u32("clockid"),
            u64("sample_regs_intr"), u32("aux_watermark"), u16("sample_max_stack"), u16("__reserved_2"),
            u32("aux_sample_size"), u32("aux_action"), u64("sig_data"), u64("config3"));

    /** Every layout of this class, for tests. */
    public static final List<StructLayout> ALL = List.of(MAP_CREATE, MAP_ELEM, MAP_BATCH, PROG_LOAD, OBJ,
            PROG_ATTACH, TEST_RUN, GET_ID, INFO, QUERY, RAW_TRACEPOINT, BTF_LOAD, TASK_FD_QUERY, LINK_CREATE,
            LINK_CREATE_ITER, LINK_CREATE_PERF_EVENT, LINK_CREATE_KPROBE_MULTI, LINK_CREATE_TRACING,
            LINK_CREATE_NETFILTER, LINK_CREATE_TCX, LINK_CREATE_UPROBE_MULTI, LINK_UPDATE, LINK_DETACH,
            ENABLE_STATS, ITER_CREATE, PROG_BIND_MAP, PROG_INFO, MAP_INFO, BTF_INFO, LINK_INFO,
            LINK_INFO_RAW_TRACEPOINT, LINK_INFO_TRACING, LINK_INFO_PERF_EVENT, PERF_EVENT_ATTR);

    /** The largest {@code bpf_attr} variant of this class, for scratch buffers. */
    public static final long MAX_ATTR_SIZE = ALL.stream()
            .filter(l -> !l.name().orElse("").startsWith("bpf_") && !l.name().orElse("").startsWith("perf_"))
            .mapToLong(StructLayout::byteSize).max().orElseThrow();

    /** Whether {@code m} is padding, not a field. */
    static boolean isPadding(MemoryLayout m) {
        return m instanceof PaddingLayout;
    }
}
