// SPDX-License-Identifier: GPL-2.0
/*
 * prog_fentry.bpf.c -- fentry and fexit on a function of another BPF program:
 * pick_action() of prog_target.bpf.c, named at load with ProgramSpec.attachTarget (the
 * section alone would look the name up in the kernel's BTF).
 *
 * Programs (section -> what it stores in .bss):
 *   on_pick_entry  fentry/pick_action  entry_hits++, entry_len = the len argument
 *   on_pick_exit   fexit (bare: the target comes only from attachTarget)
 *                  exit_hits++, exit_len = the len argument, exit_ret = the return value
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 entry_hits;
__s64 entry_len;
__u64 exit_hits;
__s64 exit_len;
__s64 exit_ret;

SEC("fentry/pick_action")
int BPF_PROG(on_pick_entry, int len)
{
	entry_len = len;
	__sync_fetch_and_add(&entry_hits, 1);
	return 0;
}

SEC("fexit")
int BPF_PROG(on_pick_exit, int len, int ret)
{
	exit_len = len;
	exit_ret = ret;
	__sync_fetch_and_add(&exit_hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
