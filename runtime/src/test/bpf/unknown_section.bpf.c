// SPDX-License-Identifier: GPL-2.0
/*
 * unknown_section.bpf.c -- a program in a section name no loader knows.
 *
 * Programs:
 *   mystery    SEC("bpfkit_unknown/foo")   executable section with an unknown name: the opener
 *                                          should still list it as a program (type unknown /
 *                                          unspecified), and loading it must fail with an error
 *                                          naming the section unless the caller sets a type
 *   known      SEC("socket")               an ordinary SOCKET_FILTER program
 * Both bodies are valid socket filters (return skb->len / 0) and count in .bss `seen`
 * (u64[2]), so the object loads once the caller forces the unknown one to SOCKET_FILTER.
 *
 * `bpftool prog loadall` refuses the object ("failed to guess program type from ELF section
 * 'bpfkit_unknown/foo'"); `bpftool prog loadall FILE DIR type socket` loads both.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 seen[2];

SEC("bpfkit_unknown/foo")
int mystery(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&seen[0], 1);
	return skb->len;
}

SEC("socket")
int known(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&seen[1], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
