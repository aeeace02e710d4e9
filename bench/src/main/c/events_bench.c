// SPDX-License-Identifier: GPL-2.0
/*
 * events_bench.c -- libbpf's side of scripts/bench-events: the same event stream
 * (events_bench.bpf.o, produced by BPF_PROG_TEST_RUN of produce_rb / produce_pb) consumed with
 * ring_buffer__poll and perf_buffer__poll.
 *
 * Usage: events_bench OBJECT BATCH PERF_PAGES WARMUP_MS ROUNDS ROUND_MS
 * For each item, one line in open_bench's form (no spread: NaN):
 *   "libbpf ITEM events NS_PER_EVENT_MEAN NaN NS_PER_EVENT_BEST EVENTS"
 *   ringbuf-consume  time of ring_buffer__poll(rb, 0) calls until BATCH records were handled
 *                    (the batch was produced before the clock started)
 *   ringbuf-e2e      produce + consume
 *   perf-consume     the same with perf_buffer__poll(pb, 0), batches of at most 512
 *   perf-e2e         produce + consume
 * Each round runs for ROUND_MS; the mean is over all rounds, the best is the best round.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct event {
	__u64 seq, value;
	__u32 cpu, tag;
	__u64 pad;
};

static volatile __u64 sink;
static long handled;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_ring(void *ctx, void *data, size_t size)
{
	const struct event *e = data;

	(void)ctx;
	(void)size;
	sink += e->seq;
	handled++;
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, __u32 size)
{
	const struct event *e = data;

	(void)ctx;
	(void)cpu;
	(void)size;
	sink += e->seq;
	handled++;
}

static void on_lost(void *ctx, int cpu, __u64 count)
{
	(void)ctx;
	fprintf(stderr, "events_bench: lost %llu samples on cpu %d\n", (unsigned long long)count, cpu);
	exit(1);
}

static int produce(int prog, long count)
{
	__u64 args[1] = { (__u64)count };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(prog, &opts)) {
		fprintf(stderr, "events_bench: test run: %s\n", strerror(errno));
		exit(1);
	}
	if ((long)opts.retval != count) {
		fprintf(stderr, "events_bench: produced %u of %ld\n", opts.retval, count);
		exit(1);
	}
	return 0;
}

struct item {
	const char *name;
	int prog;
	int perf;
	int timed_produce;
	long batch;
};

static struct ring_buffer *rb;
static struct perf_buffer *pb;

/* one batch; returns the nanoseconds timed */
static long long one(const struct item *it)
{
	long long t0 = 0, t;

	handled = 0;
	if (it->timed_produce)
		t0 = now_ns();
	produce(it->prog, it->batch);
	if (!it->timed_produce)
		t0 = now_ns();
	while (handled < it->batch) {
		int n = it->perf ? perf_buffer__poll(pb, 0) : ring_buffer__poll(rb, 0);

		if (n < 0) {
			fprintf(stderr, "events_bench: poll: %d\n", n);
			exit(1);
		}
	}
	t = now_ns() - t0;
	if (handled != it->batch) {
		fprintf(stderr, "events_bench: %s handled %ld of %ld\n", it->name, handled, it->batch);
		exit(1);
	}
	return t;
}

static void run(const struct item *it, int warmup_ms, int rounds, int round_ms)
{
	long long end = now_ns() + warmup_ms * 1000000LL, total_ns = 0, events = 0;
	double best = 1e300;

	while (now_ns() < end)
		one(it);
	for (int r = 0; r < rounds; r++) {
		long long round_ns = 0, round_events = 0;

		end = now_ns() + round_ms * 1000000LL;
		while (now_ns() < end) {
			round_ns += one(it);
			round_events += it->batch;
		}
		total_ns += round_ns;
		events += round_events;
		if ((double)round_ns / round_events < best)
			best = (double)round_ns / round_events;
	}
	printf("libbpf %s events %.3f NaN %.3f %lld\n", it->name, (double)total_ns / events, best, events);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int rb_prog, pb_prog;
	long batch;

	if (argc != 7) {
		fprintf(stderr, "usage: events_bench OBJECT BATCH PERF_PAGES WARMUP_MS ROUNDS ROUND_MS\n");
		return 2;
	}
	batch = atol(argv[2]);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "events_bench: cannot load %s\n", argv[1]);
		return 1;
	}
	rb_prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "produce_rb"));
	pb_prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "produce_pb"));
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "rb"), on_ring, NULL, NULL);
	pb = perf_buffer__new(bpf_object__find_map_fd_by_name(obj, "pb"), atoi(argv[3]), on_perf, on_lost, NULL, NULL);
	if (!rb || !pb) {
		fprintf(stderr, "events_bench: cannot set up the readers\n");
		return 1;
	}
	struct item items[] = {
		{ "ringbuf-consume", rb_prog, 0, 0, batch },
		{ "ringbuf-e2e", rb_prog, 0, 1, batch },
		{ "perf-consume", pb_prog, 1, 0, batch < 512 ? batch : 512 },
		{ "perf-e2e", pb_prog, 1, 1, batch < 512 ? batch : 512 },
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		run(&items[i], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	bpf_object__close(obj);
	return 0;
}
