package io.bpfkit.api.map;

/**
 * A map as the kernel describes it ({@code struct bpf_map_info}).
 *
 * @param id the kernel's id of the map (stable while the map lives; shown by {@code bpftool map})
 * @param name the name the kernel holds (at most 15 bytes)
 * @param type the kernel's map type number ({@code BPF_MAP_TYPE_*})
 * @param typeName libbpf's name of the type, e.g. {@code hash}, or {@code type N} when unknown
 * @param keySize key size in bytes
 * @param valueSize value size in bytes (per CPU for per-CPU maps)
 * @param maxEntries capacity
 * @param flags {@code map_flags}, e.g. {@code BPF_F_NO_PREALLOC} (1) or {@code BPF_F_MMAPABLE} (1024)
 */
public record MapInfo(int id, String name, int type, String typeName, int keySize, int valueSize, int maxEntries,
        int flags) {
}
