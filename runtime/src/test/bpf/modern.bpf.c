// SPDX-License-Identifier: GPL-2.0
/*
 * modern.bpf.c -- what the kernel's own BPF selftests use and libbpf loads: kfuncs (extern
 * FUNCs in .ksyms), a kptr held in a map, task local storage, bpf_obj_new, a spin lock and a
 * counter in their own section (.bss.A, the selftests' private(A)), and BTF kinds an older
 * kernel would not know (DECL_TAG, TYPE_TAG, ENUM64, FLOAT). None of it loads unless the
 * object's BTF does: the kernel refuses extern FUNCs and VARs, so the loader must rewrite them
 * as libbpf does (ObjectBtfSanitizer), and a refused BTF must fail the load, not vanish.
 *
 * Programs (run with BPF_PROG_TEST_RUN, in the calling thread):
 *   stash_current  SEC("syscall"): acquires the current task, stores the reference in the
 *                  kptr field of stashes[0] (releasing any older one) and its pid and tgid
 *                  beside it. Returns 0, or 1/2 when the lookup or the acquire failed.
 *   count_runs     SEC("syscall"): adds 1 to the current task's local storage in `runs` and
 *                  copies the new count to .bss `storage_runs`. Returns 0.
 *   new_object     SEC("syscall"): bpf_obj_new of struct obj, value 42, copied to .bss
 *                  `obj_value`, dropped. Returns 0.
 *   locked_add     SEC("tc"): under .bss.A's `glock`, adds 1 to .bss.A `locked_count`. Returns 0.
 *   throwing       SEC("tc"), with __exception_cb(on_throw): bpf_throw(skb->len) for packets of
 *                  more than 10 bytes, else returns 1. on_throw (a global function nothing calls:
 *                  the loader must append it) returns cookie + 100, which the program returns.
 */
#define BPF_NO_KFUNC_PROTOTYPES
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __kptr __attribute__((btf_type_tag("kptr")))
#define private(name) SEC(".bss." #name) __attribute__((visibility("hidden"), aligned(8)))

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_throw(__u64 cookie) __ksym;

#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))

struct stash {
	struct task_struct __kptr *task;
	__s32 pid;
	__s32 tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stash);
} stashes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} runs SEC(".maps");

struct obj {
	__u64 value;
	__u64 spare;
};

private(A) struct bpf_spin_lock glock;
private(A) __u64 locked_count;

__u64 storage_runs;
__u64 obj_value;

/* Kinds for the sanitizer's tests: an ENUM64, a FLOAT and a DECL_TAG in the object's BTF. */
enum wide { WIDE_SMALL = 1, WIDE_LARGE = 0x100000000ULL };
volatile enum wide wide_value = WIDE_LARGE;
volatile float ratio = 0.5f;
volatile __u32 tagged __attribute__((btf_decl_tag("bpfkit.test"))) = 7;

SEC("syscall")
int stash_current(void *ctx)
{
	struct task_struct *acquired, *old;
	__u32 zero = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &zero);

	if (!s)
		return 1;
	acquired = bpf_task_acquire(bpf_get_current_task_btf());
	if (!acquired)
		return 2;
	s->pid = acquired->pid;
	s->tgid = acquired->tgid;
	old = bpf_kptr_xchg(&s->task, acquired);
	if (old)
		bpf_task_release(old);
	return 0;
}

SEC("syscall")
int count_runs(void *ctx)
{
	__u64 *v = bpf_task_storage_get(&runs, bpf_get_current_task_btf(), 0,
					BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!v)
		return 1;
	*v += 1;
	storage_runs = *v;
	return 0;
}

SEC("syscall")
int new_object(void *ctx)
{
	struct obj *o = bpf_obj_new_impl(bpf_core_type_id_local(struct obj), NULL);

	if (!o)
		return 1;
	o->value = 42;
	obj_value = o->value;
	bpf_obj_drop_impl(o, NULL);
	return 0;
}

SEC("tc")
int locked_add(struct __sk_buff *skb)
{
	bpf_spin_lock(&glock);
	locked_count++;
	bpf_spin_unlock(&glock);
	return 0;
}

__attribute__((noinline)) int on_throw(__u64 cookie)
{
	return cookie + 100;
}

SEC("tc") __exception_cb(on_throw)
int throwing(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(skb->len);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
