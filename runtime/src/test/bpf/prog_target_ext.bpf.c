// SPDX-License-Identifier: GPL-2.0
/*
 * prog_target_ext.bpf.c -- freplace: a replacement for pick_action() of prog_target.bpf.c,
 * with the same prototype, loaded for the target program named with ProgramSpec.attachTarget.
 *
 * Programs (section -> what it does):
 *   replacement  freplace/pick_action  calls++, last_len = the len argument; returns XDP_TX
 *                (3) where pick_action returns XDP_PASS (2), so a test run of the target shows
 *                which one ran
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 calls;
__s64 last_len;

SEC("freplace/pick_action")
int replacement(int len)
{
	last_len = len;
	__sync_fetch_and_add(&calls, 1);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
