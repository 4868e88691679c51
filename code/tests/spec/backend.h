/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two backends of the conformance suite and of the differential fuzzer:
 * one table of function pointers per system.  Every test reaches the system
 * through the current backend (spec_backend), so the same test code runs on
 * the port and on the live kernel, and the fuzzer can run one step on each,
 * in one process, and compare.
 *
 * Each entry has the libc convention: a result >= 0, or -1 with errno set.
 */
#ifndef SPEC_BACKEND_H
#define SPEC_BACKEND_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <sys/socket.h>

/* [book:backend_table] */
struct spec_backend {
	const char *name;	/* "port" or "kernel" */
	bool is_kernel;		/* the real system calls of the running kernel */
	int (*bpf)(int cmd, union bpf_attr *attr, unsigned int size);
	int (*socket)(int domain, int type, int protocol);
	int (*setsockopt)(int fd, int level, int optname, const void *optval,
			  socklen_t optlen);
	int (*getsockopt)(int fd, int level, int optname, void *optval,
			  socklen_t *optlen);
	int (*bind)(int fd, const struct sockaddr *addr, socklen_t addrlen);
	int (*getsockname)(int fd, struct sockaddr *addr, socklen_t *addrlen);
	int (*listen)(int fd, int backlog);
	int (*connect)(int fd, const struct sockaddr *addr, socklen_t addrlen);
	/* Never blocks: an empty accept queue is EAGAIN on both backends. */
	int (*accept)(int fd, struct sockaddr *addr, socklen_t *addrlen);
	int (*shutdown)(int fd, int how);
	int (*dup)(int fd);
	int (*close)(int fd);
};
/* [/book:backend_table] */

extern const struct spec_backend spec_port_backend;
extern const struct spec_backend spec_kernel_backend;

/* The backend the t_* calls use; the port unless a runner says otherwise. */
extern const struct spec_backend *spec_backend;

/* "port" or "kernel" to its table, or NULL. */
const struct spec_backend *spec_backend_by_name(const char *name);

/*
 * 0 if this process may create a REUSEPORT_SOCKARRAY on the live kernel;
 * otherwise -errno, and @why (if not NULL) gets a sentence saying what is
 * missing, for the skip message.
 */
int spec_kernel_usable(const char **why);

#endif /* SPEC_BACKEND_H */
