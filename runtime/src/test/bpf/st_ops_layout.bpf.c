// SPDX-License-Identifier: GPL-2.0
/*
 * st_ops_layout.bpf.c -- struct_ops variables whose struct is not laid out as the
 * kernel's, for the loader's matching by member name (as libbpf's bpf_map__init_kern_struct_ops).
 *
 * struct tcp_congestion_ops___reordered: a flavor of the kernel's tcp_congestion_ops (the
 * loader drops "___reordered") with four of its members in another order and one member,
 * bpfkit_extra, that no kernel has.
 *   reordered      name "bpfkit_reorder", bpfkit_extra = 0: loads and registers; the name must
 *                  land at the kernel's offset of `name`, found by name
 *   extra_member   name "bpfkit_extra", bpfkit_extra = 1: refused at load (a member set that
 *                  the kernel does not have)
 * struct bpfkit_no_such_ops: no kernel has bpf_struct_ops_bpfkit_no_such_ops.
 *   no_kernel_type refused at load
 * Programs: lo_ssthresh, lo_cong_avoid, lo_undo_cwnd (Reno-ish, no state) for the first two;
 * lo_op for no_kernel_type.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct tcp_congestion_ops___reordered {
	char name[16];
	__u64 bpfkit_extra;
	__u32 (*undo_cwnd)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*ssthresh)(struct sock *sk);
};

struct bpfkit_no_such_ops {
	int (*op)(void);
	int value;
};

SEC("struct_ops")
__u32 BPF_PROG(lo_ssthresh, struct sock *sk)
{
	__u32 half = ((struct tcp_sock *)sk)->snd_cwnd >> 1;

	return half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(lo_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (tp->snd_cwnd < tp->snd_cwnd_clamp)
		tp->snd_cwnd = tp->snd_cwnd + 1;
}

SEC("struct_ops")
__u32 BPF_PROG(lo_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC("struct_ops")
int lo_op(void *ctx)
{
	return 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops___reordered reordered = {
	.name = "bpfkit_reorder",
	.undo_cwnd = (void *)lo_undo_cwnd,
	.cong_avoid = (void *)lo_cong_avoid,
	.ssthresh = (void *)lo_ssthresh,
};

SEC(".struct_ops")
struct tcp_congestion_ops___reordered extra_member = {
	.name = "bpfkit_extra",
	.bpfkit_extra = 1,
	.undo_cwnd = (void *)lo_undo_cwnd,
	.cong_avoid = (void *)lo_cong_avoid,
	.ssthresh = (void *)lo_ssthresh,
};

SEC(".struct_ops")
struct bpfkit_no_such_ops no_kernel_type = {
	.op = (void *)lo_op,
	.value = 7,
};
