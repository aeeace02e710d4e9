// SPDX-License-Identifier: GPL-2.0
/*
 * uprobecount.bpf.c -- counts and times the calls of one function in user space.
 *
 * User space attaches on_entry as a uprobe and on_return as a uretprobe on the same function
 * (a bare SEC("uprobe"): the library, function and process are chosen at attach time).
 * on_entry counts the call and remembers when the calling thread entered; on_return adds the
 * time in the function to `stats`: total nanoseconds and one to the histogram slot
 * log2(nanoseconds) (slot 0 under 2 ns, slot k [2^k, 2^(k+1)) ns, the last slot longer).
 * A call whose return is missed (the thread longjmp'ed out) is counted but not timed.
 *
 * Maps user space works with:
 *   stats   ARRAY of 1 struct call_stats { __u64 calls; __u64 timed; __u64 total_ns;
 *                                          __u64 slots[40]; }
 *   entered HASH  key __u64 pid_tgid -> __u64 entry time (bpf_ktime_get_ns), internal
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "log2_slot.h"

#define SLOTS 40

struct call_stats {
	__u64 calls;
	__u64 timed;
	__u64 total_ns;
	__u64 slots[SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct call_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} entered SEC(".maps");

SEC("uprobe")
int on_entry(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct call_stats *s = bpf_map_lookup_elem(&stats, &zero);

	if (s)
		__sync_fetch_and_add(&s->calls, 1);
	bpf_map_update_elem(&entered, &id, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int on_return(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *since = bpf_map_lookup_elem(&entered, &id);
	__u32 zero = 0;
	struct call_stats *s = bpf_map_lookup_elem(&stats, &zero);
	__u64 ns;

	if (!since)
		return 0;
	ns = bpf_ktime_get_ns() - *since;
	bpf_map_delete_elem(&entered, &id);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->total_ns, ns);
	__sync_fetch_and_add(&s->slots[log2_slot(ns, SLOTS)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
