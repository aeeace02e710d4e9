// SPDX-License-Identifier: GPL-2.0
/*
 * events_bench.bpf.c -- the event stream of scripts/bench-events, loaded by bpfkit (JMH side)
 * and by libbpf 1.1 (events_bench.c), so both readers consume the same records.
 *
 * struct event (32 bytes): seq, value = seq * 0x9e3779b97f4a7c15, cpu, tag, pad = ~seq.
 *   produce_rb  raw_tp, run with BPF_PROG_TEST_RUN, args[0] = count: reserves and submits
 *               `count` events in `rb` (4 MiB) through bpf_loop; returns how many fit.
 *   produce_pb  raw_tp, args[0] = count (<= 512): bpf_perf_event_output of `count` events to
 *               `pb` on the current CPU; returns how many were written.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u64 seq;
	__u64 value;
	__u32 cpu;
	__u32 tag;
	__u64 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

__u64 next_seq;

static __always_inline void fill(struct event *e, __u64 seq)
{
	e->seq = seq;
	e->value = seq * 0x9e3779b97f4a7c15ULL;
	e->cpu = bpf_get_smp_processor_id();
	e->tag = 0;
	e->pad = ~seq;
}

struct loop_state {
	__u64 done;
};

static int rb_step(__u32 i, void *data)
{
	struct loop_state *st = data;
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 1;
	fill(e, next_seq++);
	bpf_ringbuf_submit(e, 0);
	st->done++;
	return 0;
}

SEC("raw_tp")
int produce_rb(struct bpf_raw_tracepoint_args *ctx)
{
	struct loop_state st = { 0 };

	bpf_loop(ctx->args[0], rb_step, &st, 0);
	return st.done;
}

SEC("raw_tp")
int produce_pb(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 count = ctx->args[0];
	struct event e;
	int done = 0;

	for (int i = 0; i < 512; i++) {
		if (i >= count)
			break;
		fill(&e, next_seq++);
		if (bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e)))
			break;
		done++;
	}
	return done;
}

char LICENSE[] SEC("license") = "GPL";
