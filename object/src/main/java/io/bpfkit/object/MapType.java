package io.bpfkit.object;

import io.bpfkit.uapi.BpfMapType;

/**
 * The kernel's {@code enum bpf_map_type}, with the numbers of the UAPI and the names libbpf
 * prints ({@code hash}, {@code ringbuf}, ...).
 */
public enum MapType {
    UNSPEC(BpfMapType.BPF_MAP_TYPE_UNSPEC, "unspec"),
    HASH(BpfMapType.BPF_MAP_TYPE_HASH, "hash"),
    ARRAY(BpfMapType.BPF_MAP_TYPE_ARRAY, "array"),
    PROG_ARRAY(BpfMapType.BPF_MAP_TYPE_PROG_ARRAY, "prog_array"),
    PERF_EVENT_ARRAY(BpfMapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf_event_array"),
    PERCPU_HASH(BpfMapType.BPF_MAP_TYPE_PERCPU_HASH, "percpu_hash"),
    PERCPU_ARRAY(BpfMapType.BPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array"),
    STACK_TRACE(BpfMapType.BPF_MAP_TYPE_STACK_TRACE, "stack_trace"),
    CGROUP_ARRAY(BpfMapType.BPF_MAP_TYPE_CGROUP_ARRAY, "cgroup_array"),
    LRU_HASH(BpfMapType.BPF_MAP_TYPE_LRU_HASH, "lru_hash"),
    LRU_PERCPU_HASH(BpfMapType.BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash"),
    LPM_TRIE(BpfMapType.BPF_MAP_TYPE_LPM_TRIE, "lpm_trie"),
    ARRAY_OF_MAPS(BpfMapType.BPF_MAP_TYPE_ARRAY_OF_MAPS, "array_of_maps"),
    HASH_OF_MAPS(BpfMapType.BPF_MAP_TYPE_HASH_OF_MAPS, "hash_of_maps"),
    DEVMAP(BpfMapType.BPF_MAP_TYPE_DEVMAP, "devmap"),
    SOCKMAP(BpfMapType.BPF_MAP_TYPE_SOCKMAP, "sockmap"),
    CPUMAP(BpfMapType.BPF_MAP_TYPE_CPUMAP, "cpumap"),
    XSKMAP(BpfMapType.BPF_MAP_TYPE_XSKMAP, "xskmap"),
    SOCKHASH(BpfMapType.BPF_MAP_TYPE_SOCKHASH, "sockhash"),
    CGROUP_STORAGE(BpfMapType.BPF_MAP_TYPE_CGROUP_STORAGE, "cgroup_storage"),
    REUSEPORT_SOCKARRAY(BpfMapType.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, "reuseport_sockarray"),
    PERCPU_CGROUP_STORAGE(BpfMapType.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, "percpu_cgroup_storage"),
    QUEUE(BpfMapType.BPF_MAP_TYPE_QUEUE, "queue"),
    STACK(BpfMapType.BPF_MAP_TYPE_STACK, "stack"),
    SK_STORAGE(BpfMapType.BPF_MAP_TYPE_SK_STORAGE, "sk_storage"),
    DEVMAP_HASH(BpfMapType.BPF_MAP_TYPE_DEVMAP_HASH, "devmap_hash"),
    STRUCT_OPS(BpfMapType.BPF_MAP_TYPE_STRUCT_OPS, "struct_ops"),
    RINGBUF(BpfMapType.BPF_MAP_TYPE_RINGBUF, "ringbuf"),
    INODE_STORAGE(BpfMapType.BPF_MAP_TYPE_INODE_STORAGE, "inode_storage"),
    TASK_STORAGE(BpfMapType.BPF_MAP_TYPE_TASK_STORAGE, "task_storage"),
    BLOOM_FILTER(BpfMapType.BPF_MAP_TYPE_BLOOM_FILTER, "bloom_filter"),
    USER_RINGBUF(BpfMapType.BPF_MAP_TYPE_USER_RINGBUF, "user_ringbuf"),
    CGRP_STORAGE(BpfMapType.BPF_MAP_TYPE_CGRP_STORAGE, "cgrp_storage"),
    ARENA(BpfMapType.BPF_MAP_TYPE_ARENA, "arena");

    private static final MapType[] BY_VALUE = values();

    private final int value;
    private final String libbpfName;

    MapType(int value, String libbpfName) {
        this.value = value;
        this.libbpfName = libbpfName;
    }

    /** The kernel's number for this type. */
    public int value() {
        return value;
    }

    /** The name libbpf and bpftool print. */
    public String libbpfName() {
        return libbpfName;
    }

    /** The type with the kernel number {@code value}, or null when this bpfkit does not know it. */
    public static MapType of(long value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[(int) value] : null;
    }

    /** Per-CPU maps hold one value per possible CPU, each rounded up to 8 bytes. */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Maps whose values are other maps. */
    public boolean isMapInMap() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }
}
