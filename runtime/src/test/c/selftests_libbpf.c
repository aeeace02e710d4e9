// Opens and loads one eBPF object with libbpf, the way a libbpf user does by default (open,
// load; programs libbpf does not autoload stay unloaded; no attach), and prints what came of
// it in the text that SelftestsParity prints for bpfkit, so that the two can be compared line
// by line (scripts/selftests, SelftestsParityTest):
//   open ok | open error ERRNO            then "detail TEXT" (libbpf's first warning)
//   prog NAME sec=SECTION type=TYPE attach=N flags=0xN autoload=0|1     (each program; flags
//                                         without BPF_F_SLEEPABLE and BPF_F_XDP_HAS_FRAGS, which
//                                         libbpf adds only as it loads, from the section name)
//   map NAME type=TYPE key=N value=N max=N flags=0xN                   (each map, as opened)
//   load ok | load error ERRNO            then "detail TEXT" and "verifier TEXT" (the log's
//                                         last line of substance) when it failed
//   kprog NAME type=TYPE btf=0|1 func_info=N line_info=N insns=N       (the kernel's view)
//   kmap NAME kname=NAME type=TYPE key=N value=N max=N flags=0xN btf=0|1
//   xlated NAME N, then N lines as LibbpfLoadDifferentialTest compares them (after each kprog
//                                         line, only with -x; xlated_text.h)
// Built against the libbpf of scripts/kernel-source (static). Exit code 0 whatever the object
// did; 2 for a usage error.
// Usage: selftests_libbpf [-x] OBJECT PIN_ROOT
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xlated_text.h"

static char warnings[1 << 16];
static size_t warnings_len;

static int collect(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN || warnings_len >= sizeof(warnings) - 1)
		return 0;
	int n = vsnprintf(warnings + warnings_len, sizeof(warnings) - warnings_len, fmt, args);
	if (n > 0)
		warnings_len += (size_t)n < sizeof(warnings) - warnings_len ? (size_t)n : sizeof(warnings) - warnings_len - 1;
	return 0;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);
	return name ? name : "E?";
}

// The first line of what libbpf warned about, without its "libbpf: " prefix.
static void print_detail(void)
{
	const char *s = warnings;
	if (!strncmp(s, "libbpf: ", 8))
		s += 8;
	const char *nl = strchr(s, '\n');
	printf("detail %.*s\n", (int)(nl ? nl - s : (long)strlen(s)), s);
}

// The verifier log's last line of substance: what it refused (the lines after it are totals).
static void print_verifier_reason(void)
{
	char *begin = strstr(warnings, "-- BEGIN PROG LOAD LOG --");
	if (!begin)
		return;
	char *end = strstr(begin, "-- END PROG LOAD LOG --");
	char *last = NULL;
	size_t last_len = 0;
	for (char *line = strchr(begin, '\n'); line && (!end || line < end); line = strchr(line, '\n')) {
		line++;
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (end && line + len > end)
			break;
		if (len == 0 || !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17)
		    || !strncmp(line, "stack depth", 11) || !strncmp(line, "libbpf: ", 8))
			continue;
		last = line;
		last_len = len;
	}
	if (last)
		printf("verifier %.*s\n", (int)last_len, last);
}

static const char *str_or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

int main(int argc, char **argv)
{
	int xlated = 0;
	if (argc > 1 && !strcmp(argv[1], "-x")) {
		xlated = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: selftests_libbpf [-x] OBJECT PIN_ROOT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	libbpf_set_print(collect);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = argv[2]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("open error %s\n", errno_name(errno));
		print_detail();
		return 0;
	}
	printf("open ok\n");
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		printf("prog %s sec=%s type=%s attach=%d flags=0x%x autoload=%d\n", bpf_program__name(prog),
		       bpf_program__section_name(prog), str_or(libbpf_bpf_prog_type_str(bpf_program__type(prog)), "?"),
		       (int)bpf_program__expected_attach_type(prog), bpf_program__flags(prog) & ~(BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS),
		       (int)bpf_program__autoload(prog));
	}
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		printf("map %s type=%s key=%u value=%u max=%u flags=0x%x\n", bpf_map__name(map),
		       str_or(libbpf_bpf_map_type_str(bpf_map__type(map)), "?"), bpf_map__key_size(map),
		       bpf_map__value_size(map), bpf_map__max_entries(map), bpf_map__map_flags(map));
	}
	warnings_len = 0;
	warnings[0] = 0;
	int err = bpf_object__load(obj);
	if (err) {
		printf("load error %s\n", errno_name(err));
		print_detail();
		print_verifier_reason();
		bpf_object__close(obj);
		return 0;
	}
	printf("load ok\n");
	xlated_find_arena(obj);
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		if (fd < 0)
			continue;
		struct bpf_prog_info info = {};
		__u32 info_len = sizeof(info);
		if (bpf_prog_get_info_by_fd(fd, &info, &info_len)) {
			printf("kprog %s error %s\n", bpf_program__name(prog), errno_name(errno));
			continue;
		}
		printf("kprog %s type=%s btf=%d func_info=%u line_info=%u insns=%u\n", bpf_program__name(prog),
		       str_or(libbpf_bpf_prog_type_str(info.type), "?"), info.btf_id != 0, info.nr_func_info,
		       info.nr_line_info, info.xlated_prog_len / 8);
		if (xlated && print_xlated("xlated", bpf_program__name(prog), fd))
			printf("xlated %s error %s\n", bpf_program__name(prog), errno_name(errno));
	}
	bpf_object__for_each_map(map, obj) {
		int fd = bpf_map__fd(map);
		if (fd < 0)
			continue;
		struct bpf_map_info info = {};
		__u32 info_len = sizeof(info);
		if (bpf_map_get_info_by_fd(fd, &info, &info_len)) {
			printf("kmap %s error %s\n", bpf_map__name(map), errno_name(errno));
			continue;
		}
		printf("kmap %s kname=%s type=%s key=%u value=%u max=%u flags=0x%x btf=%d\n", bpf_map__name(map),
		       info.name, str_or(libbpf_bpf_map_type_str(info.type), "?"), info.key_size, info.value_size,
		       info.max_entries, info.map_flags, info.btf_id != 0);
	}
	bpf_object__close(obj);
	return 0;
}
