// A partial link input: calls a function no input defines and that is no kfunc; it stays an
// extern, and loading it fails naming it.
#include "link_common.h"

extern int link_nowhere(int x);

SEC("tc")
int link_entry_bad(struct __sk_buff *skb)
{
    return link_nowhere(1);
}

char LICENSE[] SEC("license") = "GPL";
