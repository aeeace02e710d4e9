// SPDX-License-Identifier: GPL-2.0
/*
 * core.bpf.c -- CO-RE relocations against locally declared kernel structs (no vmlinux.h).
 *
 * Local types (all preserve_access_index, matched to kernel BTF by name; "___suffix" is a
 * flavor and is ignored when matching):
 *   struct task_struct        pid, tgid, real_parent, comm[16], in_execve:1 (a real kernel
 *                             bitfield), bpfkit_no_such_field (NOT in the kernel)
 *   struct task_struct___v0   long state        (pre-5.14 name: absent on 6.18)
 *   struct task_struct___v1   unsigned __state  (5.14+ name: present on 6.18)
 *   struct task_struct___pid  pid, tgid only    (for bpf_core_type_matches: matches)
 *   struct bpfkit_no_such_type                  (absent)
 *   enum pid_type             local values deliberately differ from the kernel's
 *                             (PIDTYPE_SID is 13 here, 3 in the kernel); BPFKIT_PIDTYPE_FAKE
 *                             does not exist in the kernel
 *
 * Relocation kinds used: field byte offset (every BPF_CORE_READ), field exists, field byte
 * size, bitfield (offset/size/signed/lshift/rshift), type exists, type size, type matches,
 * type id (target), enum value exists, enum value. The read of bpfkit_no_such_field sits
 * behind bpf_core_field_exists, so the loader must poison it (it is dead code after the
 * exists relocation resolves to 0).
 *
 * .rodata `target_tgid` (u32, default 0 = every process): set it to the test's own tgid.
 *
 * Program core_getpid, SEC("tp/syscalls/sys_enter_getpid"): when the calling process has
 * tgid == target_tgid (or target_tgid == 0), fills .bss `out` (struct core_result):
 *   pid, tgid          current thread id / process id (what gettid()/getpid() return)
 *   ppid               current->real_parent->tgid (the parent's pid)
 *   comm               current->comm (thread name, NUL padded)
 *   pid_exists = 1, fake_exists = 0, fake_value = 0
 *   state_v0_exists = 0, state_v1_exists = 1, state = current->__state (0, TASK_RUNNING)
 *   pid_size = 4, comm_size = 16, pid_offset = kernel offset of task_struct.pid
 *   task_exists = 1, fake_type_exists = 0, task_size = kernel sizeof(struct task_struct),
 *   task_matches = 1, task_btf_id = kernel BTF id of struct task_struct
 *   sid_exists = 1, fake_enum_exists = 0, sid_value = 3, max_value = 4
 *   in_execve = 0 (bitfield, not in an exec right now)
 *   hits += 1
 * Program core_exec, SEC("tp/sched/sched_process_exec"): for an exec whose parent has
 * tgid == target_tgid (or any, when 0) fills .bss `exec_out`: pid, ppid, comm of the new
 * image (basename of the executed file, e.g. "true"), in_execve = 1 (the bitfield is set
 * while the exec tracepoint fires), hits += 1.
 *
 * Loads with libbpf 1.1 (bpftool prog loadall).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	unsigned int in_execve: 1;
	int bpfkit_no_such_field;
} __attribute__((preserve_access_index));

struct task_struct___v0 {
	long state;
} __attribute__((preserve_access_index));

struct task_struct___v1 {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct task_struct___pid {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct bpfkit_no_such_type {
	int x;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_PID = 10,
	PIDTYPE_TGID = 11,
	PIDTYPE_PGID = 12,
	PIDTYPE_SID = 13,
	PIDTYPE_MAX = 14,
	BPFKIT_PIDTYPE_FAKE = 99,
};

struct core_result {
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	char comm[16];
	__u32 pid_exists;
	__u32 fake_exists;
	__s32 fake_value;
	__u32 state_v0_exists;
	__u32 state_v1_exists;
	__u64 state;
	__u32 pid_size;
	__u32 comm_size;
	__u32 pid_offset;
	__u32 task_exists;
	__u32 fake_type_exists;
	__u32 task_size;
	__u32 task_matches;
	__u32 task_btf_id;
	__u32 sid_exists;
	__u32 fake_enum_exists;
	__u64 sid_value;
	__u64 max_value;
	__u64 in_execve;
	__u64 hits;
};

struct exec_result {
	__u32 pid;
	__u32 ppid;
	char comm[16];
	__u64 in_execve;
	__u64 hits;
};

const volatile __u32 target_tgid = 0;

struct core_result out;
struct exec_result exec_out;

SEC("tp/syscalls/sys_enter_getpid")
int core_getpid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (target_tgid && tgid != target_tgid)
		return 0;

	out.pid = BPF_CORE_READ(task, pid);
	out.tgid = BPF_CORE_READ(task, tgid);
	out.ppid = BPF_CORE_READ(task, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&out.comm, task, comm);

	/* field existence, with a guarded read of a field the kernel does not have */
	out.pid_exists = bpf_core_field_exists(task->pid);
	out.fake_exists = bpf_core_field_exists(task->bpfkit_no_such_field);
	if (bpf_core_field_exists(task->bpfkit_no_such_field))
		out.fake_value = BPF_CORE_READ(task, bpfkit_no_such_field);

	/* flavors: the field was renamed state -> __state in 5.14 */
	out.state_v0_exists = bpf_core_field_exists(((struct task_struct___v0 *)task)->state);
	out.state_v1_exists = bpf_core_field_exists(((struct task_struct___v1 *)task)->__state);
	if (bpf_core_field_exists(((struct task_struct___v1 *)task)->__state))
		out.state = BPF_CORE_READ((struct task_struct___v1 *)task, __state);
	else
		out.state = BPF_CORE_READ((struct task_struct___v0 *)task, state);

	/* sizes and offsets */
	out.pid_size = bpf_core_field_size(task->pid);
	out.comm_size = bpf_core_field_size(task->comm);
	out.pid_offset = bpf_core_field_offset(task->pid);

	/* types */
	out.task_exists = bpf_core_type_exists(struct task_struct);
	out.fake_type_exists = bpf_core_type_exists(struct bpfkit_no_such_type);
	out.task_size = bpf_core_type_size(struct task_struct);
	out.task_matches = bpf_core_type_matches(struct task_struct___pid);
	out.task_btf_id = bpf_core_type_id_kernel(struct task_struct);

	/* enums */
	out.sid_exists = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_SID);
	out.fake_enum_exists = bpf_core_enum_value_exists(enum pid_type, BPFKIT_PIDTYPE_FAKE);
	out.sid_value = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
	out.max_value = bpf_core_enum_value(enum pid_type, PIDTYPE_MAX);

	/* bitfield */
	out.in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);

	__sync_fetch_and_add(&out.hits, 1);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int core_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 ppid = BPF_CORE_READ(task, real_parent, tgid);

	if (target_tgid && ppid != target_tgid)
		return 0;

	exec_out.pid = BPF_CORE_READ(task, tgid);
	exec_out.ppid = ppid;
	BPF_CORE_READ_STR_INTO(&exec_out.comm, task, comm);
	exec_out.in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
	__sync_fetch_and_add(&exec_out.hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
