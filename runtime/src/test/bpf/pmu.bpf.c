// SPDX-License-Identifier: GPL-2.0
/*
 * pmu.bpf.c -- PMU counters declared in the object (bpfkit/pmu.h) and read from BPF.
 *
 * Maps:
 *   cycles    PERF_EVENT_ARRAY, one counter: "cycles", fallback "cpu-clock" (this machine has
 *             no hardware PMU, so the loader opens cpu-clock)
 *   clocks    PERF_EVENT_ARRAY, two counters: 0 = "cpu-clock", 1 = "task-clock"
 *   plain     PERF_EVENT_ARRAY without a declaration (the loader leaves it empty)
 *
 * Program read_counters, SEC("raw_tp"), run with BPF_PROG_TEST_RUN on a chosen CPU: reads
 * cycles counter 0 and clocks counters 0 and 1 of the CPU it runs on into .bss:
 *   out[cpu].cycles / .cpu_clock / .task_clock   struct bpf_perf_event_value
 *   out[cpu].err_*                               the helper's return value (0 on success)
 *   out[cpu].runs                                how often it ran on that CPU
 * Program read_nothing, SEC("raw_tp"): the same shape without reads, for the cost benchmark.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/pmu.h>

#define MAX_CPUS 64

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} cycles SEC(".maps") BPFKIT_PMU("cycles") BPFKIT_PMU_FALLBACK("cpu-clock");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} clocks SEC(".maps") BPFKIT_PMU_COUNTER(0, "cpu-clock") BPFKIT_PMU_COUNTER(1, "task-clock");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} plain SEC(".maps");

struct cpu_out {
	struct bpf_perf_event_value cycles;
	struct bpf_perf_event_value cpu_clock;
	struct bpf_perf_event_value task_clock;
	__s64 err_cycles;
	__s64 err_cpu_clock;
	__s64 err_task_clock;
	__u64 runs;
};

struct cpu_out out[MAX_CPUS];

SEC("raw_tp")
int read_counters(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	if (cpu >= MAX_CPUS)
		return 1;
	struct cpu_out *o = &out[cpu];
	o->err_cycles = bpfkit_pmu_read(&cycles, 0, &o->cycles);
	o->err_cpu_clock = bpfkit_pmu_read(&clocks, 0, &o->cpu_clock);
	o->err_task_clock = bpfkit_pmu_read(&clocks, 1, &o->task_clock);
	o->runs++;
	return 0;
}

SEC("raw_tp")
int read_nothing(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	if (cpu >= MAX_CPUS)
		return 1;
	out[cpu].runs++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
