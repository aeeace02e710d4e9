// SPDX-License-Identifier: GPL-2.0
/*
 * events.bpf.c -- event producers for the ring buffer and perf buffer readers, and one
 * program per attach kind, each counting only what the test process does (the pid filter
 * is .rodata `target_tgid`, set before load), so tests can assert exact counts. Also set
 * before load: `getppid_nr`, this machine's getppid system call number (110 on x86-64, 173 on
 * arm64; the default matches none), and `udp_port`, the port of the packets the network
 * programs count (the test binds an ephemeral one; the default 0 matches none).
 *
 * struct event (32 bytes): seq, value = seq * 0x9e3779b97f4a7c15, cpu, tag, pad = ~seq.
 * A ring buffer record is 40 bytes with its header: records straddle the end of the ring.
 *
 * Producers (raw_tp without a target: never auto-attached, run with BPF_PROG_TEST_RUN,
 * context = u64 args):
 *   emit_rb   args: start seq, count, discard_every (0: none), ring (0: rb, else rb2).
 *             Reserves `count` records (stops at the first failed reserve: ring full),
 *             tag = ring; discards those with seq % discard_every == 0, submits the others.
 *             Returns the number reserved.
 *   emit_rb_sized  args: start seq, count. Writes `count` records to rb2 with
 *             bpf_ringbuf_output, record seq of 1 + seq % 61 bytes, every byte seq & 0xff
 *             (lengths not a multiple of 8: the reader must round each step). Stops at the
 *             first failure (ring full); returns the number written.
 *   emit_pb   args: start seq, count (<= 512), keep_going. bpf_perf_event_output to pb on
 *             the current CPU; stops at the first error unless keep_going (then the kernel
 *             counts the failures as lost). Returns the number written.
 *
 * Attach targets; `counts` (u64[16], .bss) index: program
 *   0 tp_getppid     tp/syscalls/sys_enter_getppid  (also emits an event, tag 2, to rb)
 *   1 raw_getppid    raw_tp/sys_enter               (syscall nr getppid_nr)
 *   2 btf_getppid    tp_btf/sys_enter               (same)
 *   3 up_count       uprobe   (manual)              4 uret_count uretprobe (manual; last_ret = return value)
 *   5 multi_count    uprobe.multi (manual)          6 multi_ret  uretprobe.multi (manual)
 *   7 on_sample      perf_event (every sample, any task)
 *   8 sock_count     socket: every packet; returns skb->len (keeps the whole packet)
 *   9 xdp_count      xdp: UDP to udp_port;  XDP_PASS
 *  10 tcx_ingress_count  tcx/ingress: UDP to udp_port; TCX_NEXT
 *  11 tcx_egress_count   tcx/egress:  UDP to udp_port; TCX_NEXT
 *  12 sock_created   cgroup/sock_create (every socket created in the cgroup); allow
 *  13 connect4_count cgroup/connect4 (every IPv4 connect in the cgroup); allow
 *  14 iter_seq       iter/task: prints "<seq_num>\n" per task (0, 1, 2, ...)
 * xdp_flip (xdp, test run): flips every bit of the first byte of the packet, returns XDP_TX (3).
 *
 * No CO-RE: context structs are written with the kernel's layout.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TCX_NEXT (-1)

struct event {
	__u64 seq;
	__u64 value;
	__u32 cpu;
	__u32 tag;
	__u64 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} rb2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __u32 getppid_nr = 0xffffffff;
const volatile __u16 udp_port = 0;
__u64 counts[16];
__s64 last_ret;
__u64 tp_seq;

static __always_inline int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void fill(struct event *e, __u64 seq, __u32 tag)
{
	e->seq = seq;
	e->value = seq * 0x9e3779b97f4a7c15ULL;
	e->cpu = bpf_get_smp_processor_id();
	e->tag = tag;
	e->pad = ~seq;
}

/* ---- producers ---- */

struct rb_loop {
	__u64 start;
	__u64 discard_every;
	__u64 ring;
	__u64 done;
};

static int rb_step(__u32 i, void *data)
{
	struct rb_loop *lc = data;
	struct event *e;
	__u64 seq = lc->start + i;

	e = lc->ring ? bpf_ringbuf_reserve(&rb2, sizeof(*e), 0) : bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 1;
	fill(e, seq, lc->ring ? 1 : 0);
	if (lc->discard_every && seq % lc->discard_every == 0)
		bpf_ringbuf_discard(e, 0);
	else
		bpf_ringbuf_submit(e, 0);
	lc->done++;
	return 0;
}

SEC("raw_tp")
int emit_rb(struct bpf_raw_tracepoint_args *ctx)
{
	struct rb_loop lc = {
		.start = ctx->args[0],
		.discard_every = ctx->args[2],
		.ring = ctx->args[3],
	};

	bpf_loop(ctx->args[1], rb_step, &lc, 0);
	return lc.done;
}

struct sized_loop {
	__u64 start;
	__u64 done;
	__u8 bytes[64];
};

static int sized_step(__u32 i, void *data)
{
	struct sized_loop *lc = data;
	__u64 seq = lc->start + i;
	__u64 size = 1 + seq % 61;

	barrier_var(size); /* keeps the bound below for the verifier (it does not follow %) */
	size &= 63;

	for (int j = 0; j < 64; j++)
		lc->bytes[j] = seq & 0xff;
	if (bpf_ringbuf_output(&rb2, lc->bytes, size, 0))
		return 1;
	lc->done++;
	return 0;
}

SEC("raw_tp")
int emit_rb_sized(struct bpf_raw_tracepoint_args *ctx)
{
	struct sized_loop lc = { .start = ctx->args[0] };

	bpf_loop(ctx->args[1], sized_step, &lc, 0);
	return lc.done;
}

SEC("raw_tp")
int emit_pb(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 start = ctx->args[0], count = ctx->args[1], keep_going = ctx->args[2];
	struct event e;
	int done = 0;

	for (int i = 0; i < 512; i++) {
		if (i >= count)
			break;
		fill(&e, start + i, 3);
		if (bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e)) == 0)
			done++;
		else if (!keep_going)
			break;
	}
	return done;
}

/* ---- tracing ---- */

SEC("tp/syscalls/sys_enter_getppid")
int tp_getppid(void *ctx)
{
	struct event *e;

	if (!mine())
		return 0;
	__sync_fetch_and_add(&counts[0], 1);
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (e) {
		fill(e, __sync_fetch_and_add(&tp_seq, 1), 2);
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_getppid(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == getppid_nr && mine())
		__sync_fetch_and_add(&counts[1], 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int btf_getppid(__u64 *ctx)
{
	/* tp_btf/sys_enter args: struct pt_regs *regs, long id */
	if (ctx[1] == getppid_nr && mine())
		__sync_fetch_and_add(&counts[2], 1);
	return 0;
}

SEC("uprobe")
int up_count(void *ctx)
{
	if (mine())
		__sync_fetch_and_add(&counts[3], 1);
	return 0;
}

SEC("uretprobe")
int uret_count(struct pt_regs *ctx)
{
	if (mine()) {
		__sync_fetch_and_add(&counts[4], 1);
		/* x86_64: the return value is in rax, offset 80 of struct pt_regs */
		last_ret = *(long *)((char *)ctx + 80);
	}
	return 0;
}

SEC("uprobe.multi")
int multi_count(void *ctx)
{
	if (mine())
		__sync_fetch_and_add(&counts[5], 1);
	return 0;
}

SEC("uretprobe.multi")
int multi_ret(void *ctx)
{
	if (mine())
		__sync_fetch_and_add(&counts[6], 1);
	return 0;
}

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
	__sync_fetch_and_add(&counts[7], 1);
	return 0;
}

/* ---- networking ---- */

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&counts[8], 1);
	return skb->len;
}

static __always_inline int udp_to_port(void *data, void *end, int with_eth)
{
	struct iphdr *ip = data + (with_eth ? sizeof(struct ethhdr) : 0);
	struct udphdr *udp;

	if ((void *)(ip + 1) > end)
		return 0;
	if (with_eth && ((struct ethhdr *)data)->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return 0;
	return udp_port && udp->dest == bpf_htons(udp_port);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	if (udp_to_port((void *)(long)ctx->data, (void *)(long)ctx->data_end, 1))
		__sync_fetch_and_add(&counts[9], 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_flip(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;

	if ((void *)(data + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	data[0] ^= 0xff;
	return XDP_TX;
}

SEC("tcx/ingress")
int tcx_ingress_count(struct __sk_buff *skb)
{
	if (udp_to_port((void *)(long)skb->data, (void *)(long)skb->data_end, 1))
		__sync_fetch_and_add(&counts[10], 1);
	return TCX_NEXT;
}

SEC("tcx/egress")
int tcx_egress_count(struct __sk_buff *skb)
{
	if (udp_to_port((void *)(long)skb->data, (void *)(long)skb->data_end, 1))
		__sync_fetch_and_add(&counts[11], 1);
	return TCX_NEXT;
}

SEC("cgroup/sock_create")
int sock_created(struct bpf_sock *sk)
{
	__sync_fetch_and_add(&counts[12], 1);
	return 1;
}

SEC("cgroup/connect4")
int connect4_count(struct bpf_sock_addr *ctx)
{
	__sync_fetch_and_add(&counts[13], 1);
	return 1;
}

/* ---- iterator ---- */

struct seq_file;
struct task_struct;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

SEC("iter/task")
int iter_seq(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	__u64 n = ctx->meta->seq_num;

	if (!ctx->task)
		return 0;
	__sync_fetch_and_add(&counts[14], 1);
	bpf_seq_printf(seq, "%llu\n", sizeof("%llu\n"), &n, sizeof(n));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
