// The libbpf side of scripts/bench-usdt: attach usdt.bpf.o's on_probe to every USDT probe
// named on the command line (in LIBJVM, provider hotspot) with bpf_program__attach_usdt,
// every process.
//   usdt_bench OBJECT LIBJVM attach ROUNDS NAME...   attach all, detach all, ROUNDS times;
//                                                    prints the median ns of one round
//   usdt_bench OBJECT LIBJVM hold NAME...            attach all, print "attached", wait for
//                                                    end of standard input, detach
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static int attach_all(struct bpf_program *p, const char *lib, char **names, int n, struct bpf_link **links) {
    for (int i = 0; i < n; i++) {
        links[i] = bpf_program__attach_usdt(p, -1, lib, "hotspot", names[i], NULL);
        if (!links[i]) {
            fprintf(stderr, "attaching hotspot:%s of %s failed\n", names[i], lib);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s OBJECT LIBJVM attach ROUNDS NAME... | hold NAME...\n", argv[0]);
        return 2;
    }
    libbpf_set_print(NULL);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj || bpf_object__load(obj)) {
        fprintf(stderr, "loading %s failed\n", argv[1]);
        return 1;
    }
    struct bpf_program *p = bpf_object__find_program_by_name(obj, "on_probe");
    int hold = strcmp(argv[3], "hold") == 0;
    int first = hold ? 4 : 5;
    int n = argc - first;
    struct bpf_link *links[64];
    if (n > 64) {
        return 2;
    }
    if (hold) {
        if (attach_all(p, argv[2], argv + first, n, links)) {
            return 1;
        }
        printf("attached\n");
        fflush(stdout);
        while (getchar() != EOF) {
        }
        for (int i = 0; i < n; i++) {
            bpf_link__destroy(links[i]);
        }
        return 0;
    }
    int rounds = atoi(argv[4]);
    long long *t = calloc(rounds, sizeof(*t));
    for (int r = 0; r < rounds; r++) {
        long long start = now_ns();
        if (attach_all(p, argv[2], argv + first, n, links)) {
            return 1;
        }
        for (int i = 0; i < n; i++) {
            bpf_link__destroy(links[i]);
        }
        t[r] = now_ns() - start;
    }
    qsort(t, rounds, sizeof(*t), cmp);
    printf("%lld\n", t[rounds / 2]);
    bpf_object__close(obj);
    return 0;
}
