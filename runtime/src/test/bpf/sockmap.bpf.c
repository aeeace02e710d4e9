// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap.bpf.c -- programs attached to a sockmap and a sockhash that Java fills with
 * loopback TCP sockets.
 *
 *   socks      sockmap, 4 slots, 8-byte values (so that lookups give the socket's cookie)
 *   sock_hash  sockhash, __u32 keys, 8-byte values
 *
 * on_msg, SEC("sk_msg") for socks: on each sendmsg of a socket in socks, msgs++ and
 * msg_bytes += size; when redirect_slot >= 0 the data goes to the receive queue of the socket
 * in that slot (bpf_msg_redirect_map, BPF_F_INGRESS), else on its way (SK_PASS).
 * on_skb, SEC("sk_skb/stream_verdict") for socks: on data received by a socket in socks,
 * skbs++ and skb_bytes += len; SK_PASS.
 * on_msg_hash, SEC("sk_msg") for sock_hash: hash_msgs++; redirects to the receive queue of
 * the socket under hash_redirect_key (bpf_msg_redirect_hash).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sock_hash SEC(".maps");

__s32 redirect_slot = -1;
__u32 hash_redirect_key;
__u64 msgs;
__u64 msg_bytes;
__u64 skbs;
__u64 skb_bytes;
__u64 hash_msgs;

SEC("sk_msg")
int on_msg(struct sk_msg_md *msg)
{
	__s32 slot = redirect_slot;

	msgs++;
	msg_bytes += msg->size;
	if (slot >= 0)
		return bpf_msg_redirect_map(msg, &socks, slot, BPF_F_INGRESS);
	return SK_PASS;
}

SEC("sk_skb/stream_verdict")
int on_skb(struct __sk_buff *skb)
{
	skbs++;
	skb_bytes += skb->len;
	return SK_PASS;
}

SEC("sk_msg")
int on_msg_hash(struct sk_msg_md *msg)
{
	__u32 key = hash_redirect_key;

	hash_msgs++;
	return bpf_msg_redirect_hash(msg, &sock_hash, &key, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
