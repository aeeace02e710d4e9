// SPDX-License-Identifier: GPL-2.0
/*
 * tracing_refused.bpf.c -- BPF trampoline program kinds (BPF_PROG_TYPE_TRACING / LSM).
 *
 * Programs (function name: ELF section -> program type, expected attach type, attach target
 * looked up by name in kernel BTF):
 *   on_unlink        fentry/do_unlinkat                 TRACING, BPF_TRACE_FENTRY, func do_unlinkat
 *   on_unlink_ret    fexit/do_unlinkat                  TRACING, BPF_TRACE_FEXIT
 *   modify_ret       fmod_ret/bpf_modify_return_test    TRACING, BPF_MODIFY_RETURN
 *   on_openat_s      fentry.s/__x64_sys_openat          TRACING, BPF_TRACE_FENTRY, BPF_F_SLEEPABLE
 *   check_open       lsm/file_open                      LSM, BPF_LSM_MAC, func bpf_lsm_file_open
 *   check_open_s     lsm.s/file_open                    LSM, BPF_LSM_MAC, BPF_F_SLEEPABLE
 * Each counts itself in .bss `trace_hits` (u64[6], index = order above); modify_ret returns 0
 * (no change to the return value), check_open/check_open_s return 0 (allow).
 *
 * DOES NOT LOAD ON THIS KERNEL (6.18, locked down): BPF_PROG_LOAD of every program here fails
 * with EPERM and an empty verifier log. The attach targets exist in /sys/kernel/btf/vmlinux,
 * so a loader gets as far as the kernel (BTF id resolution succeeds) before the refusal.
 * Used to test that error path; on an ordinary kernel all six load.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct filename;
struct file;
struct pt_regs;

__u64 trace_hits[6];

SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlink, int dfd, struct filename *name)
{
	__sync_fetch_and_add(&trace_hits[0], 1);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(on_unlink_ret, int dfd, struct filename *name, int ret)
{
	__sync_fetch_and_add(&trace_hits[1], 1);
	return 0;
}

SEC("fmod_ret/bpf_modify_return_test")
int BPF_PROG(modify_ret, int a, int *b, int ret)
{
	__sync_fetch_and_add(&trace_hits[2], 1);
	return 0;
}

SEC("fentry.s/__x64_sys_openat")
int BPF_PROG(on_openat_s, struct pt_regs *regs)
{
	__sync_fetch_and_add(&trace_hits[3], 1);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(check_open, struct file *file)
{
	__sync_fetch_and_add(&trace_hits[4], 1);
	return 0;
}

SEC("lsm.s/file_open")
int BPF_PROG(check_open_s, struct file *file)
{
	__sync_fetch_and_add(&trace_hits[5], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
