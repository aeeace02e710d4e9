// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_targets.bpf.c -- XDP redirects into a devmap, a devmap_hash, a cpumap and an xskmap that
 * Java fills. Run with BPF_PROG_TEST_RUN (no live frames): a program returns what
 * bpf_redirect_map returns, XDP_REDIRECT (4) when the key has an entry and the fallback
 * XDP_PASS (2) when it has none.
 *
 *   ports       devmap, 4 slots, struct bpf_devmap_val (ifindex and an optional program)
 *   ports_hash  devmap_hash, 8 entries, __u32 ifindex values, any __u32 key
 *   cpus        cpumap, 2 slots, struct bpf_cpumap_val (queue size and an optional program)
 *   xsks        xskmap, 4 slots
 *
 * to_port, to_port_hash, to_cpu, to_xsk (SEC("xdp")): redirect to key `target`.
 * on_devmap_egress (SEC("xdp/devmap")), on_cpumap (SEC("xdp/cpumap")): programs for entries;
 * they pass everything.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ports_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

__u32 target;

SEC("xdp")
int to_port(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, target, XDP_PASS);
}

SEC("xdp")
int to_port_hash(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports_hash, target, XDP_PASS);
}

SEC("xdp")
int to_cpu(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpus, target, XDP_PASS);
}

SEC("xdp")
int to_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, target, XDP_PASS);
}

SEC("xdp/devmap")
int on_devmap_egress(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp/cpumap")
int on_cpumap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
