// SPDX-License-Identifier: GPL-2.0
/*
 * usdt.bpf.c -- USDT programs written for libbpf's usdt.bpf.h, unchanged, for bpfkit's USDT
 * attach and the differential test against libbpf (UsdtAttachTest, UsdtDifferentialTest).
 *
 *   on_probe          usdt                                   attached by hand to any probe: one
 *                                                            event per hit with bpf_usdt_cookie(),
 *                                                            bpf_usdt_arg_cnt() and all twelve
 *                                                            bpf_usdt_arg() results
 *   on_guarded        usdt (BPF_USDT(round, l))              the same through the BPF_USDT macro
 *   on_class_loaded   usdt/libjvm.so:hotspot:class__loaded   auto-attached; counts class loads
 *                                                            in .bss class_loads
 *
 * Events go to the array `events` in order, `event_count[0]` counting them; an argument that
 * bpf_usdt_arg() refuses is stored as its (negative) error, with its bit set in `errs`.
 */
#define __TARGET_ARCH_x86
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#define MAX_EVENTS 64

struct usdt_event {
    __s64 cookie;
    __s64 arg_cnt;
    __s64 errs;
    __s64 args[BPF_USDT_MAX_ARG_CNT];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, MAX_EVENTS);
    __type(key, __u32);
    __type(value, struct usdt_event);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} event_count SEC(".maps");

__u64 class_loads;

static __always_inline struct usdt_event *next_event(void)
{
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&event_count, &zero);
    if (!count)
        return 0;
    __u32 idx = __sync_fetch_and_add(count, 1);
    if (idx >= MAX_EVENTS)
        return 0;
    return bpf_map_lookup_elem(&events, &idx);
}

SEC("usdt")
int on_probe(struct pt_regs *ctx)
{
    struct usdt_event *e = next_event();
    if (!e)
        return 0;
    e->cookie = bpf_usdt_cookie(ctx);
    e->arg_cnt = bpf_usdt_arg_cnt(ctx);
    e->errs = 0;
#pragma unroll
    for (int i = 0; i < BPF_USDT_MAX_ARG_CNT; i++) {
        long v;
        int err = bpf_usdt_arg(ctx, i, &v);
        e->args[i] = err ? err : v;
        if (err)
            e->errs |= 1 << i;
    }
    return 0;
}

SEC("usdt")
int BPF_USDT(on_guarded, int round, long l)
{
    struct usdt_event *e = next_event();
    if (!e)
        return 0;
    e->cookie = bpf_usdt_cookie(ctx);
    e->arg_cnt = bpf_usdt_arg_cnt(ctx);
    e->errs = 0;
    e->args[0] = round;
    e->args[1] = l;
    return 0;
}

SEC("usdt/libjvm.so:hotspot:class__loaded")
int on_class_loaded(struct pt_regs *ctx)
{
    __sync_fetch_and_add(&class_loads, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
