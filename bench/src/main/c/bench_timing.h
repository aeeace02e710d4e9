// Timing shared by bpfkit's C benchmark harnesses (open_bench.c, maps_bench.c): runs an
// operation for a warm-up time, then ROUNDS rounds of at least ROUND_MS each, and prints
//   libbpf OP PATH MEAN_NS SD_NS BEST_ROUND_NS ROUNDS CPU_NS BEST_CPU_NS
// MEAN is the wall time over all measured operations divided by their number, SD the standard
// deviation of the per-round means, BEST the fastest round's mean; CPU and BEST_CPU the same
// for process CPU time (CLOCK_PROCESS_CPUTIME_ID). The operation runs PER_CALL times between
// two clock reads, so that a cheap operation (a map lookup) is not dominated by the clock.
#ifndef BPFKIT_BENCH_TIMING_H
#define BPFKIT_BENCH_TIMING_H
#include <math.h>
#include <stdio.h>
#include <time.h>

#define MAX_ROUNDS 1000

static inline double clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline double now_ns(void) {
    return clock_ns(CLOCK_MONOTONIC);
}

// Runs `n` operations; returns 0 or a negative errno.
typedef int (*bench_fn)(void *ctx, long n);

static inline void time_op(const char *op, const char *path, bench_fn fn, void *ctx, long per_call,
                           double warmup_ms, int rounds, double round_ms) {
    double end = now_ns() + warmup_ms * 1e6;
    while (now_ns() < end) {
        fn(ctx, per_call);
    }
    double means[MAX_ROUNDS];
    double total_ns = 0, total_cpu = 0, best_cpu = INFINITY;
    double total_ops = 0;
    for (int r = 0; r < rounds; r++) {
        double ops = 0;
        double cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        double start = now_ns(), t;
        do {
            fn(ctx, per_call);
            ops += (double)per_call;
            t = now_ns();
        } while (t - start < round_ms * 1e6);
        double cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        means[r] = (t - start) / ops;
        best_cpu = cpu / ops < best_cpu ? cpu / ops : best_cpu;
        total_ns += t - start;
        total_cpu += cpu;
        total_ops += ops;
    }
    double mean = total_ns / total_ops, sq = 0, best = INFINITY;
    for (int r = 0; r < rounds; r++) {
        sq += (means[r] - mean) * (means[r] - mean);
        best = means[r] < best ? means[r] : best;
    }
    double sd = rounds > 1 ? sqrt(sq / (rounds - 1)) : 0;
    printf("libbpf %s %s %.1f %.1f %.1f %d %.1f %.1f\n", op, path, mean, sd, best, rounds, total_cpu / total_ops,
           best_cpu);
    fflush(stdout);
}
#endif
