package io.bpfkit.object;

/**
 * The kernel's {@code enum bpf_map_type}, with the numbers of the UAPI and the names libbpf
 * prints ({@code hash}, {@code ringbuf}, ...).
 */
public enum MapType {
    UNSPEC(0, "unspec"),
    HASH(1, "hash"),
    ARRAY(2, "array"),
    PROG_ARRAY(3, "prog_array"),
    PERF_EVENT_ARRAY(4, "perf_event_array"),
    PERCPU_HASH(5, "percpu_hash"),
    PERCPU_ARRAY(6, "percpu_array"),
    STACK_TRACE(7, "stack_trace"),
    CGROUP_ARRAY(8, "cgroup_array"),
    LRU_HASH(9, "lru_hash"),
    LRU_PERCPU_HASH(10, "lru_percpu_hash"),
    LPM_TRIE(11, "lpm_trie"),
    ARRAY_OF_MAPS(12, "array_of_maps"),
    HASH_OF_MAPS(13, "hash_of_maps"),
    DEVMAP(14, "devmap"),
    SOCKMAP(15, "sockmap"),
    CPUMAP(16, "cpumap"),
    XSKMAP(17, "xskmap"),
    SOCKHASH(18, "sockhash"),
    CGROUP_STORAGE(19, "cgroup_storage"),
    REUSEPORT_SOCKARRAY(20, "reuseport_sockarray"),
    PERCPU_CGROUP_STORAGE(21, "percpu_cgroup_storage"),
    QUEUE(22, "queue"),
    STACK(23, "stack"),
    SK_STORAGE(24, "sk_storage"),
    DEVMAP_HASH(25, "devmap_hash"),
    STRUCT_OPS(26, "struct_ops"),
    RINGBUF(27, "ringbuf"),
    INODE_STORAGE(28, "inode_storage"),
    TASK_STORAGE(29, "task_storage"),
    BLOOM_FILTER(30, "bloom_filter"),
    USER_RINGBUF(31, "user_ringbuf"),
    CGRP_STORAGE(32, "cgrp_storage"),
    ARENA(33, "arena");

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
