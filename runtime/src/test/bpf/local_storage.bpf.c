// SPDX-License-Identifier: GPL-2.0
/*
 * local_storage.bpf.c -- task, socket and inode local storage that Java reads and writes by
 * descriptor (pidfd, socket, open file).
 *
 * touch_task, SEC("raw_tp/sys_enter"), run with BPF_PROG_TEST_RUN in the calling thread: gets
 * (creating it) the task storage of the calling thread's process leader (current->group_leader,
 * the task a pidfd of the process names), copies its magic to .bss seen_magic, then sets
 * tid = the calling thread's id and runs++.
 * on_state, SEC("tp_btf/inet_sock_set_state"): for every TCP state change of a socket, gets
 * (creating it) the socket's storage: transitions++, last_state = the new state.
 *
 *   task_store   struct task_value { __u64 magic; __u32 tid; __u32 runs; }
 *   sk_store     struct sk_value { __u32 transitions; __u32 last_state; __u64 magic; }
 *   inode_store  __u64 (only LSM programs reach inodes: written and read by Java here)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_value {
	__u64 magic;
	__u32 tid;
	__u32 runs;
};

struct sk_value {
	__u32 transitions;
	__u32 last_state;
	__u64 magic;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_value);
} task_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_value);
} sk_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} inode_store SEC(".maps");

__u64 seen_magic;

SEC("raw_tp/sys_enter")
int touch_task(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_value *v;

	v = bpf_task_storage_get(&task_store, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 1;
	seen_magic = v->magic;
	v->tid = task->pid;
	v->runs++;
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, struct sock *sk, int oldstate, int newstate)
{
	struct sk_value *v;

	v = bpf_sk_storage_get(&sk_store, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 0;
	v->transitions++;
	v->last_state = newstate;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
