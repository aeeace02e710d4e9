// SPDX-License-Identifier: GPL-2.0
/*
 * lsm_effects.bpf.c -- a BPF LSM program that denies: socket(AF_UNIX, SOCK_SEQPACKET, ...)
 * fails with EPERM for this process (.rodata target_tgid) while the program is attached;
 * every other socket, and every other process, is left alone.
 *
 * Program deny_seqpacket, SEC("lsm/socket_create") (hook security_socket_create(int family,
 * int type, int protocol, int kern); the last argument is the verdict of the LSMs before
 * this one). Stores in .bss:
 *   checked  sockets this process created while attached (the denied ones included)
 *   denied   of those, the ones refused
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1
#define AF_UNIX 1
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf

const volatile __u32 target_tgid = 0;

__u64 checked;
__u64 denied;

SEC("lsm/socket_create")
int BPF_PROG(deny_seqpacket, int family, int type, int protocol, int kern, int ret)
{
	if (ret != 0 || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return ret;
	__sync_fetch_and_add(&checked, 1);
	if (family == AF_UNIX && (type & SOCK_TYPE_MASK) == SOCK_SEQPACKET) {
		__sync_fetch_and_add(&denied, 1);
		return -EPERM;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
