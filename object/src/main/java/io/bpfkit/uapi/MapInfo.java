package io.bpfkit.uapi;

/** {@code struct bpf_map_info} of a map ({@code BPF_OBJ_GET_INFO_BY_FD}). */
public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int mapFlags, String name,
        int ifindex, int btfVmlinuxValueTypeId, int btfId, int btfKeyTypeId, int btfValueTypeId, int btfVmlinuxId,
        long mapExtra) {
}
