// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig_strong.bpf.c -- a STRONG .kconfig extern the kernel config does not set:
 * CONFIG_BPFKIT_REQUIRED. Loading fails before any program reaches the kernel, with an error
 * naming the extern and the config file (libbpf: "extern 'CONFIG_BPFKIT_REQUIRED' (strong):
 * not resolved").
 *
 * Program read_required, SEC("syscall"): would return the value.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_BPFKIT_REQUIRED __kconfig;

SEC("syscall")
int read_required(void *ctx)
{
	return CONFIG_BPFKIT_REQUIRED;
}

char LICENSE[] SEC("license") = "GPL";
