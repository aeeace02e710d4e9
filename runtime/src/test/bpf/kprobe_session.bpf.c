// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_session.bpf.c -- a kprobe.session program (Linux 6.10): one program that runs at the
 * entry of do_unlinkat and, because the entry run returned 0, again at its return, where the
 * kfunc bpf_session_is_return() tells the two apart. For this process only (.rodata
 * target_tgid); other processes' calls return 1 at entry, which skips their return run.
 *
 * Program on_unlink_session, SEC("kprobe.session/do_unlinkat"), stores in .bss:
 *   entries      number of entry runs
 *   returns      number of return runs
 *   session_ret  do_unlinkat's return value at the last return run
 *
 * bpf_session_is_return is weak and its call guarded by its address: on a kernel without
 * it (before 6.10, which has no kprobe.session either) the call is dead code and the program
 * still loads; attaching it is what such a kernel refuses. do_unlinkat returns int.
 */
#define __TARGET_ARCH_x86
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern _Bool bpf_session_is_return(void) __ksym __weak;

/* libbpf's bpf_ksym_exists (1.2+; the libbpf-dev headers here are 1.1): a weak extern's
 * address is 0 when the kernel does not have it */
#define ksym_exists(sym) (!!(sym))

const volatile __u32 target_tgid = 0;

__u64 entries;
__u64 returns;
__s64 session_ret;

SEC("kprobe.session/do_unlinkat")
int on_unlink_session(struct pt_regs *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 1;
	if (ksym_exists(bpf_session_is_return) && bpf_session_is_return()) {
		session_ret = (int)PT_REGS_RC(ctx);
		__sync_fetch_and_add(&returns, 1);
		return 0;
	}
	__sync_fetch_and_add(&entries, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
