// The libbpf side of bpfkit's map benchmarks (scripts/bench --maps): the same operations as
// bench/src/main/java/io/bpfkit/bench/MapBenchmark.java, on maps this program creates.
//
//   map-lookup      hash-4-8   bpf_map_lookup_elem on a 1024-element hash (u32 -> u64)
//   map-update      hash-4-8   bpf_map_update_elem(BPF_ANY) on the same map
//   map-dump-batch  hash-1M    one whole dump of an N-element hash with bpf_map_lookup_batch,
//                              8192 elements per call (bpfkit's chunk), values summed
//   map-dump-keys   hash-1M    the same dump key by key: bpf_map_get_next_key + lookup
//   map-mmap-read   array-mmap one u64 read of a 1024-element BPF_F_MMAPABLE array, mapped
//   map-mmap-bulk   array-mmap the whole mapped array copied out with memcpy, per element
//   host-getppid    getppid    one getppid system call: what entering the kernel costs on this
//                              host (printed beside the table, not compared)
//   host-lookup-threaded       map-lookup again, in a process that has a second (idle) thread:
//                   hash-4-8   the kernel's fdget() takes a reference on the map's file only
//                              when the descriptor table is shared, as it is in every JVM, so
//                              this is the C figure a Java process can reach (printed, not
//                              compared; only when it is the one op named: its thread stays)
//
// Usage: maps_bench [-w WARMUP_MS] [-r ROUNDS] [-t ROUND_MS] [-n ENTRIES] [OP...]
//        (OPs: only those items; default all)
// Output: the lines of bench_timing.h, one per item (ns per lookup, per update, per whole
// dump, per read). Needs root (bpf(2)). Built by scripts/bench: gcc -O2 ... -lbpf -lm.
#define _GNU_SOURCE
#include "bench_timing.h"
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SMALL 1024
#define CHUNK 8192

struct map_ctx {
    int fd;
    __u32 next;
    __u64 sink;
    long entries;
    __u32 *keys;
    __u64 *values;
    volatile __u64 *mapped;
};

static int lookup_n(void *p, long n) {
    struct map_ctx *c = p;
    __u64 v;
    for (long i = 0; i < n; i++) {
        __u32 k = c->next++ & (SMALL - 1);
        if (bpf_map_lookup_elem(c->fd, &k, &v)) {
            return -errno;
        }
        c->sink += v;
    }
    return 0;
}

static int update_n(void *p, long n) {
    struct map_ctx *c = p;
    for (long i = 0; i < n; i++) {
        __u32 k = c->next++ & (SMALL - 1);
        __u64 v = k;
        if (bpf_map_update_elem(c->fd, &k, &v, BPF_ANY)) {
            return -errno;
        }
    }
    return 0;
}

static int dump_batch(void *p, long n) {
    struct map_ctx *c = p;
    for (long r = 0; r < n; r++) {
        __u32 in = 0, out = 0;
        long total = 0;
        int first = 1;
        for (;;) {
            __u32 count = CHUNK;
            int err = bpf_map_lookup_batch(c->fd, first ? NULL : &in, &out, c->keys, c->values, &count, NULL);
            if (err && errno != ENOENT) {
                return -errno;
            }
            for (__u32 i = 0; i < count; i++) {
                c->sink += c->values[i];
            }
            total += count;
            if (err) {
                break;
            }
            in = out;
            first = 0;
        }
        if (total != c->entries) {
            fprintf(stderr, "maps_bench: batch dump saw %ld of %ld elements\n", total, c->entries);
            return -EIO;
        }
    }
    return 0;
}

static int dump_keys(void *p, long n) {
    struct map_ctx *c = p;
    for (long r = 0; r < n; r++) {
        __u32 key, next;
        __u64 v;
        long total = 0;
        void *prev = NULL;
        while (bpf_map_get_next_key(c->fd, prev, &next) == 0) {
            if (bpf_map_lookup_elem(c->fd, &next, &v) == 0) {
                c->sink += v;
                total++;
            }
            key = next;
            prev = &key;
        }
        if (total != c->entries) {
            fprintf(stderr, "maps_bench: key-by-key dump saw %ld of %ld elements\n", total, c->entries);
            return -EIO;
        }
    }
    return 0;
}

static void *idle_thread(void *unused) {
    (void)unused;
    for (;;) {
        pause();
    }
    return NULL;
}

static int mmap_read_n(void *p, long n) {
    struct map_ctx *c = p;
    for (long i = 0; i < n; i++) {
        c->sink += c->mapped[c->next++ & (SMALL - 1)];
    }
    return 0;
}

static int mmap_bulk_n(void *p, long n) {
    struct map_ctx *c = p;
    for (long i = 0; i < n; i += SMALL) {
        memcpy(c->values, (const void *)c->mapped, SMALL * sizeof(__u64));
        __asm__ volatile("" : : "r"(c->values) : "memory"); // the copy is used
        c->sink += c->values[c->next++ & (SMALL - 1)];
    }
    return 0;
}

static int getppid_n(void *p, long n) {
    struct map_ctx *c = p;
    for (long i = 0; i < n; i++) {
        c->sink += (__u64)getppid();
    }
    return 0;
}

static int create(enum bpf_map_type type, __u32 value_size, __u32 max, __u32 flags) {
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    int fd = bpf_map_create(type, "bench", 4, value_size, max, &opts);
    if (fd < 0) {
        fprintf(stderr, "maps_bench: bpf_map_create: %s\n", strerror(errno));
        exit(1);
    }
    return fd;
}

static void fill(int fd, long entries) {
    __u32 *k = malloc(sizeof(__u32) * CHUNK);
    __u64 *v = malloc(sizeof(__u64) * CHUNK);
    for (long base = 0; base < entries; base += CHUNK) {
        __u32 count = (__u32)(entries - base < CHUNK ? entries - base : CHUNK);
        for (__u32 i = 0; i < count; i++) {
            k[i] = (__u32)(base + i);
            v[i] = (__u64)(base + i) * 3;
        }
        if (bpf_map_update_batch(fd, k, v, &count, NULL)) {
            fprintf(stderr, "maps_bench: bpf_map_update_batch: %s\n", strerror(errno));
            exit(1);
        }
    }
    free(k);
    free(v);
}

static char **only;
static int nonly;

static int want(const char *op) {
    if (nonly == 0) {
        return 1;
    }
    for (int i = 0; i < nonly; i++) {
        if (!strcmp(only[i], op)) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    double warmup_ms = 1000, round_ms = 500;
    int rounds = 5;
    long entries = 1000000;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "-w")) {
            warmup_ms = atof(argv[++i]);
        } else if (i + 1 < argc && !strcmp(argv[i], "-r")) {
            rounds = atoi(argv[++i]);
        } else if (i + 1 < argc && !strcmp(argv[i], "-t")) {
            round_ms = atof(argv[++i]);
        } else if (i + 1 < argc && !strcmp(argv[i], "-n")) {
            entries = atol(argv[++i]);
        } else if (argv[i][0] != '-') {
            only = &argv[i];
            nonly = argc - i;
            break;
        } else {
            fprintf(stderr, "usage: maps_bench [-w WARMUP_MS] [-r ROUNDS] [-t ROUND_MS] [-n ENTRIES] [OP...]\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || entries < 1) {
        return 2;
    }
    struct map_ctx c = {0};
    // Only when named alone: the thread it starts would slow every op after it.
    if (nonly == 1 && !strcmp(only[0], "host-lookup-threaded")) {
        pthread_t idle;
        if (pthread_create(&idle, NULL, idle_thread, NULL)) {
            fprintf(stderr, "maps_bench: pthread_create failed\n");
            return 1;
        }
        c.fd = create(BPF_MAP_TYPE_HASH, 8, SMALL, 0);
        fill(c.fd, SMALL);
        time_op("host-lookup-threaded", "hash-4-8", lookup_n, &c, 1000, warmup_ms, rounds, round_ms);
        close(c.fd);
        return c.sink == 42 ? 3 : 0;
    }
    if (want("map-lookup") || want("map-update")) {
        c.fd = create(BPF_MAP_TYPE_HASH, 8, SMALL, 0);
        fill(c.fd, SMALL);
        if (want("map-lookup")) {
            time_op("map-lookup", "hash-4-8", lookup_n, &c, 1000, warmup_ms, rounds, round_ms);
        }
        if (want("map-update")) {
            time_op("map-update", "hash-4-8", update_n, &c, 1000, warmup_ms, rounds, round_ms);
        }
        close(c.fd);
    }
    if (want("map-dump-batch") || want("map-dump-keys")) {
        c.fd = create(BPF_MAP_TYPE_HASH, 8, (__u32)entries, 0);
        c.entries = entries;
        fill(c.fd, entries);
        c.keys = malloc(sizeof(__u32) * CHUNK * 2);
        c.values = malloc(sizeof(__u64) * CHUNK * 2);
        if (want("map-dump-batch")) {
            time_op("map-dump-batch", "hash-1M", dump_batch, &c, 1, warmup_ms, rounds, round_ms);
        }
        if (want("map-dump-keys")) {
            time_op("map-dump-keys", "hash-1M", dump_keys, &c, 1, warmup_ms, rounds, round_ms);
        }
        close(c.fd);
    }
    if (want("host-getppid")) {
        time_op("host-getppid", "getppid", getppid_n, &c, 1000, warmup_ms, rounds, round_ms);
    }
    if (!want("map-mmap-read") && !want("map-mmap-bulk")) {
        return c.sink == 42 ? 3 : 0;
    }
    c.fd = create(BPF_MAP_TYPE_ARRAY, 8, SMALL, BPF_F_MMAPABLE);
    void *m = mmap(NULL, SMALL * 8, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
    if (m == MAP_FAILED) {
        fprintf(stderr, "maps_bench: mmap: %s\n", strerror(errno));
        return 1;
    }
    c.mapped = m;
    if (want("map-mmap-read")) {
        time_op("map-mmap-read", "array-mmap", mmap_read_n, &c, 100000, warmup_ms, rounds, round_ms);
    }
    if (want("map-mmap-bulk")) {
        c.values = malloc(SMALL * sizeof(__u64));
        time_op("map-mmap-bulk", "array-mmap", mmap_bulk_n, &c, 100 * SMALL, warmup_ms, rounds, round_ms);
        free(c.values);
    }
    munmap(m, SMALL * 8);
    close(c.fd);
    return c.sink == 42 ? 3 : 0; // keep the sums alive
}
