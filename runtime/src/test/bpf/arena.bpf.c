// SPDX-License-Identifier: GPL-2.0
/*
 * arena.bpf.c -- a BPF arena (BPF_MAP_TYPE_ARENA, Linux 6.9) with __arena globals: memory that
 * programs and user space share at one address.
 *
 * Map `arena`: 4 pages, BPF_F_MMAPABLE, map_extra 0 (the kernel chooses the address when the
 * loader maps it). Globals declared __arena live in section .addr_space.1; the loader copies
 * their initial values to the start of the arena's memory:
 *   counter       __u64      = 40
 *   marks         __u32[4]   = {1, 2, 3, 4}
 *   page_ptr      __u64 __arena *   = NULL (the page `fill` allocates, as a user address)
 *
 * Program: fill, SEC("syscall") (sleepable, as bpf_arena_alloc_pages needs). Run it once with
 * BPF_PROG_TEST_RUN, no input: it allocates one arena page, writes 0xa11ce and then the value
 * counter had (40 on the first run) into its first two 8-byte words, points page_ptr at it,
 * adds 2 to counter and multiplies each of marks by 10. Return value 0; 1 when the allocation
 * failed.
 *
 * Program: bump, SEC("syscall"): adds 1 to counter only (no allocation). Return value 0.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))
/* The build's uapi header (Linux 6.1) predates arenas: their map type's number. */
#define MAP_TYPE_ARENA 33
#define NUMA_NO_NODE (-1)

struct {
	__uint(type, MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4);
} arena SEC(".maps");

__u64 __arena counter = 40;
__u32 __arena marks[4] = {1, 2, 3, 4};
__u64 __arena *__arena page_ptr;

extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
					   __u64 flags) __ksym;

SEC("syscall")
int fill(void *ctx)
{
	__u64 __arena *page = bpf_arena_alloc_pages(&arena, (void __arena *)0, 1, NUMA_NO_NODE, 0);

	if (!page)
		return 1;
	page[0] = 0xa11ce;
	page[1] = counter;
	page_ptr = page;
	counter += 2;
#pragma unroll
	for (int i = 0; i < 4; i++)
		marks[i] *= 10;
	return 0;
}

SEC("syscall")
int bump(void *ctx)
{
	counter += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
