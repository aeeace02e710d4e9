// SPDX-License-Identifier: GPL-2.0
/*
 * profile.bpf.c -- a sampling CPU profiler, for `bpfkit profile` and io.bpfkit.profile.Profiler.
 *
 * on_sample runs on every sample of a perf event opened per CPU (cpu-clock at N Hz by default,
 * or a PMU event such as cycles). Each sample counts one in `counts` under the key
 * (tgid, kernel stack id, user stack id, comm); the stacks themselves are in `stacks`
 * (BPF_MAP_TYPE_STACK_TRACE: id -> up to 127 instruction pointers, innermost first).
 *
 * Constants user space sets before load (.rodata):
 *   target_pid      count only this process (tgid); 0 counts every process but the idle task
 *   kernel_stacks   1: record kernel stacks; 0: kernel stack id is -1 in every key
 *   user_stacks     1: record user stacks; 0: user stack id is -1 in every key
 * .bss counters:
 *   samples         samples that passed the filter
 *   lost_samples    samples not counted because `counts` was full
 *   stack_errors    bpf_get_stackid failures other than "no user stack" (-EFAULT): a full or
 *                   colliding `stacks` map (-EEXIST, -ENOMEM); the key then holds the errno
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_DEPTH 127
#define COMM_LEN 16
#define EFAULT 14

struct stack_key {
	__u32 pid;
	__s32 kernel_stack;
	__s32 user_stack;
	char comm[COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 40960);
	__type(key, struct stack_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

const volatile __u32 target_pid = 0;
const volatile __u32 kernel_stacks = 1;
const volatile __u32 user_stacks = 1;

__u64 samples = 0;
__u64 lost_samples = 0;
__u64 stack_errors = 0;

static __always_inline __s32 stack_of(void *ctx, __u64 flags)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id < 0 && id != -EFAULT)
		__sync_fetch_and_add(&stack_errors, 1);
	return (__s32)id;
}

SEC("perf_event")
int on_sample(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct stack_key key = {};
	__u64 one = 1, *count;

	if (target_pid ? tgid != target_pid : tgid == 0)
		return 0;
	key.pid = tgid;
	key.kernel_stack = kernel_stacks ? stack_of(ctx, 0) : -1;
	key.user_stack = user_stacks ? stack_of(ctx, BPF_F_USER_STACK) : -1;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	__sync_fetch_and_add(&samples, 1);

	count = bpf_map_lookup_elem(&counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST) == 0)
		return 0;
	/* another CPU inserted the same key meanwhile, or the map is full */
	count = bpf_map_lookup_elem(&counts, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		__sync_fetch_and_add(&lost_samples, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
