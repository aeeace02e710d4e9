// Bad link input: link_a's 64-bit link_total declared extern as 32 bits.
#include "link_common.h"

extern __u32 link_total;

SEC("tc")
int link_entry_mistyped(struct __sk_buff *skb)
{
    return link_total;
}

char LICENSE[] SEC("license") = "GPL";
