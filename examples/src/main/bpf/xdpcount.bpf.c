// SPDX-License-Identifier: GPL-2.0
/*
 * xdpcount.bpf.c -- counts the packets arriving on an interface by protocol, and passes them on.
 *
 * count_packets (SEC("xdp"): attached by user space to the interface it names) reads the
 * Ethernet header (one 802.1Q VLAN tag is skipped), then the IPv4 or IPv6 header, and adds one
 * to `packets` at index family * 4 + protocol:
 *   family    0 IPv4, 1 IPv6
 *   protocol  0 TCP, 1 UDP, 2 ICMP (ICMPv6 for IPv6), 3 any other
 * Index 8 counts frames that are neither IPv4 nor IPv6 (ARP, ...) or too short to tell.
 * Every packet gets XDP_PASS: the program only watches. IPv6 extension headers are not
 * followed: a packet with one counts as "other".
 *
 * Maps user space works with:
 *   packets   PERCPU_ARRAY of 9 __u64 counters (sum the CPUs' values)
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TCP 0
#define UDP 1
#define ICMP 2
#define OTHER 3
#define NOT_IP 8

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NOT_IP + 1);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

static __always_inline __u32 protocol(__u8 proto, __u8 icmp)
{
	if (proto == IPPROTO_TCP)
		return TCP;
	if (proto == IPPROTO_UDP)
		return UDP;
	if (proto == icmp)
		return ICMP;
	return OTHER;
}

static __always_inline __u32 classify(void *data, void *end)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__u16 type;

	if (l3 > end)
		return NOT_IP;
	type = eth->h_proto;
	if (type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vlan = l3;

		if ((void *)(vlan + 1) > end)
			return NOT_IP;
		type = vlan->proto;
		l3 = vlan + 1;
	}
	if (type == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			return NOT_IP;
		return protocol(ip->protocol, IPPROTO_ICMP);
	}
	if (type == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return NOT_IP;
		return 4 + protocol(ip6->nexthdr, IPPROTO_ICMPV6);
	}
	return NOT_IP;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u32 index = classify((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	__u64 *count = bpf_map_lookup_elem(&packets, &index);

	if (count)
		*count += 1; /* per-CPU: no other CPU writes this slot */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
