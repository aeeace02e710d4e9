// SPDX-License-Identifier: GPL-2.0
/*
 * sleepable.bpf.c -- a sleepable fentry program (SEC("fentry.s/...")): loaded with
 * BPF_F_SLEEPABLE, it may call helpers that can fault and sleep, such as bpf_copy_from_user.
 *
 * Program copy_user_string, SEC("fentry.s/bpf_fentry_test1"): bpf_fentry_test1(int a) is a
 * kernel function that BPF_PROG_TEST_RUN of an fentry program calls with a = 1, in the
 * calling task. Sleepable programs may attach to it: it is in the kernel's modify-return set
 * with KF_SLEEPABLE (system call functions qualify only with CONFIG_FUNCTION_ERROR_INJECTION,
 * which Debian's kernels lack). For this process (.rodata target_tgid) it stores in .bss:
 *   hits     runs
 *   arg_a    the a argument
 *   copied   the first 15 bytes at user address .bss user_ptr (set by the test to a string
 *            in its own memory), read with bpf_copy_from_user; zero when the copy failed
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;

__u64 user_ptr;
__u64 hits;
__s64 arg_a;
char copied[16];

SEC("fentry.s/bpf_fentry_test1")
int BPF_PROG(copy_user_string, int a)
{
	char buf[16] = {};

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	arg_a = a;
	if (bpf_copy_from_user(buf, sizeof(buf) - 1, (void *)user_ptr) == 0)
		__builtin_memcpy(copied, buf, sizeof(buf));
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
