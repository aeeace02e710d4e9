// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops_cc.bpf.c -- a TCP congestion control written as struct_ops: Reno's slow start and
 * congestion avoidance, counting each callback in the array map cc_counts (index = enum
 * cc_event: CC_INIT, CC_CONG_AVOID, CC_SSTHRESH, CC_UNDO_CWND), u64 values.
 *
 * struct_ops variables (each a struct_ops map named after it):
 *   bpfkit_reno      SEC(".struct_ops.link")  name "bpfkit_reno": registered by a BPF link
 *   bpfkit_reno_old  SEC(".struct_ops")       name "bpfkit_reno_old": registered by a map
 *                    update; the same four programs (a program may serve several maps of
 *                    one struct, in the same member)
 *   bpfkit_spare     SEC("?.struct_ops")      name "bpfkit_spare": not created by default, so
 *                    spare_cong_avoid, which only it uses, does not load; its other members
 *                    reuse the programs above
 * Plus not_an_op, SEC("raw_tp/sys_enter"), a program of another type (returns 0), for tests
 * that point a function pointer at it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

enum cc_event { CC_INIT, CC_CONG_AVOID, CC_SSTHRESH, CC_UNDO_CWND, CC_EVENTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CC_EVENTS);
	__type(key, __u32);
	__type(value, __u64);
} cc_counts SEC(".maps");

static void count(__u32 event)
{
	__u64 *v = bpf_map_lookup_elem(&cc_counts, &event);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The kernel lets a congestion control see its socket as a tcp_sock and write its cwnd fields. */
static struct tcp_sock *tcp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

SEC("struct_ops")
void BPF_PROG(reno_init, struct sock *sk)
{
	count(CC_INIT);
}

SEC("struct_ops")
__u32 BPF_PROG(reno_ssthresh, struct sock *sk)
{
	__u32 half = tcp_of(sk)->snd_cwnd >> 1;

	count(CC_SSTHRESH);
	return half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_of(sk);
	__u32 cwnd = tp->snd_cwnd;

	count(CC_CONG_AVOID);
	if (cwnd < tp->snd_ssthresh) {
		cwnd += acked;
		if (cwnd > tp->snd_ssthresh)
			cwnd = tp->snd_ssthresh;
	} else {
		__u32 cnt = tp->snd_cwnd_cnt + acked;

		if (cnt >= cwnd) {
			cnt -= cwnd;
			cwnd++;
		}
		tp->snd_cwnd_cnt = cnt;
	}
	if (cwnd > tp->snd_cwnd_clamp)
		cwnd = tp->snd_cwnd_clamp;
	tp->snd_cwnd = cwnd;
}

SEC("struct_ops")
__u32 BPF_PROG(reno_undo_cwnd, struct sock *sk)
{
	count(CC_UNDO_CWND);
	return tcp_of(sk)->snd_cwnd;
}

SEC("struct_ops")
void BPF_PROG(spare_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("raw_tp/sys_enter")
int not_an_op(void *ctx)
{
	return 0;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops bpfkit_reno = {
	.init = (void *)reno_init,
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpfkit_reno",
};

SEC(".struct_ops")
struct tcp_congestion_ops bpfkit_reno_old = {
	.init = (void *)reno_init,
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpfkit_reno_old",
};

SEC("?.struct_ops")
struct tcp_congestion_ops bpfkit_spare = {
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)spare_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpfkit_spare",
};
