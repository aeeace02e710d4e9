// SPDX-License-Identifier: GPL-2.0
/*
 * execsnoop.bpf.c -- reports every successful exec, with its arguments, through a ring buffer.
 *
 * on_exec (tp/sched/sched_process_exec) fires after the new program image is in place, when
 * the new stack already holds argv, and sends one struct exec_event per exec into `events`:
 *   pid       process id (tgid) of the process that called exec
 *   ppid      process id of its parent (CO-RE read of current->real_parent->tgid)
 *   uid       real user id
 *   args_len  bytes of `args` filled (at most ARGS_LEN)
 *   comm      new command name (the basename of the executed file, at most 15 chars + NUL)
 *   filename  path as passed to exec (from the tracepoint record, at most 127 chars + NUL)
 *   args      argv as the kernel laid it out: the strings one after another, each ending in
 *             NUL, copied from current->mm->arg_start .. arg_end (cut at ARGS_LEN bytes)
 *
 * Maps and globals user space works with:
 *   events    RINGBUF, 256 KiB of struct exec_event records (416 bytes each)
 *   lost      .bss __u64: events dropped because the ring buffer was full
 *   unused_exec_event  .bss, never used: keeps struct exec_event in BTF for javac's check
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define COMM_LEN 16
#define FILENAME_LEN 128
#define ARGS_LEN 256

/* just the fields we read; CO-RE finds them in the running kernel (arg_start and arg_end
 * sit in an anonymous struct of mm_struct there: CO-RE looks through it) */
struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} __attribute__((preserve_access_index));

struct task_struct {
	int tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

/* tracepoint record, as in /sys/kernel/tracing/events/sched/sched_process_exec/format */
struct sched_process_exec_record {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__u32 filename_loc; /* __data_loc: low 16 bits offset from record start, high 16 bits length */
	__s32 pid;
	__s32 old_pid;
};

struct exec_event {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 args_len;
	char comm[COMM_LEN];
	char filename[FILENAME_LEN];
	char args[ARGS_LEN];
};

/* keeps struct exec_event in BTF (only a local variable uses it otherwise), so javac checks
 * the Java record ExecEvent against it member by member */
const struct exec_event *unused_exec_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 lost;

SEC("tp/sched/sched_process_exec")
int on_exec(struct sched_process_exec_record *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e;
	__u32 off = ctx->filename_loc & 0xffff;
	unsigned long arg_start, arg_end, len;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + off);

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > ARGS_LEN)
		len = ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)arg_start) != 0)
		len = 0;
	e->args_len = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
