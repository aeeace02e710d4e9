// SPDX-License-Identifier: GPL-2.0
/*
 * class_loads.bpf.c -- a USDT program that a generated binding attaches from its section
 * (ClassLoadsBindingTest): HotSpot's hotspot:class__loaded probe in the libjvm.so of every
 * JVM on the machine, the test's own among them, counted in .bss.
 *
 * Globals (.bss): __u64 class_loads
 * Program: on_class_loaded  SEC("usdt/libjvm.so:hotspot:class__loaded")
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

__u64 class_loads;

SEC("usdt/libjvm.so:hotspot:class__loaded")
int on_class_loaded(struct pt_regs *ctx)
{
    __sync_fetch_and_add(&class_loads, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
