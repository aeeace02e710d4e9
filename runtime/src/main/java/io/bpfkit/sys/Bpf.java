package io.bpfkit.sys;

import static io.bpfkit.uapi.BpfLayouts.BTF_INFO;
import static io.bpfkit.uapi.BpfLayouts.BTF_LOAD;
import static io.bpfkit.uapi.BpfLayouts.ENABLE_STATS;
import static io.bpfkit.uapi.BpfLayouts.GET_ID;
import static io.bpfkit.uapi.BpfLayouts.INFO;
import static io.bpfkit.uapi.BpfLayouts.ITER_CREATE;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_ITER;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_KPROBE_MULTI;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_NETFILTER;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_PERF_EVENT;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_TCX;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_TRACING;
import static io.bpfkit.uapi.BpfLayouts.LINK_CREATE_UPROBE_MULTI;
import static io.bpfkit.uapi.BpfLayouts.LINK_DETACH;
import static io.bpfkit.uapi.BpfLayouts.LINK_INFO;
import static io.bpfkit.uapi.BpfLayouts.LINK_INFO_RAW_TRACEPOINT;
import static io.bpfkit.uapi.BpfLayouts.LINK_INFO_SOCKMAP;
import static io.bpfkit.uapi.BpfLayouts.LINK_INFO_TRACING;
import static io.bpfkit.uapi.BpfLayouts.LINK_UPDATE;
import static io.bpfkit.uapi.BpfLayouts.MAP_BATCH;
import static io.bpfkit.uapi.BpfLayouts.MAP_CREATE;
import static io.bpfkit.uapi.BpfLayouts.MAP_ELEM;
import static io.bpfkit.uapi.BpfLayouts.MAP_INFO;
import static io.bpfkit.uapi.BpfLayouts.OBJ;
import static io.bpfkit.uapi.BpfLayouts.PROG_ATTACH;
import static io.bpfkit.uapi.BpfLayouts.PROG_BIND_MAP;
import static io.bpfkit.uapi.BpfLayouts.PROG_INFO;
import static io.bpfkit.uapi.BpfLayouts.PROG_LOAD;
import static io.bpfkit.uapi.BpfLayouts.QUERY;
import static io.bpfkit.uapi.BpfLayouts.RAW_TRACEPOINT;
import static io.bpfkit.uapi.BpfLayouts.TEST_RUN;
import static io.bpfkit.uapi.BpfLayouts.TOKEN_CREATE;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.elf.CStrings;
import io.bpfkit.uapi.BpfCmd;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfLayouts;
import io.bpfkit.uapi.BpfLinkType;
import io.bpfkit.uapi.BtfInfo;
import io.bpfkit.uapi.LinkInfo;
import io.bpfkit.uapi.MapInfo;
import io.bpfkit.uapi.ProgInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The {@code bpf(2)} commands bpfkit uses, one static method each. Each builds its
 * {@code union bpf_attr} variant ({@link BpfLayouts}) and throws a {@link KernelException}
 * naming the command and the object ({@code BPF_MAP_CREATE of map 'counts'}) with the errno
 * name and a hint.
 *
 * <p><b>Program and BTF loads</b> do not throw for a kernel refusal: {@link #progLoad} and
 * {@link #btfLoad} return a {@link ProgLoadResult} / {@link BtfLoadResult} carrying the errno,
 * the log text and {@code log_true_size}, so the loader can build a verifier error or retry
 * with a larger log buffer. {@code orThrow()} turns a refusal into a {@link KernelException}.
 *
 * <p><b>Map elements</b> (lookup, update, delete, next key, batches, freeze) are not here: they
 * go through {@link MapCalls}, the one path with their answers and errors.
 *
 * <pre>{@code
 * try (Fd map = Bpf.mapCreate(MapCreateAttr.builder(1, 4, 8, 1024).name("counts").build())) {
 *     MapInfo info = Bpf.mapInfo(map);
 *     Bpf.objPin(map, "/sys/fs/bpf/counts");
 * }
 * }</pre>
 */
public final class Bpf {
    // Commands and flags: io.bpfkit.uapi.BpfCmd and BpfFlags, generated from the kernel.
    private static final int LINK_TYPE_RAW_TRACEPOINT = BpfLinkType.BPF_LINK_TYPE_RAW_TRACEPOINT;
    private static final int LINK_TYPE_TRACING = BpfLinkType.BPF_LINK_TYPE_TRACING;
    private static final int PROG_LOAD_EAGAIN_RETRIES = 5;

    private Bpf() {
    }

    // ---- layout handles -------------------------------------------------------------------

    private static VarHandle vh(StructLayout l, String name) {
        return l.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    private static long off(StructLayout l, String name) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    private static final VarHandle TC_FLAGS = vh(TOKEN_CREATE, "flags");
    private static final VarHandle TC_BPFFS_FD = vh(TOKEN_CREATE, "bpffs_fd");
    private static final VarHandle LI_SM_ATTACH_TYPE = vh(LINK_INFO_SOCKMAP, "sockmap.attach_type");
    private static final VarHandle MC_MAP_TYPE = vh(MAP_CREATE, "map_type");
    private static final VarHandle MC_KEY_SIZE = vh(MAP_CREATE, "key_size");
    private static final VarHandle MC_VALUE_SIZE = vh(MAP_CREATE, "value_size");
    private static final VarHandle MC_MAX_ENTRIES = vh(MAP_CREATE, "max_entries");
    private static final VarHandle MC_MAP_FLAGS = vh(MAP_CREATE, "map_flags");
    private static final VarHandle MC_INNER_MAP_FD = vh(MAP_CREATE, "inner_map_fd");
    private static final VarHandle MC_NUMA_NODE = vh(MAP_CREATE, "numa_node");
    private static final long MC_MAP_NAME = off(MAP_CREATE, "map_name");
    private static final VarHandle MC_MAP_IFINDEX = vh(MAP_CREATE, "map_ifindex");
    private static final VarHandle MC_BTF_FD = vh(MAP_CREATE, "btf_fd");
    private static final VarHandle MC_BTF_KEY_TYPE_ID = vh(MAP_CREATE, "btf_key_type_id");
    private static final VarHandle MC_BTF_VALUE_TYPE_ID = vh(MAP_CREATE, "btf_value_type_id");
    private static final VarHandle MC_BTF_VMLINUX_VALUE_TYPE_ID = vh(MAP_CREATE, "btf_vmlinux_value_type_id");
    private static final VarHandle MC_MAP_EXTRA = vh(MAP_CREATE, "map_extra");
    private static final VarHandle MC_VALUE_TYPE_BTF_OBJ_FD = vh(MAP_CREATE, "value_type_btf_obj_fd");
    private static final VarHandle MC_MAP_TOKEN_FD = vh(MAP_CREATE, "map_token_fd");
    private static final VarHandle MC_EXCL_PROG_HASH = vh(MAP_CREATE, "excl_prog_hash");
    private static final VarHandle MC_EXCL_PROG_HASH_SIZE = vh(MAP_CREATE, "excl_prog_hash_size");

    private static final VarHandle PL_PROG_TYPE = vh(PROG_LOAD, "prog_type");
    private static final VarHandle PL_INSN_CNT = vh(PROG_LOAD, "insn_cnt");
    private static final VarHandle PL_INSNS = vh(PROG_LOAD, "insns");
    private static final VarHandle PL_LICENSE = vh(PROG_LOAD, "license");
    private static final VarHandle PL_LOG_LEVEL = vh(PROG_LOAD, "log_level");
    private static final VarHandle PL_LOG_SIZE = vh(PROG_LOAD, "log_size");
    private static final VarHandle PL_LOG_BUF = vh(PROG_LOAD, "log_buf");
    private static final VarHandle PL_KERN_VERSION = vh(PROG_LOAD, "kern_version");
    private static final VarHandle PL_PROG_FLAGS = vh(PROG_LOAD, "prog_flags");
    private static final long PL_PROG_NAME = off(PROG_LOAD, "prog_name");
    private static final VarHandle PL_PROG_IFINDEX = vh(PROG_LOAD, "prog_ifindex");
    private static final VarHandle PL_EXPECTED_ATTACH_TYPE = vh(PROG_LOAD, "expected_attach_type");
    private static final VarHandle PL_PROG_BTF_FD = vh(PROG_LOAD, "prog_btf_fd");
    private static final VarHandle PL_FUNC_INFO_REC_SIZE = vh(PROG_LOAD, "func_info_rec_size");
    private static final VarHandle PL_FUNC_INFO = vh(PROG_LOAD, "func_info");
    private static final VarHandle PL_FUNC_INFO_CNT = vh(PROG_LOAD, "func_info_cnt");
    private static final VarHandle PL_LINE_INFO_REC_SIZE = vh(PROG_LOAD, "line_info_rec_size");
    private static final VarHandle PL_LINE_INFO = vh(PROG_LOAD, "line_info");
    private static final VarHandle PL_LINE_INFO_CNT = vh(PROG_LOAD, "line_info_cnt");
    private static final VarHandle PL_ATTACH_BTF_ID = vh(PROG_LOAD, "attach_btf_id");
    private static final VarHandle PL_ATTACH_PROG_FD = vh(PROG_LOAD, "attach_prog_fd");
    private static final VarHandle PL_CORE_RELO_CNT = vh(PROG_LOAD, "core_relo_cnt");
    private static final VarHandle PL_FD_ARRAY = vh(PROG_LOAD, "fd_array");
    private static final VarHandle PL_CORE_RELOS = vh(PROG_LOAD, "core_relos");
    private static final VarHandle PL_CORE_RELO_REC_SIZE = vh(PROG_LOAD, "core_relo_rec_size");
    private static final VarHandle PL_LOG_TRUE_SIZE = vh(PROG_LOAD, "log_true_size");
    private static final VarHandle PL_PROG_TOKEN_FD = vh(PROG_LOAD, "prog_token_fd");
    private static final VarHandle PL_FD_ARRAY_CNT = vh(PROG_LOAD, "fd_array_cnt");
    private static final VarHandle PL_SIGNATURE = vh(PROG_LOAD, "signature");
    private static final VarHandle PL_SIGNATURE_SIZE = vh(PROG_LOAD, "signature_size");
    private static final VarHandle PL_KEYRING_ID = vh(PROG_LOAD, "keyring_id");

    private static final VarHandle OBJ_PATHNAME = vh(OBJ, "pathname");
    private static final VarHandle OBJ_BPF_FD = vh(OBJ, "bpf_fd");
    private static final VarHandle OBJ_FILE_FLAGS = vh(OBJ, "file_flags");

    private static final VarHandle PA_TARGET_FD = vh(PROG_ATTACH, "target_fd");
    private static final VarHandle PA_ATTACH_BPF_FD = vh(PROG_ATTACH, "attach_bpf_fd");
    private static final VarHandle PA_ATTACH_TYPE = vh(PROG_ATTACH, "attach_type");
    private static final VarHandle PA_ATTACH_FLAGS = vh(PROG_ATTACH, "attach_flags");
    private static final VarHandle PA_REPLACE_BPF_FD = vh(PROG_ATTACH, "replace_bpf_fd");
    private static final VarHandle PA_RELATIVE_FD = vh(PROG_ATTACH, "relative_fd");
    private static final VarHandle PA_EXPECTED_REVISION = vh(PROG_ATTACH, "expected_revision");

    private static final VarHandle TR_PROG_FD = vh(TEST_RUN, "prog_fd");
    private static final VarHandle TR_RETVAL = vh(TEST_RUN, "retval");
    private static final VarHandle TR_DATA_SIZE_IN = vh(TEST_RUN, "data_size_in");
    private static final VarHandle TR_DATA_SIZE_OUT = vh(TEST_RUN, "data_size_out");
    private static final VarHandle TR_DATA_IN = vh(TEST_RUN, "data_in");
    private static final VarHandle TR_DATA_OUT = vh(TEST_RUN, "data_out");
    private static final VarHandle TR_REPEAT = vh(TEST_RUN, "repeat");
    private static final VarHandle TR_DURATION = vh(TEST_RUN, "duration");
    private static final VarHandle TR_CTX_SIZE_IN = vh(TEST_RUN, "ctx_size_in");
    private static final VarHandle TR_CTX_SIZE_OUT = vh(TEST_RUN, "ctx_size_out");
    private static final VarHandle TR_CTX_IN = vh(TEST_RUN, "ctx_in");
    private static final VarHandle TR_CTX_OUT = vh(TEST_RUN, "ctx_out");
    private static final VarHandle TR_FLAGS = vh(TEST_RUN, "flags");
    private static final VarHandle TR_CPU = vh(TEST_RUN, "cpu");
    private static final VarHandle TR_BATCH_SIZE = vh(TEST_RUN, "batch_size");

    private static final VarHandle ID_START_ID = vh(GET_ID, "start_id");
    private static final VarHandle ID_NEXT_ID = vh(GET_ID, "next_id");
    private static final VarHandle ID_OPEN_FLAGS = vh(GET_ID, "open_flags");

    private static final VarHandle INFO_BPF_FD = vh(INFO, "bpf_fd");
    private static final VarHandle INFO_INFO_LEN = vh(INFO, "info_len");
    private static final VarHandle INFO_INFO = vh(INFO, "info");

    private static final VarHandle Q_TARGET_FD = vh(QUERY, "target_fd");
    private static final VarHandle Q_ATTACH_TYPE = vh(QUERY, "attach_type");
    private static final VarHandle Q_QUERY_FLAGS = vh(QUERY, "query_flags");
    private static final VarHandle Q_ATTACH_FLAGS = vh(QUERY, "attach_flags");
    private static final VarHandle Q_PROG_IDS = vh(QUERY, "prog_ids");
    private static final VarHandle Q_PROG_CNT = vh(QUERY, "prog_cnt");
    private static final VarHandle Q_REVISION = vh(QUERY, "revision");

    private static final VarHandle RT_NAME = vh(RAW_TRACEPOINT, "name");
    private static final VarHandle RT_PROG_FD = vh(RAW_TRACEPOINT, "prog_fd");
    private static final VarHandle RT_COOKIE = vh(RAW_TRACEPOINT, "cookie");

    private static final VarHandle BL_BTF = vh(BTF_LOAD, "btf");
    private static final VarHandle BL_LOG_BUF = vh(BTF_LOAD, "btf_log_buf");
    private static final VarHandle BL_BTF_SIZE = vh(BTF_LOAD, "btf_size");
    private static final VarHandle BL_LOG_SIZE = vh(BTF_LOAD, "btf_log_size");
    private static final VarHandle BL_LOG_LEVEL = vh(BTF_LOAD, "btf_log_level");
    private static final VarHandle BL_LOG_TRUE_SIZE = vh(BTF_LOAD, "btf_log_true_size");
    private static final VarHandle BL_FLAGS = vh(BTF_LOAD, "btf_flags");
    private static final VarHandle BL_TOKEN_FD = vh(BTF_LOAD, "btf_token_fd");

    private static final VarHandle LC_PROG_FD = vh(LINK_CREATE, "prog_fd");
    private static final VarHandle LC_TARGET_FD = vh(LINK_CREATE, "target_fd");
    private static final VarHandle LC_ATTACH_TYPE = vh(LINK_CREATE, "attach_type");
    private static final VarHandle LC_FLAGS = vh(LINK_CREATE, "flags");
    private static final VarHandle LC_TARGET_BTF_ID = vh(LINK_CREATE, "target_btf_id");
    private static final long LC_UNION = off(LINK_CREATE, "target_btf_id");
    private static final VarHandle LC_ITER_INFO = vh(LINK_CREATE_ITER, "iter_info");
    private static final VarHandle LC_ITER_INFO_LEN = vh(LINK_CREATE_ITER, "iter_info_len");
    private static final VarHandle LC_PERF_COOKIE = vh(LINK_CREATE_PERF_EVENT, "perf_event.bpf_cookie");
    private static final VarHandle LC_KM_FLAGS = vh(LINK_CREATE_KPROBE_MULTI, "kprobe_multi.flags");
    private static final VarHandle LC_KM_CNT = vh(LINK_CREATE_KPROBE_MULTI, "kprobe_multi.cnt");
    private static final VarHandle LC_KM_SYMS = vh(LINK_CREATE_KPROBE_MULTI, "kprobe_multi.syms");
    private static final VarHandle LC_KM_ADDRS = vh(LINK_CREATE_KPROBE_MULTI, "kprobe_multi.addrs");
    private static final VarHandle LC_KM_COOKIES = vh(LINK_CREATE_KPROBE_MULTI, "kprobe_multi.cookies");
    private static final VarHandle LC_TRACING_BTF_ID = vh(LINK_CREATE_TRACING, "tracing.target_btf_id");
    private static final VarHandle LC_TRACING_COOKIE = vh(LINK_CREATE_TRACING, "tracing.cookie");
    private static final VarHandle LC_NF_PF = vh(LINK_CREATE_NETFILTER, "netfilter.pf");
    private static final VarHandle LC_NF_HOOKNUM = vh(LINK_CREATE_NETFILTER, "netfilter.hooknum");
    private static final VarHandle LC_NF_PRIORITY = vh(LINK_CREATE_NETFILTER, "netfilter.priority");
    private static final VarHandle LC_NF_FLAGS = vh(LINK_CREATE_NETFILTER, "netfilter.flags");
    private static final VarHandle LC_REL_FD = vh(LINK_CREATE_TCX, "tcx.relative_fd");
    private static final VarHandle LC_REL_REVISION = vh(LINK_CREATE_TCX, "tcx.expected_revision");
    private static final VarHandle LC_UM_PATH = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.path");
    private static final VarHandle LC_UM_OFFSETS = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.offsets");
    private static final VarHandle LC_UM_REF_CTR = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.ref_ctr_offsets");
    private static final VarHandle LC_UM_COOKIES = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.cookies");
    private static final VarHandle LC_UM_CNT = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.cnt");
    private static final VarHandle LC_UM_FLAGS = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.flags");
    private static final VarHandle LC_UM_PID = vh(LINK_CREATE_UPROBE_MULTI, "uprobe_multi.pid");

    private static final VarHandle LU_LINK_FD = vh(LINK_UPDATE, "link_fd");
    private static final VarHandle LU_NEW_PROG_FD = vh(LINK_UPDATE, "new_prog_fd");
    private static final VarHandle LU_FLAGS = vh(LINK_UPDATE, "flags");
    private static final VarHandle LU_OLD_PROG_FD = vh(LINK_UPDATE, "old_prog_fd");

    private static final VarHandle LD_LINK_FD = vh(LINK_DETACH, "link_fd");
    private static final VarHandle ES_TYPE = vh(ENABLE_STATS, "type");
    private static final VarHandle IC_LINK_FD = vh(ITER_CREATE, "link_fd");
    private static final VarHandle IC_FLAGS = vh(ITER_CREATE, "flags");
    private static final VarHandle BM_PROG_FD = vh(PROG_BIND_MAP, "prog_fd");
    private static final VarHandle BM_MAP_FD = vh(PROG_BIND_MAP, "map_fd");
    private static final VarHandle BM_FLAGS = vh(PROG_BIND_MAP, "flags");

    private static final VarHandle PI_TYPE = vh(PROG_INFO, "type");
    private static final VarHandle PI_ID = vh(PROG_INFO, "id");
    private static final long PI_TAG = off(PROG_INFO, "tag");
    private static final VarHandle PI_JITED_PROG_LEN = vh(PROG_INFO, "jited_prog_len");
    private static final VarHandle PI_XLATED_PROG_LEN = vh(PROG_INFO, "xlated_prog_len");
    private static final VarHandle PI_XLATED_PROG_INSNS = vh(PROG_INFO, "xlated_prog_insns");
    private static final VarHandle PI_LOAD_TIME = vh(PROG_INFO, "load_time");
    private static final VarHandle PI_CREATED_BY_UID = vh(PROG_INFO, "created_by_uid");
    private static final VarHandle PI_NR_MAP_IDS = vh(PROG_INFO, "nr_map_ids");
    private static final VarHandle PI_MAP_IDS = vh(PROG_INFO, "map_ids");
    private static final long PI_NAME = off(PROG_INFO, "name");
    private static final VarHandle PI_IFINDEX = vh(PROG_INFO, "ifindex");
    private static final VarHandle PI_GPL_COMPATIBLE = vh(PROG_INFO, "gpl_compatible");
    private static final VarHandle PI_BTF_ID = vh(PROG_INFO, "btf_id");
    private static final VarHandle PI_NR_FUNC_INFO = vh(PROG_INFO, "nr_func_info");
    private static final VarHandle PI_NR_LINE_INFO = vh(PROG_INFO, "nr_line_info");
    private static final VarHandle PI_RUN_TIME_NS = vh(PROG_INFO, "run_time_ns");
    private static final VarHandle PI_RUN_CNT = vh(PROG_INFO, "run_cnt");
    private static final VarHandle PI_RECURSION_MISSES = vh(PROG_INFO, "recursion_misses");
    private static final VarHandle PI_VERIFIED_INSNS = vh(PROG_INFO, "verified_insns");
    private static final VarHandle PI_ATTACH_BTF_OBJ_ID = vh(PROG_INFO, "attach_btf_obj_id");
    private static final VarHandle PI_ATTACH_BTF_ID = vh(PROG_INFO, "attach_btf_id");

    private static final VarHandle MI_TYPE = vh(MAP_INFO, "type");
    private static final VarHandle MI_ID = vh(MAP_INFO, "id");
    private static final VarHandle MI_KEY_SIZE = vh(MAP_INFO, "key_size");
    private static final VarHandle MI_VALUE_SIZE = vh(MAP_INFO, "value_size");
    private static final VarHandle MI_MAX_ENTRIES = vh(MAP_INFO, "max_entries");
    private static final VarHandle MI_MAP_FLAGS = vh(MAP_INFO, "map_flags");
    private static final long MI_NAME = off(MAP_INFO, "name");
    private static final VarHandle MI_IFINDEX = vh(MAP_INFO, "ifindex");
    private static final VarHandle MI_BTF_VMLINUX_VALUE_TYPE_ID = vh(MAP_INFO, "btf_vmlinux_value_type_id");
    private static final VarHandle MI_BTF_ID = vh(MAP_INFO, "btf_id");
    private static final VarHandle MI_BTF_KEY_TYPE_ID = vh(MAP_INFO, "btf_key_type_id");
    private static final VarHandle MI_BTF_VALUE_TYPE_ID = vh(MAP_INFO, "btf_value_type_id");
    private static final VarHandle MI_BTF_VMLINUX_ID = vh(MAP_INFO, "btf_vmlinux_id");
    private static final VarHandle MI_MAP_EXTRA = vh(MAP_INFO, "map_extra");

    private static final VarHandle BI_BTF = vh(BTF_INFO, "btf");
    private static final VarHandle BI_BTF_SIZE = vh(BTF_INFO, "btf_size");
    private static final VarHandle BI_ID = vh(BTF_INFO, "id");
    private static final VarHandle BI_NAME = vh(BTF_INFO, "name");
    private static final VarHandle BI_NAME_LEN = vh(BTF_INFO, "name_len");
    private static final VarHandle BI_KERNEL_BTF = vh(BTF_INFO, "kernel_btf");

    private static final VarHandle LI_TYPE = vh(LINK_INFO, "type");
    private static final VarHandle LI_ID = vh(LINK_INFO, "id");
    private static final VarHandle LI_PROG_ID = vh(LINK_INFO, "prog_id");
    private static final VarHandle LI_RT_TP_NAME = vh(LINK_INFO_RAW_TRACEPOINT, "raw_tracepoint.tp_name");
    private static final VarHandle LI_RT_TP_NAME_LEN = vh(LINK_INFO_RAW_TRACEPOINT, "raw_tracepoint.tp_name_len");
    private static final VarHandle LI_RT_COOKIE = vh(LINK_INFO_RAW_TRACEPOINT, "raw_tracepoint.cookie");
    private static final VarHandle LI_TR_ATTACH_TYPE = vh(LINK_INFO_TRACING, "tracing.attach_type");
    private static final VarHandle LI_TR_COOKIE = vh(LINK_INFO_TRACING, "tracing.cookie");

    // ---- helpers --------------------------------------------------------------------------

    /**
     * A scratch {@code bpf_attr} of any command's size, owned by the caller (allocated in
     * {@code arena}), e.g. for the batch calls of {@link MapCalls}. Not thread-safe: one per thread.
     */
    public static MemorySegment newScratch(Arena arena) {
        return arena.allocate(BpfLayouts.MAX_ATTR_SIZE, 8);
    }

    /** The address of native segment {@code s}, 0 for null; {@code what} names it when it is on the heap. */
    static long addr(MemorySegment s, String what) {
        if (s == null) {
            return 0L;
        }
        if (!s.isNative()) {
            throw new IllegalArgumentException(what + " must be native memory (allocated in an Arena), not "
                    + "a heap segment");
        }
        return s.address();
    }

    /** Writes {@code name} as a NUL-terminated char[16], truncated to 15 bytes. */
    private static void putName(MemorySegment attr, long offset, String name) {
        if (name == null) {
            return;
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, BpfFlags.BPF_OBJ_NAME_LEN - 1);
        MemorySegment.copy(b, 0, attr, ValueLayout.JAVA_BYTE, offset, n);
        attr.set(ValueLayout.JAVA_BYTE, offset + n, (byte) 0);
    }

    /** The NUL-terminated string at {@code offset}, at most {@code max} bytes. */
    static String cString(MemorySegment s, long offset, long max) {
        return CStrings.decode(s, offset, CStrings.strlen(s, offset, Math.min(s.byteSize(), offset + max)));
    }

    private static String describe(OwnedFd fd) {
        return fd.name() != null && !fd.name().isEmpty() ? fd.kind() + " '" + fd.name() + "'" : fd.toString();
    }

    private static int checkedFd(long r, String operation, String hint) {
        if (r < 0) {
            throw Syscalls.error(operation, (int) -r, hint);
        }
        return (int) r;
    }

    // ---- BPF_MAP_CREATE -------------------------------------------------------------------

    /**
     * {@code BPF_MAP_CREATE}.
     *
     * @return the new map, labelled with its name
     */
    public static Fd mapCreate(MapCreateAttr a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(MAP_CREATE);
            MC_MAP_TYPE.set(attr, 0L, a.mapType());
            MC_KEY_SIZE.set(attr, 0L, a.keySize());
            MC_VALUE_SIZE.set(attr, 0L, a.valueSize());
            MC_MAX_ENTRIES.set(attr, 0L, a.maxEntries());
            MC_MAP_FLAGS.set(attr, 0L, a.mapFlags());
            MC_INNER_MAP_FD.set(attr, 0L, a.innerMapFd());
            MC_NUMA_NODE.set(attr, 0L, a.numaNode());
            putName(attr, MC_MAP_NAME, a.name());
            MC_MAP_IFINDEX.set(attr, 0L, a.mapIfindex());
            MC_BTF_FD.set(attr, 0L, a.btfFd());
            MC_BTF_KEY_TYPE_ID.set(attr, 0L, a.btfKeyTypeId());
            MC_BTF_VALUE_TYPE_ID.set(attr, 0L, a.btfValueTypeId());
            MC_BTF_VMLINUX_VALUE_TYPE_ID.set(attr, 0L, a.btfVmlinuxValueTypeId());
            MC_MAP_EXTRA.set(attr, 0L, a.mapExtra());
            MC_VALUE_TYPE_BTF_OBJ_FD.set(attr, 0L, a.valueTypeBtfObjFd());
            MC_MAP_TOKEN_FD.set(attr, 0L, a.mapTokenFd());
            if (a.exclProgHash() != null) {
                MC_EXCL_PROG_HASH.set(attr, 0L, addr(a.exclProgHash(), "excl_prog_hash"));
                MC_EXCL_PROG_HASH_SIZE.set(attr, 0L, (int) a.exclProgHash().byteSize());
            }
            long r = Syscalls.bpfRaw(BpfCmd.BPF_MAP_CREATE, attr, MAP_CREATE.byteSize());
            String op = "BPF_MAP_CREATE of map '" + (a.name() == null ? "" : a.name()) + "'";
            if (r < 0) {
                throw Syscalls.error(op, (int) -r, mapCreateHint((int) -r, a));
            }
            return Fd.of((int) r, "map", a.name());
        }
    }

    private static String mapCreateHint(int errno, MapCreateAttr a) {
        return switch (errno) {
            case Errno.EINVAL -> "the kernel refused the map's attributes (" + a
                    + "): check type, key/value size, max_entries, flags and name (letters, digits, '_', '.')";
            case Errno.E2BIG -> "a size is too large: key/value size or max_entries, or a field this kernel "
                    + "does not know is set";
            case Errno.ENOMEM -> "not enough memory for max_entries (" + a.maxEntries() + "), or over the memlock "
                    + "limit";
            case Errno.EBADF -> "inner_map_fd or btf_fd is not an open map or BTF";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "this kernel does not support map type " + a.mapType()
                    + " with these flags";
            default -> null;
        };
    }

    // ---- BPF_PROG_LOAD --------------------------------------------------------------------

    /**
     * {@code BPF_PROG_LOAD}. Never throws for a kernel refusal: the result carries the errno,
     * the log text and {@code log_true_size}. {@code EAGAIN} is retried a few times (the kernel
     * returns it when interrupted).
     */
    public static ProgLoadResult progLoad(ProgLoadAttr a) {
        String op = "BPF_PROG_LOAD of program '" + (a.name() == null ? "" : a.name()) + "'";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PROG_LOAD);
            MemorySegment license = arena.allocateFrom(a.license() == null ? "" : a.license());
            PL_PROG_TYPE.set(attr, 0L, a.progType());
            PL_INSN_CNT.set(attr, 0L, a.insnCnt());
            PL_INSNS.set(attr, 0L, addr(a.insns(), "insns"));
            PL_LICENSE.set(attr, 0L, license.address());
            MemorySegment logBuf = a.logBuf();
            if (logBuf != null && logBuf.byteSize() > 0) {
                logBuf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
                PL_LOG_LEVEL.set(attr, 0L, a.logLevel());
                PL_LOG_SIZE.set(attr, 0L, (int) logBuf.byteSize());
                PL_LOG_BUF.set(attr, 0L, addr(logBuf, "log_buf"));
            } else {
                PL_LOG_LEVEL.set(attr, 0L, a.logLevel());
            }
            PL_KERN_VERSION.set(attr, 0L, a.kernVersion());
            PL_PROG_FLAGS.set(attr, 0L, a.progFlags());
            putName(attr, PL_PROG_NAME, a.name());
            PL_PROG_IFINDEX.set(attr, 0L, a.progIfindex());
            PL_EXPECTED_ATTACH_TYPE.set(attr, 0L, a.expectedAttachType());
            PL_PROG_BTF_FD.set(attr, 0L, a.progBtfFd());
            if (a.funcInfo() != null) {
                PL_FUNC_INFO_REC_SIZE.set(attr, 0L, a.funcInfoRecSize());
                PL_FUNC_INFO.set(attr, 0L, addr(a.funcInfo(), "func_info"));
                PL_FUNC_INFO_CNT.set(attr, 0L, a.funcInfoCnt());
            }
            if (a.lineInfo() != null) {
                PL_LINE_INFO_REC_SIZE.set(attr, 0L, a.lineInfoRecSize());
                PL_LINE_INFO.set(attr, 0L, addr(a.lineInfo(), "line_info"));
                PL_LINE_INFO_CNT.set(attr, 0L, a.lineInfoCnt());
            }
            PL_ATTACH_BTF_ID.set(attr, 0L, a.attachBtfId());
            PL_ATTACH_PROG_FD.set(attr, 0L, a.attachProgFd() != 0 ? a.attachProgFd() : a.attachBtfObjFd());
            if (a.coreRelos() != null) {
                PL_CORE_RELO_CNT.set(attr, 0L, a.coreReloCnt());
                PL_CORE_RELOS.set(attr, 0L, addr(a.coreRelos(), "core_relos"));
                PL_CORE_RELO_REC_SIZE.set(attr, 0L, a.coreReloRecSize());
            }
            PL_FD_ARRAY.set(attr, 0L, addr(a.fdArray(), "fd_array"));
            PL_FD_ARRAY_CNT.set(attr, 0L, a.fdArrayCnt());
            PL_PROG_TOKEN_FD.set(attr, 0L, a.progTokenFd());
            if (a.signature() != null) {
                PL_SIGNATURE.set(attr, 0L, addr(a.signature(), "signature"));
                PL_SIGNATURE_SIZE.set(attr, 0L, (int) a.signature().byteSize());
                PL_KEYRING_ID.set(attr, 0L, a.keyringId());
            }
            long r = -Errno.EAGAIN;
            for (int attempt = 0; attempt < PROG_LOAD_EAGAIN_RETRIES && r == -Errno.EAGAIN; attempt++) {
                PL_LOG_TRUE_SIZE.set(attr, 0L, 0);
                r = Syscalls.bpfRaw(BpfCmd.BPF_PROG_LOAD, attr, PROG_LOAD.byteSize());
            }
            int logTrueSize = (int) PL_LOG_TRUE_SIZE.get(attr, 0L);
            String log = logBuf != null && logBuf.byteSize() > 0 ? cString(logBuf, 0, logBuf.byteSize()) : "";
            if (r < 0) {
                return new ProgLoadResult(null, (int) -r, logTrueSize, log, op);
            }
            return new ProgLoadResult(Fd.of((int) r, "prog", a.name()), 0, logTrueSize, log, op);
        }
    }

    /** The hint for a refused program load, from the errno and the verifier log. */
    static String progLoadHint(int errno, String log) {
        String last = verifierReason(log);
        return switch (errno) {
            case Errno.EPERM -> last.isEmpty()
                    ? "refused before verification: needs root or CAP_BPF + CAP_PERFMON, or the kernel is locked "
                            + "down and does not allow this program type or attach point"
                    : "the verifier rejected the program: " + last;
            case Errno.EACCES, Errno.EINVAL -> last.isEmpty()
                    ? "the kernel rejected the program's attributes (type, expected attach type, attach BTF id, "
                            + "flags); load with a log level for details"
                    : "the verifier rejected the program: " + last;
            case Errno.ENOSPC -> "the verifier log buffer is too small; log_true_size says how large it must be";
            case Errno.E2BIG -> "the program is too large for the verifier (or a field this kernel does not know "
                    + "is set)";
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "this kernel does not support the program type or a feature "
                    + "it uses";
            default -> last.isEmpty() ? Errno.hint(errno) : "kernel log: " + last;
        };
    }

    /**
     * The line of a verifier log that says why it gave up: the last line that is not one of the
     * statistics lines the verifier prints at the end ("processed N insns", "verification
     * time", "stack depth"); "" for an empty log.
     */
    public static String verifierReason(String log) {
        if (log == null || log.isBlank()) {
            return "";
        }
        String[] lines = log.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("processed ") || l.startsWith("verification time")
                    || l.startsWith("stack depth")) {
                continue;
            }
            return l;
        }
        return "";
    }

    // ---- BPF_BTF_LOAD ---------------------------------------------------------------------

    /**
     * {@code BPF_BTF_LOAD} of a raw BTF blob (header, types, strings). Like {@link #progLoad}, a
     * refusal is returned with the log, not thrown.
     *
     * @param logLevel 0 for no log, 1 for errors
     * @param logBuf the log buffer, or null
     * @param name what the BTF belongs to, for messages (e.g. the object file)
     */
    public static BtfLoadResult btfLoad(MemorySegment blob, int logLevel, MemorySegment logBuf, String name) {
        return btfLoad(blob, logLevel, logBuf, 0, 0, name);
    }

    /** {@code BPF_BTF_LOAD} with {@code btf_flags} ({@link #BPF_F_TOKEN_FD}) and a token. */
    public static BtfLoadResult btfLoad(MemorySegment blob, int logLevel, MemorySegment logBuf, int btfFlags,
            int tokenFd, String name) {
        String op = "BPF_BTF_LOAD of BTF '" + (name == null ? "" : name) + "'";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BTF_LOAD);
            BL_BTF.set(attr, 0L, addr(blob, "btf"));
            BL_BTF_SIZE.set(attr, 0L, (int) blob.byteSize());
            if (logBuf != null && logBuf.byteSize() > 0) {
                logBuf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
                BL_LOG_BUF.set(attr, 0L, addr(logBuf, "btf_log_buf"));
                BL_LOG_SIZE.set(attr, 0L, (int) logBuf.byteSize());
                BL_LOG_LEVEL.set(attr, 0L, logLevel);
            }
            BL_FLAGS.set(attr, 0L, btfFlags);
            BL_TOKEN_FD.set(attr, 0L, tokenFd);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_BTF_LOAD, attr, BTF_LOAD.byteSize());
            int logTrueSize = (int) BL_LOG_TRUE_SIZE.get(attr, 0L);
            String log = logBuf != null && logBuf.byteSize() > 0 ? cString(logBuf, 0, logBuf.byteSize()) : "";
            if (r < 0) {
                return new BtfLoadResult(null, (int) -r, logTrueSize, log, op);
            }
            return new BtfLoadResult(Fd.of((int) r, "btf", name), 0, logTrueSize, log, op);
        }
    }

    // ---- BPF_OBJ_PIN / BPF_OBJ_GET --------------------------------------------------------

    /** {@code BPF_OBJ_PIN}: pins a map, program, link or BTF at {@code path} on a bpf file system. */
    public static void objPin(OwnedFd fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(OBJ);
            OBJ_PATHNAME.set(attr, 0L, arena.allocateFrom(path).address());
            OBJ_BPF_FD.set(attr, 0L, fd.get());
            long r = Syscalls.bpfRaw(BpfCmd.BPF_OBJ_PIN, attr, OBJ.byteSize());
            if (r < 0) {
                int errno = (int) -r;
                throw Syscalls.error("BPF_OBJ_PIN of " + describe(fd) + " at " + path, errno, switch (errno) {
                    case Errno.EEXIST -> "something is pinned at " + path + " already";
                    case Errno.ENOENT -> "the directory does not exist";
                    case Errno.EPERM -> "the path must be on a bpf file system (mount -t bpf bpf /sys/fs/bpf), "
                            + "or this needs root / CAP_BPF";
                    default -> null;
                });
            }
        }
    }

    /**
     * {@code BPF_OBJ_GET}: opens what is pinned at {@code path}.
     *
     * @param fileFlags 0, {@link #BPF_F_RDONLY} or {@link #BPF_F_WRONLY}
     * @param kind what the caller expects there ({@code map}, {@code prog}, {@code link}), for the label
     */
    public static Fd objGet(String path, int fileFlags, String kind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(OBJ);
            OBJ_PATHNAME.set(attr, 0L, arena.allocateFrom(path).address());
            OBJ_FILE_FLAGS.set(attr, 0L, fileFlags);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_OBJ_GET, attr, OBJ.byteSize());
            if (r < 0) {
                int errno = (int) -r;
                throw Syscalls.error("BPF_OBJ_GET of " + path, errno, switch (errno) {
                    case Errno.ENOENT -> "nothing is pinned at " + path;
                    case Errno.EPERM -> "the path must be on a bpf file system, or this needs root / CAP_BPF";
                    case Errno.EINVAL -> "the file is not a pinned BPF object, or the flags are invalid";
                    default -> null;
                });
            }
            return Fd.of((int) r, kind, path);
        }
    }

    // ---- BPF_OBJ_GET_INFO_BY_FD -----------------------------------------------------------

    /**
     * {@code BPF_OBJ_GET_INFO_BY_FD} into a caller-given info struct (e.g. {@link BpfLayouts#PROG_INFO});
     * pointer/length fields the caller set are honoured.
     *
     * @return the info length the kernel filled in
     */
    public static int objGetInfo(OwnedFd fd, MemorySegment info) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(INFO);
            INFO_BPF_FD.set(attr, 0L, fd.get());
            INFO_INFO_LEN.set(attr, 0L, (int) info.byteSize());
            INFO_INFO.set(attr, 0L, addr(info, "info"));
            long r = Syscalls.bpfRaw(BpfCmd.BPF_OBJ_GET_INFO_BY_FD, attr, INFO.byteSize());
            if (r < 0) {
                throw Syscalls.error("BPF_OBJ_GET_INFO_BY_FD of " + describe(fd), (int) -r);
            }
            return (int) INFO_INFO_LEN.get(attr, 0L);
        }
    }

    /** The {@code struct bpf_prog_info} of a program. */
    public static ProgInfo progInfo(OwnedFd prog) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(PROG_INFO);
            objGetInfo(prog, i);
            byte[] tag = new byte[8];
            MemorySegment.copy(i, ValueLayout.JAVA_BYTE, PI_TAG, tag, 0, 8);
            return new ProgInfo((int) PI_TYPE.get(i, 0L), (int) PI_ID.get(i, 0L), HexFormat.of().formatHex(tag),
                    (int) PI_JITED_PROG_LEN.get(i, 0L), (int) PI_XLATED_PROG_LEN.get(i, 0L),
                    (long) PI_LOAD_TIME.get(i, 0L), (int) PI_CREATED_BY_UID.get(i, 0L),
                    (int) PI_NR_MAP_IDS.get(i, 0L), cString(i, PI_NAME, BpfFlags.BPF_OBJ_NAME_LEN),
                    (int) PI_IFINDEX.get(i, 0L), ((int) PI_GPL_COMPATIBLE.get(i, 0L) & 1) != 0,
                    (int) PI_BTF_ID.get(i, 0L), (int) PI_NR_FUNC_INFO.get(i, 0L), (int) PI_NR_LINE_INFO.get(i, 0L),
                    (long) PI_RUN_TIME_NS.get(i, 0L), (long) PI_RUN_CNT.get(i, 0L),
                    (long) PI_RECURSION_MISSES.get(i, 0L), (int) PI_VERIFIED_INSNS.get(i, 0L),
                    (int) PI_ATTACH_BTF_OBJ_ID.get(i, 0L), (int) PI_ATTACH_BTF_ID.get(i, 0L));
        }
    }

    /**
     * The translated (xlated) instructions of a program, 8 bytes each, as the kernel rewrote
     * them (map fds replaced by map addresses or ids; empty when the kernel hides them).
     */
    public static byte[] progXlatedInsns(OwnedFd prog) {
        int len = progInfo(prog).xlatedProgLen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(len, 8), 8);
            MemorySegment i = arena.allocate(PROG_INFO);
            PI_XLATED_PROG_LEN.set(i, 0L, len);
            PI_XLATED_PROG_INSNS.set(i, 0L, buf.address());
            objGetInfo(prog, i);
            int got = Math.min(len, (int) PI_XLATED_PROG_LEN.get(i, 0L));
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The ids of the maps a program uses. */
    public static int[] progMapIds(OwnedFd prog) {
        int n = progInfo(prog).nrMapIds();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ValueLayout.JAVA_INT, Math.max(n, 1));
            MemorySegment i = arena.allocate(PROG_INFO);
            PI_NR_MAP_IDS.set(i, 0L, n);
            PI_MAP_IDS.set(i, 0L, buf.address());
            objGetInfo(prog, i);
            int got = Math.min(n, (int) PI_NR_MAP_IDS.get(i, 0L));
            return buf.asSlice(0, 4L * got).toArray(ValueLayout.JAVA_INT);
        }
    }

    /** The {@code struct bpf_map_info} of a map. */
    public static MapInfo mapInfo(OwnedFd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(MAP_INFO);
            objGetInfo(map, i);
            return new MapInfo((int) MI_TYPE.get(i, 0L), (int) MI_ID.get(i, 0L), (int) MI_KEY_SIZE.get(i, 0L),
                    (int) MI_VALUE_SIZE.get(i, 0L), (int) MI_MAX_ENTRIES.get(i, 0L), (int) MI_MAP_FLAGS.get(i, 0L),
                    cString(i, MI_NAME, BpfFlags.BPF_OBJ_NAME_LEN), (int) MI_IFINDEX.get(i, 0L),
                    (int) MI_BTF_VMLINUX_VALUE_TYPE_ID.get(i, 0L), (int) MI_BTF_ID.get(i, 0L),
                    (int) MI_BTF_KEY_TYPE_ID.get(i, 0L), (int) MI_BTF_VALUE_TYPE_ID.get(i, 0L),
                    (int) MI_BTF_VMLINUX_ID.get(i, 0L), (long) MI_MAP_EXTRA.get(i, 0L));
        }
    }

    /** The {@code struct bpf_btf_info} of a BTF object, with its name for kernel BTF. */
    public static BtfInfo btfInfo(OwnedFd btf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            MemorySegment i = arena.allocate(BTF_INFO);
            BI_NAME.set(i, 0L, name.address());
            BI_NAME_LEN.set(i, 0L, (int) name.byteSize());
            objGetInfo(btf, i);
            return new BtfInfo((int) BI_ID.get(i, 0L), (int) BI_BTF_SIZE.get(i, 0L), cString(name, 0, 256),
                    (int) BI_KERNEL_BTF.get(i, 0L) != 0);
        }
    }

    /** The raw BTF of a BTF object, as the kernel holds it. */
    public static byte[] btfData(OwnedFd btf) {
        int size = btfInfo(btf).btfSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(size, 1));
            MemorySegment i = arena.allocate(BTF_INFO);
            BI_BTF.set(i, 0L, buf.address());
            BI_BTF_SIZE.set(i, 0L, size);
            objGetInfo(btf, i);
            int got = Math.min(size, (int) BI_BTF_SIZE.get(i, 0L));
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The {@code struct bpf_link_info} of a link: common part, raw_tracepoint name, tracing attach type. */
    public static LinkInfo linkInfo(OwnedFd link) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(LINK_INFO);
            objGetInfo(link, i);
            int type = (int) LI_TYPE.get(i, 0L);
            String tpName = null;
            int attachType = 0;
            long cookie = 0;
            if (type == LINK_TYPE_RAW_TRACEPOINT) {
                MemorySegment name = arena.allocate(256);
                MemorySegment j = arena.allocate(LINK_INFO_RAW_TRACEPOINT);
                LI_RT_TP_NAME.set(j, 0L, name.address());
                LI_RT_TP_NAME_LEN.set(j, 0L, (int) name.byteSize());
                objGetInfo(link, j);
                tpName = cString(name, 0, name.byteSize());
                cookie = (long) LI_RT_COOKIE.get(j, 0L);
            } else if (type == LINK_TYPE_TRACING) {
                attachType = (int) LI_TR_ATTACH_TYPE.get(i, 0L);
                cookie = (long) LI_TR_COOKIE.get(i, 0L);
            } else if (type == BpfLinkType.BPF_LINK_TYPE_SOCKMAP) {
                attachType = (int) LI_SM_ATTACH_TYPE.get(i, 0L);
            }
            return new LinkInfo(type, (int) LI_ID.get(i, 0L), (int) LI_PROG_ID.get(i, 0L), tpName, attachType,
                    cookie);
        }
    }

    // ---- ids ------------------------------------------------------------------------------

    private static Fd fdById(int cmd, String cmdName, String kind, int id, int openFlags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(GET_ID);
            ID_START_ID.set(attr, 0L, id);
            ID_OPEN_FLAGS.set(attr, 0L, openFlags);
            long r = Syscalls.bpfRaw(cmd, attr, GET_ID.byteSize());
            int fd = checkedFd(r, cmdName + " of " + kind + " id " + id,
                    r == -Errno.ENOENT ? "no " + kind + " with id " + id + " (it was freed)" : null);
            return Fd.of(fd, kind, "id " + id);
        }
    }

    /** {@code BPF_PROG_GET_FD_BY_ID}. */
    public static Fd progGetFdById(int id) {
        return fdById(BpfCmd.BPF_PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID", "prog", id, 0);
    }

    /** {@code BPF_MAP_GET_FD_BY_ID} with {@code open_flags} ({@link #BPF_F_RDONLY}, ...). */
    public static Fd mapGetFdById(int id, int openFlags) {
        return fdById(BpfCmd.BPF_MAP_GET_FD_BY_ID, "BPF_MAP_GET_FD_BY_ID", "map", id, openFlags);
    }

    /** {@code BPF_BTF_GET_FD_BY_ID}. */
    public static Fd btfGetFdById(int id) {
        return fdById(BpfCmd.BPF_BTF_GET_FD_BY_ID, "BPF_BTF_GET_FD_BY_ID", "btf", id, 0);
    }

    /** {@code BPF_LINK_GET_FD_BY_ID}. */
    public static Fd linkGetFdById(int id) {
        return fdById(BpfCmd.BPF_LINK_GET_FD_BY_ID, "BPF_LINK_GET_FD_BY_ID", "link", id, 0);
    }

    private static int nextId(int cmd, String cmdName, int startId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(GET_ID);
            ID_START_ID.set(attr, 0L, startId);
            long r = Syscalls.bpfRaw(cmd, attr, GET_ID.byteSize());
            if (r == -Errno.ENOENT) {
                return 0;
            }
            checkedFd(r, cmdName + " after id " + startId, null);
            return (int) ID_NEXT_ID.get(attr, 0L);
        }
    }

    /** {@code BPF_PROG_GET_NEXT_ID}: the next program id after {@code startId}, or 0 at the end. */
    public static int progGetNextId(int startId) {
        return nextId(BpfCmd.BPF_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID", startId);
    }

    /** {@code BPF_MAP_GET_NEXT_ID}: the next map id after {@code startId}, or 0 at the end. */
    public static int mapGetNextId(int startId) {
        return nextId(BpfCmd.BPF_MAP_GET_NEXT_ID, "BPF_MAP_GET_NEXT_ID", startId);
    }

    /** {@code BPF_BTF_GET_NEXT_ID}: the next BTF id after {@code startId}, or 0 at the end. */
    public static int btfGetNextId(int startId) {
        return nextId(BpfCmd.BPF_BTF_GET_NEXT_ID, "BPF_BTF_GET_NEXT_ID", startId);
    }

    /** {@code BPF_LINK_GET_NEXT_ID}: the next link id after {@code startId}, or 0 at the end. */
    public static int linkGetNextId(int startId) {
        return nextId(BpfCmd.BPF_LINK_GET_NEXT_ID, "BPF_LINK_GET_NEXT_ID", startId);
    }

    // ---- BPF_PROG_TEST_RUN ----------------------------------------------------------------

    /** {@code BPF_PROG_TEST_RUN}: runs the program in the kernel on the given data and context. */
    public static TestRunResult progTestRun(OwnedFd prog, TestRunAttr t) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(TEST_RUN);
            TR_PROG_FD.set(attr, 0L, prog.get());
            if (t.dataIn() != null) {
                TR_DATA_IN.set(attr, 0L, addr(t.dataIn(), "data_in"));
                TR_DATA_SIZE_IN.set(attr, 0L, (int) t.dataIn().byteSize());
            }
            if (t.dataOut() != null) {
                TR_DATA_OUT.set(attr, 0L, addr(t.dataOut(), "data_out"));
                TR_DATA_SIZE_OUT.set(attr, 0L, (int) t.dataOut().byteSize());
            }
            if (t.ctxIn() != null) {
                TR_CTX_IN.set(attr, 0L, addr(t.ctxIn(), "ctx_in"));
                TR_CTX_SIZE_IN.set(attr, 0L, (int) t.ctxIn().byteSize());
            }
            if (t.ctxOut() != null) {
                TR_CTX_OUT.set(attr, 0L, addr(t.ctxOut(), "ctx_out"));
                TR_CTX_SIZE_OUT.set(attr, 0L, (int) t.ctxOut().byteSize());
            }
            TR_REPEAT.set(attr, 0L, t.repeat());
            TR_FLAGS.set(attr, 0L, t.flags());
            TR_CPU.set(attr, 0L, t.cpu());
            TR_BATCH_SIZE.set(attr, 0L, t.batchSize());
            long r = Syscalls.bpfRaw(BpfCmd.BPF_PROG_TEST_RUN, attr, TEST_RUN.byteSize());
            if (r < 0) {
                int errno = (int) -r;
                throw Syscalls.error("BPF_PROG_TEST_RUN of " + describe(prog), errno, switch (errno) {
                    case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> "this program type cannot be test-run";
                    case Errno.ENOSPC -> "data_out or ctx_out is too small";
                    case Errno.EINVAL -> "data or context of the wrong size for this program type, or flags "
                            + "this type does not take";
                    default -> null;
                });
            }
            return new TestRunResult((int) TR_RETVAL.get(attr, 0L), (int) TR_DURATION.get(attr, 0L),
                    (int) TR_DATA_SIZE_OUT.get(attr, 0L), (int) TR_CTX_SIZE_OUT.get(attr, 0L));
        }
    }

    // ---- links and attachment -------------------------------------------------------------

    /** {@code BPF_LINK_CREATE}. */
    public static Fd linkCreate(LinkCreateAttr a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(LINK_CREATE);
            LC_PROG_FD.set(attr, 0L, a.progFd());
            LC_TARGET_FD.set(attr, 0L, a.target());
            LC_ATTACH_TYPE.set(attr, 0L, a.attachType());
            LC_FLAGS.set(attr, 0L, a.flags());
            switch (a.variant()) {
                case LinkCreateAttr.None n -> {
                }
                case LinkCreateAttr.TargetBtfId v -> LC_TARGET_BTF_ID.set(attr, 0L, v.targetBtfId());
                case LinkCreateAttr.Iter v -> {
                    LC_ITER_INFO.set(attr, 0L, addr(v.iterInfo(), "iter_info"));
                    LC_ITER_INFO_LEN.set(attr, 0L, v.iterInfo() == null ? 0 : (int) v.iterInfo().byteSize());
                }
                case LinkCreateAttr.PerfEvent v -> LC_PERF_COOKIE.set(attr, 0L, v.bpfCookie());
                case LinkCreateAttr.KprobeMulti v -> {
                    LC_KM_FLAGS.set(attr, 0L, v.flags());
                    LC_KM_CNT.set(attr, 0L, v.cnt());
                    LC_KM_SYMS.set(attr, 0L, addr(v.syms(), "kprobe_multi.syms"));
                    LC_KM_ADDRS.set(attr, 0L, addr(v.addrs(), "kprobe_multi.addrs"));
                    LC_KM_COOKIES.set(attr, 0L, addr(v.cookies(), "kprobe_multi.cookies"));
                }
                case LinkCreateAttr.Tracing v -> {
                    LC_TRACING_BTF_ID.set(attr, 0L, v.targetBtfId());
                    LC_TRACING_COOKIE.set(attr, 0L, v.cookie());
                }
                case LinkCreateAttr.Netfilter v -> {
                    LC_NF_PF.set(attr, 0L, v.pf());
                    LC_NF_HOOKNUM.set(attr, 0L, v.hooknum());
                    LC_NF_PRIORITY.set(attr, 0L, v.priority());
                    LC_NF_FLAGS.set(attr, 0L, v.flags());
                }
                case LinkCreateAttr.Relative v -> {
                    LC_REL_FD.set(attr, 0L, v.relativeFdOrId());
                    LC_REL_REVISION.set(attr, 0L, v.expectedRevision());
                }
                case LinkCreateAttr.UprobeMulti v -> {
                    LC_UM_PATH.set(attr, 0L, v.path() == null ? 0L : arena.allocateFrom(v.path()).address());
                    LC_UM_OFFSETS.set(attr, 0L, addr(v.offsets(), "uprobe_multi.offsets"));
                    LC_UM_REF_CTR.set(attr, 0L, addr(v.refCtrOffsets(), "uprobe_multi.ref_ctr_offsets"));
                    LC_UM_COOKIES.set(attr, 0L, addr(v.cookies(), "uprobe_multi.cookies"));
                    LC_UM_CNT.set(attr, 0L, v.cnt());
                    LC_UM_FLAGS.set(attr, 0L, v.flags());
                    LC_UM_PID.set(attr, 0L, v.pid());
                }
                case LinkCreateAttr.Raw v -> MemorySegment.copy(v.tail(), 0, attr, LC_UNION, v.tail().byteSize());
            }
            long r = Syscalls.bpfRaw(BpfCmd.BPF_LINK_CREATE, attr, LINK_CREATE.byteSize());
            String name = a.name() == null ? "" : a.name();
            int fd = checkedFd(r, "BPF_LINK_CREATE of program '" + name + "' (attach type " + a.attachType() + ")",
                    attachHint((int) -r));
            return Fd.of(fd, "link", a.name());
        }
    }

    private static String attachHint(int errno) {
        return switch (errno) {
            case Errno.EINVAL -> "the program type, expected attach type and target do not fit together";
            case Errno.EBADF -> "the program or target descriptor is closed or of the wrong kind";
            case Errno.EEXIST -> "something is attached there already";
            case Errno.ENOENT -> "no such target";
            case Errno.ENODEV -> "no network interface with that index in this network namespace";
            case Errno.EPERM -> "needs root or CAP_BPF + CAP_PERFMON (CAP_NET_ADMIN for network hooks), or the "
                    + "kernel is locked down";
            default -> null;
        };
    }

    /** {@code BPF_LINK_UPDATE}: swaps the program of a link ({@code oldProg} with {@link #BPF_F_REPLACE}). */
    public static void linkUpdate(OwnedFd link, OwnedFd newProg, OwnedFd oldProg, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(LINK_UPDATE);
            LU_LINK_FD.set(attr, 0L, link.get());
            LU_NEW_PROG_FD.set(attr, 0L, newProg.get());
            LU_FLAGS.set(attr, 0L, flags);
            LU_OLD_PROG_FD.set(attr, 0L, oldProg == null ? 0 : oldProg.get());
            checkedFd(Syscalls.bpfRaw(BpfCmd.BPF_LINK_UPDATE, attr, LINK_UPDATE.byteSize()),
                    "BPF_LINK_UPDATE of " + describe(link) + " to " + describe(newProg), null);
        }
    }

    /** {@code BPF_LINK_DETACH}: detaches a link; the descriptor stays open (and defunct). */
    public static void linkDetach(OwnedFd link) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(LINK_DETACH);
            LD_LINK_FD.set(attr, 0L, link.get());
            checkedFd(Syscalls.bpfRaw(BpfCmd.BPF_LINK_DETACH, attr, LINK_DETACH.byteSize()),
                    "BPF_LINK_DETACH of " + describe(link), null);
        }
    }

    /**
     * {@code BPF_RAW_TRACEPOINT_OPEN}: attaches a raw_tp program to tracepoint {@code name}, or
     * (name null) a tracing/LSM program to the target it was loaded for.
     */
    public static Fd rawTracepointOpen(String name, OwnedFd prog, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(RAW_TRACEPOINT);
            RT_NAME.set(attr, 0L, name == null ? 0L : arena.allocateFrom(name).address());
            RT_PROG_FD.set(attr, 0L, prog.get());
            RT_COOKIE.set(attr, 0L, cookie);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_RAW_TRACEPOINT_OPEN, attr, RAW_TRACEPOINT.byteSize());
            int fd = checkedFd(r, "BPF_RAW_TRACEPOINT_OPEN of " + describe(prog)
                    + (name == null ? "" : " on '" + name + "'"), r == -Errno.ENOENT
                            ? "no raw tracepoint '" + name + "' in this kernel"
                            : cookie != 0 && r == -Errno.EINVAL
                                    ? "raw tracepoint cookies need Linux 6.10; older kernels refuse any cookie"
                                    : attachHint((int) -r));
            return Fd.of(fd, "link", name != null ? name : prog.name());
        }
    }

    /** {@code BPF_PROG_ATTACH} (cgroup, sockmap, flow dissector, ...). */
    public static void progAttach(int targetFd, OwnedFd prog, int attachType, int attachFlags) {
        progAttach(targetFd, prog, attachType, attachFlags, 0, 0, 0L);
    }

    /**
     * {@code BPF_PROG_ATTACH} with every field: the program to replace
     * ({@link #BPF_F_REPLACE}), the relative program/link ({@link #BPF_F_BEFORE},
     * {@link #BPF_F_AFTER}, {@link #BPF_F_ID}) and the expected revision.
     */
    public static void progAttach(int targetFd, OwnedFd prog, int attachType, int attachFlags, int replaceFd,
            int relativeFdOrId, long expectedRevision) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PROG_ATTACH);
            PA_TARGET_FD.set(attr, 0L, targetFd);
            PA_ATTACH_BPF_FD.set(attr, 0L, prog.get());
            PA_ATTACH_TYPE.set(attr, 0L, attachType);
            PA_ATTACH_FLAGS.set(attr, 0L, attachFlags);
            PA_REPLACE_BPF_FD.set(attr, 0L, replaceFd);
            PA_RELATIVE_FD.set(attr, 0L, relativeFdOrId);
            PA_EXPECTED_REVISION.set(attr, 0L, expectedRevision);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_PROG_ATTACH, attr, PROG_ATTACH.byteSize());
            checkedFd(r, "BPF_PROG_ATTACH of " + describe(prog) + " (attach type " + attachType + ")",
                    attachHint((int) -r));
        }
    }

    /** {@code BPF_PROG_DETACH}; {@code prog} may be null where the attach type allows it. */
    public static void progDetach(int targetFd, OwnedFd prog, int attachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PROG_ATTACH);
            PA_TARGET_FD.set(attr, 0L, targetFd);
            PA_ATTACH_BPF_FD.set(attr, 0L, prog == null ? 0 : prog.get());
            PA_ATTACH_TYPE.set(attr, 0L, attachType);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_PROG_DETACH, attr, PROG_ATTACH.byteSize());
            checkedFd(r, "BPF_PROG_DETACH" + (prog == null ? "" : " of " + describe(prog)) + " (attach type "
                    + attachType + ")", r == -Errno.ENOENT ? "nothing of that type is attached there" : null);
        }
    }

    /** {@code BPF_PROG_QUERY}: the programs attached to {@code targetFd} for {@code attachType}. */
    public static QueryResult progQuery(int targetFd, int attachType, int queryFlags, int capacity) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(QUERY);
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, Math.max(capacity, 1));
            Q_TARGET_FD.set(attr, 0L, targetFd);
            Q_ATTACH_TYPE.set(attr, 0L, attachType);
            Q_QUERY_FLAGS.set(attr, 0L, queryFlags);
            Q_PROG_IDS.set(attr, 0L, capacity > 0 ? ids.address() : 0L);
            Q_PROG_CNT.set(attr, 0L, capacity);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_PROG_QUERY, attr, QUERY.byteSize());
            int count = (int) Q_PROG_CNT.get(attr, 0L);
            if (r < 0 && !(r == -Errno.ENOSPC && capacity > 0)) {
                throw Syscalls.error("BPF_PROG_QUERY of fd " + targetFd + " (attach type " + attachType + ")",
                        (int) -r);
            }
            int n = Math.min(count, capacity);
            return new QueryResult((int) Q_ATTACH_FLAGS.get(attr, 0L),
                    ids.asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT), count, (long) Q_REVISION.get(attr, 0L));
        }
    }

    /** {@code BPF_ITER_CREATE}: a readable descriptor that runs an iterator link's program. */
    public static Fd iterCreate(OwnedFd link) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ITER_CREATE);
            IC_LINK_FD.set(attr, 0L, link.get());
            IC_FLAGS.set(attr, 0L, 0);
            int fd = checkedFd(Syscalls.bpfRaw(BpfCmd.BPF_ITER_CREATE, attr, ITER_CREATE.byteSize()),
                    "BPF_ITER_CREATE of " + describe(link), null);
            return Fd.of(fd, "iter", link.name());
        }
    }

    /** {@code BPF_PROG_BIND_MAP}: keeps {@code map} alive as long as {@code prog} (e.g. .rodata metadata). */
    public static void progBindMap(OwnedFd prog, OwnedFd map, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PROG_BIND_MAP);
            BM_PROG_FD.set(attr, 0L, prog.get());
            BM_MAP_FD.set(attr, 0L, map.get());
            BM_FLAGS.set(attr, 0L, flags);
            checkedFd(Syscalls.bpfRaw(BpfCmd.BPF_PROG_BIND_MAP, attr, PROG_BIND_MAP.byteSize()),
                    "BPF_PROG_BIND_MAP of " + describe(map) + " to " + describe(prog), null);
        }
    }

    /**
     * {@code BPF_ENABLE_STATS}: turns on run-time statistics ({@link #BPF_STATS_RUN_TIME}) for as
     * long as the returned descriptor is open.
     */
    public static Fd enableStats(int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ENABLE_STATS);
            ES_TYPE.set(attr, 0L, type);
            int fd = checkedFd(Syscalls.bpfRaw(BpfCmd.BPF_ENABLE_STATS, attr, ENABLE_STATS.byteSize()),
                    "BPF_ENABLE_STATS of type " + type, null);
            return Fd.of(fd, "stats", null);
        }
    }

    // ---- BPF_TOKEN_CREATE -----------------------------------------------------------------

    /**
     * {@code BPF_TOKEN_CREATE} (6.9): a BPF token from the root directory of a bpf file system
     * mounted with {@code delegate_*} options in a user namespace, which lets a process of that
     * namespace load what the mount delegates. {@code bpffs} is that directory, opened; the
     * caller keeps and closes it.
     *
     * @param path the directory's path, for messages
     */
    public static Fd tokenCreate(OwnedFd bpffs, String path) {
        return tokenCreate(bpffs.get(), path);
    }

    /** {@link #tokenCreate(OwnedFd, String)} with a raw fd (-1 for the feature probe). */
    public static Fd tokenCreate(int bpffsFd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(TOKEN_CREATE);
            TC_FLAGS.set(attr, 0L, 0);
            TC_BPFFS_FD.set(attr, 0L, bpffsFd);
            long r = Syscalls.bpfRaw(BpfCmd.BPF_TOKEN_CREATE, attr, TOKEN_CREATE.byteSize());
            int fd = checkedFd(r, "BPF_TOKEN_CREATE from " + path, switch ((int) -r) {
                case Errno.EINVAL -> path + " is not the root of a bpf file system (or this kernel has no BPF tokens)";
                case Errno.ENOENT -> "the bpf file system at " + path + " delegates nothing: mount it with "
                        + "delegate_cmds, delegate_maps, delegate_progs or delegate_attachs";
                case Errno.EOPNOTSUPP -> "the bpf file system at " + path + " belongs to the initial user namespace;"
                        + " a token comes from a bpffs created for a user namespace, used from inside it";
                case Errno.EPERM -> "a token must be created in the user namespace that owns the bpf file system at "
                        + path + ", with CAP_BPF in it";
                default -> null;
            });
            return Fd.of(fd, "token", path);
        }
    }
}
