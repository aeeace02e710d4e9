// The in-process C side of RingCpuProbe (bench/src/main/java/io/bpfkit/bench/RingCpuProbe.java):
// libbpf's ring_buffer__poll draining the same ring buffer as bpfkit's RingBufferReader, in the
// same JVM and on the same CPU, turn by turn, so that whatever makes one CPU slower for a while
// (the host's placement of the vCPU) reaches both consumers alike.
//
//   events_floor_open(map_fd)   a libbpf ring buffer consumer on the map; 0, or -1 on failure
//   events_floor_drain(batch)   ring_buffer__poll(rb, 0) until batch records were handled;
//                               batch, or -1 when a poll failed
//
// Built by scripts/bench on the C harnesses' libbpf: bench/target/c-current/libevents_floor.so (the
// current libbpf compiled again position-independent and linked in) or, with --libbpf-debian,
// bench/target/libevents_floor.so on the distribution's shared libbpf.
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <stddef.h>

static struct ring_buffer *rb;
static volatile __u64 sink;
static long handled;

// The same handler as events_bench.c's: the record's first word summed, the record counted.
static int on_ring(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)size;
	sink += *(const __u64 *)data;
	handled++;
	return 0;
}

int events_floor_open(int map_fd)
{
	rb = ring_buffer__new(map_fd, on_ring, NULL, NULL);
	return rb ? 0 : -1;
}

long events_floor_drain(long batch)
{
	handled = 0;
	while (handled < batch)
		if (ring_buffer__poll(rb, 0) < 0)
			return -1;
	return handled;
}
