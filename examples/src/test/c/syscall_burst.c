// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_burst N: a process whose system calls a test can count. Prints "ready" and waits for a
 * line on stdin; then makes exactly N getppid(2) calls, prints "done", and waits for end of input.
 * Between the two reads it makes N + 2 system calls (N getppid, one write, the next read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	long n = argc > 1 ? atol(argv[1]) : 1000;

	if (write(1, "ready\n", 6) != 6 || read(0, buf, sizeof(buf)) <= 0)
		return 1;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (write(1, "done\n", 5) != 5)
		return 1;
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
