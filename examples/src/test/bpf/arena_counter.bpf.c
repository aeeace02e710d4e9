// SPDX-License-Identifier: GPL-2.0
/*
 * arena_counter.bpf.c -- a BPF arena (Linux 6.9) used through the generated binding of
 * ArenaProbe (KernelMapsBindingTest).
 *
 * Map arena: 2 pages, BPF_F_MMAPABLE. __arena global: __u64 counter = 40 (at the arena's start).
 * Program bump, SEC("syscall"), run with BPF_PROG_TEST_RUN: counter += 1; returns 0.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))
/* The build's uapi header (Linux 6.1) predates arenas: their map type's number. */
#define MAP_TYPE_ARENA 33

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
} arena SEC(".maps");

__u64 __arena counter = 40;

SEC("syscall")
int bump(void *ctx)
{
	counter += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
