// Link input: a map of its own, and link_e's map declared extern after it.
#include "link_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u32);
} link_d_own SEC(".maps");

extern struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} link_e_map SEC(".maps");

SEC("tc")
int link_entry_d(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u32 *v = bpf_map_lookup_elem(&link_e_map, &key);

    bpf_map_update_elem(&link_d_own, &key, &key, BPF_ANY);
    return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
