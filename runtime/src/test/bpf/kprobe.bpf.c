// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe.bpf.c -- kprobe-family section kinds (all BPF_PROG_TYPE_KPROBE).
 *
 * Programs (function name: ELF section -> expected attach type, auto-attach target):
 *   on_unlink         kprobe/do_unlinkat           0, kernel function do_unlinkat, offset 0
 *   on_unlink_ret     kretprobe/do_unlinkat        0, retprobe on do_unlinkat
 *   on_unlinkat       ksyscall/unlinkat            0, syscall unlinkat (libbpf: arch wrapper __x64_sys_unlinkat)
 *   on_unlinkat_ret   kretsyscall/unlinkat         0, retprobe on the syscall
 *   on_vfs            kprobe.multi/vfs_read*       BPF_TRACE_KPROBE_MULTI, glob "vfs_read*"
 *   manual            kprobe                       0, no target (attach by hand)
 * Each counts itself in .bss `kprobe_hits` (u64[6], index = order above); on_unlink also
 * stores the dfd argument (PT_REGS_PARM1) in `last_dfd`, on_unlink_ret the return value in
 * `last_ret`. The ksyscall programs take the raw struct pt_regs * (libbpf's BPF_KSYSCALL
 * macro would add CO-RE reads of the uapi pt_regs names rdi/rsi, which do not exist in the
 * kernel's struct pt_regs without vmlinux.h, and a .kconfig extern).
 *
 * __TARGET_ARCH_x86 is defined below because the PT_REGS macros of bpf_tracing.h need a
 * target architecture and the build passes none; BPF_KPROBE/BPF_KRETPROBE then read the
 * uapi struct pt_regs (asm/ptrace.h) directly, whose layout equals the kernel's.
 *
 * LOADS on this kernel (bpftool prog loadall: the kprobe program type exists, uprobes use
 * it), but CONFIG_KPROBES is off, so ATTACHING any of them fails: there is no "kprobe" PMU in
 * /sys/bus/event_source/devices and no kprobe_events in tracefs, and BPF_LINK_CREATE for
 * on_vfs (BPF_TRACE_KPROBE_MULTI) fails with EOPNOTSUPP (CONFIG_FPROBE is off). Used to test
 * that attach error.
 */
#define __TARGET_ARCH_x86
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct filename;

__u64 kprobe_hits[6];
__s64 last_dfd;
__s64 last_ret;

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	last_dfd = dfd;
	__sync_fetch_and_add(&kprobe_hits[0], 1);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(on_unlink_ret, long ret)
{
	last_ret = ret;
	__sync_fetch_and_add(&kprobe_hits[1], 1);
	return 0;
}

SEC("ksyscall/unlinkat")
int on_unlinkat(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&kprobe_hits[2], 1);
	return 0;
}

SEC("kretsyscall/unlinkat")
int on_unlinkat_ret(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&kprobe_hits[3], 1);
	return 0;
}

SEC("kprobe.multi/vfs_read*")
int on_vfs(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&kprobe_hits[4], 1);
	return 0;
}

SEC("kprobe")
int manual(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&kprobe_hits[5], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
