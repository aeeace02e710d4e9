// SPDX-License-Identifier: GPL-2.0
// bpfkit: also-bpfeb
/*
 * globals.bpf.c -- global variables in every data section kind (built little and big endian).
 *
 * Sections and the variables a test should find in them (BTF DATASEC of the same name lists
 * the variables with their offsets; initial values below are the ELF contents):
 *
 *   .data          data_u8 = 0x11 (u8), data_u16 = 0x2233 (u16), data_u32 = 0x44556677 (u32),
 *                  data_u64 = 0x0102030405060708 (u64), data_pair = { 7, -7 } (struct pair),
 *                  data_array = { 1, 2, 3, 4 } (u32[4]), data_counter = 1 (u32),
 *                  data_static = 5 (static u32: local symbol, BTF linkage static)
 *   .bss           bss_u8, bss_u16, bss_u32, bss_u64, bss_pair, bss_array (u32[4]),
 *                  bss_static (static u64); all zero, section is NOBITS
 *   .rodata        ro_u8 = 3, ro_u32 = 42, ro_u64 = 0x1000, ro_pair = { 100, -100 },
 *                  ro_bytes = "bpfkit\0\0" (char[8]), ro_zero = 0 (const volatile u32),
 *                  ro_static = 9 (static const volatile u32)
 *   .data.custom   custom_counter = 1 (u32), custom_words = { 0xaa, 0xbb } (u64[2])
 *   .rodata.custom custom_limit = 100 (const volatile u32)
 *
 * Programs:
 *   update_globals  SEC("syscall"): run it once (BPF_PROG_TEST_RUN) and expect
 *       data_counter += 1; data_static += 1; custom_counter += custom_limit;
 *       bss_u8 = data_u8 + ro_u8; bss_u16 = data_u16; bss_u32 = data_u32 ^ ro_u32;
 *       bss_u64 = data_u64 + ro_u64; bss_pair = { ro_pair.a, data_pair.b };
 *       bss_array[i] = data_array[i] * 2 + ro_zero;
 *       bss_static = data_static + custom_words[1] + (ro_static - 9);
 *       With the defaults: bss_u8 = 0x14, bss_u16 = 0x2233, bss_u32 = 0x4455665d,
 *       bss_u64 = 0x0102030405061708, bss_pair = { 100, -7 }, bss_array = { 2, 4, 6, 8 },
 *       data_counter = 2, data_static = 6, custom_counter = 101, bss_static = 193.
 *       return value = ro_u32 (so a test can rewrite .rodata before load and see it here).
 *   read_globals    SEC("socket"): returns bss_u32 + custom_counter + ro_bytes[0] + bss_static
 *       (no writes).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	__u32 a;
	__s32 b;
};

/* .data */
__u8 data_u8 = 0x11;
__u16 data_u16 = 0x2233;
__u32 data_u32 = 0x44556677;
__u64 data_u64 = 0x0102030405060708ULL;
struct pair data_pair = { .a = 7, .b = -7 };
__u32 data_array[4] = { 1, 2, 3, 4 };
__u32 data_counter = 1;
static __u32 data_static = 5;

/* .bss */
__u8 bss_u8;
__u16 bss_u16;
__u32 bss_u32;
__u64 bss_u64;
struct pair bss_pair;
__u32 bss_array[4];
static __u64 bss_static;

/* .rodata: const volatile so the compiler keeps the loads (values are set before load) */
const volatile __u8 ro_u8 = 3;
const volatile __u32 ro_u32 = 42;
const volatile __u64 ro_u64 = 0x1000;
const volatile struct pair ro_pair = { .a = 100, .b = -100 };
const volatile char ro_bytes[8] = "bpfkit";
const volatile __u32 ro_zero = 0;
static const volatile __u32 ro_static = 9;

/* custom data sections */
__u32 custom_counter SEC(".data.custom") = 1;
__u64 custom_words[2] SEC(".data.custom") = { 0xaa, 0xbb };
const volatile __u32 custom_limit SEC(".rodata.custom") = 100;

SEC("syscall")
int update_globals(void *ctx)
{
	int i;

	data_counter += 1;
	data_static += 1;
	custom_counter += custom_limit;

	bss_u8 = data_u8 + ro_u8;
	bss_u16 = data_u16;
	bss_u32 = data_u32 ^ ro_u32;
	bss_u64 = data_u64 + ro_u64;
	bss_pair.a = ro_pair.a;
	bss_pair.b = data_pair.b;
	for (i = 0; i < 4; i++)
		bss_array[i] = data_array[i] * 2 + ro_zero;
	bss_static = data_static + custom_words[1] + (ro_static - 9);

	return ro_u32;
}

SEC("socket")
int read_globals(struct __sk_buff *skb)
{
	return bss_u32 + custom_counter + ro_bytes[0] + bss_static;
}

char LICENSE[] SEC("license") = "GPL";
