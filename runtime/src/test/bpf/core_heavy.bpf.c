// SPDX-License-Identifier: GPL-2.0
/*
 * core_heavy.bpf.c -- many CO-RE relocations against vmlinux structs, for the load benchmark
 * (open + load beside libbpf) and the differential test. Local declarations of task_struct,
 * mm_struct (whose fields sit in an anonymous struct in the kernel), cred (kuid_t: a typedef of
 * an anonymous struct), nsproxy, pid_namespace, ns_common, signal_struct, fs_struct,
 * files_struct and sched_entity, all preserve_access_index; a few fields the kernel does not
 * have sit behind bpf_core_field_exists, and so do the EEVDF scheduler's sched_entity fields
 * (deadline, min_vruntime, slice: 6.6 and later), as a CO-RE object meant for older kernels
 * has them, so the object loads on 6.1 as well.
 *
 * Program heavy_getpid, SEC("tp/syscalls/sys_enter_getpid"): for the process with tgid ==
 * .rodata target_tgid (0 = any) fills .bss `heavy` with what it read: heavy.pid = the thread
 * id, heavy.tgid = the process id, heavy.uid = the real uid, heavy.pid_level = the pid
 * namespace level (0 outside containers), heavy.nr_threads = the process's thread count,
 * heavy.missing = 0 (fields absent from the kernel), heavy.hits += 1; heavy.v[120], v[121] and
 * v[126] (se.deadline, se.min_vruntime, se.slice) stay 0 on a kernel without them; the other
 * fields are whatever the kernel holds.
 *
 * Loads with libbpf 1.1 (bpftool prog loadall).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PAI __attribute__((preserve_access_index))

typedef struct { unsigned int val; } PAI kuid_t;
typedef struct { unsigned int val; } PAI kgid_t;
typedef struct { int counter; } PAI atomic_t;

struct ns_common { unsigned int inum; } PAI;
struct pid_namespace { unsigned int level; struct pid_namespace *parent; struct ns_common ns; } PAI;
struct uts_namespace { struct ns_common ns; } PAI;
struct ipc_namespace { struct ns_common ns; } PAI;
struct mnt_namespace { struct ns_common ns; } PAI;
struct net { struct ns_common ns; } PAI;
struct cgroup_namespace { struct ns_common ns; } PAI;
struct nsproxy {
	struct uts_namespace *uts_ns;
	struct ipc_namespace *ipc_ns;
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
	struct net *net_ns;
	struct cgroup_namespace *cgroup_ns;
} PAI;
struct cred {
	kuid_t uid; kgid_t gid; kuid_t suid; kgid_t sgid; kuid_t euid; kgid_t egid;
	kuid_t fsuid; kgid_t fsgid; unsigned int securebits;
	int bpfkit_absent_cred_field;
} PAI;
struct mm_struct {
	unsigned long mmap_base, task_size, hiwater_rss, hiwater_vm, total_vm, locked_vm;
	unsigned long data_vm, exec_vm, stack_vm, def_flags;
	unsigned long start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	int map_count;
	atomic_t mm_users, mm_count;
	unsigned long bpfkit_absent_mm_field;
} PAI;
struct signal_struct {
	int nr_threads, group_exit_code;
	unsigned int flags;
	__u64 utime, stime, cutime, cstime, gtime, cgtime;
	unsigned long nvcsw, nivcsw, cnvcsw, cnivcsw, min_flt, maj_flt, cmin_flt, cmaj_flt;
	unsigned long inblock, oublock, cinblock, coublock, maxrss, cmaxrss;
	unsigned long long sum_sched_runtime;
} PAI;
struct fs_struct { int users, umask, in_exec; } PAI;
struct files_struct { int next_fd; } PAI;
struct sched_entity {
	__u64 deadline, min_vruntime, exec_start, sum_exec_runtime, prev_sum_exec_runtime, vruntime, slice;
	__u64 nr_migrations;
	int depth;
} PAI;
struct task_struct {
	int pid, tgid, prio, static_prio, normal_prio;
	unsigned int rt_priority, flags, ptrace, policy;
	int exit_code, exit_signal, pdeath_signal, on_cpu, on_rq, recent_used_cpu, wake_cpu;
	unsigned long nvcsw, nivcsw, min_flt, maj_flt;
	__u64 utime, stime, gtime, start_time, start_boottime;
	char comm[16];
	struct task_struct *real_parent, *parent, *group_leader;
	struct mm_struct *mm, *active_mm;
	const struct cred *cred, *real_cred;
	struct nsproxy *nsproxy;
	struct signal_struct *signal;
	struct fs_struct *fs;
	struct files_struct *files;
	struct sched_entity se;
	unsigned int bpfkit_absent_task_field;
} PAI;

struct heavy_result {
	__u32 pid, tgid, uid, pid_level, nr_threads, missing;
	__u64 v[160];
	__u64 hits;
};

const volatile __u32 target_tgid = 0;
struct heavy_result heavy;

#define T(i, ...) heavy.v[i] = BPF_CORE_READ(task, __VA_ARGS__)
/* a field of task->se that only some kernels have */
#define T_SE_IF_EXISTS(i, field) \
	do { if (bpf_core_field_exists(task->se.field)) T(i, se.field); } while (0)

SEC("tp/syscalls/sys_enter_getpid")
int heavy_getpid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (target_tgid && tgid != target_tgid)
		return 0;

	heavy.pid = BPF_CORE_READ(task, pid);
	heavy.tgid = BPF_CORE_READ(task, tgid);
	heavy.uid = BPF_CORE_READ(task, cred, uid.val);
	heavy.pid_level = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, level);
	heavy.nr_threads = BPF_CORE_READ(task, signal, nr_threads);
	heavy.missing = 0;
	if (bpf_core_field_exists(task->bpfkit_absent_task_field))
		heavy.missing += BPF_CORE_READ(task, bpfkit_absent_task_field);
	if (bpf_core_field_exists(task->cred->bpfkit_absent_cred_field))
		heavy.missing += BPF_CORE_READ(task, cred, bpfkit_absent_cred_field);
	if (bpf_core_field_exists(task->mm->bpfkit_absent_mm_field))
		heavy.missing += BPF_CORE_READ(task, mm, bpfkit_absent_mm_field);

	T(0, prio); T(1, static_prio); T(2, normal_prio); T(3, rt_priority); T(4, flags);
	T(5, ptrace); T(6, policy); T(7, exit_code); T(8, exit_signal); T(9, pdeath_signal);
	T(10, on_cpu); T(11, on_rq); T(12, recent_used_cpu); T(13, wake_cpu); T(14, nvcsw);
	T(15, nivcsw); T(16, min_flt); T(17, maj_flt); T(18, utime); T(19, stime);
	T(20, gtime); T(21, start_time); T(22, start_boottime);
	T(23, real_parent, pid); T(24, real_parent, tgid); T(25, parent, pid); T(26, group_leader, pid);
	T(27, real_parent, real_parent, tgid); T(28, group_leader, start_time);
	T(30, mm, mmap_base); T(31, mm, task_size); T(32, mm, hiwater_rss); T(33, mm, hiwater_vm);
	T(34, mm, total_vm); T(35, mm, locked_vm); T(37, mm, data_vm);
	T(38, mm, exec_vm); T(39, mm, stack_vm); T(40, mm, def_flags); T(41, mm, start_code);
	T(42, mm, end_code); T(43, mm, start_data); T(44, mm, end_data); T(45, mm, start_brk);
	T(46, mm, brk); T(47, mm, start_stack); T(48, mm, arg_start); T(49, mm, arg_end);
	T(50, mm, env_start); T(51, mm, env_end); T(52, mm, map_count); T(53, mm, mm_users.counter);
	T(54, mm, mm_count.counter); T(55, active_mm, total_vm); T(56, active_mm, start_stack);
	T(60, cred, gid.val); T(61, cred, suid.val); T(62, cred, sgid.val); T(63, cred, euid.val);
	T(64, cred, egid.val); T(65, cred, fsuid.val); T(66, cred, fsgid.val); T(67, cred, securebits);
	T(68, real_cred, uid.val); T(69, real_cred, euid.val);
	T(70, nsproxy, uts_ns, ns.inum); T(71, nsproxy, ipc_ns, ns.inum); T(72, nsproxy, mnt_ns, ns.inum);
	T(73, nsproxy, pid_ns_for_children, ns.inum); T(74, nsproxy, net_ns, ns.inum);
	T(75, nsproxy, cgroup_ns, ns.inum);
	T(80, signal, group_exit_code); T(81, signal, flags); T(82, signal, utime); T(83, signal, stime);
	T(84, signal, cutime); T(85, signal, cstime); T(86, signal, gtime); T(87, signal, cgtime);
	T(88, signal, nvcsw); T(89, signal, nivcsw); T(90, signal, cnvcsw); T(91, signal, cnivcsw);
	T(92, signal, min_flt); T(93, signal, maj_flt); T(94, signal, cmin_flt); T(95, signal, cmaj_flt);
	T(96, signal, inblock); T(97, signal, oublock); T(98, signal, cinblock); T(99, signal, coublock);
	T(100, signal, maxrss); T(101, signal, cmaxrss); T(102, signal, sum_sched_runtime);
	T(103, signal, nvcsw);
	T(110, fs, users); T(111, fs, umask); T(112, fs, in_exec); T(113, files, next_fd);
	T_SE_IF_EXISTS(120, deadline); T_SE_IF_EXISTS(121, min_vruntime); T(122, se.exec_start);
	T(123, se.sum_exec_runtime); T(124, se.prev_sum_exec_runtime); T(125, se.vruntime);
	T_SE_IF_EXISTS(126, slice); T(127, se.nr_migrations);
	T(128, se.depth);
	T(130, group_leader, real_parent, pid); T(131, parent, mm, total_vm); T(132, parent, cred, uid.val);
	T(133, parent, signal, nr_threads); T(134, parent, nsproxy, net_ns, ns.inum);
	T(135, real_parent, se.vruntime); T(136, real_parent, fs, umask); T(137, real_parent, files, next_fd);
	heavy.v[150] = bpf_core_field_size(task->comm);
	heavy.v[151] = bpf_core_field_offset(task->se);
	heavy.v[152] = bpf_core_type_size(struct task_struct);
	heavy.v[153] = bpf_core_type_size(struct mm_struct);
	heavy.v[154] = bpf_core_type_id_kernel(struct cred);
	heavy.v[155] = bpf_core_field_exists(task->mm->brk);
	__sync_fetch_and_add(&heavy.hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
