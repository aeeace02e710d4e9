// Loads an eBPF object with libbpf (open + load, no attach) and prints each program's
// translated instructions as the kernel reports them (BPF_OBJ_GET_INFO_BY_FD), with map
// references replaced by map names, for bpfkit's differential load test
// (LibbpfLoadDifferentialTest). Programs named after the object path are left out of the load.
// Usage: libbpf_load_dump OBJECT PIN_ROOT [SKIP_PROGRAM...]
#include <stdio.h>
#include <bpf/libbpf.h>
#include "xlated_text.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
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
	xlated_find_arena(obj);
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		if (fd >= 0 && print_xlated("prog", bpf_program__name(prog), fd))
			return 1;
	}
	bpf_object__close(obj);
	return 0;
}
