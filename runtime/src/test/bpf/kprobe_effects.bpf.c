// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_effects.bpf.c -- the kprobe family, each program recording what it saw, for this
 * process only (.rodata target_tgid). The test triggers them with unlinkat(2): of a file
 * (kernel function do_unlinkat(int dfd, struct filename *name), returns 0), of a missing name
 * (do_unlinkat returns -ENOENT) and of a directory with AT_REMOVEDIR (do_rmdir instead, so
 * only the ksyscall programs see it).
 *
 * Programs (section -> what it stores in .bss):
 *   on_unlink            kprobe/do_unlinkat            hits[0]++, entry_dfd = first argument
 *   on_unlink_ret        kretprobe/do_unlinkat         hits[1]++, exit_ret = return value
 *   on_unlinkat          ksyscall/unlinkat             hits[2]++, sys_flags = the system call's
 *                        third argument, read from the user registers the arch wrapper gets
 *   on_unlinkat_ret      kretsyscall/unlinkat          hits[3]++, sys_ret = its result
 *   on_unlink_multi      kprobe.multi/do_unlinkat      hits[4]++, multi_ip = bpf_get_func_ip(),
 *                        do_unlinkat's address (/proc/kallsyms)
 *   on_unlink_multi_ret  kretprobe.multi/do_unlinkat   hits[5]++, multi_ret = return value
 *
 * do_unlinkat returns int: its return value is read as int (the upper half of rax is not
 * part of it). __TARGET_ARCH_x86: the PT_REGS macros read the uapi struct pt_regs (asm/ptrace.h), whose
 * layout is the kernel's.
 */
#define __TARGET_ARCH_x86
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;

__u64 hits[6];
__s64 entry_dfd;
__s64 exit_ret;
__u64 sys_flags;
__s64 sys_ret;
__u64 multi_ip;
__s64 multi_ret;

static __always_inline int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd)
{
	if (mine()) {
		entry_dfd = dfd;
		__sync_fetch_and_add(&hits[0], 1);
	}
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(on_unlink_ret, int ret)
{
	if (mine()) {
		exit_ret = ret;
		__sync_fetch_and_add(&hits[1], 1);
	}
	return 0;
}

SEC("ksyscall/unlinkat")
int on_unlinkat(struct pt_regs *ctx)
{
	/* the arch wrapper __x64_sys_unlinkat(const struct pt_regs *regs): the user registers */
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1(ctx);
	__u64 flags = 0;

	if (mine()) {
		bpf_probe_read_kernel(&flags, sizeof(flags), &regs->rdx);
		sys_flags = flags;
		__sync_fetch_and_add(&hits[2], 1);
	}
	return 0;
}

SEC("kretsyscall/unlinkat")
int on_unlinkat_ret(struct pt_regs *ctx)
{
	if (mine()) {
		sys_ret = PT_REGS_RC(ctx);
		__sync_fetch_and_add(&hits[3], 1);
	}
	return 0;
}

SEC("kprobe.multi/do_unlinkat")
int on_unlink_multi(struct pt_regs *ctx)
{
	if (mine()) {
		multi_ip = bpf_get_func_ip(ctx);
		__sync_fetch_and_add(&hits[4], 1);
	}
	return 0;
}

SEC("kretprobe.multi/do_unlinkat")
int on_unlink_multi_ret(struct pt_regs *ctx)
{
	if (mine()) {
		multi_ret = (int)PT_REGS_RC(ctx);
		__sync_fetch_and_add(&hits[5], 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
