/* SPDX-License-Identifier: GPL-2.0 */
/* log2_slot.h -- the histogram slot of a value, for the log2 histograms of the example tools. */
#ifndef BPFKIT_EXAMPLES_LOG2_SLOT_H
#define BPFKIT_EXAMPLES_LOG2_SLOT_H

#include <linux/types.h>

/* floor(log2(v)) (0 for 0 and 1), at most slots - 1: slot k holds [2^k, 2^(k+1)) */
static __always_inline __u32 log2_slot(__u64 v, __u32 slots)
{
	__u32 slot = 0;

	for (int bit = 32; bit > 0; bit /= 2) {
		if (v >= (1ULL << bit)) {
			v >>= bit;
			slot += bit;
		}
	}
	return slot < slots ? slot : slots - 1;
}

#endif
