// SPDX-License-Identifier: GPL-2.0
/*
 * top.bpf.c -- what each process on the machine does, for `bpfkit top`.
 *
 * Per process (tgid), in `procs`:
 *   syscalls      system calls entered (tp/raw_syscalls/sys_enter)
 *   cpu_ns        nanoseconds on a CPU: at every context switch the time since the previous
 *                 switch on that CPU goes to the task being switched out (tp/sched/sched_switch)
 *   switches      times it was switched out (voluntary or not)
 *   cycles,       PMU counter deltas over the same on-CPU intervals, from the `pmu` map:
 *   instructions  counter 0 "cycles", counter 1 "instructions"; where the machine has no
 *                 hardware PMU both fall back to "cpu-clock" and user space shows no IPC
 *   comm          command name (the main thread's), refreshed at each exec
 * Process starts and ends go to the ring buffer `events` as struct top_event:
 *   kind 1 = exec (tp/sched/sched_process_exec, with the parent's tgid through CO-RE),
 *   kind 2 = exit (tp/sched/sched_process_exit when the whole thread group is dead: the
 *            event's group_dead from Linux 6.16, signal->live before).
 * .bss `lost_events`: events dropped because the ring buffer was full.
 *
 * Kernel types come from vmlinux.h (every struct preserve_access_index: CO-RE fixes the field
 * offsets up against the running kernel at load).
 */
#include "vmlinux.h"          /* made from the kernel's BTF by bpfkit's build (no bpftool) */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpfkit/pmu.h>

#define COMM_LEN 16
#define MAX_CPUS 256

struct proc_stats {
	__u64 syscalls;
	__u64 cpu_ns;
	__u64 switches;
	__u64 cycles;
	__u64 instructions;
	char comm[COMM_LEN];
};

struct top_event {
	__u32 kind;
	__u32 pid;
	__u32 ppid;
	__u32 pad;
	__u64 time_ns;
	char comm[COMM_LEN];
};

/* keeps struct top_event in BTF (only a local variable uses it otherwise), so javac checks the
 * Java record ProcEvent against it and bpfkit gen finds the ring buffer's records */
const struct top_event *unused_top_event __attribute__((unused));

/* what each CPU had counted when its current task was switched in */
struct cpu_mark {
	__u64 since_ns;
	__u64 cycles;
	__u64 instructions;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct proc_stats);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_CPUS);
	__type(key, __u32);
	__type(value, struct cpu_mark);
} marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pmu SEC(".maps")
	BPFKIT_PMU_COUNTER(0, "cycles") BPFKIT_PMU_COUNTER_FALLBACK(0, "cpu-clock")
	BPFKIT_PMU_COUNTER(1, "instructions") BPFKIT_PMU_COUNTER_FALLBACK(1, "cpu-clock");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 lost_events;

/* the process's name: its main thread's, not that of whichever thread got here first */
static __always_inline void process_comm(char *comm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	bpf_core_read_str(comm, COMM_LEN, &leader->comm);
}

static __always_inline struct proc_stats *stats_of(__u32 tgid)
{
	struct proc_stats *st = bpf_map_lookup_elem(&procs, &tgid);
	struct proc_stats fresh = {};

	if (st)
		return st;
	process_comm(fresh.comm);
	/* EEXIST when another CPU inserted it first: the lookup below finds that one */
	bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&procs, &tgid);
}

static __always_inline __u64 counter(__u32 index)
{
	struct bpf_perf_event_value v = {};

	return bpfkit_pmu_read(&pmu, index, &v) == 0 ? v.counter : 0;
}

SEC("tp/raw_syscalls/sys_enter")
int on_syscall(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_stats *st;

	if (tgid == 0)
		return 0;
	st = stats_of(tgid);
	if (st)
		__sync_fetch_and_add(&st->syscalls, 1);
	return 0;
}

SEC("tp/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32; /* still the task going off the CPU */
	struct cpu_mark *mark = bpf_map_lookup_elem(&marks, &cpu);
	__u64 now = bpf_ktime_get_ns();
	__u64 cycles = counter(0), instructions = counter(1);
	struct proc_stats *st;

	if (!mark)
		return 0;
	if (tgid != 0 && mark->since_ns != 0) {
		st = stats_of(tgid);
		if (st) {
			__sync_fetch_and_add(&st->cpu_ns, now - mark->since_ns);
			__sync_fetch_and_add(&st->switches, 1);
			if (cycles >= mark->cycles)
				__sync_fetch_and_add(&st->cycles, cycles - mark->cycles);
			if (instructions >= mark->instructions)
				__sync_fetch_and_add(&st->instructions, instructions - mark->instructions);
		}
	}
	mark->since_ns = now;
	mark->cycles = cycles;
	mark->instructions = instructions;
	return 0;
}

static __always_inline void send(__u32 kind, __u32 pid, __u32 ppid)
{
	struct top_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		return;
	}
	e->kind = kind;
	e->pid = pid;
	e->ppid = ppid;
	e->pad = 0;
	e->time_ns = bpf_ktime_get_ns();
	process_comm(e->comm);
	bpf_ringbuf_submit(e, 0);
}

SEC("tp/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_stats *st = stats_of(tgid);

	if (st)
		process_comm(st->comm);
	send(1, tgid, BPF_CORE_READ(task, real_parent, tgid));
	return 0;
}

/*
 * Whether the exiting thread is the last of its group. The tracepoint says so itself since
 * Linux 6.16 (group_dead); before, the event has no such field (its struct is
 * trace_event_raw_sched_process_template, and vmlinux.h's trace_event_raw_sched_process_exit
 * does not exist in the kernel's BTF), and do_exit has already decremented signal->live when
 * it fires: zero means the group is dead.
 */
static __always_inline int group_dead(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *task;

	if (bpf_core_field_exists(ctx->group_dead))
		return ctx->group_dead;
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

SEC("tp/sched/sched_process_exit")
int on_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!group_dead(ctx))
		return 0;
	send(2, id >> 32, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
