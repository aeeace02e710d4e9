// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig_types.bpf.c -- a .kconfig extern of every type libbpf fills, all weak, for the
 * resolver's unit test (which feeds it a config text of its own) and a load test (on the
 * running kernel, where none of these options exist: every value is 0).
 *
 *   CONFIG_BPFKIT_CHAR      char                  'y'/'n'/'m' stored as the character
 *   CONFIG_BPFKIT_TRI       enum libbpf_tristate  y -> 1, m -> 2, n -> 0
 *   CONFIG_BPFKIT_BOOL      _Bool                 y -> 1, n -> 0 (m is an error)
 *   CONFIG_BPFKIT_U8        __u8                  an integer that must fit in one byte
 *   CONFIG_BPFKIT_S16       __s16                 a signed integer (negative allowed)
 *   CONFIG_BPFKIT_U64       __u64                 hex / octal / decimal
 *   CONFIG_BPFKIT_STR       char[4]               a string, cut to 3 characters + NUL
 *
 * Program read_types, SEC("syscall"): copies each into .bss `types` (struct kconfig_types).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern char CONFIG_BPFKIT_CHAR __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPFKIT_TRI __kconfig __weak;
extern _Bool CONFIG_BPFKIT_BOOL __kconfig __weak;
extern __u8 CONFIG_BPFKIT_U8 __kconfig __weak;
extern __s16 CONFIG_BPFKIT_S16 __kconfig __weak;
extern __u64 CONFIG_BPFKIT_U64 __kconfig __weak;
extern char CONFIG_BPFKIT_STR[4] __kconfig __weak;

struct kconfig_types {
	__u64 u64;
	__s32 tri;
	__s16 s16;
	char chr;
	__u8 boolean;
	__u8 u8;
	char str[4];
};

struct kconfig_types types;

SEC("syscall")
int read_types(void *ctx)
{
	int i;

	types.u64 = CONFIG_BPFKIT_U64;
	types.tri = CONFIG_BPFKIT_TRI;
	types.s16 = CONFIG_BPFKIT_S16;
	types.chr = CONFIG_BPFKIT_CHAR;
	types.boolean = CONFIG_BPFKIT_BOOL;
	types.u8 = CONFIG_BPFKIT_U8;
	for (i = 0; i < 4; i++)
		types.str[i] = CONFIG_BPFKIT_STR[i];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
