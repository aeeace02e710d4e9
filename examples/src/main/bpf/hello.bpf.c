// SPDX-License-Identifier: GPL-2.0
/*
 * hello.bpf.c -- the README's example: counts the openat(2) calls of one process.
 *
 * on_openat (tp/syscalls/sys_enter_openat) adds one to counts[0].calls and records the caller in
 * counts[0].last_pid, for the process target_tgid (.rodata; 0 = every process).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stats { __u64 calls; __u64 last_pid; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} counts SEC(".maps");

const volatile __u32 target_tgid = 0;      /* set from Java before load */

SEC("tp/syscalls/sys_enter_openat")
int on_openat(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct stats *s = bpf_map_lookup_elem(&counts, &zero);

	if (s && (!target_tgid || tgid == target_tgid)) {
		__sync_fetch_and_add(&s->calls, 1);
		s->last_pid = tgid;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
