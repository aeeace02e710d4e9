// The libbpf side of bpfkit's open-phase benchmarks (scripts/bench): the same operations as
// bench/src/main/java/io/bpfkit/bench/{OpenBenchmark,BtfBenchmark}.java, timed with
// clock_gettime(CLOCK_MONOTONIC) after a warm-up.
//
//   open-file  bpf_object__open_file(path, NULL) + bpf_object__close
//   open-mem   bpf_object__open_mem(buf, size, NULL) + bpf_object__close (file read beforehand)
//   btf-file   btf__parse(path, NULL) + btf__free
//   btf-mem    btf__new(buf, size) + btf__free (file read beforehand)
//   load       bpf_object__open_file + bpf_object__load + bpf_object__close (needs root;
//              maps pinned by name go under the -p directory)
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
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
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
        err = bpf_object__load(obj);
        bpf_object__close(obj);
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
