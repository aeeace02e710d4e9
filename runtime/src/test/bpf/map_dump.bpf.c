// SPDX-License-Identifier: GPL-2.0
/*
 * map_dump.bpf.c -- what `bpfkit prog|map|link` and `bpfkit map dump` are compared with
 * `bpftool -j` on (cli's KernelObjectsBpftoolTest): maps whose BTF key and value types cover
 * what bpftool's BTF dumper decodes, maps without BTF (dumped as hex), and programs to attach.
 *
 *   records   HASH          key struct pair, value struct record: typedef, char string, enum,
 *                           _Bool, bit fields (signed too), union, s16 array, u8 array (not a
 *                           string), s8, u64, unsigned __int128, nested struct
 *   colors    ARRAY         u32 -> enum color (RED 0, GREEN 1, BLUE 7; other values print as numbers)
 *   per_cpu   PERCPU_ARRAY  u32 -> struct bits (one value per possible CPU)
 *   raw_hash  HASH          4-byte key, 12-byte value, no BTF types: hex
 *   raw_pcpu  PERCPU_HASH   4-byte key, 8-byte value, no BTF types: hex per CPU
 *   jumps     PROG_ARRAY    2 slots, no BTF: empty slots are left out
 *   .bss / .data / .rodata  datasecs: hits (u64); greeting (char[8]); limit, target_tgid (u32)
 *
 * The tracing programs change the maps only for the process target_tgid (0 unless set: none),
 * so that two dumps taken one after the other while they are attached see the same values.
 * Programs: count_getpid_with_a_long_name (tracepoint syscalls/sys_enter_getpid; its name is
 * longer than the kernel's 15 characters, so the full name comes from BTF), raw_enter
 * (raw_tp/sys_enter), sock_create (cgroup/sock_create).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 0, GREEN = 1, BLUE = 7 };

typedef __u32 pid_type;

struct bits {
	unsigned int ready : 1;
	unsigned int level : 3;
	int delta : 5;
	unsigned int wide : 20;
};

union num {
	__u32 word;
	__u8 bytes[4];
};

struct pair {
	__u32 a;
	__u16 b;
};

struct record {
	pid_type pid;
	char comm[16];
	enum color color;
	_Bool on;
	struct bits bits;
	union num num;
	__s16 temps[3];
	__u8 raw[3];
	__s8 tiny;
	__u64 total;
	unsigned __int128 big;
	struct pair inner;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct pair);
	__type(value, struct record);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, enum color);
} colors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bits);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__uint(key_size, 4);
	__uint(value_size, 12);
} raw_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__uint(key_size, 4);
	__uint(value_size, 8);
} raw_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jumps SEC(".maps");

__u64 hits;
char greeting[8] = "bpfkit";
const volatile __u32 limit = 5;
const volatile __u32 target_tgid;

static __always_inline int ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("tp/syscalls/sys_enter_getpid")
int count_getpid_with_a_long_name(void *ctx)
{
	struct pair k = { .a = 1, .b = 2 };
	struct record *r = bpf_map_lookup_elem(&records, &k);
	__u32 zero = 0;
	enum color *c = bpf_map_lookup_elem(&colors, &zero);

	if (!ours())
		return 0;
	if (r && c && *c != RED)
		r->total += limit;
	__sync_fetch_and_add(&hits, 1);
	bpf_tail_call(ctx, &jumps, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_enter(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&raw_pcpu, &k);

	if (ours() && v && greeting[0] == 'b')
		*v += 1;
	return 0;
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	__u32 k = 0;
	__u32 *v = bpf_map_lookup_elem(&raw_hash, &k);

	/* no key 0 in raw_hash: every socket is allowed (and the cgroup is empty anyway) */
	return v && *v == 0xdead ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
