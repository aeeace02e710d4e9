// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * programs_net.bpf.c -- networking and cgroup section kinds (the section names libbpf 1.1
 * also knows), plus a non-"GPL" license string. tcx/tc-direction sections are in
 * programs_tcx.bpf.c.
 *
 * Programs (function name: ELF section -> program type, expected attach type):
 *   xdp_pass        xdp                       XDP (expected attach BPF_XDP)
 *   xdp_frags_pass  xdp.frags                 XDP, prog flag BPF_F_XDP_HAS_FRAGS
 *   tc_classify     tc                        SCHED_CLS (no expected attach type)
 *   skb_ingress     cgroup_skb/ingress        CGROUP_SKB, BPF_CGROUP_INET_INGRESS
 *   sock_create     cgroup/sock_create        CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE
 *   connect4        cgroup/connect4           CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT
 *   sysctl_read     cgroup/sysctl             CGROUP_SYSCTL, BPF_CGROUP_SYSCTL
 *   dev_access      cgroup/dev                CGROUP_DEVICE, BPF_CGROUP_DEVICE
 *   getsockopt      cgroup/getsockopt         CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT
 *   msg_verdict     sk_msg                    SK_MSG, BPF_SK_MSG_VERDICT
 *   stream_verdict  sk_skb/stream_verdict     SK_SKB, BPF_SK_SKB_STREAM_VERDICT
 *   sock_ops        sockops                   SOCK_OPS, BPF_CGROUP_SOCK_OPS
 *   dissect         flow_dissector            FLOW_DISSECTOR, BPF_FLOW_DISSECTOR
 *   lookup          sk_lookup                 SK_LOOKUP, BPF_SK_LOOKUP
 *   lwt_input       lwt_in                    LWT_IN
 *
 * Every program lets traffic through (XDP_PASS, TC_ACT_OK, 1 for cgroup hooks, SK_PASS,
 * BPF_OK) and counts itself in .bss `net_hits` (u64[16], index = order above) through the
 * global subprogram net_count. Map: sock_map (SOCKMAP, 2 entries) for attaching the
 * sk_msg / sk_skb programs.
 * xdp_pass under BPF_PROG_TEST_RUN with a 64-byte packet returns XDP_PASS (2).
 *
 * License "Dual BSD/GPL" (GPL-compatible, so gpl_compatible is true in prog info).
 * Loads with libbpf 1.1 (bpftool prog loadall).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

enum net_hit {
	NH_XDP,
	NH_XDP_FRAGS,
	NH_TC,
	NH_SKB_INGRESS,
	NH_SOCK_CREATE,
	NH_CONNECT4,
	NH_SYSCTL,
	NH_DEV,
	NH_GETSOCKOPT,
	NH_SK_MSG,
	NH_SK_SKB,
	NH_SOCKOPS,
	NH_FLOW,
	NH_SK_LOOKUP,
	NH_LWT_IN,
	NH_MAX = 16,
};

__u64 net_hits[NH_MAX];
__u64 xdp_bytes;

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

__noinline int net_count(__u32 idx)
{
	if (idx >= NH_MAX)
		return 0;
	__sync_fetch_and_add(&net_hits[idx], 1);
	return 1;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	net_count(NH_XDP);
	if (data + 14 <= data_end)
		__sync_fetch_and_add(&xdp_bytes, data_end - data);
	return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags_pass(struct xdp_md *ctx)
{
	net_count(NH_XDP_FRAGS);
	__sync_fetch_and_add(&xdp_bytes, bpf_xdp_get_buff_len(ctx));
	return XDP_PASS;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	net_count(NH_TC);
	return TC_ACT_OK;
}

SEC("cgroup_skb/ingress")
int skb_ingress(struct __sk_buff *skb)
{
	net_count(NH_SKB_INGRESS);
	return 1;
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	net_count(NH_SOCK_CREATE);
	return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	net_count(NH_CONNECT4);
	return 1;
}

SEC("cgroup/sysctl")
int sysctl_read(struct bpf_sysctl *ctx)
{
	net_count(NH_SYSCTL);
	return 1;
}

SEC("cgroup/dev")
int dev_access(struct bpf_cgroup_dev_ctx *ctx)
{
	net_count(NH_DEV);
	return 1;
}

SEC("cgroup/getsockopt")
int getsockopt(struct bpf_sockopt *ctx)
{
	net_count(NH_GETSOCKOPT);
	return 1;
}

SEC("sk_msg")
int msg_verdict(struct sk_msg_md *msg)
{
	net_count(NH_SK_MSG);
	return SK_PASS;
}

SEC("sk_skb/stream_verdict")
int stream_verdict(struct __sk_buff *skb)
{
	net_count(NH_SK_SKB);
	return SK_PASS;
}

SEC("sockops")
int sock_ops(struct bpf_sock_ops *ctx)
{
	net_count(NH_SOCKOPS);
	return 1;
}

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	net_count(NH_FLOW);
	return BPF_OK;
}

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx)
{
	net_count(NH_SK_LOOKUP);
	return SK_PASS;
}

SEC("lwt_in")
int lwt_input(struct __sk_buff *skb)
{
	net_count(NH_LWT_IN);
	return BPF_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
