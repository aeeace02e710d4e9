// SPDX-License-Identifier: GPL-2.0
/*
 * kfunc_protos.bpf.c -- calls kfuncs through the prototypes of the vmlinux.h that bpfkit
 * generates (`bpfkit btf dump /sys/kernel/btf/vmlinux --format c`: an `extern ... __weak
 * __ksym;` for every function the kernel BTF tags bpf_kfunc), declaring none of them itself.
 * With -DBPF_NO_KFUNC_PROTOTYPES it does not compile (the calls are then undeclared).
 *
 * Programs, each storing into .bss `out` (struct kfunc_protos_result):
 *   on_newtask  SEC("tp_btf/task_newtask"): bpf_task_acquire / bpf_task_release on the new
 *               task; new_task_pid = its pid, acquired += 1.
 *   kern_ctx    SEC("tc"): bpf_cast_to_kern_ctx of the __sk_buff; skb_len = the sk_buff's len
 *               (with BPF_PROG_TEST_RUN: the length of the test packet). Returns 0.
 *   obj_new     SEC("syscall"): bpf_obj_new_impl of a local struct, writes 42 into it, reads it
 *               back into obj_value, bpf_obj_drop_impl. Returns 0, or 1 when the allocation
 *               failed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct kfunc_protos_result {
	__u32 new_task_pid;
	__u32 acquired;
	__u64 skb_len;
	__u64 obj_value;
};

struct kfunc_protos_result out;

/* Allocated with bpf_obj_new_impl: its type id is this object's, not the kernel's. */
struct kfunc_protos_node {
	__u64 value;
	__u64 spare;
};

SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *acquired = bpf_task_acquire(task);

	if (!acquired)
		return 0;
	out.new_task_pid = acquired->pid;
	out.acquired++;
	bpf_task_release(acquired);
	return 0;
}

SEC("tc")
int kern_ctx(struct __sk_buff *skb)
{
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);

	out.skb_len = kskb->len;
	return 0;
}

SEC("syscall")
int obj_new(void *ctx)
{
	struct kfunc_protos_node *n = bpf_obj_new_impl(bpf_core_type_id_local(struct kfunc_protos_node), NULL);

	if (!n)
		return 1;
	n->value = 42;
	out.obj_value = n->value;
	bpf_obj_drop_impl(n, NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
