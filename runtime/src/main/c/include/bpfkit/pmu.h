/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpfkit/pmu.h -- declare in a BPF object which perf events the loader opens for a
 * PERF_EVENT_ARRAY map, and read them from BPF.
 *
 *   struct {
 *       __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
 *       __uint(key_size, sizeof(__u32));
 *       __uint(value_size, sizeof(__u32));
 *   } cycles SEC(".maps") BPFKIT_PMU("cycles") BPFKIT_PMU_FALLBACK("cpu-clock");
 *
 *   struct bpf_perf_event_value v;
 *   bpfkit_pmu_read(&cycles, 0, &v);         // this CPU's counter 0
 *
 * The declaration is a BTF decl tag on the map variable ("bpfkit.pmu.<counter>=<event>",
 * "bpfkit.pmu.<counter>.fallback=<event>"); bpfkit reads it when it opens the object, Java code
 * may change the events before load, and the loader opens one perf event per online CPU and
 * stores it at index counter * bpfkit_pmu_cpus + cpu (max_entries 0 gets counters * possible
 * CPUs). Events are written as for `perf stat -e`. Other loaders ignore the tags.
 *
 * bpfkit_pmu_cpus is a .rodata variable the loader sets to the number of possible CPUs.
 */
#ifndef BPFKIT_PMU_H
#define BPFKIT_PMU_H

#include <bpf/bpf_helpers.h>

#define BPFKIT_PMU_COUNTER(counter, event) \
	__attribute__((btf_decl_tag("bpfkit.pmu." #counter "=" event)))
#define BPFKIT_PMU_COUNTER_FALLBACK(counter, event) \
	__attribute__((btf_decl_tag("bpfkit.pmu." #counter ".fallback=" event)))
#define BPFKIT_PMU(event) BPFKIT_PMU_COUNTER(0, event)
#define BPFKIT_PMU_FALLBACK(event) BPFKIT_PMU_COUNTER_FALLBACK(0, event)

/* Set by the bpfkit loader before load: the number of possible CPUs. */
const volatile __u32 bpfkit_pmu_cpus = 1;

/* Reads counter `counter` of this CPU from a PMU map; 0 or a negative errno, as the helper. */
static __always_inline long bpfkit_pmu_read(void *map, __u32 counter, struct bpf_perf_event_value *value)
{
	__u64 index = (__u64)counter * bpfkit_pmu_cpus + bpf_get_smp_processor_id();

	return bpf_perf_event_read_value(map, index, value, sizeof(*value));
}

#endif
