// SPDX-License-Identifier: GPL-2.0
// bpfkit: also-bpfeb
/*
 * programs.bpf.c -- program layout: several programs per section, subprograms in .text,
 * a bpf_loop callback, and the tracing-side section kinds. Built little and big endian.
 * Network section kinds are in programs_net.bpf.c, the tcx ones in programs_tcx.bpf.c.
 *
 * Programs (function name: ELF section -> program type / attach expectation):
 *   sock_a, sock_b         socket (both in section "socket")            SOCKET_FILTER
 *   getpid_a, getpid_b     tp/syscalls/sys_enter_getpid (both)           TRACEPOINT, tp syscalls:sys_enter_getpid
 *   getppid_tp             tracepoint/syscalls/sys_enter_getppid         TRACEPOINT (long prefix)
 *   raw_enter              raw_tp/sys_enter                              RAW_TRACEPOINT sys_enter
 *   raw_exit               raw_tracepoint/sys_exit                       RAW_TRACEPOINT sys_exit (long prefix)
 *   btf_enter              tp_btf/sys_enter                              TRACING, attach BPF_TRACE_RAW_TP, btf id of btf_trace_sys_enter
 *   up_manual              uprobe                                        KPROBE, no target (manual attach)
 *   uret_manual            uretprobe                                     KPROBE, retprobe, no target
 *   up_self                uprobe//proc/self/exe:bpfkit_uprobe_target    KPROBE, binary /proc/self/exe, func bpfkit_uprobe_target
 *   up_libc                uprobe/libc.so.6:getpid                       KPROBE, binary libc.so.6, func getpid
 *   uret_libc              uretprobe/libc.so.6:getpid                    KPROBE, retprobe
 *   up_sleepable           uprobe.s/libc.so.6:getppid                    KPROBE, BPF_F_SLEEPABLE
 *   on_perf                perf_event                                    PERF_EVENT
 *   run_loop               syscall                                       SYSCALL
 *   dump_task              iter/task                                     TRACING, attach BPF_TRACE_ITER, target "task"
 *
 * Subprograms in .text: mix_step (static __noinline) calls rotate_bits (static __noinline);
 * count_hit (global, non-static, BTF linkage global) is called from sock_a, sock_b, getpid_a,
 * getpid_b, raw_enter and run_loop; loop_step (static) is the bpf_loop callback, referenced
 * by an ld_imm64 with src_reg BPF_PSEUDO_FUNC.
 *
 * Data: .bss `hits` (u64[16]) counts calls per program (indexes in enum hit below).
 * run_loop: BPF_PROG_TEST_RUN with no input returns 45 (sum of 0..9 through bpf_loop) and
 * stores mix_step(45) in .bss `loop_mix`.
 * License "GPL"; section "version" holds _version = 0x060c00 (kern_version, ignored by the
 * kernel for these types).
 *
 * Loads with libbpf 1.1 (bpftool prog loadall).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum hit {
	HIT_SOCK_A,
	HIT_SOCK_B,
	HIT_GETPID_A,
	HIT_GETPID_B,
	HIT_GETPPID,
	HIT_RAW_ENTER,
	HIT_RAW_EXIT,
	HIT_BTF_ENTER,
	HIT_UPROBE,
	HIT_URETPROBE,
	HIT_PERF,
	HIT_LOOP,
	HIT_ITER,
	HIT_MAX = 16,
};

__u64 hits[HIT_MAX];
__u64 loop_mix;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

/* ---- subprograms (.text) ---- */

static __noinline __u64 rotate_bits(__u64 x)
{
	return (x << 13) | (x >> 51);
}

static __noinline __u64 mix_step(__u64 x)
{
	return rotate_bits(x ^ 0x9e3779b97f4a7c15ULL) + 1;
}

/* global function: verified on its own, shared by programs of different types */
__noinline int count_hit(__u32 idx)
{
	if (idx >= HIT_MAX)
		return -1;
	__sync_fetch_and_add(&hits[idx], 1);
	return 0;
}

struct loop_ctx {
	__u64 sum;
};

static int loop_step(__u32 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += index;
	return 0;
}

/* ---- two programs in "socket" ---- */

SEC("socket")
int sock_a(struct __sk_buff *skb)
{
	count_hit(HIT_SOCK_A);
	return skb->len;
}

SEC("socket")
int sock_b(struct __sk_buff *skb)
{
	count_hit(HIT_SOCK_B);
	return 0;
}

/* ---- tracepoints ---- */

SEC("tp/syscalls/sys_enter_getpid")
int getpid_a(void *ctx)
{
	count_hit(HIT_GETPID_A);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int getpid_b(void *ctx)
{
	loop_mix = mix_step(bpf_get_current_pid_tgid());
	return count_hit(HIT_GETPID_B);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int getppid_tp(void *ctx)
{
	__sync_fetch_and_add(&hits[HIT_GETPPID], 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_enter(struct bpf_raw_tracepoint_args *ctx)
{
	/* args[1] is the syscall number */
	if (ctx->args[1] == 39 /* x86_64 getpid */)
		count_hit(HIT_RAW_ENTER);
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int raw_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__sync_fetch_and_add(&hits[HIT_RAW_EXIT], 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_enter, struct pt_regs *regs, long id)
{
	if (id == 39)
		__sync_fetch_and_add(&hits[HIT_BTF_ENTER], 1);
	return 0;
}

/* ---- uprobes ---- */

SEC("uprobe")
int up_manual(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_UPROBE], 1);
	return 0;
}

SEC("uretprobe")
int uret_manual(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_URETPROBE], 1);
	return 0;
}

SEC("uprobe//proc/self/exe:bpfkit_uprobe_target")
int up_self(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_UPROBE], 1);
	return 0;
}

SEC("uprobe/libc.so.6:getpid")
int up_libc(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_UPROBE], 1);
	return 0;
}

SEC("uretprobe/libc.so.6:getpid")
int uret_libc(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_URETPROBE], 1);
	return 0;
}

SEC("uprobe.s/libc.so.6:getppid")
int up_sleepable(struct pt_regs *ctx)
{
	__sync_fetch_and_add(&hits[HIT_UPROBE], 1);
	return 0;
}

/* ---- perf event, syscall, iterator ---- */

SEC("perf_event")
int on_perf(struct bpf_perf_event_data *ctx)
{
	if (ctx->sample_period)
		__sync_fetch_and_add(&hits[HIT_PERF], 1);
	return 0;
}

SEC("syscall")
int run_loop(void *ctx)
{
	struct loop_ctx lc = { .sum = 0 };

	bpf_loop(10, loop_step, &lc, 0);
	loop_mix = mix_step(lc.sum);
	count_hit(HIT_LOOP);
	return lc.sum;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task)
		__sync_fetch_and_add(&hits[HIT_ITER], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
