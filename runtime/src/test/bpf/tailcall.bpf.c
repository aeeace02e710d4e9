// SPDX-License-Identifier: GPL-2.0
/*
 * tailcall.bpf.c -- a program array filled from `values` and a map-of-maps filled from `values`,
 * both exercised through BPF_PROG_TEST_RUN. The programs are socket filters (run them with a
 * packet of at least 14 bytes): syscall programs are sleepable and may not use these maps.
 *
 *   entry (socket): sets .bss `stage` = 1, tail-calls jump[1] (= step_two), returns 99 only
 *       if the tail call did not happen.
 *   step_two (socket): sets `stage` = 2 and returns 7.
 *   via_inner (socket): looks up outer[0] (= inner_x, an array of u64) and stores 1234 at
 *       inner_x[1]; returns 0, or 1 when the slot is empty.
 * Expected after running entry: retval 7, stage 2. After running via_inner: inner_x[1] = 1234.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 stage;

SEC("socket")
int step_two(void *ctx)
{
	stage = 2;
	return 7;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jump SEC(".maps") = {
	.values = { [1] = (void *)&step_two },
};

SEC("socket")
int entry(void *ctx)
{
	stage = 1;
	bpf_tail_call(ctx, &jump, 1);
	return 99;
}

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} inner_x SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_arr);
} outer SEC(".maps") = {
	.values = { [0] = &inner_x },
};

SEC("socket")
int via_inner(void *ctx)
{
	__u32 zero = 0, one = 1;
	__u64 v = 1234;
	void *inner = bpf_map_lookup_elem(&outer, &zero);

	if (!inner)
		return 1;
	bpf_map_update_elem(inner, &one, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
