// SPDX-License-Identifier: GPL-2.0
/*
 * prog_target.bpf.c -- a BPF program other programs attach to: fentry/fexit trace its global
 * function (prog_fentry.bpf.c), freplace replaces it (prog_target_ext.bpf.c).
 *
 * Programs:
 *   xdp_main     xdp     returns pick_action(the packet's length); run by BPF_PROG_TEST_RUN
 *   pick_action  global function (its own FUNC in the object's BTF, global linkage, so
 *                freplace may replace it): XDP_PASS for packets up to 1500 bytes, else XDP_DROP
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int pick_action(int len)
{
	return len > 1500 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	return pick_action(ctx->data_end - ctx->data);
}

char LICENSE[] SEC("license") = "GPL";
