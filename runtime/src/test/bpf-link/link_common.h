/* The map both link inputs declare: link_a defines it, link_b declares it extern. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LINK_COUNTS_MAP(storage)                    \
    storage struct {                                \
        __uint(type, BPF_MAP_TYPE_ARRAY);           \
        __uint(max_entries, 4);                     \
        __type(key, __u32);                         \
        __type(value, __u64);                       \
    } link_counts SEC(".maps")

struct link_pair {
    int left;
    int right;
};
