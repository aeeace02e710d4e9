// SPDX-License-Identifier: GPL-2.0
/*
 * programs_tcx.bpf.c -- tcx section names (kernel 6.6+ tcx links, libbpf >= 1.3 names).
 *
 * Programs (function name: ELF section -> program type, expected attach type):
 *   tcx_in       tcx/ingress   SCHED_CLS, BPF_TCX_INGRESS (46)
 *   tcx_out      tcx/egress    SCHED_CLS, BPF_TCX_EGRESS (47)
 *   tc_in        tc/ingress    SCHED_CLS, BPF_TCX_INGRESS (alias of tcx/ingress in libbpf >= 1.3)
 *   tc_out       tc/egress     SCHED_CLS, BPF_TCX_EGRESS (alias of tcx/egress)
 * None of the four has an auto-attach target (attaching needs an interface index).
 * tcx_in returns TCX_NEXT (-1), the others TCX_PASS (0); each counts itself in .bss `tcx_hits`
 * (u64[4], index = order above) and adds skb->len to `tcx_bytes`.
 *
 * libbpf 1.1 (bpftool v7.1 here) does not know these four section names, so plain
 * `bpftool prog loadall` refuses the object ("failed to guess program type from ELF section
 * 'tcx/ingress'"). `bpftool prog loadall FILE DIR type tc` forces SCHED_CLS and loads all four
 * (without an expected attach type, which the kernel does not require for SCHED_CLS).
 * bpfkit knows the names and loads them as described above.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* enum tcx_action_base of kernel 6.6+ (not in the 6.1 uapi headers installed here) */
#define TCX_NEXT (-1)
#define TCX_PASS 0

__u64 tcx_hits[4];
__u64 tcx_bytes;

static __always_inline int account(struct __sk_buff *skb, int idx, int verdict)
{
	__sync_fetch_and_add(&tcx_hits[idx], 1);
	__sync_fetch_and_add(&tcx_bytes, skb->len);
	return verdict;
}

SEC("tcx/ingress")
int tcx_in(struct __sk_buff *skb)
{
	return account(skb, 0, TCX_NEXT);
}

SEC("tcx/egress")
int tcx_out(struct __sk_buff *skb)
{
	return account(skb, 1, TCX_PASS);
}

SEC("tc/ingress")
int tc_in(struct __sk_buff *skb)
{
	return account(skb, 2, TCX_PASS);
}

SEC("tc/egress")
int tc_out(struct __sk_buff *skb)
{
	return account(skb, 3, TCX_PASS);
}

char LICENSE[] SEC("license") = "GPL";
