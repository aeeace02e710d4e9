// SPDX-License-Identifier: GPL-2.0
/*
 * token.bpf.c -- what a process in a user namespace loads with a BPF token (BpfTokenTest):
 * object BTF, a BTF-typed array map, a .bss global and an XDP program, so that BPF_BTF_LOAD,
 * BPF_MAP_CREATE and BPF_PROG_LOAD each need the token's delegation.
 *
 * count_packets, SEC("xdp"): runs++ in .bss, hits[0] += the packet's length; XDP_PASS.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

__u64 runs;

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *bytes = bpf_map_lookup_elem(&hits, &zero);

	runs++;
	if (bytes)
		__sync_fetch_and_add(bytes, ctx->data_end - ctx->data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
