// Static-linking input: defines the shared map and a global, calls a function of link_b,
// offers a weak function link_b overrides and one nobody overrides.
#include "link_common.h"

LINK_COUNTS_MAP();

__u64 link_total = 0;                         /* .bss, written by link_b too */
const volatile int link_factor_a = 3;         /* .rodata */
struct link_pair link_pair_a = {1, 2};        /* .data */

extern int link_helper(int x);                /* defined in link_b */

__weak __noinline int link_pick(int x)        /* link_b's strong version wins */
{
    return x + 1;
}

__weak __noinline int link_fallback(int x)    /* only this weak version exists */
{
    return x + 7;
}

static __noinline int local_scale(int x)      /* link_b has a static of the same name */
{
    return x * 2;
}

SEC("tc")
int link_entry_a(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&link_counts, &key);

    if (count)
        __sync_fetch_and_add(count, 1);
    link_total += 10;
    return local_scale(link_factor_a) + link_helper(link_pair_a.right) + link_pick(0) + link_fallback(0);
}

char LICENSE[] SEC("license") = "GPL";
