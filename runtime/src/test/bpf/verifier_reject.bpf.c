// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_reject.bpf.c -- a program the verifier refuses: it dereferences the result of
 * bpf_map_lookup_elem without checking it for NULL. The log ends with
 * "R0 invalid mem access 'map_value_or_null'" and the failing instruction's line info points
 * at the line marked BAD below. `fine` in the same object loads.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

SEC("syscall")
int unchecked(void *ctx)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&table, &key);

	return *value; /* BAD: no NULL check */
}

SEC("syscall")
int fine(void *ctx)
{
	return 3;
}

char LICENSE[] SEC("license") = "GPL";
