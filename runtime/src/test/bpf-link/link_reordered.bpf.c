// Link input: link_a's map declared extern with its fields in another order and the key
// through a typedef; libbpf compares definitions, not spellings, so this links.
#include "link_common.h"

typedef __u32 slot_t;

extern struct {
    __type(value, __u64);
    __uint(max_entries, 4);
    __type(key, slot_t);
    __uint(type, BPF_MAP_TYPE_ARRAY);
} link_counts SEC(".maps");

SEC("tc")
int link_entry_reordered(struct __sk_buff *skb)
{
    __u32 key = 3;
    return bpf_map_lookup_elem(&link_counts, &key) != 0;
}

char LICENSE[] SEC("license") = "GPL";
