// SPDX-License-Identifier: GPL-2.0
/*
 * binding.bpf.c -- the object the processor tests check interfaces against (opened only,
 * never loaded: the tests need no privilege).
 *
 * Maps:
 *   flows     HASH      struct flow_key { __u32 saddr; __u16 sport; __u8 proto; (1 pad) }
 *                       -> struct flow_stats { __u64 packets; __u32 bytes; (4 pad)
 *                          struct inner { __s16 a; (2 pad) __s32 b; } inner; char comm[16];
 *                          __s32 hist[3]; (4 pad) }   (48 bytes)
 *   hits      ARRAY     __u32 -> __u64
 *   per_cpu   PERCPU_ARRAY __u32 -> __u64
 *   events    RINGBUF   4096 bytes of struct event { __u32 pid; __u32 cpu; __u64 ts; }
 *   commands  USER_RINGBUF 4096 bytes, samples struct event (written from Java)
 *   cycles    PERF_EVENT_ARRAY (PMU counters)
 *   tables    ARRAY_OF_MAPS (2 slots) of ARRAY __u32 -> __u64 (2 entries); slot 0: table0
 *   tenants   HASH_OF_MAPS __u32 -> the same inner ARRAY
 *   table0    ARRAY __u32 -> __u64 (2 entries)
 * Globals:
 *   .rodata          __u32 target_pid; __s64 threshold
 *   .bss             __u64 total; struct inner last; const struct event *unused_event
 *   .data            __s32 level = 3; char name[8] = "bind"
 *   .data.counters   __u64 misses = 0
 * Programs:
 *   on_enter  tp/raw_syscalls/sys_enter   (auto-attachable)
 *   on_xdp    xdp                         (no attach target in the section)
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
	__u32 saddr;
	__u16 sport;
	__u8 proto;
};

struct inner {
	__s16 a;
	__s32 b;
};

struct flow_stats {
	__u64 packets;
	__u32 bytes;
	struct inner inner;
	char comm[16];
	__s32 hist[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} commands SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} cycles SEC(".maps");

struct event {
	__u32 pid;
	__u32 cpu;
	__u64 ts;
};

/* keeps struct event in BTF (only a local variable uses it otherwise), so records are checked */
const struct event *unused_event __attribute__((unused));

struct table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} table0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct table);
} tables SEC(".maps") = {
	.values = { [0] = &table0 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct table);
} tenants SEC(".maps");

__u64 misses SEC(".data.counters") = 0;

const volatile __u32 target_pid = 0;
const volatile __s64 threshold = 0;
__u64 total;
struct inner last;
__s32 level = 3;
char name[8] = "bind";

SEC("tp/raw_syscalls/sys_enter")
int on_enter(void *ctx)
{
	__u32 k = 0;
	__u64 *h = bpf_map_lookup_elem(&hits, &k);
	struct flow_key fk = {};
	struct flow_stats *st;

	if (target_pid && (bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	if (h)
		__sync_fetch_and_add(h, 1);
	st = bpf_map_lookup_elem(&flows, &fk);
	if (st && st->packets > threshold)
		last.b = st->inner.b + level + name[0];
	__sync_fetch_and_add(&total, 1);
	return 0;
}

SEC("xdp")
int on_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&per_cpu, &k);
	struct event *e;
	void *table = bpf_map_lookup_elem(&tables, &k);

	if (!table)
		table = bpf_map_lookup_elem(&tenants, &k);
	if (table)
		v = bpf_map_lookup_elem(table, &k);
	else
		misses++;
	if (v)
		(*v)++;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e)
		bpf_ringbuf_discard(e, 0);
	bpf_perf_event_read_value(&cycles, BPF_F_CURRENT_CPU, 0, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
