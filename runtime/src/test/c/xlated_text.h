// A loaded program's translated instructions (BPF_OBJ_GET_INFO_BY_FD) as text: map references
// by map name rather than id, kernel addresses the verifier wrote (the map pointer it passes
// to the timer helpers, different in any two loads) as "kernel-address", and addresses in the
// object's arena (what an __arena global's ld_imm64 becomes: the arena's user address, which
// the kernel picks per process when map_extra is 0) as "arena off:N". The same text as
// XlatedText.java prints, so that loads by libbpf and by bpfkit compare. Included by
// libbpf_load_dump.c and selftests_libbpf.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

// The object's arena as mapped in this process (xlated_find_arena), or 0 and 0.
static __u64 xlated_arena_start, xlated_arena_size;

// Remembers where libbpf mapped the object's arena (BPF_MAP_TYPE_ARENA, 33: newer than the
// system's uapi header): for an arena, bpf_map__initial_value gives the mapping after load.
static void xlated_find_arena(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		size_t size = 0;
		void *mem;

		if ((int)bpf_map__type(map) != 33)
			continue;
		mem = bpf_map__initial_value(map, &size);
		if (mem) {
			xlated_arena_start = (__u64)(unsigned long)mem;
			xlated_arena_size = (__u64)bpf_map__max_entries(map) * sysconf(_SC_PAGE_SIZE);
		}
	}
}

static void xlated_map_name(__u32 id, char *out, size_t len)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);

	snprintf(out, len, "map#%u", id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(out, len, "%s", info.name);
	close(fd);
}

// Prints "HEADER NAME COUNT", then one line per instruction. Returns 0, or -1 with errno set
// when the kernel does not give the instructions.
static int print_xlated(const char *header, const char *name, int fd)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -1;
	__u32 n = info.xlated_prog_len / 8;
	struct bpf_insn *insns = calloc(n ? n : 1, sizeof(*insns));
	if (!insns)
		return -1;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * 8;
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		free(insns);
		return -1;
	}
	printf("%s %s %u\n", header, name, n);
	for (__u32 i = 0; i < n; i++) {
		struct bpf_insn *in = &insns[i];
		if (in->code == 0x18 && in->src_reg == 0 && i + 1 < n && (__u32)insns[i + 1].imm >> 16 == 0xffff) {
			printf("%u: %02x %u %u %d kernel-address\n", i, in->code, in->dst_reg, in->src_reg, in->off);
			printf("%u: -\n", ++i);
			continue;
		}
		__u64 value = i + 1 < n ? (__u32)in->imm | (__u64)(__u32)insns[i + 1].imm << 32 : 0;
		if (in->code == 0x18 && in->src_reg == 0 && i + 1 < n && xlated_arena_size
		    && value >= xlated_arena_start && value - xlated_arena_start <= xlated_arena_size) {
			printf("%u: %02x %u %u %d arena off:%llu\n", i, in->code, in->dst_reg, in->src_reg, in->off,
			       (unsigned long long)(value - xlated_arena_start));
			printf("%u: -\n", ++i);
			continue;
		}
		if (in->code == 0x18 && (in->src_reg == 1 || in->src_reg == 2) && i + 1 < n) {
			char map[32];
			xlated_map_name((__u32)in->imm, map, sizeof(map));
			printf("%u: %02x %u %u %d map:%s off:%d\n", i, in->code, in->dst_reg, in->src_reg, in->off, map,
			       in->src_reg == 2 ? insns[i + 1].imm : 0);
			printf("%u: -\n", ++i);
			continue;
		}
		printf("%u: %02x %u %u %d %d\n", i, in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	}
	free(insns);
	return 0;
}
