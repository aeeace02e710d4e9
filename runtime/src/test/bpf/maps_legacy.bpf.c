// SPDX-License-Identifier: GPL-2.0
/*
 * maps_legacy.bpf.c -- legacy map definitions: `struct bpf_map_def SEC("maps")`.
 *
 * NOT LOADABLE BY LIBBPF 1.x: libbpf >= 1.0 refuses the "maps" section ("legacy map
 * definitions in 'maps' section are not supported"). bpfkit opens it; the programs are
 * verifier-clean, so once bpfkit creates the maps the object loads on kernel 6.18.
 *
 * The "maps" section holds four consecutive 20-byte definitions (five __u32 fields: type,
 * key_size, value_size, max_entries, map_flags), one symbol per map, in this order:
 *
 *   name          type              key  value  max  flags
 *   legacy_hash   HASH              4    8      128  0
 *   legacy_array  ARRAY             4    16     4    0
 *   legacy_lru    LRU_HASH          8    8      64   BPF_F_NO_COMMON_LRU (2)
 *   legacy_perf   PERF_EVENT_ARRAY  4    4      0    0   (max_entries 0: loader sets nr CPUs)
 *
 * None of these maps has BTF key/value types (legacy definitions carry none); the object
 * still has .BTF for the program. Program: count_legacy, SEC("tp/syscalls/sys_enter_getpid").
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Our own definition of the legacy layout (libbpf no longer ships one). */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 128,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = 16,
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") legacy_lru = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(__u64),
	.max_entries = 64,
	.map_flags = BPF_F_NO_COMMON_LRU,
};

struct bpf_map_def SEC("maps") legacy_perf = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 0,
};

SEC("tp/syscalls/sys_enter_getpid")
int count_legacy(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, slot = 1;
	__u64 one = 1, *cnt, *arr;

	cnt = bpf_map_lookup_elem(&legacy_hash, &tgid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&legacy_hash, &tgid, &one, BPF_NOEXIST);

	arr = bpf_map_lookup_elem(&legacy_array, &slot);
	if (arr) {
		arr[0] = tgid;
		arr[1] = bpf_ktime_get_ns();
	}

	bpf_map_update_elem(&legacy_lru, &pid_tgid, &one, BPF_ANY);
	bpf_perf_event_output(ctx, &legacy_perf, BPF_F_CURRENT_CPU, &pid_tgid, sizeof(pid_tgid));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
