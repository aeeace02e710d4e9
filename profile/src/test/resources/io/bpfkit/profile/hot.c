/*
 * hot.c -- a process with known hot functions, for the profiler's tests and benchmark.
 * Built by the tests with cc -O0 -fno-omit-frame-pointer: at -O1 and above GCC gives leaf functions
 * no frame even with -mno-omit-leaf-frame-pointer, and the frame-pointer unwinder then skips
 * their caller (main).
 *
 *   hot SECONDS [spin [wait]]
 *     alternates bpfkit_hot_spin (arithmetic, no system calls) and bpfkit_hot_syscalls
 *     (getppid in a loop, issued by the syscall instruction inside the function itself, so the
 *     sampled user address is in bpfkit_hot_syscalls and not in an unwinder-hostile libc stub);
 *     with "spin" only bpfkit_hot_spin runs; the loop count and the CPU seconds the process
 *     used are printed at the end; with
 *     "wait" the timed loop starts only when a line arrives on standard input (the benchmark
 *     starts it once the profiler is attached).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile unsigned long sink;

__attribute__((noinline)) unsigned long bpfkit_hot_spin(unsigned long n)
{
	unsigned long s = 0;

	for (unsigned long i = 0; i < n; i++)
		s += (i * 2654435761u) ^ (s >> 7);
	return s;
}

static inline __attribute__((always_inline)) long raw_getppid(void)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(SYS_getppid);
#endif
}

__attribute__((noinline)) unsigned long bpfkit_hot_syscalls(unsigned long n)
{
	unsigned long s = 0;

	for (unsigned long i = 0; i < n; i++)
		s += raw_getppid();
	return s;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	int spin_only = argc > 2 && strcmp(argv[2], "spin") == 0;
	int wait = argc > 3 && strcmp(argv[3], "wait") == 0;
	char line[16];
	double end;
	unsigned long loops = 0;

	printf("ready\n");
	fflush(stdout);
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;
	end = now() + seconds;
	while (now() < end) {
		sink += bpfkit_hot_spin(200000);
		if (!spin_only)
			sink += bpfkit_hot_syscalls(2000);
		loops++;
	}
	{
		struct timespec cpu;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
		printf("%lu %.6f\n", loops, cpu.tv_sec + cpu.tv_nsec / 1e9);
	}
	return 0;
}
