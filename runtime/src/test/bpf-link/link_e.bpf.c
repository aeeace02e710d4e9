// Link input: defines the map link_d declares extern, after a map of its own.
#include "link_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} link_e_first SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} link_e_map SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
