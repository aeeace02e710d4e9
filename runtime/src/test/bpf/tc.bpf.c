// SPDX-License-Identifier: GPL-2.0
/*
 * tc.bpf.c -- tc and XDP programs for the attach tests of both ways (tcx/XDP links and
 * rtnetlink), each counting the UDP datagrams to one port: .rodata `target_port` (host byte
 * order), set before load to an ephemeral port the test owns, so other traffic on the
 * interface does not count.
 *
 * `counts` (u64[8], .bss) index: program (section)
 *   0 tc_ingress_count   tc/ingress    (sched_cls; libbpf >= 1.3 alias of tcx/ingress)
 *   1 tc_egress_count    tc/egress
 *   2 classifier_count   classifier    (legacy name, no direction)
 *   3 tc_count           tc            (no direction)
 *   4 tcx_ingress_count  tcx/ingress
 *   5 xdp_count          xdp
 * Every tc program returns TC_ACT_UNSPEC (-1, = TCX_NEXT): the packet goes on to the next
 * program or filter, whichever way the program is attached. xdp_count returns XDP_PASS.
 * act_count (action, sched_act) and sock_count (socket) exist to be refused by Attach.tc.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_UNSPEC (-1)

const volatile __u16 target_port = 0;
__u64 counts[8];

static __always_inline int to_target(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return 0;
	return udp->dest == bpf_htons(target_port);
}

static __always_inline int count_skb(struct __sk_buff *skb, int idx)
{
	if (to_target((void *)(long)skb->data, (void *)(long)skb->data_end))
		__sync_fetch_and_add(&counts[idx], 1);
	return TC_ACT_UNSPEC;
}

SEC("tc/ingress")
int tc_ingress_count(struct __sk_buff *skb)
{
	return count_skb(skb, 0);
}

SEC("tc/egress")
int tc_egress_count(struct __sk_buff *skb)
{
	return count_skb(skb, 1);
}

SEC("classifier")
int classifier_count(struct __sk_buff *skb)
{
	return count_skb(skb, 2);
}

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	return count_skb(skb, 3);
}

SEC("tcx/ingress")
int tcx_ingress_count(struct __sk_buff *skb)
{
	return count_skb(skb, 4);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	if (to_target((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		__sync_fetch_and_add(&counts[5], 1);
	return XDP_PASS;
}

SEC("action")
int act_count(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
