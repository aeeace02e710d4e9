// Prints what libbpf's open phase makes of an eBPF object, one line per program and map, for
// bpfkit's differential tests (LibbpfOpenDifferentialTest). Open only: nothing is loaded.
#include <stdio.h>
#include <errno.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	/* on stderr, which the test does not compare: which libbpf this is */
	fprintf(stderr, "libbpf %s\n", libbpf_version_string());
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	long err = libbpf_get_error(obj);
	if (err) {
		printf("error %ld\n", err);
		return 1;
	}
	printf("object %s\n", bpf_object__name(obj));
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		printf("prog %s %s %d %d %zu %d\n", bpf_program__name(prog), bpf_program__section_name(prog),
		       (int)bpf_program__type(prog), (int)bpf_program__expected_attach_type(prog),
		       bpf_program__insn_cnt(prog), (int)bpf_program__autoload(prog));
	}
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		printf("map %s %d %u %u %u %u %u %llu\n", bpf_map__name(map), (int)bpf_map__type(map),
		       bpf_map__key_size(map), bpf_map__value_size(map), bpf_map__max_entries(map),
		       bpf_map__map_flags(map), bpf_map__numa_node(map),
		       (unsigned long long)bpf_map__map_extra(map));
	}
	bpf_object__close(obj);
	return 0;
}
