// SPDX-License-Identifier: GPL-2.0
/*
 * core_poison.bpf.c -- a CO-RE read of a field the kernel does not have, NOT guarded by
 * bpf_core_field_exists: the loader poisons the instruction (a call to helper 0xbad2310, as
 * libbpf) and, since the path runs, the verifier refuses the program ("invalid func
 * unknown#195896080"). The error names the relocation (task_struct.bpfkit_no_such_field) and
 * this file's source line.
 *
 * Program read_missing, SEC("tp/syscalls/sys_enter_getpid"): never loads. libbpf 1.1 fails
 * the same way.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int bpfkit_no_such_field;
} __attribute__((preserve_access_index));

__s32 seen;

SEC("tp/syscalls/sys_enter_getpid")
int read_missing(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	seen = BPF_CORE_READ(task, bpfkit_no_such_field);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
