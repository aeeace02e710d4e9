// SPDX-License-Identifier: GPL-2.0
/*
 * jvm.bpf.c -- what every JVM on the machine does, from HotSpot's own USDT probes (provider
 * "hotspot" in libjvm.so), for `bpfkit jvm`. No agent, no restart, no JVM flag for these:
 *
 *   on_gc_begin / on_gc_end          hotspot:gc__begin(bool full) / gc__end: one GC event with
 *                                    its pause (the VM thread runs one collection at a time per
 *                                    JVM: begin time kept per process) and whether it was full
 *   on_class_loaded / _unloaded      hotspot:class__loaded / class__unloaded
 *   on_compile_begin / _end          hotspot:method__compile__begin / method__compile__end(...,
 *                                    bool success): one COMPILE event with the compilation's
 *                                    time (begin time kept per compiler thread)
 *   on_thread_start / _stop          hotspot:thread__start / thread__stop
 *   on_monitor_contended             hotspot:monitor__contended__enter: fires only in JVMs
 *                                    started with -XX:+ExtendedDTraceProbes (or
 *                                    -XX:+DTraceMonitorProbes)
 *
 * User space attaches each program (bare SEC("usdt")) to the probe of every libjvm.so it
 * finds, system-wide or for one process, and reads `events` (struct jvm_event) from the ring
 * buffer; `lost` counts events the full ring buffer refused.
 */
/* usdt.bpf.h reads registers through bpf_tracing.h, which needs the target's architecture */
#if !defined(__TARGET_ARCH_x86) && !defined(__TARGET_ARCH_arm64)
#define __TARGET_ARCH_x86
#endif
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

enum jvm_event_kind {
	JVM_GC = 1,
	JVM_CLASS_LOADED = 2,
	JVM_CLASS_UNLOADED = 3,
	JVM_COMPILE = 4,
	JVM_THREAD_START = 5,
	JVM_THREAD_STOP = 6,
	JVM_MONITOR_CONTENDED = 7,
};

struct jvm_event {
	__u32 pid;
	__u32 kind;
	__u64 duration_ns;  /* GC pause or compilation time; 0 for the others */
	__u32 flag;         /* GC: a full collection; COMPILE: it succeeded */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* GC begin time per process, compilation begin time per thread */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} started SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} gc_full SEC(".maps");

__u64 lost;

static __always_inline int emit(__u32 kind, __u64 duration_ns, __u32 flag)
{
	struct jvm_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->kind = kind;
	e->duration_ns = duration_ns;
	e->flag = flag;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The time since the begin probe stored under key, which is then forgotten; 0 if none. */
static __always_inline __u64 since(__u64 key)
{
	__u64 *t = bpf_map_lookup_elem(&started, &key);
	__u64 ns;

	if (!t)
		return 0;
	ns = bpf_ktime_get_ns() - *t;
	bpf_map_delete_elem(&started, &key);
	return ns;
}

static __always_inline void begin(__u64 key)
{
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&started, &key, &now, BPF_ANY);
}

SEC("usdt")
int BPF_USDT(on_gc_begin, int full)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 f = full != 0;

	begin(pid);
	bpf_map_update_elem(&gc_full, &pid, &f, BPF_ANY);
	return 0;
}

SEC("usdt")
int on_gc_end(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 *f = bpf_map_lookup_elem(&gc_full, &pid);
	__u64 ns = since(pid);

	if (!ns)
		return 0; /* began before the tool attached */
	return emit(JVM_GC, ns, f ? *f : 0);
}

SEC("usdt")
int on_class_loaded(struct pt_regs *ctx)
{
	return emit(JVM_CLASS_LOADED, 0, 0);
}

SEC("usdt")
int on_class_unloaded(struct pt_regs *ctx)
{
	return emit(JVM_CLASS_UNLOADED, 0, 0);
}

SEC("usdt")
int on_compile_begin(struct pt_regs *ctx)
{
	begin(bpf_get_current_pid_tgid() | (1ULL << 63));
	return 0;
}

SEC("usdt")
int on_compile_end(struct pt_regs *ctx)
{
	__u64 ns = since(bpf_get_current_pid_tgid() | (1ULL << 63));
	long success = 0;

	if (!ns)
		return 0;
	bpf_usdt_arg(ctx, 8, &success);
	return emit(JVM_COMPILE, ns, success != 0);
}

SEC("usdt")
int on_thread_start(struct pt_regs *ctx)
{
	return emit(JVM_THREAD_START, 0, 0);
}

SEC("usdt")
int on_thread_stop(struct pt_regs *ctx)
{
	return emit(JVM_THREAD_STOP, 0, 0);
}

SEC("usdt")
int on_monitor_contended(struct pt_regs *ctx)
{
	return emit(JVM_MONITOR_CONTENDED, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
