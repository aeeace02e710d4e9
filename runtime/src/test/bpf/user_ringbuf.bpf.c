// SPDX-License-Identifier: GPL-2.0
/*
 * user_ringbuf.bpf.c -- the consumer side of a user ring buffer that Java produces into.
 *
 * struct command (16 bytes): seq, value, weight. Samples may be longer than a command (raw
 * samples): the drain reads their first 16 bytes; shorter samples count as `short_samples`.
 *
 * drain (SEC("syscall"), run with BPF_PROG_TEST_RUN, no context): bpf_user_ringbuf_drain(&urb)
 * until it is empty or `limit` samples (0: no limit) have been read in this run. Per sample:
 * drained++, sum_value += value, sum_weight += weight, out_of_order++ when seq != next_seq,
 * then next_seq = seq + 1. last_ret = the helper's return value (samples read, or -errno);
 * the program returns it too.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct command {
	__u64 seq;
	__u32 value;
	__u32 weight;
};

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 16 * 1024);
} urb SEC(".maps");

/* keeps struct command in BTF, so a binding's record can be checked against it */
const struct command *unused_command __attribute__((unused));

__u64 limit;
__u64 run_count;
__u64 drained;
__u64 sum_value;
__u64 sum_weight;
__u64 next_seq;
__u64 out_of_order;
__u64 short_samples;
__s64 last_ret;

static long on_sample(struct bpf_dynptr *dynptr, void *ctx)
{
	struct command c;

	if (bpf_dynptr_read(&c, sizeof(c), dynptr, 0, 0)) {
		short_samples++;
		return 0;
	}
	drained++;
	run_count++;
	sum_value += c.value;
	sum_weight += c.weight;
	if (c.seq != next_seq)
		out_of_order++;
	next_seq = c.seq + 1;
	return limit && run_count >= limit ? 1 : 0;
}

SEC("syscall")
int drain(void *ctx)
{
	long n;

	run_count = 0;
	n = bpf_user_ringbuf_drain(&urb, on_sample, NULL, 0);
	last_ret = n;
	return n;
}

char LICENSE[] SEC("license") = "GPL";
