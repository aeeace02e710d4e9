// SPDX-License-Identifier: GPL-2.0
/*
 * syslat.bpf.c -- a log2 histogram of system call latency, per system call.
 *
 * on_enter (tp/raw_syscalls/sys_enter) remembers when the calling thread entered a system call;
 * on_exit (tp/raw_syscalls/sys_exit) adds one to the slot log2(microseconds in the call) of
 * that system call's histogram: slot 0 counts calls under 2 us, slot k calls of
 * [2^k, 2^(k+1)) us, the last slot everything longer.
 *
 * Maps and globals user space works with:
 *   hists           HASH  key __u32 system call number -> struct latency_hist { __u64 slots[32]; }
 *   start           HASH  key __u32 thread id -> __u64 entry time (bpf_ktime_get_ns), internal
 *   target_pid      .rodata __u32: only this process (tgid); 0 every process
 *   target_syscall  .rodata __s32: only this system call number; -1 every one
 *   dropped         .bss __u64: calls not counted because a map was full
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "log2_slot.h"

#define SLOTS 32

/* tracepoint records, as in /sys/kernel/tracing/events/raw_syscalls/{sys_enter,sys_exit}/format */
struct sys_enter_record {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 id;
	__u64 args[6];
};

struct sys_exit_record {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s64 id;
	__s64 ret;
};

struct latency_hist {
	__u64 slots[SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct latency_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

const volatile __u32 target_pid = 0;
const volatile __s32 target_syscall = -1;
__u64 dropped;

static __always_inline int wanted(__s64 id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (target_pid != 0 && tgid != target_pid)
		return 0;
	return target_syscall < 0 || id == target_syscall;
}

SEC("tp/raw_syscalls/sys_enter")
int on_enter(struct sys_enter_record *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	if (!wanted(ctx->id))
		return 0;
	if (bpf_map_update_elem(&start, &tid, &now, BPF_ANY) != 0)
		__sync_fetch_and_add(&dropped, 1);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int on_exit(struct sys_exit_record *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 id = (__u32)ctx->id;
	__u64 *entered = bpf_map_lookup_elem(&start, &tid);
	struct latency_hist *h, empty = {};
	__u64 usecs;

	if (!entered)
		return 0;
	usecs = (bpf_ktime_get_ns() - *entered) / 1000;
	bpf_map_delete_elem(&start, &tid);
	h = bpf_map_lookup_elem(&hists, &id);
	if (!h) {
		bpf_map_update_elem(&hists, &id, &empty, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &id);
		if (!h) {
			__sync_fetch_and_add(&dropped, 1);
			return 0;
		}
	}
	__sync_fetch_and_add(&h->slots[log2_slot(usecs, SLOTS)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
