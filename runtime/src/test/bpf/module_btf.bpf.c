// SPDX-License-Identifier: GPL-2.0
/*
 * module_btf.bpf.c -- CO-RE relocations against a kernel module's BTF. struct tun_file is the
 * tun driver's own (drivers/net/tun.c): where tun is a module it exists only in
 * /sys/kernel/btf/tun, split over vmlinux, so a loader must search module BTF as libbpf does
 * (vmlinux first; the modules only for types vmlinux lacks). Where tun is built in, vmlinux
 * has it. The local types carry a "___local" flavor: CO-RE matches them by the name before
 * "___", and the object needs no vmlinux.h.
 *
 * Programs:
 *   tun_layout    SEC("raw_tp/sys_enter"), run with BPF_PROG_TEST_RUN: stores in .bss
 *                 socket_offset = offsetof(struct tun_file, socket)      (module BTF)
 *                 tun_file_size = sizeof(struct tun_file)                (module BTF)
 *                 file_offset   = offsetof(struct socket, file)          (vmlinux BTF)
 *   on_tun_close  SEC("kprobe/tun_chr_close"), the release of a /dev/net/tun descriptor
 *                 (tun_chr_close(struct inode *inode, struct file *file)), for this process
 *                 (.rodata target_tgid): closes++, and matched++ when the tun_file the
 *                 descriptor's private_data points to has socket.file == file, which
 *                 tun_chr_open set up; both reads are CO-RE relocated.
 */
#define __TARGET_ARCH_x86
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct file___local {
	void *private_data;
} __attribute__((preserve_access_index));

struct socket___local {
	struct file___local *file;
} __attribute__((preserve_access_index));

struct tun_file___local {
	struct socket___local socket;
} __attribute__((preserve_access_index));

const volatile __u32 target_tgid = 0;

__u64 socket_offset;
__u64 tun_file_size;
__u64 file_offset;
__u64 closes;
__u64 matched;

SEC("raw_tp/sys_enter")
int tun_layout(void *ctx)
{
	socket_offset = bpf_core_field_offset(struct tun_file___local, socket);
	tun_file_size = bpf_core_type_size(struct tun_file___local);
	file_offset = bpf_core_field_offset(struct socket___local, file);
	return 0;
}

SEC("kprobe/tun_chr_close")
int BPF_KPROBE(on_tun_close, void *inode, struct file___local *file)
{
	struct tun_file___local *tfile;
	struct file___local *back;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	tfile = BPF_CORE_READ(file, private_data);
	back = BPF_CORE_READ(tfile, socket.file);
	__sync_fetch_and_add(&closes, 1);
	if (back == file)
		__sync_fetch_and_add(&matched, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
