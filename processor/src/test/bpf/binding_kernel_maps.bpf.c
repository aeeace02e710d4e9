// SPDX-License-Identifier: GPL-2.0
/*
 * binding_kernel_maps.bpf.c -- maps of kernel objects for the processor tests (opened only,
 * never loaded).
 *
 * Maps:
 *   stacks      STACK_TRACE  __u32 -> __u64[16]
 *   socks       SOCKMAP      __u32 -> __u64 (4 slots)
 *   sock_hash   SOCKHASH     struct conn_key { __u32 addr; __u16 port; (2 pad) } -> __u64
 *   ports       DEVMAP       __u32 -> struct bpf_devmap_val
 *   ports_hash  DEVMAP_HASH  __u32 -> __u32
 *   cpus        CPUMAP       __u32 -> struct bpf_cpumap_val
 *   xsks        XSKMAP       __u32 -> __u32
 *   task_store  TASK_STORAGE int -> struct task_value { __u64 magic; __u32 tid; __u32 runs; }
 *   sk_store    SK_STORAGE   int -> __u64
 *   arena       ARENA        4 pages
 * Program: on_xdp, xdp.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The build's uapi header (Linux 6.1) predates arenas: their map type's number. */
#define MAP_TYPE_ARENA 33

struct conn_key {
	__u32 addr;
	__u16 port;
};

struct task_value {
	__u64 magic;
	__u32 tid;
	__u32 runs;
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, struct conn_key);
	__type(value, __u64);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_value);
} task_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_store SEC(".maps");

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

SEC("xdp")
int on_xdp(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, 0, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
