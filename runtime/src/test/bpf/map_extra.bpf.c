// SPDX-License-Identifier: GPL-2.0
/*
 * map_extra.bpf.c -- map_extra declared the way libbpf's __ulong() declares 64-bit fields: an
 * anonymous enum of one value (not the __uint() pointer-to-array), as arena maps write their
 * user address. Map `hashes_by_enum` is a bloom filter whose map_extra (number of hash
 * functions) is 3, declared that way. Program check_bloom, SEC("tc") (run with any packet): pushes 7 into the
 * filter and returns 0 when bpf_map_peek_elem then finds it.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ENUM_FIELD(name, val) enum { name##_field_value = val } name

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
	ENUM_FIELD(map_extra, 3);
} hashes_by_enum SEC(".maps");

SEC("tc")
int check_bloom(struct __sk_buff *skb)
{
	__u32 v = 7;

	bpf_map_push_elem(&hashes_by_enum, &v, 0);
	return bpf_map_peek_elem(&hashes_by_enum, &v) == 0 ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
