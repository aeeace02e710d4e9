// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms_typed.bpf.c -- typed variable ksyms (".ksyms" externs whose type is in kernel BTF).
 *
 *   bpf_prog_active         strong, typed (int): a per-CPU VAR in vmlinux BTF. The loader
 *                           resolves it to a BTF id (ld_imm64 src_reg BPF_PSEUDO_BTF_ID).
 *   bpfkit_no_such_percpu   weak, typed (int), absent from kernel BTF: resolves to address 0,
 *                           so `if (&bpfkit_no_such_percpu)` is false and the branch is dead.
 *
 * Program: read_ksyms, SEC("syscall"): .bss prog_active_seen = 1 if bpf_this_cpu_ptr gave a
 * pointer, weak_present = 0.
 *
 * Loads only where kallsyms lists kernel data (CONFIG_KALLSYMS_ALL=y): the verifier looks the
 * variable up there. Without it (the CI host) libbpf resolves the BTF id, then BPF_PROG_LOAD
 * fails with ENOENT and the log "ldimm64 failed to find the address for kernel symbol
 * 'bpf_prog_active'."; ExternsLoadTest tests whichever of the two the running kernel does.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;
extern const int bpfkit_no_such_percpu __ksym __weak;

__u32 prog_active_seen;
__u32 weak_present;

SEC("syscall")
int read_ksyms(void *ctx)
{
	const int *p = bpf_this_cpu_ptr(&bpf_prog_active);

	prog_active_seen = p != NULL;
	if (&bpfkit_no_such_percpu)
		weak_present = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
