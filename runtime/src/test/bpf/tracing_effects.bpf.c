// SPDX-License-Identifier: GPL-2.0
/*
 * tracing_effects.bpf.c -- BPF trampoline programs on kernel functions, each recording what
 * it saw.
 *
 * Programs (section -> what it stores in .bss):
 *   on_unlink_entry  fentry/do_unlinkat    for this process (.rodata target_tgid):
 *                    fentry_hits++, fentry_dfd = the dfd argument
 *   on_unlink_exit   fexit/do_unlinkat     for this process: fexit_hits++, fexit_dfd = the dfd
 *                    argument, fexit_ret = the return value
 *   refuse_socket    fmod_ret/security_socket_create   for this process: fmod_ret_hits++;
 *                    for socket(AF_UNIX, SOCK_DGRAM, ...) fmod_ret_refused++ and returns
 *                    -EACCES, which makes the trampoline skip security_socket_create and the
 *                    system call fail with EACCES; returns 0 (the function runs) otherwise.
 *                    fmod_ret may change functions on the kernel's error-injection list or,
 *                    like this one, named security_* (Debian's kernels have no error injection)
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct filename;

#define EACCES 13
#define AF_UNIX 1
#define SOCK_DGRAM 2
#define SOCK_TYPE_MASK 0xf

const volatile __u32 target_tgid = 0;

__u64 fentry_hits;
__s64 fentry_dfd;
__u64 fexit_hits;
__s64 fexit_dfd;
__s64 fexit_ret;
__u64 fmod_ret_hits;
__u64 fmod_ret_refused;

static __always_inline int mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlink_entry, int dfd, struct filename *name)
{
	if (mine()) {
		fentry_dfd = dfd;
		__sync_fetch_and_add(&fentry_hits, 1);
	}
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(on_unlink_exit, int dfd, struct filename *name, int ret)
{
	if (mine()) {
		fexit_dfd = dfd;
		fexit_ret = ret;
		__sync_fetch_and_add(&fexit_hits, 1);
	}
	return 0;
}

SEC("fmod_ret/security_socket_create")
int BPF_PROG(refuse_socket, int family, int type, int protocol, int kern, int ret)
{
	if (!mine())
		return 0;
	__sync_fetch_and_add(&fmod_ret_hits, 1);
	if (family == AF_UNIX && (type & SOCK_TYPE_MASK) == SOCK_DGRAM) {
		__sync_fetch_and_add(&fmod_ret_refused, 1);
		return -EACCES;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
