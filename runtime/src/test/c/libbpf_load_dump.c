// Loads an eBPF object with libbpf (open + load, no attach) and prints each program's
// translated instructions as the kernel reports them (BPF_OBJ_GET_INFO_BY_FD), with map
// references replaced by map names, for bpfkit's differential load test
// (LibbpfLoadDifferentialTest). Programs named after the object path are left out of the load.
// Usage: libbpf_load_dump OBJECT PIN_ROOT [SKIP_PROGRAM...]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static void map_name_by_id(__u32 id, char *out, size_t len)
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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJECT PIN_ROOT [SKIP_PROGRAM...]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = argv[2]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
	if (libbpf_get_error(obj)) {
		printf("error open\n");
		return 1;
	}
	struct bpf_program *prog;
	for (int i = 3; i < argc; i++) {
		prog = bpf_object__find_program_by_name(obj, argv[i]);
		if (prog)
			bpf_program__set_autoload(prog, false);
	}
	int err = bpf_object__load(obj);
	if (err) {
		printf("error load %d\n", err);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		if (fd < 0)
			continue;
		struct bpf_prog_info info = {};
		__u32 info_len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
			return 1;
		__u32 n = info.xlated_prog_len / 8;
		struct bpf_insn *insns = calloc(n, sizeof(*insns));
		memset(&info, 0, sizeof(info));
		info.xlated_prog_len = n * 8;
		info.xlated_prog_insns = (__u64)(unsigned long)insns;
		info_len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
			return 1;
		printf("prog %s %u\n", bpf_program__name(prog), n);
		for (__u32 i = 0; i < n; i++) {
			struct bpf_insn *in = &insns[i];
			if (in->code == 0x18 && in->src_reg == 0 && i + 1 < n && (__u32)insns[i + 1].imm >> 16 == 0xffff) {
				// a kernel address the verifier put there (a map for the timer helpers): not
				// the same in two loads
				printf("%u: %02x %u %u %d kernel-address\n", i, in->code, in->dst_reg, in->src_reg, in->off);
				i++;
				printf("%u: -\n", i);
				continue;
			}
			if (in->code == 0x18 && (in->src_reg == 1 || in->src_reg == 2)) {
				char name[32];
				map_name_by_id((__u32)in->imm, name, sizeof(name));
				printf("%u: %02x %u %u %d map:%s", i, in->code, in->dst_reg, in->src_reg, in->off, name);
				printf(" off:%d\n", in->src_reg == 2 ? insns[i + 1].imm : 0);
				i++;
				printf("%u: -\n", i);
				continue;
			}
			printf("%u: %02x %u %u %d %d\n", i, in->code, in->dst_reg, in->src_reg, in->off, in->imm);
		}
		free(insns);
	}
	bpf_object__close(obj);
	return 0;
}
