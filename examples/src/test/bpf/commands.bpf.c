// SPDX-License-Identifier: GPL-2.0
/*
 * commands.bpf.c -- a user ring buffer that Java writes typed records into, used through the
 * generated binding of CommandProbe (CommandBindingTest).
 *
 * Maps:
 *   commands  USER_RINGBUF, 4096 bytes of struct command { __u32 op; __u32 slot; __s64 amount; }
 * Globals (.bss):
 *   __s64 balance[4]; __u64 applied; __u64 unknown_ops
 * Program:
 *   apply  SEC("syscall"), run with BPF_PROG_TEST_RUN: drains commands with
 *          bpf_user_ringbuf_drain; op 1 adds amount to balance[slot], op 2 sets it, anything
 *          else (or a slot >= 4) counts in unknown_ops. Returns the number of samples drained.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct command {
	__u32 op;
	__u32 slot;
	__s64 amount;
};

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} commands SEC(".maps");

/* keeps struct command in BTF, so the binding's record is checked against it */
const struct command *unused_command __attribute__((unused));

__s64 balance[4];
__u64 applied;
__u64 unknown_ops;

static long on_command(struct bpf_dynptr *dynptr, void *ctx)
{
	struct command c;

	if (bpf_dynptr_read(&c, sizeof(c), dynptr, 0, 0) || c.slot >= 4) {
		unknown_ops++;
		return 0;
	}
	if (c.op == 1)
		balance[c.slot] += c.amount;
	else if (c.op == 2)
		balance[c.slot] = c.amount;
	else {
		unknown_ops++;
		return 0;
	}
	applied++;
	return 0;
}

SEC("syscall")
int apply(void *ctx)
{
	return bpf_user_ringbuf_drain(&commands, on_command, NULL, 0);
}

char LICENSE[] SEC("license") = "GPL";
