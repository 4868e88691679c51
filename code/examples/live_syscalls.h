/*
 * The port's system-call names (sockarray/syscalls.h) mapped onto the
 * running kernel, so that an example can be built twice from one source:
 * against the port, and with -DSOCKARRAY_LIVE against Linux itself.
 */
#ifndef SOCKARRAY_LIVE_SYSCALLS_H
#define SOCKARRAY_LIVE_SYSCALLS_H

#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc has no wrapper for bpf(2). */
static inline int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return (int)syscall(__NR_bpf, cmd, attr, size);
}

#define sys_socket	socket
#define sys_setsockopt	setsockopt
#define sys_getsockopt	getsockopt
#define sys_bind	bind
#define sys_getsockname	getsockname
#define sys_listen	listen
#define sys_connect	connect
#define sys_accept	accept
#define sys_shutdown	shutdown
#define sys_dup		dup
#define sys_close	close

#endif /* SOCKARRAY_LIVE_SYSCALLS_H */
