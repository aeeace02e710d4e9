// SPDX-License-Identifier: GPL-2.0
/*
 * module_kfunc.bpf.c -- a kfunc that lives in a kernel module. bpf_xdp_ct_lookup belongs to
 * nf_conntrack: built into some kernels (its BTF is vmlinux's), a module in Debian's (its BTF
 * is /sys/kernel/btf/nf_conntrack, and the call names that BTF object through fd_array).
 *
 * Program:
 *   ct_lookup  SEC("xdp"), run with BPF_PROG_TEST_RUN: looks up a TCP connection 127.0.0.1:1 ->
 *              127.0.0.1:2 that does not exist in this network namespace's conntrack table;
 *              stores opts.error in .bss lookup_error (-ENOENT, -2, when the kfunc ran) and
 *              counts calls. Options of 12 bytes: the size every kernel since 6.1 accepts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

int lookup_error = 1;
int calls;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };
	struct nf_conn *ct;

	tuple.ipv4.saddr = bpf_htonl(0x7f000001);
	tuple.ipv4.daddr = bpf_htonl(0x7f000001);
	tuple.ipv4.sport = bpf_htons(1);
	tuple.ipv4.dport = bpf_htons(2);
	ct = bpf_xdp_ct_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, 12);
	calls++;
	if (ct) {
		bpf_ct_release(ct);
		lookup_error = 0;
	} else {
		lookup_error = opts.error;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
