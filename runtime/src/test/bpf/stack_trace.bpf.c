// SPDX-License-Identifier: GPL-2.0
/*
 * stack_trace.bpf.c -- bpf_get_stackid into stack trace maps, read back by BpfStackTraceMap.
 *
 * get_stacks, SEC("raw_tp/sys_enter"): run with BPF_PROG_TEST_RUN, so it runs in the calling
 * thread. It stores three stacks of that thread and writes their ids (or -errno) to .bss:
 *   kernel_id    the kernel stack, in `stacks` (instruction pointers, 32 frames)
 *   user_id      the user stack, in `stacks` (BPF_F_USER_STACK); its first frame is the
 *                instruction after the system call, in libc's syscall()
 *   build_id_id  the user stack again, in `build_id_stacks` (BPF_F_STACK_BUILD_ID: build id and
 *                file offset per frame, 8 frames)
 * runs counts the runs. Returns 0.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DEPTH 32

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(struct bpf_stack_build_id));
} build_id_stacks SEC(".maps");

__s64 kernel_id;
__s64 user_id;
__s64 build_id_id;
__u64 runs;

SEC("raw_tp/sys_enter")
int get_stacks(void *ctx)
{
	kernel_id = bpf_get_stackid(ctx, &stacks, 0);
	user_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	build_id_id = bpf_get_stackid(ctx, &build_id_stacks, BPF_F_USER_STACK);
	runs++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
