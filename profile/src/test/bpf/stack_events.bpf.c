// SPDX-License-Identifier: GPL-2.0
/*
 * stack_events.bpf.c -- one user stack taken four ways per sample, for StackEventsKernelTest:
 * on every sample of a perf event on the test's process, the same user stack as
 *   ip_stack_id        bpf_get_stackid into ip_stacks (instruction pointers)
 *   build_id_stack_id  bpf_get_stackid into build_id_stacks (BPF_F_STACK_BUILD_ID)
 *   ips                bpf_get_stack(BPF_F_USER_STACK), ip_bytes the bytes it wrote
 *   build_ids          bpf_get_stack(BPF_F_USER_STACK | BPF_F_USER_BUILD_ID), 4 __u64 per
 *                      struct bpf_stack_build_id, build_id_bytes the bytes it wrote
 * in one ring buffer record, so that the Java side can check that all four name the same frames.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_DEPTH 32

struct stack_event {
	__u32 pid;
	__s32 ip_stack_id;
	__s32 build_id_stack_id;
	__s32 ip_bytes;
	__s32 build_id_bytes;
	__u32 pad;
	__u64 ips[MAX_DEPTH];
	__u64 build_ids[MAX_DEPTH * 4];
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(__u64));
} ip_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(struct bpf_stack_build_id));
} build_id_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

const volatile __u32 target_pid = 0;

__u64 dropped = 0;

SEC("perf_event")
int on_sample(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct stack_event *e;

	if (tgid != target_pid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->pid = tgid;
	e->pad = 0;
	e->ip_stack_id = bpf_get_stackid(ctx, &ip_stacks, BPF_F_USER_STACK);
	e->build_id_stack_id = bpf_get_stackid(ctx, &build_id_stacks, BPF_F_USER_STACK);
	e->ip_bytes = bpf_get_stack(ctx, e->ips, sizeof(e->ips), BPF_F_USER_STACK);
	e->build_id_bytes = bpf_get_stack(ctx, e->build_ids, sizeof(e->build_ids),
					  BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
