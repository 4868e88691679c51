// SPDX-License-Identifier: GPL-2.0
/*
 * The live kernel's backend: the real bpf(2) and the real socket calls, on
 * 127.0.0.1 and ::1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend.h"

#ifndef BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY 20
#endif

static int k_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

/* [book:kernel_accept] */
/*
 * The port's accept() never blocks (its documented difference: nothing
 * could ever complete a handshake while the caller slept).  To compare like
 * with like, the kernel's accept is made non-blocking for this one call;
 * the accepted socket is blocking, as accept4(..., 0) makes it.  fcntl()
 * fails first on a descriptor that is not open, with the same EBADF.
 */
static int k_accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	int fl = fcntl(fd, F_GETFL);
	int ret, err;

	if (fl < 0)
		return -1;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	ret = accept4(fd, addr, addrlen, 0);
	err = errno;
	if (!(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl);
	errno = err;
	return ret;
}
/* [/book:kernel_accept] */

const struct spec_backend spec_kernel_backend = {
	.name = "kernel",
	.is_kernel = true,
	.bpf = k_bpf,
	.socket = socket,
	.setsockopt = setsockopt,
	.getsockopt = getsockopt,
	.bind = bind,
	.getsockname = getsockname,
	.listen = listen,
	.connect = connect,
	.accept = k_accept,
	.shutdown = shutdown,
	.dup = dup,
	.close = close,
};

int spec_kernel_usable(const char **why)
{
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	fd = k_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (why) {
		if (err == EPERM)
			*why = "needs CAP_BPF or CAP_SYS_ADMIN (run the tests as root)";
		else if (err == ENOSYS)
			*why = "this kernel has no bpf(2)";
		else if (err == EINVAL)
			*why = "this kernel has no BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (Linux 4.19 or later)";
		else
			*why = "the live kernel refused to create the map";
	}
	return -err;
}
