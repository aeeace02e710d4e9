// SPDX-License-Identifier: GPL-2.0
/*
 * maps_btf.bpf.c -- BTF-defined maps in the ".maps" section, one per map feature.
 *
 * What a test should find when it opens this object (all maps are in ".maps"; the
 * key/value sizes below come from BTF, or from key_size/value_size where noted):
 *
 *   name          type                 key        value                    max    flags / extras
 *   hash_typed    HASH                 16 (struct flow_key)  16 (struct flow_stats) 1024  -
 *   hash_sized    HASH                 8 (key_size) 24 (value_size)        64     BPF_F_NO_PREALLOC, no key/value BTF
 *   hash_mixed    HASH                 4 (__u32)  12 (value_size)          16     key typed, value sized
 *   hash_numa     HASH                 4          8                        32     BPF_F_NUMA_NODE, numa_node = 0
 *   array_u64     ARRAY                4          8                        8      -
 *   array_mmap    ARRAY                4          4                        1024   BPF_F_MMAPABLE
 *   pcpu_hash     PERCPU_HASH          4          16 (struct flow_stats)   128    -
 *   pcpu_array    PERCPU_ARRAY         4          8                        4      -
 *   lru_hash      LRU_HASH             16         16                       256    BPF_F_NO_COMMON_LRU
 *   lru_pcpu_hash LRU_PERCPU_HASH      4          8                        64     -
 *   lpm_v4        LPM_TRIE             8 (struct lpm_v4_key) 4             256    BPF_F_NO_PREALLOC
 *   fifo          QUEUE                0 (no key) 4                        32     -
 *   lifo          STACK                0 (no key) 8 (value_size)           16     -
 *   seen          BLOOM_FILTER         0 (no key) 8                        100    map_extra = 3 (hash functions)
 *   events_rb     RINGBUF              0          0                        16384  -
 *   events_perf   PERF_EVENT_ARRAY     4 (key_size) 4 (value_size)         0 in the ELF (loader sets nr CPUs)
 *   jump_table    PROG_ARRAY           4          4                        4      initial values: [0]=tail_a, [2]=tail_b
 *   inner_a/inner_b ARRAY (struct inner_array) 4  4                        4      plain maps used as inner values
 *   inner_h1      HASH (struct inner_hash) 4      8                        8      plain map used as inner value
 *   outer_array   ARRAY_OF_MAPS        4          4 (inner: struct inner_array) 3  initial values: [0]=inner_a, [2]=inner_b
 *   outer_hash    HASH_OF_MAPS         4          4 (inner: struct inner_hash)  8  initial values: [1]=inner_h1
 *   outer_inline  ARRAY_OF_MAPS        4          4 (inner: anonymous struct, ARRAY 4x8, 2 entries) 2 no initial values
 *   pinned_cnt    ARRAY                4          8                        1      pinning = LIBBPF_PIN_BY_NAME
 *   a_map_name_longer_than_15 ARRAY    4          4                        1      name longer than BPF_OBJ_NAME_LEN-1
 *
 * Programs (all SEC("tp/syscalls/sys_enter_getpid"), tracepoint type): use_maps touches every
 * map (and tail-calls through jump_table), tail_a and tail_b are the tail-call targets.
 * Loads with libbpf; libbpf pins pinned_cnt at /sys/fs/bpf/pinned_cnt (remove it afterwards).
 * hash_mixed has a BTF key type but no BTF value type: the kernel refuses such a map with
 * EINVAL when BTF ids are passed, so a loader must create it without BTF (libbpf logs
 * "Retrying without BTF" and succeeds).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

/* ---- hash maps: typed, sized, mixed, numa ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} hash_typed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__uint(key_size, 8);
	__uint(value_size, 24);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hash_sized SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__uint(value_size, 12);
} hash_mixed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
} hash_numa SEC(".maps");

/* ---- arrays ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} array_u64 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE);
} array_mmap SEC(".maps");

/* ---- per-CPU and LRU ---- */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct flow_stats);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
} lru_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lru_pcpu_hash SEC(".maps");

/* ---- LPM trie (must be BPF_F_NO_PREALLOC) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lpm_v4 SEC(".maps");

/* ---- keyless maps: queue, stack, bloom filter ---- */

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 32);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__uint(value_size, 8);
} lifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__type(value, __u64);
	__uint(map_extra, 3);
} seen SEC(".maps");

/* ---- event output ---- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} events_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events_perf SEC(".maps");

/* ---- prog array with initial values ---- */

int tail_a(void *ctx);
int tail_b(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = {
		[0] = (void *)&tail_a,
		[2] = (void *)&tail_b,
	},
};

/* ---- maps of maps ---- */

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array inner_a SEC(".maps");
struct inner_array inner_b SEC(".maps");

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_hash inner_h1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_array SEC(".maps") = {
	.values = {
		[0] = &inner_a,
		[2] = &inner_b,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = {
		[1] = &inner_h1,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__uint(max_entries, 4);
		__type(key, __u32);
		__type(value, __u64);
	});
} outer_inline SEC(".maps");

/* ---- pinning and a long name ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} a_map_name_longer_than_15 SEC(".maps");

struct event {
	__u32 pid;
	__u32 kind;
	__u64 ts;
};

static __always_inline void bump_u64(void *map, __u32 key)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tp/syscalls/sys_enter_getpid")
int use_maps(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 zero = 0;
	struct flow_key fk = { .saddr = pid, .daddr = 0x7f000001, .sport = 1, .dport = 2, .proto = 6 };
	struct flow_stats fs = { .packets = 1, .bytes = 64 }, *fsp;
	__u64 sized_key = pid;
	__u8 sized_val[24] = {};
	__u8 mixed_val[12] = {};
	__u64 one = 1, popped64;
	__u32 popped32;
	struct lpm_v4_key lk = { .prefixlen = 32, .addr = { 127, 0, 0, 1 } };
	struct event ev = { .pid = pid, .kind = 1 };
	void *inner;

	/* hashes */
	fsp = bpf_map_lookup_elem(&hash_typed, &fk);
	if (fsp)
		__sync_fetch_and_add(&fsp->packets, 1);
	else
		bpf_map_update_elem(&hash_typed, &fk, &fs, BPF_NOEXIST);
	bpf_map_update_elem(&hash_sized, &sized_key, sized_val, BPF_ANY);
	bpf_map_update_elem(&hash_mixed, &pid, mixed_val, BPF_ANY);
	bpf_map_update_elem(&hash_numa, &pid, &one, BPF_ANY);

	/* arrays */
	bump_u64(&array_u64, 0);
	{
		__u32 *m = bpf_map_lookup_elem(&array_mmap, &zero);

		if (m)
			*m = pid;
	}
	bump_u64(&pcpu_array, 1);
	bump_u64(&pinned_cnt, 0);
	{
		__u32 *l = bpf_map_lookup_elem(&a_map_name_longer_than_15, &zero);

		if (l)
			*l += 1;
	}

	/* per-CPU and LRU */
	bpf_map_update_elem(&pcpu_hash, &pid, &fs, BPF_ANY);
	bpf_map_update_elem(&lru_hash, &fk, &fs, BPF_ANY);
	bpf_map_update_elem(&lru_pcpu_hash, &pid, &one, BPF_ANY);

	/* LPM trie */
	if (!bpf_map_lookup_elem(&lpm_v4, &lk))
		bpf_map_update_elem(&lpm_v4, &lk, &pid, BPF_ANY);

	/* queue, stack, bloom filter */
	bpf_map_push_elem(&fifo, &pid, BPF_EXIST);
	bpf_map_pop_elem(&fifo, &popped32);
	bpf_map_push_elem(&lifo, &one, BPF_EXIST);
	bpf_map_pop_elem(&lifo, &popped64);
	sized_key = pid;
	if (bpf_map_peek_elem(&seen, &sized_key) != 0)
		bpf_map_push_elem(&seen, &sized_key, BPF_ANY);

	/* maps of maps */
	inner = bpf_map_lookup_elem(&outer_array, &zero);
	if (inner) {
		__u32 *iv = bpf_map_lookup_elem(inner, &zero);

		if (iv)
			*iv = pid;
	}
	inner = bpf_map_lookup_elem(&outer_hash, &pid);
	if (inner)
		bpf_map_update_elem(inner, &pid, &one, BPF_ANY);
	inner = bpf_map_lookup_elem(&outer_inline, &zero);
	if (inner)
		bump_u64(inner, 0);

	/* events */
	ev.ts = bpf_ktime_get_ns();
	bpf_ringbuf_output(&events_rb, &ev, sizeof(ev), 0);
	bpf_perf_event_output(ctx, &events_perf, BPF_F_CURRENT_CPU, &ev, sizeof(ev));

	/* tail call through the initialised prog array; falls through if the slot is empty */
	bpf_tail_call(ctx, &jump_table, pid & 3);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int tail_a(void *ctx)
{
	bump_u64(&array_u64, 2);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int tail_b(void *ctx)
{
	bump_u64(&array_u64, 3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
