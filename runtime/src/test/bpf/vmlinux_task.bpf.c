// SPDX-License-Identifier: GPL-2.0
/*
 * vmlinux_task.bpf.c -- built against the vmlinux.h that bpfkit itself generates from the
 * kernel's BTF (`bpfkit btf dump /sys/kernel/btf/vmlinux --format c`, made by the build into
 * runtime/target/generated-bpf-include); no kernel or libc headers, as libbpf-tools do it.
 * Every struct from vmlinux.h is preserve_access_index, so each field read below is a CO-RE
 * relocation: loading needs CO-RE.
 *
 * Program vmlinux_task, SEC("raw_tp/sys_enter"): meant to be run with BPF_PROG_TEST_RUN (no
 * attach needed; the program then runs in the calling thread). It fills .bss `out`
 * (struct vmlinux_result, 56 bytes):
 *   pid        current->pid               (the calling thread's id, gettid())
 *   tgid       current->tgid              (the calling process, getpid())
 *   ppid       current->real_parent->tgid (the parent process, getppid())
 *   hits       += 1 per run
 *   comm       current->comm              (the calling thread's name, /proc/self/task/TID/comm)
 *   task_size_header   sizeof(struct task_struct) as vmlinux.h declares it (compile time)
 *   pid_offset_header  offsetof(struct task_struct, pid) as vmlinux.h declares it (compile time)
 *   task_size_core     bpf_core_type_size(struct task_struct)       (CO-RE, the running kernel)
 *   pid_offset_core    bpf_core_field_offset(struct task_struct, pid) (CO-RE, the running kernel)
 * On the kernel the header was made from, the header and CO-RE values equal the kernel BTF's
 * size of task_struct and the byte offset of its member pid. Returns 0.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct vmlinux_result {
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 hits;
	char comm[16];
	__u64 task_size_header;
	__u64 pid_offset_header;
	__u64 task_size_core;
	__u64 pid_offset_core;
};

struct vmlinux_result out;

SEC("raw_tp/sys_enter")
int vmlinux_task(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	out.pid = BPF_CORE_READ(task, pid);
	out.tgid = BPF_CORE_READ(task, tgid);
	out.ppid = BPF_CORE_READ(task, real_parent, tgid);
	BPF_CORE_READ_INTO(&out.comm, task, comm);
	out.task_size_header = sizeof(struct task_struct);
	out.pid_offset_header = __builtin_offsetof(struct task_struct, pid);
	out.task_size_core = bpf_core_type_size(struct task_struct);
	out.pid_offset_core = bpf_core_field_offset(struct task_struct, pid);
	out.hits++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
