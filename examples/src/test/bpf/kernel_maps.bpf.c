// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_maps.bpf.c -- maps of kernel objects used through the generated binding of
 * KernelMapsProbe (KernelMapsBindingTest).
 *
 * Maps:
 *   stacks      STACK_TRACE, 16 frames of instruction pointers
 *   ports       DEVMAP, 4 slots of struct bpf_devmap_val
 *   socks       SOCKMAP, 2 slots, 8-byte values (cookies read back)
 *   sk_store    SK_STORAGE, struct sk_note { __u64 tag; __u32 hits; __u32 pad; }
 * Globals (.bss): __s64 stack_id; __u32 port
 * Programs:
 *   grab_stack  SEC("raw_tp/sys_enter"), run with BPF_PROG_TEST_RUN: stack_id =
 *               bpf_get_stackid(kernel stack) into stacks
 *   to_port     SEC("xdp"): bpf_redirect_map(&ports, port, XDP_PASS)
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sk_note {
	__u64 tag;
	__u32 hits;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_note);
} sk_store SEC(".maps");

__s64 stack_id;
__u32 port;

SEC("raw_tp/sys_enter")
int grab_stack(void *ctx)
{
	stack_id = bpf_get_stackid(ctx, &stacks, 0);
	return 0;
}

SEC("xdp")
int to_port(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, port, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
