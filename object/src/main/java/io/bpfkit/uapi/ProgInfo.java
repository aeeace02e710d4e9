package io.bpfkit.uapi;

/**
 * {@code struct bpf_prog_info} of a loaded program ({@code BPF_OBJ_GET_INFO_BY_FD}). The
 * translated instructions and map ids need buffers: {@code Bpf.progXlatedInsns} and
 * {@code Bpf.progMapIds}.
 *
 * @param tag the program tag as 16 lowercase hex digits, as bpftool prints it
 */
public record ProgInfo(int type, int id, String tag, int jitedProgLen, int xlatedProgLen, long loadTime,
        int createdByUid, int nrMapIds, String name, int ifindex, boolean gplCompatible, int btfId,
        int nrFuncInfo, int nrLineInfo, long runTimeNs, long runCnt, long recursionMisses, int verifiedInsns,
        int attachBtfObjId, int attachBtfId) {
}
