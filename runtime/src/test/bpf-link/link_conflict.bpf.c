// Bad link input: link_counts with 8 entries where link_a declares 4.
#include "link_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} link_counts SEC(".maps");

SEC("tc")
int link_entry_conflict(struct __sk_buff *skb)
{
    __u32 key = 2;
    return bpf_map_lookup_elem(&link_counts, &key) != 0;
}

char LICENSE[] SEC("license") = "GPL";
