// SPDX-License-Identifier: GPL-2.0
/*
 * externs_missing.bpf.c -- externs the kernel does not have.
 *
 *   bpfkit_no_such_kfunc     weak kfunc, absent: its call is poisoned (libbpf's "invalid func
 *                            unknown#2002000000+N"); the call sits behind bpf_ksym_exists(), so
 *                            the verifier drops it as dead code and the program loads.
 * (A strong kconfig extern the kernel lacks fails the whole object's load: that case is
 * kconfig_strong.bpf.c.)
 *
 * Program weak_kfunc, SEC("syscall"): returns 7 when bpfkit_no_such_kfunc is absent (always
 * here), 0 if it existed.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf 1.1's bpf_helpers.h predates bpf_ksym_exists: the same test of the extern's address */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern void bpfkit_no_such_kfunc(void) __ksym __weak;

SEC("syscall")
int weak_kfunc(void *ctx)
{
	if (bpf_ksym_exists(bpfkit_no_such_kfunc)) {
		bpfkit_no_such_kfunc();
		return 0;
	}
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
