// SPDX-License-Identifier: GPL-2.0
/*
 * cgrp_storage.bpf.c -- cgroup local storage (kernel 6.2+) that Java reads and writes by the
 * descriptor of a cgroup v2 directory.
 *
 * touch_cgroup, SEC("raw_tp/sys_enter"), run with BPF_PROG_TEST_RUN in the calling thread: gets
 * (creating it) the storage of the thread's cgroup v2 cgroup (task->cgroups->dfl_cgrp), copies
 * its magic to .bss seen_magic, then runs++.
 *
 *   cg_store  struct cg_value { __u64 magic; __u64 runs; }
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct cg_value {
	__u64 magic;
	__u64 runs;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_value);
} cg_store SEC(".maps");

__u64 seen_magic;

SEC("raw_tp/sys_enter")
int touch_cgroup(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cg_value *v;

	v = bpf_cgrp_storage_get(&cg_store, task->cgroups->dfl_cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return 1;
	seen_magic = v->magic;
	v->runs++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
