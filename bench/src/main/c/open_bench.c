// The libbpf side of bpfkit's open-phase benchmarks (scripts/bench): the same operations as
// bench/src/main/java/io/bpfkit/bench/{OpenBenchmark,BtfBenchmark}.java, timed with
// clock_gettime(CLOCK_MONOTONIC) after a warm-up.
//
//   open-file  bpf_object__open_file(path, NULL) + bpf_object__close
//   open-mem   bpf_object__open_mem(buf, size, NULL) + bpf_object__close (file read beforehand)
//   btf-file   btf__parse(path, NULL) + btf__free
//   btf-mem    btf__new(buf, size) + btf__free (file read beforehand)
//   load       bpf_object__open_file + bpf_object__load + bpf_object__close (needs root;
//              maps pinned by name go under the -p directory; PMU counters declared with
//              bpfkit/pmu.h opened and placed in their maps, as bpfkit's loader does)
//
// Usage: open_bench [-w WARMUP_MS] [-r ROUNDS] [-t ROUND_MS] [-b BTF_PATH]... [-p PIN_ROOT]
//                   [-l LOAD_OBJECT]... [OBJECT...]
//        open_bench -c OBJECT...    only check which objects libbpf opens
//        open_bench -C [-p PIN_ROOT] OBJECT...   only check which objects libbpf loads
//
// Output, one line per item, fields separated by single spaces:
//   libbpf OP PATH MEAN_NS SD_NS BEST_ROUND_NS ROUNDS CPU_NS BEST_CPU_NS
//   skip OP PATH REASON...
//   ok PATH | skip open PATH REASON...           (with -c)
//   ok PATH | skip load PATH REASON...           (with -C)
// MEAN is the wall time over all measured operations divided by their number, SD the
// standard deviation of the per-round means, BEST the fastest round's mean; CPU and BEST_CPU
// the same for process CPU time (CLOCK_PROCESS_CPUTIME_ID), which other processes sharing
// the CPUs disturb far less. JmhRunner writes the same form for the bpfkit side.
// Built by scripts/bench: gcc -O2 ... -lbpf -lm.
#define _GNU_SOURCE
#include "bench_timing.h"
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static int quiet;          // drop libbpf's messages while timing
static char last_msg[512]; // libbpf's last warning, kept as the reason for a refusal

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap) {
    if (quiet || level == LIBBPF_DEBUG) {
        return 0;
    }
    char buf[sizeof last_msg];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n > 0) {
        // Keep the first real warning: later ones are usually "failed to open ...".
        for (char *p = buf; *p; p++) {
            if (*p == '\n' || *p == '\t') {
                *p = ' ';
            }
        }
        if (last_msg[0] == 0) {
            snprintf(last_msg, sizeof last_msg, "%s", buf);
        }
    }
    return 0;
}

// ---- PMU counters declared with bpfkit/pmu.h, placed by hand as a libbpf user would ----
// libbpf does not read bpfkit's "bpfkit.pmu.<n>[.fallback]=<event>" decl tags, while bpfkit's
// loader opens those events on every online CPU and stores them in their maps. So that a load
// item measures the same work on both sides, this harness does that part itself for the
// generic events the test objects name: size each such map (counters x possible CPUs) before
// load, then perf_event_open each counter per online CPU (the fallback on ENOENT, ENODEV,
// EOPNOTSUPP) and bpf_map_update_elem the fds at counter * possible CPUs + cpu.

#define PMU_MAX 16
struct pmu_counter {
    struct bpf_map *map;
    int index;
    const char *event, *fallback;
};
static struct pmu_counter pmu[PMU_MAX];
static int npmu;
static int pmu_fds[PMU_MAX * 256];
static int npmu_fds;

static int perf_event_of(const char *name, __u32 *type, __u64 *config) {
    static const struct { const char *name; __u32 type; __u64 config; } known[] = {
        {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
        {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
        {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
        {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
        {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
        {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
        {"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK},
        {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
        {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
        {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (!strcmp(name, known[i].name)) {
            *type = known[i].type;
            *config = known[i].config;
            return 0;
        }
    }
    return -EINVAL;
}

// After open: the declared counters of each map, and the maps sized for them.
static int pmu_prepare(struct bpf_object *obj) {
    npmu = 0;
    struct btf *btf = bpf_object__btf(obj);
    if (!btf) {
        return 0;
    }
    int ncpus = libbpf_num_possible_cpus();
    for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const char *tag = btf__name_by_offset(btf, t->name_off);
        if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1 || strncmp(tag, "bpfkit.pmu.", 11)) {
            continue;
        }
        const char *var = btf__name_by_offset(btf, btf__type_by_id(btf, t->type)->name_off);
        struct bpf_map *map = bpf_object__find_map_by_name(obj, var);
        char *end;
        long index = strtol(tag + 11, &end, 10);
        int fallback = !strncmp(end, ".fallback=", 10);
        const char *event = strchr(end, '=');
        if (!map || !event || index < 0) {
            return -EINVAL;
        }
        struct pmu_counter *c = NULL;
        for (int i = 0; i < npmu; i++) {
            if (pmu[i].map == map && pmu[i].index == index) {
                c = &pmu[i];
            }
        }
        if (!c) {
            if (npmu == PMU_MAX) {
                return -E2BIG;
            }
            c = &pmu[npmu++];
            *c = (struct pmu_counter){map, (int)index, NULL, NULL};
        }
        *(fallback ? &c->fallback : &c->event) = event + 1;
        int counters = 0;
        for (int i = 0; i < npmu; i++) {
            if (pmu[i].map == map && pmu[i].index + 1 > counters) {
                counters = pmu[i].index + 1;
            }
        }
        bpf_map__set_max_entries(map, counters * ncpus);
    }
    return 0;
}

static int pmu_open(const char *event, int cpu) {
    struct perf_event_attr attr = {.size = sizeof(attr),
                                   .read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING};
    if (perf_event_of(event, &attr.type, &attr.config)) {
        return -EINVAL;
    }
    int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

// The CPUs listed in /sys/devices/system/cpu/online ("0-3,6"), as flags; returns how many slots.
static int online_cpus(bool *online, int max) {
    FILE *f = fopen("/sys/devices/system/cpu/online", "r");
    if (!f) {
        return -errno;
    }
    int n = 0, a, b;
    char sep;
    while (fscanf(f, "%d", &a) == 1) {
        b = a;
        if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d%c", &b, &sep) < 1) {
            break;
        }
        for (int cpu = a; cpu <= b && cpu < max; cpu++) {
            online[cpu] = true;
            n = cpu + 1 > n ? cpu + 1 : n;
        }
    }
    fclose(f);
    return n;
}

// After load: every counter on every online CPU, in its map.
static int pmu_place(void) {
    if (npmu == 0) {
        return 0;
    }
    bool online[256] = {0};
    int slots = online_cpus(online, 256), err = 0;
    if (slots < 0) {
        return slots;
    }
    int ncpus = libbpf_num_possible_cpus();
    for (int i = 0; i < npmu && !err; i++) {
        const char *event = pmu[i].event; // the fallback for the other CPUs once the first refused it
        for (int cpu = 0; cpu < slots && !err; cpu++) {
            if (!online[cpu]) {
                continue;
            }
            int fd = pmu_open(event, cpu);
            if ((fd == -ENOENT || fd == -ENODEV || fd == -EOPNOTSUPP) && pmu[i].fallback && event != pmu[i].fallback) {
                event = pmu[i].fallback;
                fd = pmu_open(event, cpu);
            }
            if (fd < 0) {
                return fd;
            }
            pmu_fds[npmu_fds++] = fd;
            __u32 key = pmu[i].index * ncpus + cpu;
            err = bpf_map_update_elem(bpf_map__fd(pmu[i].map), &key, &fd, BPF_ANY);
        }
    }
    return err;
}

static void pmu_close(void) {
    while (npmu_fds > 0) {
        close(pmu_fds[--npmu_fds]);
    }
}

enum op { OPEN_FILE, OPEN_MEM, BTF_FILE, BTF_MEM, LOAD };
static const char *op_names[] = {"open-file", "open-mem", "btf-file", "btf-mem", "load"};
static const char *pin_root = "/sys/fs/bpf/bpfkit-bench";

struct item {
    enum op op;
    const char *path;
    void *buf;
    size_t size;
};

// One operation; returns 0 or a negative errno.
static int run_once(const struct item *it) {
    switch (it->op) {
    case OPEN_FILE: {
        struct bpf_object *obj = bpf_object__open_file(it->path, NULL);
        int err = libbpf_get_error(obj);
        if (err) {
            return err;
        }
        bpf_object__close(obj);
        return 0;
    }
    case OPEN_MEM: {
        struct bpf_object *obj = bpf_object__open_mem(it->buf, it->size, NULL);
        int err = libbpf_get_error(obj);
        if (err) {
            return err;
        }
        bpf_object__close(obj);
        return 0;
    }
    case BTF_FILE: {
        struct btf *btf = btf__parse(it->path, NULL);
        int err = libbpf_get_error(btf);
        if (err) {
            return err;
        }
        btf__free(btf);
        return 0;
    }
    case LOAD: {
        LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
        struct bpf_object *obj = bpf_object__open_file(it->path, &opts);
        int err = libbpf_get_error(obj);
        if (err) {
            return err;
        }
        err = pmu_prepare(obj);
        if (!err) {
            err = bpf_object__load(obj);
        }
        if (!err) {
            err = pmu_place();
        }
        bpf_object__close(obj);
        pmu_close();
        return err;
    }
    case BTF_MEM: {
        struct btf *btf = btf__new(it->buf, (__u32)it->size);
        int err = libbpf_get_error(btf);
        if (err) {
            return err;
        }
        btf__free(btf);
        return 0;
    }
    }
    return -EINVAL;
}

// Reads a whole file; sysfs files may report a wrong size, so read until EOF.
static void *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0) {
            break;
        }
        len += n;
    }
    fclose(f);
    *size = len;
    return buf;
}

static int run_n(void *ctx, long n) {
    for (long i = 0; i < n; i++) {
        int err = run_once(ctx);
        if (err) {
            return err;
        }
    }
    return 0;
}

// Times one item: WARMUP_MS of operations, then ROUNDS rounds of at least ROUND_MS each.
static void bench(const struct item *it, double warmup_ms, int rounds, double round_ms) {
    last_msg[0] = 0;
    int err = run_once(it);
    if (err) {
        printf("skip %s %s libbpf: %s (%s)\n", op_names[it->op], it->path, strerror(-err),
               last_msg[0] ? last_msg : "no message");
        fflush(stdout);
        return;
    }
    quiet = 1;
    time_op(op_names[it->op], it->path, run_n, (void *)it, 1, warmup_ms, rounds, round_ms);
    quiet = 0;
}

static void usage(void) {
    fprintf(stderr, "usage: open_bench [-w WARMUP_MS] [-r ROUNDS] [-t ROUND_MS] [-b BTF]... [-p PIN_ROOT]\n"
                    "                  [-l LOAD_OBJECT]... [OBJECT...]\n"
                    "       open_bench -c OBJECT...\n"
                    "       open_bench -C [-p PIN_ROOT] OBJECT...\n");
    exit(2);
}

int main(int argc, char **argv) {
    double warmup_ms = 1000, round_ms = 500;
    int rounds = 5, check = 0;
    const char *btfs[64], *loads[64];
    int nbtf = 0, nload = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c")) {
            check = 1;
        } else if (!strcmp(a, "-C")) {
            check = 2;
        } else if (i + 1 < argc && !strcmp(a, "-p")) {
            pin_root = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "-l") && nload < 64) {
            loads[nload++] = argv[++i];
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (i + 1 < argc && !strcmp(a, "-w")) {
            warmup_ms = atof(argv[++i]);
        } else if (i + 1 < argc && !strcmp(a, "-r")) {
            rounds = atoi(argv[++i]);
        } else if (i + 1 < argc && !strcmp(a, "-t")) {
            round_ms = atof(argv[++i]);
        } else if (i + 1 < argc && !strcmp(a, "-b") && nbtf < 64) {
            btfs[nbtf++] = argv[++i];
        } else {
            usage();
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || round_ms <= 0 || warmup_ms < 0) {
        usage();
    }
    libbpf_set_print(print_fn);

    if (check) {
        for (; i < argc; i++) {
            struct item it = {check == 2 ? LOAD : OPEN_FILE, argv[i], NULL, 0};
            last_msg[0] = 0;
            int err = run_once(&it);
            if (err) {
                printf("skip %s %s libbpf: %s (%s)\n", check == 2 ? "load" : "open", argv[i], strerror(-err),
                       last_msg[0] ? last_msg : "no message");
            } else {
                printf("ok %s\n", argv[i]);
            }
        }
        return 0;
    }

    for (int b = 0; b < nbtf; b++) {
        struct item it = {BTF_FILE, btfs[b], NULL, 0};
        bench(&it, warmup_ms, rounds, round_ms);
        it.op = BTF_MEM;
        it.buf = read_file(btfs[b], &it.size);
        if (!it.buf) {
            printf("skip btf-mem %s cannot read: %s\n", btfs[b], strerror(errno));
            continue;
        }
        bench(&it, warmup_ms, rounds, round_ms);
        free(it.buf);
    }
    for (int l = 0; l < nload; l++) {
        struct item it = {LOAD, loads[l], NULL, 0};
        bench(&it, warmup_ms, rounds, round_ms);
    }
    for (; i < argc; i++) {
        struct item it = {OPEN_FILE, argv[i], NULL, 0};
        bench(&it, warmup_ms, rounds, round_ms);
        it.op = OPEN_MEM;
        it.buf = read_file(argv[i], &it.size);
        if (!it.buf) {
            printf("skip open-mem %s cannot read: %s\n", argv[i], strerror(errno));
            continue;
        }
        bench(&it, warmup_ms, rounds, round_ms);
        free(it.buf);
    }
    return 0;
}
