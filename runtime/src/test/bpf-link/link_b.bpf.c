// Static-linking input: declares link_a's map and global extern, defines link_helper and
// the strong link_pick.
#include "link_common.h"

LINK_COUNTS_MAP(extern);

extern __u64 link_total;
const volatile int link_factor_b = 5;
__u64 link_hits_b = 0;

static __noinline int local_scale(int x)
{
    return x * 3;
}

__noinline int link_helper(int x)
{
    __u32 key = 1;
    __u64 *count = bpf_map_lookup_elem(&link_counts, &key);

    if (count)
        __sync_fetch_and_add(count, 1);
    return x + 100;
}

__noinline int link_pick(int x)
{
    return x + 1000;
}

SEC("tc")
int link_entry_b(struct __sk_buff *skb)
{
    link_total += 1;
    link_hits_b++;
    return local_scale(link_factor_b) + link_pick(0);
}

char LICENSE[] SEC("license") = "GPL";
