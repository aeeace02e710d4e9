// SPDX-License-Identifier: GPL-2.0
/*
 * syscount.bpf.c -- counts system calls per process, with the time spent in them.
 *
 * on_enter (tp/raw_syscalls/sys_enter) remembers when the calling thread entered a system
 * call; on_exit (tp/raw_syscalls/sys_exit) adds one call and the elapsed nanoseconds to the
 * process's entry in `counts`, and one to the .bss counter `total`.
 *
 * Maps and globals user space works with:
 *   counts      HASH  key __u32 tgid -> struct syscall_stats { __u64 calls; __u64 nanos; }
 *   start       HASH  key __u32 thread id -> __u64 entry time (bpf_ktime_get_ns), internal
 *   target_pid  .rodata __u32: count only this process (tgid); 0 counts every process
 *   total       .bss __u64: system calls counted so far (all processes that passed the filter)
 *   dropped     .bss __u64: exits not counted because `counts` was full
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

struct syscall_stats {
	__u64 calls;
	__u64 nanos;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct syscall_stats);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

const volatile __u32 target_pid = 0;

__u64 total;
__u64 dropped;

SEC("tp/raw_syscalls/sys_enter")
int on_enter(struct sys_enter_record *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	__u64 now;

	if (target_pid && tgid != target_pid)
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int on_exit(struct sys_exit_record *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct syscall_stats *st, fresh = {};
	__u64 *entered, nanos;

	if (target_pid && tgid != target_pid)
		return 0;
	entered = bpf_map_lookup_elem(&start, &tid);
	if (!entered)
		return 0; /* entered before we were attached */
	nanos = bpf_ktime_get_ns() - *entered;
	bpf_map_delete_elem(&start, &tid);

	st = bpf_map_lookup_elem(&counts, &tgid);
	if (!st) {
		/* may fail with EEXIST when another CPU inserted it first: look it up again */
		bpf_map_update_elem(&counts, &tgid, &fresh, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&counts, &tgid);
		if (!st) {
			__sync_fetch_and_add(&dropped, 1);
			return 0;
		}
	}
	__sync_fetch_and_add(&st->calls, 1);
	__sync_fetch_and_add(&st->nanos, nanos);
	__sync_fetch_and_add(&total, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
