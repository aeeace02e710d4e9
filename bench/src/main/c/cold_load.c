// The libbpf side of scripts/bench-cold: a whole process that opens and loads one object and
// exits, as a C tool built on libbpf starts. Its wall time, measured from outside by the script
// in turns with bpfkit's io.bpfkit.bench.ColdStart, is the cold-start baseline.
//
// Usage: cold_load OBJECT       (root: the object's maps and programs are created, then closed)
// Built by scripts/bench-cold: gcc -O2 ... libbpf.a -lelf -lz.
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: cold_load OBJECT\n");
		return 2;
	}
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "cold_load: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (err) {
		fprintf(stderr, "cold_load: load %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
