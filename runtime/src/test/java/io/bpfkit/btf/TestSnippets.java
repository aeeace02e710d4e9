package io.bpfkit.btf;

/**
 * Small BPF C programs that the tests compile with clang when it is installed, so that the
 * BTF and BTF.ext tests see what a real compiler writes: every BTF kind a C program can
 * produce, bitfields, tags, externs, CO-RE relocations of each family.
 */
final class TestSnippets {
    private TestSnippets() {
    }

    /** Every kind clang emits for BPF C, plus CO-RE relocations of every family. */
    static final String ALL_KINDS = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __tag1 __attribute__((btf_decl_tag("tag1")))
#define __ttag __attribute__((btf_type_tag("user")))

enum small { A = -1, B = 2 };
enum big { C = 0xffffffffffULL, D = 1 };
enum sbig { E = -5000000000LL, F = 3 };
typedef unsigned long long u64;
struct fwd_only;
union fwd_union;
struct bits { int a:3; unsigned b:5; long c; char name[16]; volatile const int *restrict p; };
union un { int i; float f; double d; };
struct tagged { int x __tag1; int __ttag *up; } __tag1;
struct task_struct { int pid; int tgid; } __attribute__((preserve_access_index));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, int);
    __type(value, struct bits);
} m SEC(".maps");

int gvar = 3;
const volatile int rovar = 7;
static int svar;
char _license[] SEC("license") = "GPL";
struct fwd_only *fp;
union fwd_union *fu;
enum small es; enum big eb; enum sbig esb; union un uu; struct tagged tg; u64 u;
extern int ext_var __attribute__((weak));
extern int bpf_ext_func(int) __ksym __weak;

static __attribute__((noinline)) int helper(int x, ...) { return x + svar; }
__attribute__((noinline)) int global_fn(struct bits *b __tag1, int y) { return b ? b->a + y : y; }

SEC("tracepoint/syscalls/sys_enter_openat")
int prog1(void *ctx)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    int pid = BPF_CORE_READ(t, pid);
    if (bpf_core_field_exists(t->tgid)) pid++;
    if (bpf_core_type_exists(struct task_struct)) pid++;
    pid += bpf_core_type_size(struct task_struct);
    if (bpf_core_enum_value_exists(enum small, B)) pid++;
    pid += bpf_core_enum_value(enum small, B);
    svar = pid + gvar + rovar + ext_var;
    return global_fn(0, pid);
}

SEC("xdp")
int prog2(struct xdp_md *ctx) { return XDP_PASS + (bpf_ext_func ? 1 : 0); }
""";

    /** A second shape: static functions, nested anonymous members, arrays of arrays, bool, __int128. */
    static final String MORE = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct inner { unsigned char flag:1, mode:3; _Bool ok; };
struct outer {
    struct inner in[2][3];
    union { int as_int; struct { short lo, hi; }; };
    unsigned __int128 wide;
    const char *names[4];
    void (*callback)(int, long);
};
typedef struct outer outer_t;
typedef const volatile outer_t cv_outer_t;
cv_outer_t global_outer;
struct outer *ptrs[3];
long long counters[8] SEC(".data.counters");

static __attribute__((noinline)) int twice(int v) { return v * 2 + global_outer.in[1][2].mode; }

SEC("socket")
int sock(struct __sk_buff *skb)
{
    struct outer *o = ptrs[0];
    int r = twice(skb->len);
    if (o)
        r += BPF_CORE_READ_BITFIELD_PROBED(&o->in[0][1], mode);
    r += bpf_core_field_size(o->wide);
    r += bpf_core_field_offset(o->hi);
    if (bpf_core_type_matches(struct inner))
        r++;
    counters[1] += r;
    return r + bpf_core_type_id_local(outer_t);
}
""";
}
