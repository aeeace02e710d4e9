// SPDX-License-Identifier: GPL-2.0
/*
 * module_tracing.bpf.c -- fentry and fexit on functions of a kernel module, the tun driver
 * (/dev/net/tun): found in the module's BTF, not vmlinux's, and loaded with the module's BTF
 * object as attach_btf_obj_fd.
 *
 * Programs (section -> what it stores in .bss), for this process only (.rodata target_tgid):
 *   on_tun_open   fentry/tun_chr_open       (no module named: vmlinux is searched, then every
 *                                           module) opens++, last_open = the struct file
 *   on_tun_close  fexit/tun:tun_chr_close   (module named) closes++, close_ret = the return
 *                                           value; matched++ when the file closed is the one
 *                                           last opened
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct inode;
struct file;

const volatile __u32 target_tgid = 0;

__u64 opens;
__u64 closes;
__u64 matched;
__s64 close_ret = -1;
__u64 last_open;

static __always_inline int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("fentry/tun_chr_open")
int BPF_PROG(on_tun_open, struct inode *inode, struct file *file)
{
	if (mine()) {
		last_open = (__u64)file;
		__sync_fetch_and_add(&opens, 1);
	}
	return 0;
}

SEC("fexit/tun:tun_chr_close")
int BPF_PROG(on_tun_close, struct inode *inode, struct file *file, int ret)
{
	if (mine()) {
		close_ret = ret;
		if ((__u64)file == last_open)
			__sync_fetch_and_add(&matched, 1);
		__sync_fetch_and_add(&closes, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
