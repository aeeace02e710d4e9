// Bad link input: a second strong definition of link_b's link_helper.
#include "link_common.h"

__noinline int link_helper(int x)
{
    return x;
}

SEC("tc")
int link_entry_dup(struct __sk_buff *skb)
{
    return link_helper(2);
}

char LICENSE[] SEC("license") = "GPL";
