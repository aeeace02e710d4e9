// SPDX-License-Identifier: GPL-2.0
/*
 * nested.bpf.c -- maps of maps, whole global data sections and a ring buffer of records, used
 * through the generated binding of NestedProbe (NestedBindingTest).
 *
 * Maps:
 *   slot_a, slot_b  ARRAY __u32 -> struct tally { __u64 hits; __s64 last; }, 4 entries: the inner maps
 *   tables          ARRAY_OF_MAPS, 2 slots of those; slot 0 holds slot_a, slot 1 slot_b after load
 *   by_tenant       HASH_OF_MAPS __u32 -> the same inner maps, empty after load
 *   records         RINGBUF, 4096 bytes of struct bump_record { __u32 tenant; __u32 index; __s64 value; }
 * Globals:
 *   .rodata           __s64 scale = 1
 *   .bss              __u64 bumps
 *   .data.counters    __u64 misses = 0; __u32 last_tenant = 0
 * Program:
 *   bump  raw_tp without a target, run with BPF_PROG_TEST_RUN; arguments (slot, index, tenant, value):
 *         v = value * scale;
 *         tables[slot][index]:     hits += 1, last = v   (an empty slot counts a miss)
 *         by_tenant[tenant][index]: hits += 1, last = v  (a tenant without a map counts a miss)
 *         bumps += 1; last_tenant = tenant; one bump_record {tenant, index, v} into records.
 *         Returns tables[slot][index].hits after its bump, 0 when the slot is empty.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct tally {
	__u64 hits;
	__s64 last;
};

struct bump_record {
	__u32 tenant;
	__u32 index;
	__s64 value;
};

/* keeps struct bump_record in BTF (only a local variable uses it), so javac checks the record */
const struct bump_record *unused_bump_record __attribute__((unused));

struct slot {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tally);
} slot_a SEC(".maps"), slot_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct slot);
} tables SEC(".maps") = {
	.values = { [0] = &slot_a, [1] = &slot_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct slot);
} by_tenant SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

const volatile __s64 scale = 1;
__u64 bumps;
__u64 misses SEC(".data.counters") = 0;
__u32 last_tenant SEC(".data.counters") = 0;

/* Bumps entry index of inner map table; returns its hits, 0 when there is no table or entry. */
static __u64 bump_in(void *table, __u32 index, __s64 v)
{
	struct tally *t;

	if (!table) {
		__sync_fetch_and_add(&misses, 1);
		return 0;
	}
	t = bpf_map_lookup_elem(table, &index);
	if (!t)
		return 0;
	t->hits++;
	t->last = v;
	return t->hits;
}

SEC("raw_tp")
int bump(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 slot = ctx->args[0], index = ctx->args[1], tenant = ctx->args[2];
	__s64 v = (__s64)ctx->args[3] * scale;
	struct bump_record *r;
	__u64 hits;

	hits = bump_in(bpf_map_lookup_elem(&tables, &slot), index, v);
	bump_in(bpf_map_lookup_elem(&by_tenant, &tenant), index, v);
	__sync_fetch_and_add(&bumps, 1);
	last_tenant = tenant;
	r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (r) {
		r->tenant = tenant;
		r->index = index;
		r->value = v;
		bpf_ringbuf_submit(r, 0);
	}
	return hits;
}

char LICENSE[] SEC("license") = "GPL";
