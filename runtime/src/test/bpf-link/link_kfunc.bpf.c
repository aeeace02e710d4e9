// Link input: a kfunc and a kernel variable (__ksym), which stay externs after linking, and a
// call into link_a.
#include "link_common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern const int bpf_prog_active __ksym;
extern int link_helper(int x);

SEC("tc")
int link_entry_kfunc(struct __sk_buff *skb)
{
    int active;

    bpf_rcu_read_lock();
    active = *(int *)bpf_this_cpu_ptr(&bpf_prog_active);
    bpf_rcu_read_unlock();
    return link_helper(active);
}

char LICENSE[] SEC("license") = "GPL";
