// SPDX-License-Identifier: GPL-2.0
/*
 * externs.bpf.c -- extern variables and functions the loader resolves: ".kconfig" and ".ksyms".
 *
 * The ELF has no .kconfig/.ksyms section contents of its own: the externs are UND symbols
 * and BTF has DATASEC ".kconfig" / ".ksyms" listing the extern VARs (linkage extern) and
 * extern FUNCs (the kfuncs). Loaders place the kconfig values in a read-only ".kconfig" map.
 *
 *   .kconfig (values on this machine, kernel 6.18.44, /proc/config.gz):
 *     LINUX_KERNEL_VERSION            __u32, strong: KERNEL_VERSION(6, 18, 44) = 0x06122c
 *                                     (from uname release; the patch level saturates at 255)
 *     CONFIG_BPF_SYSCALL              bool, weak: 1
 *     CONFIG_HZ                       int, weak: 250
 *     CONFIG_BPF_JIT                  enum libbpf_tristate, weak: TRI_YES (1)
 *     CONFIG_LOCALVERSION             char[16], weak: "-fc-v782"
 *     CONFIG_BPFKIT_NO_SUCH_OPTION    int, weak, not in the kernel config: 0
 *   .ksyms:
 *     bpf_prog_put                    typeless (const void), strong: address from /proc/kallsyms
 *                                     (a function of the BPF core, so every architecture has it)
 *     bpfkit_no_such_ksym             typeless, weak, absent: address 0
 *     bpf_task_from_pid / bpf_task_release   kfuncs (call insn with BPF_PSEUDO_KFUNC_CALL),
 *                                     weak: the kernel has them from 6.2; on an older one
 *                                     they are poisoned and their calls sit behind
 *                                     bpf_ksym_exists(), so the verifier drops them
 *
 * Program: read_externs, SEC("syscall"). Run it once (BPF_PROG_TEST_RUN, no input) and read
 * .bss `out`: every field mirrors the value above (kernel_version, bpf_syscall, hz, jit,
 * localversion); missing_option = 0; ksym_addr = address of bpf_prog_put;
 * missing_ksym_addr = 0; kfuncs_present = 1 when the kernel has both kfuncs, 0 when it has
 * not; self_found = 1 when the kfunc found the task of .rodata `self_pid` (set it to the
 * caller's tgid before load; left at 0, or without the kfuncs, they are skipped and it stays
 * 0). Return value 0.
 *
 * Loads with libbpf 1.1 (bpftool prog loadall). Typed variable ksyms are in ksyms_typed.bpf.c:
 * they need kernel data symbols in kallsyms (CONFIG_KALLSYMS_ALL), which the CI host lacks.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf 1.1's bpf_helpers.h predates bpf_ksym_exists: the same test of the extern's address */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern int CONFIG_HZ __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;
extern int CONFIG_BPFKIT_NO_SUCH_OPTION __kconfig __weak;

extern const void bpf_prog_put __ksym;
extern const void bpfkit_no_such_ksym __ksym __weak;

/* a complete (if minimal) struct: libbpf finds a forward declaration incompatible with the
 * kernel's struct in the kfunc prototype check */
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

const volatile __s32 self_pid = 0;

struct extern_values {
	__u32 kernel_version;
	__u32 bpf_syscall;
	__s32 hz;
	__u32 jit;
	char localversion[16];
	__s32 missing_option;
	__u64 ksym_addr;
	__u64 missing_ksym_addr;
	__u32 self_found;
	__u32 kfuncs_present;
};

struct extern_values out;

SEC("syscall")
int read_externs(void *ctx)
{
	struct task_struct *t;
	int i;

	out.kernel_version = LINUX_KERNEL_VERSION;
	out.bpf_syscall = CONFIG_BPF_SYSCALL;
	out.hz = CONFIG_HZ;
	out.jit = CONFIG_BPF_JIT;
	for (i = 0; i < 16; i++)
		out.localversion[i] = CONFIG_LOCALVERSION[i];
	out.missing_option = CONFIG_BPFKIT_NO_SUCH_OPTION;

	out.ksym_addr = (__u64)&bpf_prog_put;
	out.missing_ksym_addr = (__u64)&bpfkit_no_such_ksym;

	if (!bpf_ksym_exists(bpf_task_from_pid) || !bpf_ksym_exists(bpf_task_release))
		return 0;
	out.kfuncs_present = 1;
	if (self_pid) {
		t = bpf_task_from_pid(self_pid);
		if (t) {
			out.self_found = 1;
			bpf_task_release(t);
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
