/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the REUSEPORT_SOCKARRAY acceptance suites.
 *
 * Every test talks to the system through the t_* wrappers below.  They
 * call the current backend (backend.h): the port's sys_* functions, or the
 * real system calls, so the very same tests are checked against the
 * running Linux kernel.
 *
 * Conventions: helpers that "may fail" return 0 (or a descriptor) on
 * success and -errno on failure, after checking that the call itself
 * returned exactly -1.  Helpers that must succeed ck_assert instead.
 */
#ifndef SPEC_H
#define SPEC_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <check.h>

#include "backend.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* kernel-internal, leaks out of bpf(2) unchanged */
#endif

#ifndef BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY 20
#endif

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* Map-create attr fields newer than the installed (6.1) uapi header. */
#define ATTR_OFF_MAP_TOKEN_FD		76
#define ATTR_OFF_EXCL_PROG_HASH		80
#define ATTR_OFF_EXCL_PROG_HASH_SIZE	88

/*
 * Room for an attr block larger than the installed union bpf_attr: the
 * tests poke bytes that only the 6.18 layout (or nobody) defines.
 */
#define ATTR_BUF_SIZE 512

union attr_buf {
	union bpf_attr attr;
	unsigned char raw[ATTR_BUF_SIZE];
	__u64 align;
};

#define ATTR_SIZE ((unsigned int)sizeof(union bpf_attr))

/* A descriptor number that is never open in the test process. */
#define FD_NOT_OPEN 9999

/*
 * The current backend's calls (see backend.h): the port's surface or the
 * real kernel.
 */
int t_bpf(int cmd, union bpf_attr *attr, unsigned int size);
int t_socket(int domain, int type, int protocol);
int t_setsockopt(int fd, int level, int optname, const void *optval,
		 socklen_t optlen);
int t_getsockopt(int fd, int level, int optname, void *optval,
		 socklen_t *optlen);
int t_bind(int fd, const struct sockaddr *addr, socklen_t addrlen);
int t_getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen);
int t_listen(int fd, int backlog);
int t_connect(int fd, const struct sockaddr *addr, socklen_t addrlen);
int t_accept(int fd, struct sockaddr *addr, socklen_t *addrlen);
int t_shutdown(int fd, int how);
int t_dup(int fd);
int t_close(int fd);

/* errno name for messages ("EINVAL", "ENOTSUPP(524)", "OK"). */
const char *errname(int neg_or_zero);

/* Turn a libc-style result into ret (>= 0) or -errno; checks ret == -1. */
int res(int ret);

/*
 * Record a checked result in the case log (SPEC_LOG, see spec.c) and
 * assert it: @got and @want are >= 0 or -errno.
 */
void spec_record(const char *what, const char *want, const char *got);
void spec_check_ret(const char *what, int got, int want);
/* The same, for a race whose outcome may be either @want1 or @want2. */
void spec_check_either(const char *what, int got, int want1, int want2);

/*
 * Assert that @expr (an int that is >= 0 or -errno) equals @want, naming
 * both sides by errno name, and log it as one of the case's results.
 */
#define ck_assert_ret(expr, want) spec_check_ret(#expr, (expr), (want))

/*
 * A case the port cannot run, by design (no second process, no SOCKMAP,
 * no map-in-map): on the port it records the difference and its reason and
 * ends the test; on the kernel it runs.
 */
/* [book:kernel_only] */
void spec_kernel_only(const char *reason);
#define SPEC_KERNEL_ONLY(reason)					\
	do {								\
		if (!spec_backend->is_kernel) {				\
			spec_kernel_only(reason);			\
			return;						\
		}							\
	} while (0)
/* [/book:kernel_only] */

/* bpf(2) with a raw attr block: result or -errno. */
int bpf_raw(int cmd, void *attr, unsigned int size);
void attr_put_u32(union attr_buf *b, unsigned int off, __u32 v);
void attr_put_u64(union attr_buf *b, unsigned int off, __u64 v);

/* Maps. */
int map_create(__u32 value_size, __u32 max_entries, __u32 flags);
int map_create_attr(union attr_buf *b, unsigned int size);
void map_attr_init(union attr_buf *b, __u32 value_size, __u32 max_entries,
		   __u32 flags);
int map_create_ok(__u32 value_size, __u32 max_entries, __u32 flags);
void map_track(int map_fd, __u32 value_size);
int map_info(int map_fd, struct bpf_map_info *info);

int elem_cmd(int cmd, int map_fd, const void *key, void *value, __u64 flags);
int ins(int map_fd, __u32 idx, int sock_fd, __u64 flags);
int ins_val(int map_fd, __u32 idx, __u64 value, __u64 flags);
int lookup(int map_fd, __u32 idx, __u64 *cookie);
int del(int map_fd, __u32 idx);
int next_key(int map_fd, const __u32 *key, __u32 *next);
int map_freeze(int map_fd);
void expect_slot(int map_fd, __u32 idx, int sock_fd);
void expect_empty(int map_fd, __u32 idx);

/* Sockets. */
socklen_t make_addr(struct sockaddr_storage *ss, int family, const char *addr,
		    uint16_t port);
int new_socket(int family, int type, int protocol);
void set_reuseport(int fd, int on);
void bind_to(int fd, int family, const char *addr, uint16_t port);
/* bind() that may fail: 0 or -errno. */
int bind_ret(int fd, int family, const char *addr, uint16_t port);
uint16_t port_of(int fd);
int tcp_listener(int family, const char *addr, uint16_t port, int reuseport);
int udp_bound(int family, const char *addr, uint16_t port, int reuseport);
int connect_to(int fd, int family, const char *addr, uint16_t port);
int connect_unspec(int fd);
int tcp_client(int family, const char *addr, uint16_t port, int reuseport);
int accept_one(int listen_fd);
__u64 cookie_of(int fd);
void xclose(int fd);
int open_devnull(void);

/* Small utilities. */
void sleep_ms(unsigned int ms);
long now_ms(void);
int sysctl_get(const char *path);
void sysctl_set(const char *path, int value);

#endif /* SPEC_H */
