// Static-linking input: a kconfig extern (stays an extern), another .rodata, a second
// program section of the same name as link_a's, and a call into link_a's weak function.
#include "link_common.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int link_fallback(int x);
const volatile int link_factor_c = 11;
__u32 link_seen_version = 0;

SEC("tc")
int link_entry_c(struct __sk_buff *skb)
{
    link_seen_version = LINUX_KERNEL_VERSION;
    return link_factor_c + link_fallback(1);
}

char LICENSE[] SEC("license") = "GPL";
