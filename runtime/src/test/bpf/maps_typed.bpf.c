// SPDX-License-Identifier: GPL-2.0
/*
 * maps_typed.bpf.c -- one map of every type the typed handles cover, and raw_tp programs
 * that write them, run with BPF_PROG_TEST_RUN (ctx = the u64 args below; per-CPU programs
 * with BPF_F_TEST_RUN_ON_CPU). Tests: io.bpfkit.map.*KernelTest.
 *
 * struct stats (the record Stats in the tests; BTF gives its layout as clang made it):
 *   u64 calls @0; u32 flags @8; u16 small @12; (2 pad); u64 nanos @16; u8 tag[3] @24; (1 pad);
 *   struct inner { u32 a; u16 b; (2 pad) } inner @28; u32 hist[3] @36; char comm[8] @48;
 *   _Bool ok @56; (7 pad): 64 bytes.
 *
 * Programs (raw_tp; args[i] = ctx u64 i):
 *   write_all(key, value): stats[key] = { calls = value, flags = key * 2, small = 7,
 *       nanos = value * 1000, tag = {1,2,3}, inner = { key, 9 }, hist = {10,20,30},
 *       comm = "bpfkit", ok = 1 }; lru[key] = value; array_u64[key % 16] = value;
 *       mmap_array[key % 8] = value; bss_hits += 1; bss_last = key; data_total += value.
 *       Returns ro_limit (77 unless set before load).
 *   per_cpu(): on CPU c: pcpu_hash[1] += c + 1 (created as c + 1); pcpu_array[0].x += c + 100;
 *       lru_pcpu[1] = c + 1000.
 *   push(n, base): pushes base, base+1, ..., base+n-1 (n <= 8) to queue and to stack.
 *   bloom_add(v): adds v to bloom; bloom_check(v): returns 1 when bloom may hold v, else 0.
 *   lpm_match(a, b, c, d): longest-prefix lookup of address a.b.c.d in lpm; returns its value or 0.
 *   tail_entry(slot): tail-calls jmp[slot]; returns 99 when the slot is empty.
 *       tail_one: bss_tail = 1, returns 1.   tail_two: bss_tail = 2, returns 2.
 *   inner_write(which, key, index, value): which 0: outer_hash[key], 1: outer_array[key];
 *       inner[index] = value. Returns 0, 1 when the slot is empty, 2 for a bad index.
 *   fill_big(n): big[i] = i * 3 + 1 for i < n (bpf_loop); returns the count written.
 * Globals: .bss bss_hits (u64), bss_last (u32), bss_tail (u32), bss_stats (struct stats),
 *          bss_mixed (struct mixed: u8, u64, u16[3], struct inner, s8, float, double, _Bool; layout tests);
 *          .data data_total (u64) = 5; .rodata ro_limit (const volatile u32) = 77.
 * signed_vals: hash, key __s32, value __s64, written by no program: the signed BTF integers that
 *   signedness checks of typed handles compare with (Codecs.uint32() is refused on it).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__u32 a;
	__u16 b;
};

struct stats {
	__u64 calls;
	__u32 flags;
	__u16 small;
	__u64 nanos;
	__u8 tag[3];
	struct inner inner;
	__u32 hist[3];
	char comm[8];
	_Bool ok;
};

struct small {
	__u32 x;
};

/* Only for layout tests (a .bss variable, so BTF has it): padding of every width. */
struct mixed {
	__u8 a;
	__u64 b;
	__u16 c[3];
	struct inner n;
	__s8 d;
	float f;
	double g;
	_Bool h;
};

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __s32);
	__type(value, __s64);
} signed_vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} array_u64 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} mmap_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct small);
} pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} lru_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__uint(map_extra, 3);
	__type(value, __u32);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, __u32);
	__type(value, __u64);
} big SEC(".maps");

__u64 bss_hits;
__u32 bss_last;
__u32 bss_tail;
struct stats bss_stats;
struct mixed bss_mixed;
__u64 data_total = 5;
const volatile __u32 ro_limit = 77;

SEC("raw_tp")
int write_all(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = ctx->args[0];
	__u64 val = ctx->args[1];
	struct stats s = {};
	__u32 i;

	s.calls = val;
	s.flags = key * 2;
	s.small = 7;
	s.nanos = val * 1000;
	s.tag[0] = 1;
	s.tag[1] = 2;
	s.tag[2] = 3;
	s.inner.a = key;
	s.inner.b = 9;
	s.hist[0] = 10;
	s.hist[1] = 20;
	s.hist[2] = 30;
	__builtin_memcpy(s.comm, "bpfkit", 7);
	s.ok = 1;
	bpf_map_update_elem(&stats, &key, &s, BPF_ANY);
	bpf_map_update_elem(&lru, &key, &val, BPF_ANY);
	i = key % 16;
	bpf_map_update_elem(&array_u64, &i, &val, BPF_ANY);
	i = key % 8;
	bpf_map_update_elem(&mmap_array, &i, &val, BPF_ANY);
	bss_hits += 1;
	bss_last = key;
	data_total += val;
	return ro_limit;
}

SEC("raw_tp")
int per_cpu(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 one = 1, zero = 0;
	__u64 first = cpu + 1;
	__u32 lv = cpu + 1000;
	__u64 *v = bpf_map_lookup_elem(&pcpu_hash, &one);
	struct small *s;

	if (v)
		*v += cpu + 1;
	else
		bpf_map_update_elem(&pcpu_hash, &one, &first, BPF_ANY);
	s = bpf_map_lookup_elem(&pcpu_array, &zero);
	if (s)
		s->x += cpu + 100;
	bpf_map_update_elem(&lru_pcpu, &one, &lv, BPF_ANY);
	return 0;
}

SEC("raw_tp")
int push(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 n = ctx->args[0];
	__u32 base = ctx->args[1];

	for (__u32 i = 0; i < 8 && i < n; i++) {
		__u32 v = base + i;

		bpf_map_push_elem(&queue, &v, 0);
		bpf_map_push_elem(&stack, &v, 0);
	}
	return 0;
}

SEC("raw_tp")
int bloom_add(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 v = ctx->args[0];

	return bpf_map_push_elem(&bloom, &v, 0);
}

SEC("raw_tp")
int bloom_check(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 v = ctx->args[0];

	return bpf_map_peek_elem(&bloom, &v) == 0;
}

SEC("raw_tp")
int lpm_match(struct bpf_raw_tracepoint_args *ctx)
{
	struct lpm_v4 k = { .prefixlen = 32 };
	__u32 *v;

	k.addr[0] = ctx->args[0];
	k.addr[1] = ctx->args[1];
	k.addr[2] = ctx->args[2];
	k.addr[3] = ctx->args[3];
	v = bpf_map_lookup_elem(&lpm, &k);
	return v ? *v : 0;
}

SEC("raw_tp")
int tail_one(struct bpf_raw_tracepoint_args *ctx)
{
	bss_tail = 1;
	return 1;
}

SEC("raw_tp")
int tail_two(struct bpf_raw_tracepoint_args *ctx)
{
	bss_tail = 2;
	return 2;
}

SEC("raw_tp")
int tail_entry(struct bpf_raw_tracepoint_args *ctx)
{
	bpf_tail_call(ctx, &jmp, (__u32)ctx->args[0]);
	return 99;
}

SEC("raw_tp")
int inner_write(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 which = ctx->args[0];
	__u32 key = ctx->args[1];
	__u32 index = ctx->args[2];
	__u64 value = ctx->args[3];
	void *inner;
	__u64 *slot;

	if (which == 0)
		inner = bpf_map_lookup_elem(&outer_hash, &key);
	else
		inner = bpf_map_lookup_elem(&outer_array, &key);
	if (!inner)
		return 1;
	slot = bpf_map_lookup_elem(inner, &index);
	if (!slot)
		return 2;
	*slot = value;
	return 0;
}

static long fill_one(__u64 i, void *ctx)
{
	__u32 key = i;
	__u64 val = i * 3 + 1;

	bpf_map_update_elem(&big, &key, &val, BPF_ANY);
	return 0;
}

SEC("raw_tp")
int fill_big(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 n = ctx->args[0];

	return bpf_loop(n, fill_one, NULL, 0);
}

char LICENSE[] SEC("license") = "GPL";
