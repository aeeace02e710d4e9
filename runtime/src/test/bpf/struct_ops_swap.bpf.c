// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_swap.bpf.c -- two versions of one TCP congestion control, both named
 * "bpfkit_swap", for swapping a struct_ops link from one map to the other (BPF_LINK_UPDATE).
 *
 * struct_ops variables, both SEC(".struct_ops.link"):
 *   swap_a  init = init_a, which counts in inits[0]
 *   swap_b  init = init_b, which counts in inits[1]
 * Both share ssthresh (half the window, at least 2), cong_avoid (nothing: the window stays) and
 * undo_cwnd (the window). inits is an ARRAY of 2 __u64.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} inits SEC(".maps");

static void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&inits, &which);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("struct_ops")
void BPF_PROG(init_a, struct sock *sk)
{
	count(0);
}

SEC("struct_ops")
void BPF_PROG(init_b, struct sock *sk)
{
	count(1);
}

SEC("struct_ops")
__u32 BPF_PROG(swap_ssthresh, struct sock *sk)
{
	__u32 half = ((struct tcp_sock *)sk)->snd_cwnd >> 1;

	return half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(swap_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops")
__u32 BPF_PROG(swap_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops swap_a = {
	.init = (void *)init_a,
	.ssthresh = (void *)swap_ssthresh,
	.cong_avoid = (void *)swap_cong_avoid,
	.undo_cwnd = (void *)swap_undo_cwnd,
	.name = "bpfkit_swap",
};

SEC(".struct_ops.link")
struct tcp_congestion_ops swap_b = {
	.init = (void *)init_b,
	.ssthresh = (void *)swap_ssthresh,
	.cong_avoid = (void *)swap_cong_avoid,
	.undo_cwnd = (void *)swap_undo_cwnd,
	.name = "bpfkit_swap",
};
