/*
 * Test helpers that reach behind the port's system calls, to the kernel
 * objects a descriptor stands for.  For suites that run on the port only.
 */
#ifndef SOCKARRAY_TESTS_PORT_HELPERS_H
#define SOCKARRAY_TESTS_PORT_HELPERS_H

#include <check.h>
#include <string.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"

/* The socket behind a descriptor; the caller drops it with sockfd_put(). */
static inline struct socket *socket_of(int fd)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	ck_assert_msg(sock, "sockfd_lookup(%d) failed: %s", fd, strerror(-err));
	return sock;
}

/* The struct sock behind a descriptor (valid while the descriptor is open). */
static inline struct sock *sk_of(int fd)
{
	struct socket *sock = socket_of(fd);
	struct sock *sk = sock->sk;

	sockfd_put(sock);
	return sk;
}

/* The map object behind a descriptor, with a reference (bpf_map_put()). */
static inline struct bpf_map *map_of(int fd)
{
	struct bpf_map *map = bpf_map_get(fd);

	ck_assert_msg(!IS_ERR_OR_NULL(map), "bpf_map_get(%d) failed", fd);
	return map;
}

#endif /* SOCKARRAY_TESTS_PORT_HELPERS_H */
