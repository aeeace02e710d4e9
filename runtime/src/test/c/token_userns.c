// SPDX-License-Identifier: GPL-2.0
/*
 * token_userns.c -- runs a command in a new user and mount namespace with a bpf file system
 * mounted at DIR that the privileged parent created for that user namespace, with BPF token
 * delegation (delegate_cmds/maps/progs/attachs=any) unless --no-delegate: the setup a container
 * runtime makes for BPF tokens, built for BpfTokenTest.
 *
 *   token_userns [--no-delegate] DIR COMMAND [ARG...]
 *
 * The child unshares CLONE_NEWUSER (uid and gid 0 inside are 0 outside) and CLONE_NEWNS, opens
 * the bpf file system context with fsopen() (so that it belongs to the child's user namespace)
 * and sends its fd to the parent over a socketpair; the parent, root in the initial namespace,
 * sets the delegate_* options (only it may), creates and mounts the superblock with fsconfig()
 * and fsmount(), and sends the mount fd back; the child moves it onto DIR and execs COMMAND.
 * Exit status: COMMAND's, or 2 with a message on standard error when a step fails (the step and
 * errno's name: fsopen failing with EPERM means the kernel has no bpffs in user namespaces).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static int fail(const char *step)
{
	fprintf(stderr, "token_userns: %s: %s (errno %d)\n", step, strerror(errno), errno);
	return 2;
}

static int send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(u.buf, 0, sizeof(u.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* The fd received, -1 with errno set on failure, or -1 with errno 0 when the peer sent none. */
static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	n = recvmsg(sock, &msg, 0);
	if (n != 1) {
		if (n == 0)
			errno = 0; /* the peer gave up, and said why */
		return -1;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		errno = 0;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int child(int sock, const char *dir, char **command)
{
	int fs_fd, mnt_fd;

	if (unshare(CLONE_NEWUSER))
		return fail("unshare(CLONE_NEWUSER)");
	if (write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", "0 0 1")
	    || write_file("/proc/self/gid_map", "0 0 1"))
		return fail("writing the uid/gid maps");
	if (unshare(CLONE_NEWNS))
		return fail("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail("making / private");
	fs_fd = syscall(SYS_fsopen, "bpf", 0);
	if (fs_fd < 0)
		return fail("fsopen(\"bpf\") in the user namespace"); /* the parent sees the socket close */
	if (send_fd(sock, fs_fd))
		return fail("sending the fs fd");
	close(fs_fd);
	mnt_fd = recv_fd(sock);
	if (mnt_fd < 0)
		return errno ? fail("receiving the mount fd") : 2;
	if (syscall(SYS_move_mount, mnt_fd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount onto the directory");
	close(mnt_fd);
	close(sock);
	execvp(command[0], command);
	return fail("exec");
}

static int parent(int sock, int delegate)
{
	static const char *const options[] = { "delegate_cmds", "delegate_maps", "delegate_progs",
					       "delegate_attachs" };
	int fs_fd = recv_fd(sock), mnt_fd;
	unsigned i;

	if (fs_fd < 0)
		return errno ? fail("receiving the fs fd") : 2;
	for (i = 0; delegate && i < sizeof(options) / sizeof(options[0]); i++)
		if (syscall(SYS_fsconfig, fs_fd, FSCONFIG_SET_STRING, options[i], "any", 0))
			return fail(options[i]);
	if (syscall(SYS_fsconfig, fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return fail("fsconfig(FSCONFIG_CMD_CREATE)");
	mnt_fd = syscall(SYS_fsmount, fs_fd, 0, 0);
	if (mnt_fd < 0)
		return fail("fsmount");
	if (send_fd(sock, mnt_fd))
		return fail("sending the mount fd");
	close(mnt_fd);
	close(fs_fd);
	return 0;
}

int main(int argc, char **argv)
{
	int delegate = 1, socks[2], status, setup;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "--no-delegate")) {
		delegate = 0;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: token_userns [--no-delegate] DIR COMMAND [ARG...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks))
		return fail("socketpair");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(socks[0]);
		_exit(child(socks[1], argv[1], argv + 2));
	}
	close(socks[1]);
	setup = parent(socks[0], delegate);
	close(socks[0]);
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (setup)
		return setup;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
