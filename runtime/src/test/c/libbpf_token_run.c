// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf_token_run.c -- libbpf's side of BpfTokenTest: opens and loads token.bpf.o with
 * default options (so libbpf takes its BPF token from LIBBPF_BPF_TOKEN_PATH), test-runs
 * count_packets three times on a 64-byte packet and prints what TokenLoadMain prints:
 *   retval=R runs=N bytes=B token=yes|no
 * or "error STEP ERR" (exit 1).
 * Usage: libbpf_token_run OBJECT
 */
#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *bss, *hits;
	unsigned char packet[64] = { 0 };
	unsigned long long runs = 0, bytes = 0;
	unsigned int zero = 0;
	int err, i;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet), .repeat = 1);

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("error open %d\n", -errno);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("error load %d\n", err);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "count_packets");
	for (i = 0; i < 3; i++) {
		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &run);
		if (err) {
			printf("error test_run %d\n", err);
			return 1;
		}
	}
	bss = bpf_object__find_map_by_name(obj, "token.bss");
	hits = bpf_object__find_map_by_name(obj, "hits");
	if (!bss || !hits || bpf_map_lookup_elem(bpf_map__fd(bss), &zero, &runs)
	    || bpf_map_lookup_elem(bpf_map__fd(hits), &zero, &bytes)) {
		printf("error lookup\n");
		return 1;
	}
	printf("retval=%u runs=%llu bytes=%llu token=%s\n", run.retval, runs, bytes,
	       bpf_object__token_fd(obj) >= 0 ? "yes" : "no");
	bpf_object__close(obj);
	return 0;
}
