/**
 * @file test_sockets.c
 * @brief The socket layer through its system calls: socket(), the
 *        SOL_SOCKET/SOL_IPV6 options, bind(), getsockname(), listen(),
 *        connect(), accept(), shutdown() and close(), with the exact errno
 *        Linux 6.18 gives; plus the state the reuseport array depends on
 *        (hashed, SOCK_RCU_FREE, reuseport group), read from the sockets.
 *
 * Every errno expectation was taken from the live kernel.  Built with
 * -DSOCKETS_BACKEND_KERNEL the same file runs on the real system calls
 * (tests marked port-only are left out: they inspect the port's objects,
 * or cover a place where the port deliberately differs, documented in
 * the file that implements it), which is how the expectations are kept
 * honest.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SOCKETS_BACKEND_KERNEL
# include <sys/socket.h>
# define sys_socket	socket
# define sys_setsockopt	setsockopt
# define sys_getsockopt	getsockopt
# define sys_bind	bind
# define sys_getsockname getsockname
# define sys_listen	listen
# define sys_connect	connect
# define sys_accept	accept
# define sys_shutdown	shutdown
# define sys_close	close
# define sys_dup	dup
#else
# include "kern/filter.h"
# include "kern/inet_sock.h"
# include "kern/sock_reuseport.h"
# include "sockarray/syscalls.h"
# include "port_helpers.h"
#endif
#include "ck_errno.h"

#ifndef SOL_TCP
# define SOL_TCP	6
#endif
#ifndef ARRAY_SIZE
# define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef SOL_UDP
# define SOL_UDP	17
#endif

/* ------------------------------------------------------------ helpers */

static int mksock(int family, int type, int protocol)
{
	return (int)ck_ok(sys_socket(family, type, protocol));
}

static void set_int(int fd, int level, int optname, int val)
{
	ck_ok(sys_setsockopt(fd, level, optname, &val, sizeof(val)));
}

static int get_int(int fd, int level, int optname)
{
	int val = -1;
	socklen_t len = sizeof(val);

	ck_ok(sys_getsockopt(fd, level, optname, &val, &len));
	ck_assert_uint_eq(len, sizeof(val));
	return val;
}

static struct sockaddr_in sin4(const char *addr, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 sin6(const char *addr, int port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((unsigned short)port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &a.sin6_addr), 1);
	return a;
}

static int bind4(int fd, const char *addr, int port)
{
	struct sockaddr_in a = sin4(addr, port);

	return sys_bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static int bind6(int fd, const char *addr, int port)
{
	struct sockaddr_in6 a = sin6(addr, port);

	return sys_bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static int connect4(int fd, const char *addr, int port)
{
	struct sockaddr_in a = sin4(addr, port);

	return sys_connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static int connect6(int fd, const char *addr, int port)
{
	struct sockaddr_in6 a = sin6(addr, port);

	return sys_connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static int connect_unspec(int fd)
{
	struct sockaddr a;

	memset(&a, 0, sizeof(a));
	a.sa_family = AF_UNSPEC;
	return sys_connect(fd, &a, sizeof(a));
}

/* Local address of @fd (either family); returns its port. */
static int name_of(int fd, char *addr, size_t addrlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&ss, &len));
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		ck_assert_uint_eq(len, sizeof(*s));
		if (addr)
			inet_ntop(AF_INET, &s->sin_addr, addr, (socklen_t)addrlen);
		return ntohs(s->sin_port);
	}
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	if (addr)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, (socklen_t)addrlen);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int port_of(int fd)
{
	return name_of(fd, NULL, 0);
}

static void ck_name(int fd, const char *want_addr, int want_port)
{
	char addr[INET6_ADDRSTRLEN];
	int port = name_of(fd, addr, sizeof(addr));

	ck_assert_str_eq(addr, want_addr);
	if (want_port >= 0)
		ck_assert_int_eq(port, want_port);
}

/* A TCP listener on @addr:@port (0: any), with SO_REUSEPORT if asked. */
static int listener(int family, const char *addr, int port, int reuseport)
{
	int fd = mksock(family, SOCK_STREAM, 0);

	if (reuseport)
		set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (family == AF_INET)
		ck_ok(bind4(fd, addr, port));
	else
		ck_ok(bind6(fd, addr, port));
	ck_ok(sys_listen(fd, 16));
	return fd;
}

/* A bound UDP socket, with SO_REUSEPORT set before bind() if asked. */
static int udp_bound(int family, const char *addr, int port, int reuseport)
{
	int fd = mksock(family, SOCK_DGRAM, 0);

	if (reuseport)
		set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (family == AF_INET)
		ck_ok(bind4(fd, addr, port));
	else
		ck_ok(bind6(fd, addr, port));
	return fd;
}

static void xclose(int fd)
{
	ck_ok(sys_close(fd));
}

/* An address no process has mapped: a user pointer the kernel refuses. */
static const uintptr_t bad_address = 1;

/* A descriptor that is open but not a socket: /dev/null. */
static int open_nonsocket(void)
{
	return (int)ck_ok(open("/dev/null", O_RDWR | O_CLOEXEC));
}

static void local_port_range(int *low, int *high)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	*low = 32768;
	*high = 60999;
	if (f) {
		ck_assert_int_eq(fscanf(f, "%d %d", low, high), 2);
		fclose(f);
	}
}

/* Drop one capability from the effective set of the calling thread. */
static void drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	ck_assert_int_eq(syscall(SYS_capget, &hdr, data), 0);
	data[cap / 32].effective &= ~(1U << (cap % 32));
	ck_assert_int_eq(syscall(SYS_capset, &hdr, data), 0);
}

/* Run @fn in a child process (for privilege changes); assert it passed. */
static void in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed (status %#x)", status);
}

/* ck_assert in a forked child without Check's fork mode: exit non-zero. */
#define child_assert(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); _exit(1); } } while (0)
#define child_errno(expr, e) do { errno = 0; child_assert((expr) == -1 && errno == (e)); } while (0)

#ifndef SOCKETS_BACKEND_KERNEL
static struct sock_reuseport *group_of(int fd)
{
	return rcu_access_pointer(sk_of(fd)->sk_reuseport_cb);
}

/* What a reuseport array checks: hashed, RCU-freed, in a group. */
static bool map_would_take(int fd)
{
	struct sock *sk = sk_of(fd);

	return sk_hashed(sk) && sock_flag(sk, SOCK_RCU_FREE) && group_of(fd);
}
#endif

/* ------------------------------------------------------------ socket() */

START_TEST(socket_type_flags_and_ranges)
{
	int fd;

	ck_errno(sys_socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL);
	/* flags are checked before the family */
	ck_errno(sys_socket(9999, 99, 0), EINVAL);
	ck_errno(sys_socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	ck_errno(sys_socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
	/* family before type */
	ck_errno(sys_socket(46, 11, 0), EAFNOSUPPORT);
	ck_errno(sys_socket(AF_INET, 11, 0), EINVAL);
	ck_errno(sys_socket(AF_INET, 15, 0), EINVAL);
	ck_errno(sys_socket(AF_UNIX, 11, 0), EINVAL);
	/* a family Linux does not have at all */
	ck_errno(sys_socket(3, SOCK_STREAM, 0), EAFNOSUPPORT);
	ck_errno(sys_socket(41, SOCK_DGRAM, 0), EAFNOSUPPORT);

	fd = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	xclose(fd);
}
END_TEST

START_TEST(socket_inet_protocols)
{
	ck_errno(sys_socket(AF_INET, 0, 0), ESOCKTNOSUPPORT);
	/* the protocol range is checked before the type table */
	ck_errno(sys_socket(AF_INET, 0, 9999), EINVAL);
	ck_errno(sys_socket(AF_INET, SOCK_STREAM, -1), EINVAL);
	ck_errno(sys_socket(AF_INET, SOCK_STREAM, 263), EINVAL);
	ck_errno(sys_socket(AF_INET6, SOCK_STREAM, 263), EINVAL);
	ck_errno(sys_socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMPV6), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMP), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_INET6, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_INET, SOCK_DCCP, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_INET6, SOCK_PACKET, 0), ESOCKTNOSUPPORT);
	/* raw needs a protocol; that is checked before the capability */
	ck_errno(sys_socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_INET6, SOCK_RAW, 0), EPROTONOSUPPORT);
}
END_TEST

static void ck_kind(int family, int type, int protocol, int want_type, int want_proto, int want_family)
{
	int fd = mksock(family, type, protocol);

	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_TYPE), want_type);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_PROTOCOL), want_proto);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_DOMAIN), want_family);
	xclose(fd);
}

START_TEST(socket_kinds_the_map_reads)
{
	ck_kind(AF_INET, SOCK_STREAM, 0, SOCK_STREAM, IPPROTO_TCP, AF_INET);
	ck_kind(AF_INET, SOCK_STREAM, IPPROTO_TCP, SOCK_STREAM, IPPROTO_TCP, AF_INET);
	ck_kind(AF_INET, SOCK_DGRAM, 0, SOCK_DGRAM, IPPROTO_UDP, AF_INET);
	ck_kind(AF_INET6, SOCK_STREAM, 0, SOCK_STREAM, IPPROTO_TCP, AF_INET6);
	ck_kind(AF_INET6, SOCK_DGRAM, IPPROTO_UDP, SOCK_DGRAM, IPPROTO_UDP, AF_INET6);
	ck_kind(AF_INET, SOCK_STREAM, IPPROTO_MPTCP, SOCK_STREAM, IPPROTO_MPTCP, AF_INET);
	ck_kind(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP, SOCK_STREAM, IPPROTO_MPTCP, AF_INET6);
	ck_kind(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, SOCK_DGRAM, IPPROTO_UDPLITE, AF_INET);
	ck_kind(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE, SOCK_DGRAM, IPPROTO_UDPLITE, AF_INET6);
	ck_kind(AF_INET, SOCK_RAW, IPPROTO_UDP, SOCK_RAW, IPPROTO_UDP, AF_INET);
	ck_kind(AF_INET, SOCK_RAW, IPPROTO_RAW, SOCK_RAW, IPPROTO_RAW, AF_INET);
	ck_kind(AF_INET6, SOCK_RAW, IPPROTO_UDP, SOCK_RAW, IPPROTO_UDP, AF_INET6);
	ck_kind(AF_INET6, SOCK_RAW, IPPROTO_TCP, SOCK_RAW, IPPROTO_TCP, AF_INET6);
	/* unix: SOCK_RAW is SOCK_DGRAM, the protocol always reads 0 */
	ck_kind(AF_UNIX, SOCK_STREAM, 0, SOCK_STREAM, 0, AF_UNIX);
	ck_kind(AF_UNIX, SOCK_STREAM, 1, SOCK_STREAM, 0, AF_UNIX);
	ck_kind(AF_UNIX, SOCK_DGRAM, 0, SOCK_DGRAM, 0, AF_UNIX);
	ck_kind(AF_UNIX, SOCK_SEQPACKET, 0, SOCK_SEQPACKET, 0, AF_UNIX);
	ck_kind(AF_UNIX, SOCK_RAW, 0, SOCK_DGRAM, 0, AF_UNIX);
	ck_kind(AF_NETLINK, SOCK_RAW, 0, SOCK_RAW, 0, AF_NETLINK);
	ck_kind(AF_NETLINK, SOCK_DGRAM, NETLINK_GENERIC, SOCK_DGRAM, NETLINK_GENERIC, AF_NETLINK);
	ck_kind(AF_PACKET, SOCK_RAW, 0, SOCK_RAW, 0, AF_PACKET);
	ck_kind(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL), SOCK_DGRAM, 0, AF_PACKET);
	ck_kind(AF_PACKET, SOCK_PACKET, 0, SOCK_PACKET, 0, AF_PACKET);
	/* the old spelling of a packet socket */
	ck_kind(AF_INET, SOCK_PACKET, 0, SOCK_PACKET, 0, AF_PACKET);
}
END_TEST

START_TEST(socket_other_families_errors)
{
	ck_errno(sys_socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_UNIX, SOCK_STREAM, -1), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
	/* unix checks the protocol before the type */
	ck_errno(sys_socket(AF_UNIX, 0, 5), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_NETLINK, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_NETLINK, SOCK_STREAM, 99), ESOCKTNOSUPPORT);
	ck_errno(sys_socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_NETLINK, SOCK_RAW, 1), EPROTONOSUPPORT);
	ck_errno(sys_socket(AF_PACKET, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
}
END_TEST

START_TEST(socket_ping_needs_group)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "re");
	long low = 1, high = 0;

	if (f) {
		ck_assert_int_eq(fscanf(f, "%ld %ld", &low, &high), 2);
		fclose(f);
	}
	if (low > high) {
		ck_errno(sys_socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), EACCES);
		ck_errno(sys_socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6), EACCES);
	}
}
END_TEST

static void child_without_net_raw(void *arg)
{
	(void)arg;
	drop_cap(CAP_NET_RAW);
	/* the protocol checks come first, the capability after */
	child_errno(sys_socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
	child_errno(sys_socket(AF_INET, SOCK_RAW, 9999), EINVAL);
	child_errno(sys_socket(AF_INET, SOCK_RAW, IPPROTO_UDP), EPERM);
	child_errno(sys_socket(AF_INET6, SOCK_RAW, IPPROTO_UDP), EPERM);
	/* packet sockets check the capability before the type */
	child_errno(sys_socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	child_errno(sys_socket(AF_PACKET, SOCK_STREAM, 0), EPERM);
	child_errno(sys_socket(AF_INET, SOCK_PACKET, 0), EPERM);
}

START_TEST(socket_raw_and_packet_need_cap_net_raw)
{
	in_child(child_without_net_raw, NULL);
}
END_TEST

START_TEST(socket_raw_is_bound_to_its_protocol)
{
	int r = mksock(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int r6 = mksock(AF_INET6, SOCK_RAW, IPPROTO_UDP);

	ck_name(r, "0.0.0.0", IPPROTO_UDP);
	ck_name(r6, "::", IPPROTO_UDP);
	/* raw sockets start with SO_REUSEADDR on */
	ck_assert_int_eq(get_int(r, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(get_int(r6, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(get_int(mksock(AF_INET, SOCK_STREAM, 0), SOL_SOCKET, SO_REUSEADDR), 0);
	xclose(r);
	xclose(r6);
}
END_TEST

/* ------------------------------------------------------------ descriptors */

START_TEST(calls_on_bad_descriptors)
{
	int null = open_nonsocket(), v = 1, fd = mksock(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(v);
	struct sockaddr_in a = sin4("127.0.0.1", 0);

	xclose(fd);	/* a descriptor number just closed */
	ck_errno(sys_setsockopt(-1, SOL_SOCKET, SO_REUSEPORT, &v, 4), EBADF);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, 4), EBADF);
	ck_errno(sys_setsockopt(null, SOL_SOCKET, SO_REUSEPORT, &v, 4), ENOTSOCK);
	/* the descriptor before the length */
	ck_errno(sys_setsockopt(null, SOL_SOCKET, SO_REUSEPORT, &v, (socklen_t)-1), ENOTSOCK);
	ck_errno(sys_getsockopt(-1, SOL_SOCKET, SO_TYPE, &v, &len), EBADF);
	ck_errno(sys_getsockopt(null, SOL_SOCKET, SO_TYPE, &v, NULL), ENOTSOCK);
	/* bind: descriptor, then socket, then the address */
	ck_errno(sys_bind(-1, NULL, 9999), EBADF);
	ck_errno(sys_bind(null, NULL, 9999), ENOTSOCK);
	ck_errno(sys_bind(null, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	/* connect: descriptor, then the address, then socket */
	ck_errno(sys_connect(-1, NULL, 9999), EBADF);
	ck_errno(sys_connect(null, NULL, 9999), EINVAL);
	ck_errno(sys_connect(null, NULL, 16), EFAULT);
	ck_errno(sys_connect(null, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	ck_errno(sys_connect(null, NULL, 0), ENOTSOCK);
	ck_errno(sys_listen(-1, 1), EBADF);
	ck_errno(sys_listen(null, 1), ENOTSOCK);
	ck_errno(sys_accept(-1, NULL, NULL), EBADF);
	ck_errno(sys_accept(null, NULL, NULL), ENOTSOCK);
	ck_errno(sys_shutdown(-1, 3), EBADF);
	ck_errno(sys_shutdown(null, 9), ENOTSOCK);
	ck_errno(sys_getsockname(-1, (struct sockaddr *)&a, &len), EBADF);
	ck_errno(sys_getsockname(null, (struct sockaddr *)&a, NULL), ENOTSOCK);
	close(null);
}
END_TEST

START_TEST(dup_keeps_the_socket)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(l);
	int d = (int)ck_ok(sys_dup(l));

	xclose(l);
	ck_name(d, "127.0.0.1", p);
	ck_assert_int_eq(get_int(d, SOL_SOCKET, SO_ACCEPTCONN), 1);
	xclose(d);
	/* the last descriptor closed: the port is free again, even without flags */
	l = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(l, "127.0.0.1", p));
	xclose(l);
}
END_TEST

/* ------------------------------------------------------------ SOL_SOCKET */

START_TEST(setsockopt_sol_socket_errors)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), v = 1, big[4] = { 1, 7, 7, 7 };
	char c = 1;

	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &c, 1), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, 0), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, (socklen_t)-1), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, NULL, 4), EFAULT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, (void *)bad_address, 4), EFAULT);
	/* the int is read before the option is looked at */
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, 9999, &v, 0), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, 9999, NULL, 4), EFAULT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, 9999, &v, (socklen_t)-1), EINVAL);
	/* read-only options */
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_TYPE, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_COOKIE, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ERROR, &v, 4), ENOPROTOOPT);
	/* a longer buffer is fine: the first int counts */
	ck_ok(sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, big, sizeof(big)));
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 1);
	xclose(fd);
}
END_TEST

START_TEST(reuseaddr_and_reuseport_values)
{
	int fd = mksock(AF_INET6, SOCK_DGRAM, 0);

	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 0);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 0);
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 5);
	set_int(fd, SOL_SOCKET, SO_REUSEPORT, -3);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 1);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 1);
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 0);
	set_int(fd, SOL_SOCKET, SO_REUSEPORT, 0);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEADDR), 0);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_REUSEPORT), 0);
	xclose(fd);
}
END_TEST

START_TEST(reuseport_only_for_inet)
{
	int fds[] = {
		mksock(AF_UNIX, SOCK_STREAM, 0), mksock(AF_UNIX, SOCK_DGRAM, 0),
		mksock(AF_NETLINK, SOCK_RAW, 0), mksock(AF_PACKET, SOCK_RAW, 0),
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(fds); i++) {
		int v = 1;

		ck_errno(sys_setsockopt(fds[i], SOL_SOCKET, SO_REUSEPORT, &v, 4), EOPNOTSUPP);
		set_int(fds[i], SOL_SOCKET, SO_REUSEPORT, 0);
		set_int(fds[i], SOL_SOCKET, SO_REUSEADDR, 1);
		ck_assert_int_eq(get_int(fds[i], SOL_SOCKET, SO_REUSEPORT), 0);
		ck_assert_int_eq(get_int(fds[i], SOL_SOCKET, SO_REUSEADDR), 1);
		ck_errno(sys_setsockopt(fds[i], SOL_SOCKET, 9999, &v, 4), ENOPROTOOPT);
		xclose(fds[i]);
	}
	/* raw, UDP-Lite and MPTCP sockets are inet sockets */
	set_int(mksock(AF_INET, SOCK_RAW, IPPROTO_UDP), SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(mksock(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE), SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(mksock(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), SOL_SOCKET, SO_REUSEPORT, 1);
}
END_TEST

START_TEST(getsockopt_sol_socket_lengths)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), v, big[4] = { 7, 7, 7, 7 };
	socklen_t len;

	/* an int is truncated to the room given, even 0 bytes */
	v = -1;
	len = 2;
	ck_ok(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(v, (int)0xffff0001);
	v = -1;
	len = 0;
	ck_ok(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(v, -1);
	len = 0;
	ck_ok(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, NULL, &len));
	len = sizeof(big);
	ck_ok(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, big, &len));
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(big[0], SOCK_STREAM);
	ck_assert_int_eq(big[1], 7);

	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
	/* the length is checked before the option */
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, 9999, &v, &len), EINVAL);
	len = 4;
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	len = 4;
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, NULL, &len), EFAULT);
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, NULL), EFAULT);
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, 9999, &v, NULL), EFAULT);
	ck_errno(sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)bad_address), EFAULT);

	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_ERROR), 0);
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN), 0);
	xclose(fd);
}
END_TEST

START_TEST(so_cookie)
{
	int a = mksock(AF_INET, SOCK_STREAM, 0), b = mksock(AF_UNIX, SOCK_DGRAM, 0);
	unsigned long long c1 = 0, c2 = 0, c3 = 0, big[2] = { 0, 0 };
	socklen_t len;

	len = 7;
	ck_errno(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, &c1, &len), EINVAL);
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, &c1, &len), EINVAL);
	len = 8;
	ck_errno(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, NULL, &len), EFAULT);
	len = 8;
	ck_ok(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, &c1, &len));
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_ne(c1, 0);
	len = sizeof(big);
	ck_ok(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, big, &len));
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(big[0], c1);	/* given once, kept */
	len = 8;
	ck_ok(sys_getsockopt(b, SOL_SOCKET, SO_COOKIE, &c2, &len));
	ck_assert_uint_ne(c2, 0);
	ck_assert_uint_ne(c2, c1);
	xclose(a);
	a = mksock(AF_INET, SOCK_STREAM, 0);
	len = 8;
	ck_ok(sys_getsockopt(a, SOL_SOCKET, SO_COOKIE, &c3, &len));
	ck_assert_uint_ne(c3, c1);	/* never reused */
	xclose(a);
	xclose(b);
}
END_TEST

START_TEST(so_acceptconn_follows_listen)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ck_ok(sys_listen(fd, 1));
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
	ck_ok(connect_unspec(fd));
	ck_assert_int_eq(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN), 0);
	xclose(fd);
}
END_TEST

START_TEST(reuseport_bpf_options)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), v = 1, null = open_nonsocket();

	/* no SO_REUSEPORT, no group: EINVAL; with it, nothing attached: ENOENT */
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &v, 4), EINVAL);
	set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &v, 4), ENOENT);
	/* attach wants exactly a u32 descriptor of a BPF program */
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &v, 8), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &v, 3), EINVAL);
	v = 12345;
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &v, 4), EBADF);
	v = null;
	ck_errno(sys_setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &v, 4), EINVAL);
	close(null);
	xclose(fd);
}
END_TEST

/* ------------------------------------------------------------ other levels */

START_TEST(ipv6_v6only)
{
	int fd = mksock(AF_INET6, SOCK_STREAM, 0), v = 7, g;
	socklen_t len;

	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 0);
	set_int(fd, SOL_IPV6, IPV6_V6ONLY, 7);
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 1);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, (socklen_t)-1), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, NULL, 0), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, (void *)bad_address, 4), EFAULT);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, (void *)bad_address, 3), EINVAL);
	/* a NULL value reads as 0 */
	ck_ok(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, NULL, 4));
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 0);
	/* unknown options: the value is read first */
	ck_errno(sys_setsockopt(fd, SOL_IPV6, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, 9999, &v, 0), ENOPROTOOPT);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, 9999, (void *)bad_address, 4), EFAULT);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, 9999, (void *)bad_address, 3), ENOPROTOOPT);

	/* lengths: truncated, and a negative one taken as large */
	g = -1;
	len = 2;
	ck_ok(sys_getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &g, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(g, (int)0xffff0000);
	g = -1;
	len = (socklen_t)-1;
	ck_ok(sys_getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &g, &len));
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(g, 0);
	len = 4;
	ck_errno(sys_getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, NULL, &len), EFAULT);
	ck_assert_uint_eq(len, 4);
	ck_errno(sys_getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &g, NULL), EFAULT);
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(fd, SOL_IPV6, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(fd, SOL_IPV6, 9999, &g, NULL), EFAULT);

	/* too late once bound */
	ck_ok(bind6(fd, "::", 0));
	v = 1;
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, 4), EINVAL);
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, 2), EINVAL);
	xclose(fd);

	/* binding a specific IPv6 address makes the socket v6-only */
	fd = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(fd, "::1", 0));
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 1);
	xclose(fd);
	fd = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(fd, "::ffff:127.0.0.1", 0));
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 0);
	xclose(fd);
	/* raw sockets are bound to their protocol from the start */
	fd = mksock(AF_INET6, SOCK_RAW, IPPROTO_UDP);
	v = 1;
	ck_errno(sys_setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, 4), EINVAL);
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 0);
	xclose(fd);
}
END_TEST

START_TEST(protocol_levels)
{
	int t4 = mksock(AF_INET, SOCK_STREAM, 0), t6 = mksock(AF_INET6, SOCK_STREAM, 0);
	int u4 = mksock(AF_INET, SOCK_DGRAM, 0), u6 = mksock(AF_INET6, SOCK_DGRAM, 0);
	int v = 1, g;
	socklen_t len;

	/* IPv4 TCP: foreign levels are ENOPROTOOPT to set, EOPNOTSUPP to get */
	ck_errno(sys_setsockopt(t4, SOL_IPV6, IPV6_V6ONLY, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t4, SOL_IP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t4, SOL_IP, 9999, NULL, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t4, 9999, 1, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t4, SOL_TCP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t4, SOL_TCP, 9999, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(t4, SOL_TCP, 9999, NULL, 4), EFAULT);
	len = 4;
	ck_errno(sys_getsockopt(t4, SOL_IPV6, IPV6_V6ONLY, &g, &len), EOPNOTSUPP);
	ck_errno(sys_getsockopt(t4, 9999, 1, &g, &len), EOPNOTSUPP);
	ck_errno(sys_getsockopt(t4, 9999, 9999, &g, NULL), EOPNOTSUPP);
	ck_errno(sys_getsockopt(t4, SOL_UDP, 1, &g, &len), EOPNOTSUPP);
	ck_errno(sys_getsockopt(t4, SOL_IP, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(t4, SOL_IP, 9999, &g, NULL), EFAULT);
	ck_errno(sys_getsockopt(t4, SOL_TCP, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(t4, SOL_TCP, 9999, &g, NULL), EFAULT);
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(t4, SOL_IP, 9999, &g, &len), EINVAL);
	ck_errno(sys_getsockopt(t4, SOL_TCP, 9999, &g, &len), EINVAL);

	/* IPv6 TCP: SOL_IP goes to IPv4, other levels ENOPROTOOPT */
	ck_errno(sys_setsockopt(t6, SOL_IP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t6, 9999, 1, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(t6, SOL_TCP, 9999, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(t6, SOL_TCP, 9999, (void *)bad_address, 4), EFAULT);
	len = 4;
	ck_errno(sys_getsockopt(t6, 9999, 1, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(t6, SOL_IP, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(t6, SOL_IP, 9999, &g, NULL), EFAULT);
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(t6, SOL_IP, 9999, &g, &len), EINVAL);

	/* UDP */
	ck_errno(sys_setsockopt(u4, SOL_UDP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(u4, SOL_UDP, 9999, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(u4, SOL_UDP, 9999, NULL, 4), EFAULT);
	ck_errno(sys_setsockopt(u4, SOL_TCP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(u4, SOL_IPV6, IPV6_V6ONLY, &v, 4), ENOPROTOOPT);
	len = 4;
	ck_errno(sys_getsockopt(u4, SOL_UDP, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(u4, SOL_TCP, 1, &g, &len), EOPNOTSUPP);
	ck_errno(sys_getsockopt(u4, SOL_UDP, 9999, &g, NULL), EFAULT);
	len = (socklen_t)-1;
	ck_errno(sys_getsockopt(u4, SOL_UDP, 9999, &g, &len), EINVAL);
	ck_errno(sys_setsockopt(u6, SOL_UDP, 9999, &v, 3), EINVAL);
	ck_errno(sys_setsockopt(u6, 9999, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_setsockopt(u6, SOL_IP, 9999, &v, 4), ENOPROTOOPT);
	len = 4;
	ck_errno(sys_getsockopt(u6, 9999, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_getsockopt(u6, SOL_IP, 9999, &g, &len), ENOPROTOOPT);
	set_int(u6, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_assert_int_eq(get_int(u6, SOL_IPV6, IPV6_V6ONLY), 1);

	xclose(t4);
	xclose(t6);
	xclose(u4);
	xclose(u6);
}
END_TEST

START_TEST(protocol_levels_of_other_families)
{
	int unixs = mksock(AF_UNIX, SOCK_STREAM, 0), nl = mksock(AF_NETLINK, SOCK_RAW, 0);
	int pk = mksock(AF_PACKET, SOCK_RAW, 0), raw = mksock(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int v = 1, g;
	socklen_t len = 4;

	/* unix has no option levels of its own */
	ck_errno(sys_setsockopt(unixs, SOL_IPV6, IPV6_V6ONLY, &v, 4), EOPNOTSUPP);
	ck_errno(sys_setsockopt(unixs, 9999, 9999, &v, 4), EOPNOTSUPP);
	ck_errno(sys_getsockopt(unixs, SOL_IP, 9999, &g, &len), EOPNOTSUPP);
	/* netlink and packet refuse foreign levels */
	ck_errno(sys_setsockopt(nl, SOL_IPV6, IPV6_V6ONLY, &v, 4), ENOPROTOOPT);
	ck_errno(sys_getsockopt(nl, 9999, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_setsockopt(pk, SOL_IP, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_getsockopt(pk, SOL_IPV6, IPV6_V6ONLY, &g, &len), ENOPROTOOPT);
	/* raw: its own level, then IPv4's */
	ck_errno(sys_setsockopt(raw, 255, 9999, &v, 4), ENOPROTOOPT);
	ck_errno(sys_getsockopt(raw, 255, 9999, &g, &len), ENOPROTOOPT);
	ck_errno(sys_setsockopt(raw, SOL_IPV6, IPV6_V6ONLY, &v, 4), ENOPROTOOPT);
	ck_errno(sys_getsockopt(raw, SOL_IPV6, IPV6_V6ONLY, &g, &len), EOPNOTSUPP);
	xclose(unixs);
	xclose(nl);
	xclose(pk);
	xclose(raw);
}
END_TEST

/* ------------------------------------------------------------ bind */

START_TEST(bind4_lengths_and_families)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_storage big;
	struct sockaddr_in a = sin4("127.0.0.1", 0);

	ck_errno(sys_bind(fd, (struct sockaddr *)&a, 15), EINVAL);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, (socklen_t)-1), EINVAL);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, 129), EINVAL);
	ck_errno(sys_bind(fd, NULL, 16), EFAULT);
	ck_errno(sys_bind(fd, NULL, 0), EINVAL);
	ck_errno(sys_bind(fd, (struct sockaddr *)bad_address, 16), EFAULT);
	a.sin_family = AF_INET6;
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	/* AF_UNSPEC passes for the wildcard only */
	a = sin4("127.0.0.1", 0);
	a.sin_family = AF_UNSPEC;
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a = sin4("0.0.0.0", 0);
	a.sin_family = AF_UNSPEC;
	ck_ok(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ck_name(fd, "0.0.0.0", -1);
	xclose(fd);

	/* up to sizeof(struct sockaddr_storage) is accepted */
	fd = mksock(AF_INET, SOCK_DGRAM, 0);
	memset(&big, 0, sizeof(big));
	memcpy(&big, &a, sizeof(a));
	((struct sockaddr_in *)&big)->sin_family = AF_INET;
	ck_ok(sys_bind(fd, (struct sockaddr *)&big, sizeof(big)));
	xclose(fd);
}
END_TEST

START_TEST(bind4_addresses)
{
	static const char *const good[] = {
		"127.0.0.1", "127.1.2.3", "127.255.255.255", "0.0.0.0", "224.0.0.1",
		"255.255.255.255",
	};
	static const char *const bad[] = { "0.0.0.1", "240.0.0.1", "10.11.12.13" };
	int fd;

	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
		fd = mksock(AF_INET, SOCK_STREAM, 0);
		ck_ok(bind4(fd, good[i], 0));
		ck_name(fd, good[i], -1);
		xclose(fd);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		fd = mksock(AF_INET, SOCK_DGRAM, 0);
		ck_errno(bind4(fd, bad[i], 0), EADDRNOTAVAIL);
		ck_name(fd, "0.0.0.0", 0);
		xclose(fd);
	}
}
END_TEST

START_TEST(bind4_twice)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0);

	ck_ok(bind4(fd, "127.0.0.1", 0));
	ck_errno(bind4(fd, "127.0.0.1", 0), EINVAL);
	ck_errno(bind4(fd, "0.0.0.0", 0), EINVAL);
	/* the address is checked before "already bound" */
	ck_errno(bind4(fd, "10.11.12.13", 0), EADDRNOTAVAIL);
	xclose(fd);
}
END_TEST

static void child_unprivileged_bind(void *arg)
{
	int fd;

	(void)arg;
	child_assert(!setresgid(65534, 65534, 65534));
	child_assert(!setresuid(65534, 65534, 65534));
	fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	child_assert(fd >= 0);
	/* IPv4: the address before the privileged port */
	child_errno(bind4(fd, "10.11.12.13", 80), EADDRNOTAVAIL);
	child_errno(bind4(fd, "127.0.0.1", 80), EACCES);
	child_assert(bind4(fd, "127.0.0.1", 0) == 0);
	/* and the privileged port before "already bound" */
	child_errno(bind4(fd, "127.0.0.1", 80), EACCES);
	fd = sys_socket(AF_INET6, SOCK_STREAM, 0);
	child_assert(fd >= 0);
	/* IPv6: multicast-on-stream, then the port, then the address */
	child_errno(bind6(fd, "ff05::1", 80), EINVAL);
	child_errno(bind6(fd, "2001:db8::1", 80), EACCES);
	child_assert(bind6(fd, "::1", 0) == 0);
	child_errno(bind6(fd, "::1", 80), EACCES);
}

START_TEST(bind_privileged_port)
{
	in_child(child_unprivileged_bind, NULL);
}
END_TEST

START_TEST(bind6_addresses)
{
	struct sockaddr_in6 a = sin6("::1", 0);
	int fd = mksock(AF_INET6, SOCK_STREAM, 0);

	ck_errno(sys_bind(fd, (struct sockaddr *)&a, 23), EINVAL);
	a.sin6_family = AF_INET;
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin6_family = AF_UNSPEC;
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin6_family = AF_INET6;
	/* the RFC 2133 length, without the scope id, is enough */
	ck_ok(sys_bind(fd, (struct sockaddr *)&a, 24));
	ck_name(fd, "::1", -1);
	/* bound: "already bound" comes before the address check */
	ck_errno(bind6(fd, "2001:db8::1", 0), EINVAL);
	ck_errno(bind6(fd, "ff02::1", 0), EINVAL);
	xclose(fd);

#define BIND6(type, addr, want) do {						\
		fd = mksock(AF_INET6, type, 0);					\
		if (want)							\
			ck_errno(bind6(fd, addr, 0), want);			\
		else								\
			ck_ok(bind6(fd, addr, 0));				\
		xclose(fd);							\
	} while (0)
	BIND6(SOCK_STREAM, "ff02::1", EINVAL);
	BIND6(SOCK_STREAM, "ff05::1", EINVAL);
	BIND6(SOCK_DGRAM, "ff02::1", EINVAL);	/* link-local multicast needs an interface */
	BIND6(SOCK_DGRAM, "ff05::1", 0);
	BIND6(SOCK_STREAM, "2001:db8::1", EADDRNOTAVAIL);
	BIND6(SOCK_STREAM, "::2", EADDRNOTAVAIL);
	BIND6(SOCK_STREAM, "::127.0.0.1", EADDRNOTAVAIL);
	BIND6(SOCK_STREAM, "fe80::1", EINVAL);
	BIND6(SOCK_STREAM, "::ffff:10.1.1.1", EADDRNOTAVAIL);
	BIND6(SOCK_STREAM, "::ffff:0.0.0.1", EADDRNOTAVAIL);
	BIND6(SOCK_STREAM, "::ffff:127.0.0.1", 0);
	BIND6(SOCK_STREAM, "::ffff:224.0.0.1", 0);
	BIND6(SOCK_STREAM, "::ffff:0.0.0.0", 0);
	BIND6(SOCK_STREAM, "::", 0);
#undef BIND6

	/* a scope id with fewer than 28 bytes is not seen */
	fd = mksock(AF_INET6, SOCK_STREAM, 0);
	a = sin6("fe80::1", 0);
	a.sin6_scope_id = 1;
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, 24), EINVAL);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	xclose(fd);

	/* a v6-only socket cannot take a mapped address */
	fd = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(fd, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_errno(bind6(fd, "::ffff:127.0.0.1", 0), EINVAL);
	xclose(fd);

	fd = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(fd, "ff05::1", 0));
	ck_assert_int_eq(get_int(fd, SOL_IPV6, IPV6_V6ONLY), 1);
	ck_name(fd, "ff05::1", -1);
	xclose(fd);
}
END_TEST

START_TEST(bind_port_zero_uses_local_port_range)
{
	int low, high;

	local_port_range(&low, &high);
	for (int i = 0; i < 8; i++) {
		int t = mksock(i & 1 ? AF_INET6 : AF_INET, i & 2 ? SOCK_DGRAM : SOCK_STREAM, 0);
		int p;

		if (i & 1)
			ck_ok(bind6(t, "::", 0));
		else
			ck_ok(bind4(t, "127.0.0.1", 0));
		p = port_of(t);
		ck_assert_int_ge(p, low);
		ck_assert_int_le(p, high);
		xclose(t);
	}
}
END_TEST

START_TEST(getsockname_lengths)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), u6 = mksock(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	struct sockaddr_in6 a6;
	socklen_t len;

	ck_ok(bind4(fd, "127.0.0.1", 0));
	memset(&a, 0xee, sizeof(a));
	len = 4;
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&a, &len));
	ck_assert_uint_eq(len, sizeof(a));	/* the length before truncation */
	ck_assert_int_eq(a.sin_family, AF_INET);
	ck_assert_int_eq(ntohs(a.sin_port), port_of(fd));
	ck_assert_uint_eq(a.sin_addr.s_addr, 0xeeeeeeeeU);	/* not written */
	len = 0;
	ck_ok(sys_getsockname(fd, NULL, &len));
	ck_assert_uint_eq(len, sizeof(a));
	len = 100;
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&a, &len));
	ck_assert_uint_eq(len, sizeof(a));
	len = (socklen_t)-1;
	ck_errno(sys_getsockname(fd, (struct sockaddr *)&a, &len), EINVAL);
	len = 16;
	ck_errno(sys_getsockname(fd, NULL, &len), EFAULT);
	ck_errno(sys_getsockname(fd, (struct sockaddr *)&a, NULL), EFAULT);
	len = sizeof(a6);
	ck_ok(sys_getsockname(u6, (struct sockaddr *)&a6, &len));
	ck_assert_uint_eq(len, sizeof(a6));
	ck_name(u6, "::", 0);
	ck_name(mksock(AF_INET, SOCK_STREAM, 0), "0.0.0.0", 0);
	xclose(fd);
	xclose(u6);
}
END_TEST

START_TEST(getsockname_other_families)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = mksock(AF_UNIX, SOCK_STREAM, 0);
	len = sizeof(ss);
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&ss, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(ss.ss_family, AF_UNIX);
	xclose(fd);
	fd = mksock(AF_NETLINK, SOCK_RAW, 0);
	len = sizeof(ss);
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&ss, &len));
	ck_assert_uint_eq(len, sizeof(struct sockaddr_nl));
	ck_assert_int_eq(ss.ss_family, AF_NETLINK);
	xclose(fd);
	fd = mksock(AF_PACKET, SOCK_RAW, 0);
	len = sizeof(ss);
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&ss, &len));
	ck_assert_uint_eq(len, offsetof(struct sockaddr_ll, sll_addr));
	ck_assert_int_eq(ss.ss_family, AF_PACKET);
	xclose(fd);
	fd = mksock(AF_PACKET, SOCK_PACKET, 0);
	len = sizeof(ss);
	ck_ok(sys_getsockname(fd, (struct sockaddr *)&ss, &len));
	ck_assert_uint_eq(len, sizeof(struct sockaddr));
	xclose(fd);
	ck_name(mksock(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), "0.0.0.0", 0);
	ck_name(mksock(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE), "::", 0);
}
END_TEST

/* ------------------------------------------------------------ conflicts */

START_TEST(tcp_bind_conflicts)
{
	int x = mksock(AF_INET, SOCK_STREAM, 0), y, p;

	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);
	ck_ok(bind4(y, "127.0.0.2", p));	/* another address */
	xclose(y);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(y, "0.0.0.0", p), EADDRINUSE);
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(y, "::", p), EADDRINUSE);	/* dual-stack wildcard */
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(y, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_ok(bind6(y, "::", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(y, "::1", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(y, "::ffff:127.0.0.1", p), EADDRINUSE);
	xclose(y);
	y = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(y, "127.0.0.1", p));	/* UDP has its own ports */
	xclose(y);
	xclose(x);
}
END_TEST

START_TEST(tcp_bind_conflicts_v6_wildcards)
{
	int x, y, p;

	/* "::" without v6-only covers every address */
	x = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(x, "::", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(y, "::1", p), EADDRINUSE);
	xclose(y);
	xclose(x);

	/* with v6-only, no IPv4 address */
	x = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(x, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_ok(bind6(x, "::", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(y, "127.0.0.1", p));
	xclose(y);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(y, "0.0.0.0", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(y, "::ffff:127.0.0.1", p));
	xclose(y);
	xclose(x);

	/* a mapped address is an IPv4 address */
	x = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(x, "::ffff:127.0.0.1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(y, "::1", p));
	xclose(y);
	xclose(x);

	/* ::1 is v6-only: IPv4 wildcard fine, IPv6 wildcard not */
	x = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(x, "::1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(y, "0.0.0.0", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(y, "::", p), EADDRINUSE);
	xclose(y);
	xclose(x);

	/* IPv4 wildcard: dual-stack "::" conflicts, v6-only "::" does not */
	x = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(x, "0.0.0.0", 0));
	p = port_of(x);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(y, "::1", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(y, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_ok(bind6(y, "::", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(y, "::", p), EADDRINUSE);
	xclose(y);
	xclose(x);
}
END_TEST

START_TEST(tcp_reuseaddr_until_listen)
{
	int x = mksock(AF_INET, SOCK_STREAM, 0), y = mksock(AF_INET, SOCK_STREAM, 0), z, p;

	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	set_int(y, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	ck_ok(bind4(y, "127.0.0.1", p));	/* neither listens */
	ck_ok(sys_listen(x, 1));
	/* listen() checks again under a listener's rules */
	ck_errno(sys_listen(y, 1), EADDRINUSE);
	ck_assert_int_eq(get_int(y, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ck_name(y, "127.0.0.1", p);
	z = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(z, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_errno(bind4(z, "127.0.0.1", p), EADDRINUSE);
	ck_errno(bind4(z, "0.0.0.0", p), EADDRINUSE);
	xclose(z);
	xclose(y);
	xclose(x);
}
END_TEST

START_TEST(tcp_reuseport_shares)
{
	int x = mksock(AF_INET, SOCK_STREAM, 0), y = mksock(AF_INET, SOCK_STREAM, 0), z, p;

	set_int(x, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(y, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	ck_ok(bind4(y, "127.0.0.1", p));
	ck_ok(sys_listen(x, 1));
	ck_ok(sys_listen(y, 1));
	z = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(z, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(z, "0.0.0.0", p));
	xclose(z);
	z = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(z, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind6(z, "::", p));
	xclose(z);
	z = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(z, "127.0.0.1", p), EADDRINUSE);
	xclose(z);
	z = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(z, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(z, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(z, "127.0.0.1", p));
	xclose(z);
	xclose(x);
	xclose(y);
}
END_TEST

struct port_arg {
	int port;
	int type;
};

static void child_other_uid(void *arg)
{
	const struct port_arg *pa = arg;
	int fd, one = 1;

	child_assert(!setresuid(1000, 1000, 1000));
	/* SO_REUSEPORT is per owner */
	fd = sys_socket(AF_INET, pa->type, 0);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, 4);
	child_errno(bind4(fd, "127.0.0.1", pa->port), EADDRINUSE);
	/* SO_REUSEADDR is not (both sockets have it, the first is not listening) */
	fd = sys_socket(AF_INET, pa->type, 0);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, 4);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4);
	child_assert(bind4(fd, "127.0.0.1", pa->port) == 0);
	if (pa->type == SOCK_STREAM)
		child_assert(sys_listen(fd, 1) == 0);
}

START_TEST(reuseport_needs_same_owner)
{
	struct port_arg pa;
	int x;

	x = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(x, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	pa.port = port_of(x);
	pa.type = SOCK_STREAM;
	in_child(child_other_uid, &pa);
	xclose(x);

	x = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(x, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	pa.port = port_of(x);
	pa.type = SOCK_DGRAM;
	in_child(child_other_uid, &pa);
	xclose(x);
}
END_TEST

static void child_listener_other_uid(void *arg)
{
	int fd, one = 1;

	child_assert(!setresuid(1000, 1000, 1000));
	fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, 4);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4);
	/* the other socket listens now: SO_REUSEADDR no longer helps */
	child_errno(bind4(fd, "127.0.0.1", *(int *)arg), EADDRINUSE);
}

START_TEST(reuseport_other_owner_and_listener)
{
	int x = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(x);

	in_child(child_listener_other_uid, &p);
	xclose(x);
}
END_TEST

START_TEST(udp_bind_conflicts)
{
	int x, y, z, p;

	x = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);
	ck_errno(bind4(y, "0.0.0.0", p), EADDRINUSE);
	ck_ok(bind4(y, "127.0.0.2", p));
	xclose(y);
	y = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_errno(bind6(y, "::", p), EADDRINUSE);
	xclose(y);
	y = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(y, "::1", p));
	xclose(y);
	xclose(x);

	/* SO_REUSEADDR on both is enough for UDP, even with the first bound */
	x = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(y, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(y, "127.0.0.1", p));
	xclose(y);
	y = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(y, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);
	xclose(y);
	xclose(x);

	/* SO_REUSEPORT on both */
	x = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	p = port_of(x);
	y = udp_bound(AF_INET, "127.0.0.1", p, 1);
	z = udp_bound(AF_INET, "0.0.0.0", p, 1);
	xclose(z);
	z = udp_bound(AF_INET6, "::", p, 1);
	xclose(z);
	z = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(bind4(z, "127.0.0.1", p), EADDRINUSE);
	xclose(z);
	xclose(y);
	xclose(x);
}
END_TEST

/* ------------------------------------------------------------ join rules (exercise) */

/*
 * Who may share a TCP port: the rule of inet_bind_conflict(), the function
 * of exercise "bind_conflict" (book chapter "Sockets as the map sees
 * them").  Every test has a case that must fail with EADDRINUSE and one that
 * must succeed, so neither "never a conflict" nor "always a conflict"
 * passes any of them.  Each row was checked on the live 6.18 kernel.
 */

/* [book:test_join] */
START_TEST(join_needs_reuseport_on_both)
{
	int a = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(a), b;

	/* both have SO_REUSEPORT: the second shares the port, then the group */
	b = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(b, "127.0.0.1", p));
	ck_ok(sys_listen(b, 1));
	xclose(b);
	/* only the owner has it */
	b = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(b, "127.0.0.1", p), EADDRINUSE);
	xclose(b);
	/* SO_REUSEADDR does not stand in for it: the owner listens */
	b = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_errno(bind4(b, "127.0.0.1", p), EADDRINUSE);
	xclose(b);
	xclose(a);

	/* only the newcomer has it */
	a = listener(AF_INET, "127.0.0.1", 0, 0);
	p = port_of(a);
	b = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_errno(bind4(b, "127.0.0.1", p), EADDRINUSE);
	xclose(b);
	xclose(a);
}
END_TEST
/* [/book:test_join] */

START_TEST(join_bound_sockets_share_before_listen)
{
	int a = mksock(AF_INET, SOCK_STREAM, 0), b = mksock(AF_INET, SOCK_STREAM, 0), c, p;

	set_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(a, "127.0.0.1", 0));
	p = port_of(a);
	ck_ok(bind4(b, "127.0.0.1", p));	/* neither listens yet */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(c, "127.0.0.1", p), EADDRINUSE);
	xclose(c);
	ck_ok(sys_listen(a, 1));
	ck_ok(sys_listen(b, 1));		/* listen() checks again: still fine */
	xclose(a);
	xclose(b);
}
END_TEST

struct join_ports {
	int listening;		/* a listener of uid 0 with SO_REUSEPORT */
	int bound_fd;		/* a socket of uid 0, SO_REUSEPORT + SO_REUSEADDR, bound */
	int bound;		/* its port */
};

static void child_join_other_owner(void *arg)
{
	const struct join_ports *jp = arg;
	int fd, one = 1;

	child_assert(!setresuid(1000, 1000, 1000));
	/* SO_REUSEPORT, even with SO_REUSEADDR, cannot join another user's listener */
	fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, 4);
	child_errno(bind4(fd, "127.0.0.1", jp->listening), EADDRINUSE);
	sys_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4);
	child_errno(bind4(fd, "127.0.0.1", jp->listening), EADDRINUSE);
	/* SO_REUSEADDR on both, owner not listening: any user may bind, and listen */
	child_assert(bind4(fd, "127.0.0.1", jp->bound) == 0);
	child_assert(sys_listen(fd, 1) == 0);
	/* ... and then the first owner cannot listen any more */
	child_errno(sys_listen(jp->bound_fd, 1), EADDRINUSE);
}

START_TEST(join_needs_the_same_owner)
{
	struct join_ports jp;
	int a = listener(AF_INET, "127.0.0.1", 0, 1);

	jp.listening = port_of(a);
	jp.bound_fd = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(jp.bound_fd, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(jp.bound_fd, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(jp.bound_fd, "127.0.0.1", 0));
	jp.bound = port_of(jp.bound_fd);
	in_child(child_join_other_owner, &jp);
	xclose(jp.bound_fd);
	xclose(a);
}
END_TEST

START_TEST(join_wildcard_and_specific_addresses)
{
	int a = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(a), b;

	/* overlapping addresses, SO_REUSEPORT on both: shared (other groups) */
	b = listener(AF_INET, "0.0.0.0", p, 1);
	xclose(b);
	b = listener(AF_INET6, "::", p, 1);
	xclose(b);
	/* overlapping, without SO_REUSEPORT */
	b = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(b, "0.0.0.0", p), EADDRINUSE);
	xclose(b);
	b = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(bind6(b, "::", p), EADDRINUSE);
	xclose(b);
	/* not overlapping: no rule needed */
	b = listener(AF_INET, "127.0.0.2", p, 0);
	xclose(b);
	xclose(a);
}
END_TEST

START_TEST(join_reuseaddr_only_until_listen)
{
	int x = mksock(AF_INET, SOCK_STREAM, 0), y = mksock(AF_INET, SOCK_STREAM, 0), z, p;

	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	set_int(y, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	ck_ok(bind4(y, "127.0.0.1", p));
	ck_ok(sys_listen(x, 1));
	ck_errno(sys_listen(y, 1), EADDRINUSE);
	z = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(z, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_errno(bind4(z, "127.0.0.1", p), EADDRINUSE);
	xclose(z);
	xclose(y);
	xclose(x);
}
END_TEST

/*
 * A port chosen by bind(port 0) is one nobody holds: there SO_REUSEADDR
 * does not let sockets share (relax is false).  With 400 sockets, a rule
 * that let them share would hand out some port twice (a random start in
 * about 14,000 odd ports) all but once in thousands of runs.
 */
START_TEST(join_automatic_ports_are_not_shared)
{
	enum { N = 400 };
	static int fds[N], ports[N];
	int x = mksock(AF_INET, SOCK_STREAM, 0), y, p, i, j;

	set_int(x, SOL_SOCKET, SO_REUSEADDR, 1);
	ck_ok(bind4(x, "127.0.0.1", 0));
	p = port_of(x);
	y = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(bind4(y, "127.0.0.1", p), EADDRINUSE);	/* y lacks SO_REUSEADDR */
	xclose(y);
	for (i = 0; i < N; i++) {
		fds[i] = mksock(AF_INET, SOCK_STREAM, 0);
		set_int(fds[i], SOL_SOCKET, SO_REUSEADDR, 1);
		ck_ok(bind4(fds[i], "127.0.0.1", 0));
		ports[i] = port_of(fds[i]);
		ck_assert_int_ne(ports[i], p);
		for (j = 0; j < i; j++)
			ck_assert_msg(ports[j] != ports[i], "port %d handed out twice", ports[i]);
	}
	for (i = 0; i < N; i++)
		xclose(fds[i]);
	xclose(x);
}
END_TEST

#ifndef SOCKETS_BACKEND_KERNEL
static enum sk_action join_pass_prog(struct sk_reuseport_kern *ctx, void *data)
{
	return SK_PASS;
}

/*
 * A socket that already has a group of its own (SO_ATTACH_REUSEPORT_EBPF
 * before bind() gives it one) cannot share a port through SO_REUSEPORT.
 * On Linux the attach takes a program descriptor; the port, which has
 * none, attaches a C function directly.
 */
START_TEST(join_refused_to_a_socket_with_a_group)
{
	int a = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(a), b;

	b = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_assert_int_eq(reuseport_attach_prog(sk_of(b), bpf_prog_new(join_pass_prog, NULL)), 0);
	ck_assert_ptr_nonnull(group_of(b));
	ck_errno(bind4(b, "127.0.0.1", p), EADDRINUSE);
	ck_ok(bind4(b, "127.0.0.1", 0));	/* a port of its own is fine */
	ck_ok(sys_listen(b, 1));
	ck_assert(map_would_take(b));
	xclose(b);
	xclose(a);
}
END_TEST

/* The same for UDP, whose rule is udp_lib_lport_inuse()'s. */
START_TEST(udp_join_refused_to_a_socket_with_a_group)
{
	int a = udp_bound(AF_INET, "127.0.0.1", 0, 1), p = port_of(a), b;

	b = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_assert_int_eq(reuseport_attach_prog(sk_of(b), bpf_prog_new(join_pass_prog, NULL)), 0);
	ck_errno(bind4(b, "127.0.0.1", p), EADDRINUSE);
	ck_ok(bind4(b, "127.0.0.1", 0));
	ck_assert(map_would_take(b));
	xclose(b);
	xclose(a);
}
END_TEST
#endif

/* ------------------------------------------------------------ listen, connect, accept */

START_TEST(listen_basics)
{
	int low, high, fd, p, u, c, a, l;

	local_port_range(&low, &high);
	fd = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(sys_listen(fd, 5));		/* binds a port itself */
	p = port_of(fd);
	ck_assert_int_ge(p, low);
	ck_assert_int_le(p, high);
	ck_name(fd, "0.0.0.0", p);
	ck_ok(sys_listen(fd, 64));		/* again: only the backlog */
	ck_ok(sys_listen(fd, -1));		/* capped at somaxconn */
	ck_ok(sys_listen(fd, 100000));
	ck_assert_int_eq(port_of(fd), p);
	xclose(fd);

	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(sys_listen(u, 1), EOPNOTSUPP);
	ck_errno(sys_accept(u, NULL, NULL), EOPNOTSUPP);
	xclose(u);

	l = listener(AF_INET, "127.0.0.1", 0, 0);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", port_of(l)));
	ck_errno(sys_listen(c, 1), EINVAL);	/* connected */
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_errno(sys_listen(a, 1), EINVAL);	/* accepted */
	ck_errno(sys_accept(a, NULL, NULL), EINVAL);
	xclose(a);
	xclose(c);
	xclose(l);
}
END_TEST

START_TEST(listener_disconnect_keeps_bound_port)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(l), c;

	ck_ok(connect_unspec(l));
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ck_name(l, "127.0.0.1", p);
	/* not listening: refused */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	xclose(c);
	ck_errno(sys_accept(l, NULL, NULL), EINVAL);
	ck_ok(sys_listen(l, 16));
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	xclose(l);

	/* an explicit port survives the disconnect */
	l = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(l, "0.0.0.0", 0));
	p = port_of(l);
	xclose(l);
	l = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(l, "0.0.0.0", p));
	ck_ok(sys_listen(l, 1));
	ck_ok(connect_unspec(l));
	ck_ok(sys_listen(l, 1));
	ck_assert_int_eq(port_of(l), p);
	xclose(l);
}
END_TEST

START_TEST(listener_disconnect_shows_old_port)
{
	int l = mksock(AF_INET, SOCK_STREAM, 0), p;

	ck_ok(sys_listen(l, 1));
	p = port_of(l);
	ck_ok(connect_unspec(l));
	/* the port is given back, but getsockname() still shows it */
	ck_name(l, "0.0.0.0", p);
	ck_ok(sys_listen(l, 1));
	ck_assert_int_gt(port_of(l), 0);
	xclose(l);
}
END_TEST

START_TEST(connect_and_accept)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 0), p = port_of(l), c, a;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);

	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	ck_name(c, "127.0.0.1", -1);
	a = (int)ck_ok(sys_accept(l, (struct sockaddr *)&peer, &len));
	ck_assert_uint_eq(len, sizeof(peer));
	ck_assert_int_eq(peer.sin_family, AF_INET);
	ck_assert_uint_eq(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	ck_assert_int_eq(ntohs(peer.sin_port), port_of(c));
	ck_name(a, "127.0.0.1", p);
	ck_assert_int_eq(get_int(a, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	ck_assert_int_eq(get_int(a, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ck_errno(connect4(c, "127.0.0.1", p), EISCONN);
	ck_errno(connect4(a, "127.0.0.1", p), EISCONN);
	ck_errno(connect4(l, "127.0.0.1", p), EISCONN);	/* a listener */
	xclose(a);
	xclose(c);
	xclose(l);
}
END_TEST

START_TEST(connect_nonblocking)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 0), p = port_of(l), c;

	/* even over loopback, a non-blocking connect() says EINPROGRESS */
	c = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_errno(connect4(c, "127.0.0.1", p), EINPROGRESS);
	ck_ok(connect4(c, "127.0.0.1", p));
	ck_errno(connect4(c, "127.0.0.1", p), EISCONN);
	xclose(c);
	xclose(sys_accept(l, NULL, NULL));
	xclose(l);
}
END_TEST

START_TEST(connect_refused)
{
	int l = mksock(AF_INET, SOCK_STREAM, 0), p, c;

	ck_ok(bind4(l, "127.0.0.1", 0));	/* bound, not listening */
	p = port_of(l);

	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	ck_assert_int_eq(get_int(c, SOL_SOCKET, SO_ERROR), 0);
	ck_name(c, "0.0.0.0", -1);
	ck_errno(connect4(c, "127.0.0.1", 0), ECONNREFUSED);
	xclose(c);

	/* a bound address stays */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(c, "127.0.0.1", 0));
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	ck_name(c, "127.0.0.1", -1);
	xclose(c);

	/* non-blocking: the error comes with the next connect() ... */
	c = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_errno(connect4(c, "127.0.0.1", p), EINPROGRESS);
	ck_name(c, "127.0.0.1", -1);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	ck_name(c, "0.0.0.0", -1);
	/* ... or from SO_ERROR, after which connect() has nothing to report */
	ck_errno(connect4(c, "127.0.0.1", p), EINPROGRESS);
	ck_assert_int_eq(get_int(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	ck_assert_int_eq(get_int(c, SOL_SOCKET, SO_ERROR), 0);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNABORTED);
	xclose(c);
	xclose(l);
}
END_TEST

START_TEST(connect_full_backlog)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 0), p = port_of(l), c1, c2;

	ck_ok(sys_listen(l, 0));		/* room for one */
	c1 = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c1, "127.0.0.1", p));
	c2 = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_errno(connect4(c2, "127.0.0.1", p), EINPROGRESS);
	ck_errno(connect4(c2, "127.0.0.1", p), EALREADY);
	ck_name(c2, "127.0.0.1", -1);
	/* shutdown() of a connect in progress disconnects */
	ck_ok(sys_shutdown(c2, SHUT_WR));
	ck_errno(connect4(c2, "127.0.0.1", p), EINPROGRESS);
	ck_ok(connect_unspec(c2));
	ck_name(c2, "0.0.0.0", -1);
	xclose(c2);
	xclose(c1);
	xclose(l);
}
END_TEST

START_TEST(connect_argument_errors)
{
	int c = mksock(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = sin4("127.0.0.1", 1);

	ck_errno(sys_connect(c, (struct sockaddr *)&a, 1), EINVAL);
	ck_errno(sys_connect(c, (struct sockaddr *)&a, 0), EINVAL);
	ck_errno(sys_connect(c, NULL, 0), EINVAL);
	ck_errno(sys_connect(c, NULL, 16), EFAULT);
	ck_errno(sys_connect(c, (struct sockaddr *)&a, 15), EINVAL);
	ck_errno(sys_connect(c, (struct sockaddr *)&a, (socklen_t)-1), EINVAL);
	ck_errno(sys_connect(c, (struct sockaddr *)&a, 129), EINVAL);
	a.sin_family = AF_INET6;
	ck_errno(sys_connect(c, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin_family = 99;
	ck_errno(sys_connect(c, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin_family = AF_UNSPEC;
	ck_ok(sys_connect(c, (struct sockaddr *)&a, 2));
	ck_errno(sys_connect(c, (struct sockaddr *)&a, 1), EINVAL);
	ck_errno(connect4(c, "224.0.0.1", 80), ENETUNREACH);
	ck_errno(connect4(c, "255.255.255.255", 80), ENETUNREACH);
	ck_errno(connect4(c, "127.255.255.255", 80), ENETUNREACH);
	ck_name(c, "0.0.0.0", 0);
	xclose(c);
}
END_TEST

START_TEST(connect_addresses)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 0), p = port_of(l), c, a;

	/* 0.0.0.0 means loopback */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "0.0.0.0", p));
	ck_name(c, "127.0.0.1", -1);
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_name(a, "127.0.0.1", p);
	xclose(a);
	xclose(c);
	/* another loopback address has no listener */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c, "127.0.0.2", p), ECONNREFUSED);
	xclose(c);
	xclose(l);

	/* a wildcard listener takes every loopback address */
	l = listener(AF_INET, "0.0.0.0", 0, 0);
	p = port_of(l);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.9", p));
	ck_name(c, "127.0.0.1", -1);		/* lo's source address */
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_name(a, "127.0.0.9", p);
	xclose(a);
	xclose(c);
	xclose(l);
}
END_TEST

START_TEST(connect_across_families)
{
	int l, p, c, a;
	struct sockaddr_in6 peer;
	socklen_t len = sizeof(peer);

	/* IPv6 client, mapped address, IPv4 listener: an IPv4 child */
	l = listener(AF_INET, "127.0.0.1", 0, 0);
	p = port_of(l);
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(connect6(c, "::ffff:127.0.0.1", p));
	ck_name(c, "::ffff:127.0.0.1", -1);
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_assert_int_eq(get_int(a, SOL_SOCKET, SO_DOMAIN), AF_INET);
	ck_name(a, "127.0.0.1", p);
	xclose(a);
	xclose(c);
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(connect6(c, "::1", p), ECONNREFUSED);
	xclose(c);
	xclose(l);

	/* IPv4 client, dual-stack listener: an IPv6 child on mapped addresses */
	l = listener(AF_INET6, "::", 0, 0);
	p = port_of(l);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.9", p));
	a = (int)ck_ok(sys_accept(l, (struct sockaddr *)&peer, &len));
	ck_assert_uint_eq(len, sizeof(peer));
	ck_assert_int_eq(get_int(a, SOL_SOCKET, SO_DOMAIN), AF_INET6);
	ck_name(a, "::ffff:127.0.0.9", p);
	ck_assert_int_eq(ntohs(peer.sin6_port), port_of(c));
	xclose(a);
	xclose(c);
	/* "::" means ::1 */
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(connect6(c, "::", p));
	ck_name(c, "::1", -1);
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_name(a, "::1", p);
	xclose(a);
	xclose(c);
	xclose(l);

	/* a v6-only listener takes no IPv4 */
	l = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(l, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_ok(bind6(l, "::", 0));
	ck_ok(sys_listen(l, 1));
	p = port_of(l);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	xclose(c);
	xclose(l);

	/* a listener on a mapped address takes IPv4 only */
	l = listener(AF_INET6, "::ffff:127.0.0.1", 0, 0);
	p = port_of(l);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	xclose(c);
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(connect6(c, "::ffff:127.0.0.1", p));
	xclose(c);
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(connect6(c, "::1", p), ECONNREFUSED);
	xclose(c);
	xclose(l);
}
END_TEST

START_TEST(connect6_errors)
{
	int c = mksock(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in a4 = sin4("127.0.0.1", 9);
	struct sockaddr_in6 a6 = sin6("::1", 9);

	/* the length is checked before the family */
	ck_errno(sys_connect(c, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	ck_errno(sys_connect(c, (struct sockaddr *)&a6, 23), EINVAL);
	a6.sin6_family = AF_INET;
	ck_errno(sys_connect(c, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
	ck_errno(connect6(c, "ff05::1", 9), ENETUNREACH);
	ck_errno(connect6(c, "fe80::1", 9), EINVAL);
	xclose(c);
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(c, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_errno(connect6(c, "::ffff:127.0.0.1", 9), ENETUNREACH);
	xclose(c);
	/* bound to a mapped address: no IPv6 peer */
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_ok(bind6(c, "::ffff:127.0.0.1", 0));
	ck_errno(connect6(c, "::1", 9), EAFNOSUPPORT);
	xclose(c);
}
END_TEST

START_TEST(reuseport_spreads_connections)
{
	int l1 = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int l2 = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int got1 = 0, got2 = 0, fd, p;

	set_int(l1, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(l2, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(l1, "127.0.0.1", 0));
	p = port_of(l1);
	ck_ok(bind4(l2, "127.0.0.1", p));
	ck_ok(sys_listen(l1, 16));
	ck_ok(sys_listen(l2, 16));

	/* 16 fit: each listener's queue holds backlog + 1 = 17 */
	for (int i = 0; i < 16; i++) {
		int c = mksock(AF_INET, SOCK_STREAM, 0);

		ck_ok(connect4(c, "127.0.0.1", p));
		xclose(c);
	}
	while ((fd = sys_accept(l1, NULL, NULL)) >= 0 || errno != EAGAIN) {
		ck_assert_int_ge(fd, 0);
		got1++;
		xclose(fd);
	}
	while ((fd = sys_accept(l2, NULL, NULL)) >= 0 || errno != EAGAIN) {
		ck_assert_int_ge(fd, 0);
		got2++;
		xclose(fd);
	}
	ck_assert_int_eq(got1 + got2, 16);
	ck_assert_int_gt(got1, 0);
	ck_assert_int_gt(got2, 0);
	xclose(l1);
	xclose(l2);
}
END_TEST

START_TEST(accept_errors)
{
	int l = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), p, c, a;
	struct sockaddr_in peer;
	socklen_t len;

	ck_errno(sys_accept(l, NULL, NULL), EINVAL);	/* unbound */
	ck_ok(bind4(l, "127.0.0.1", 0));
	ck_errno(sys_accept(l, NULL, NULL), EINVAL);	/* bound */
	ck_ok(sys_listen(l, 8));
	ck_errno(sys_accept(l, NULL, NULL), EAGAIN);
	p = port_of(l);

	/* short room: the start of the address, and its full length */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	memset(&peer, 0xee, sizeof(peer));
	len = 4;
	a = (int)ck_ok(sys_accept(l, (struct sockaddr *)&peer, &len));
	ck_assert_uint_eq(len, sizeof(peer));
	ck_assert_int_eq(peer.sin_family, AF_INET);
	ck_assert_int_eq(ntohs(peer.sin_port), port_of(c));
	ck_assert_uint_eq(peer.sin_addr.s_addr, 0xeeeeeeeeU);
	xclose(a);
	xclose(c);

	/* no address wanted: the length is left alone */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	len = 3;
	a = (int)ck_ok(sys_accept(l, NULL, &len));
	ck_assert_uint_eq(len, 3);
	xclose(a);
	xclose(c);

	/* the address cannot be written: the connection is lost */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	len = (socklen_t)-1;
	ck_errno(sys_accept(l, (struct sockaddr *)&peer, &len), EINVAL);
	ck_errno(sys_accept(l, NULL, NULL), EAGAIN);
	xclose(c);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	len = sizeof(peer);
	ck_errno(sys_accept(l, (struct sockaddr *)bad_address, &len), EFAULT);
	ck_errno(sys_accept(l, NULL, NULL), EAGAIN);
	xclose(c);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	ck_errno(sys_accept(l, (struct sockaddr *)&peer, NULL), EFAULT);
	ck_errno(sys_accept(l, NULL, NULL), EAGAIN);
	xclose(c);
	xclose(l);
}
END_TEST

/* ------------------------------------------------------------ shutdown */

START_TEST(shutdown_tcp)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), l, c, a, p;

	ck_errno(sys_shutdown(fd, SHUT_RD), ENOTCONN);
	ck_errno(sys_shutdown(fd, 3), EINVAL);
	ck_errno(sys_shutdown(fd, -1), EINVAL);
	ck_errno(sys_shutdown(fd, INT_MAX), EINVAL);
	ck_errno(sys_shutdown(fd, INT_MIN), EINVAL);
	xclose(fd);

	l = listener(AF_INET, "127.0.0.1", 0, 1);
	p = port_of(l);
	ck_ok(sys_shutdown(l, SHUT_WR));	/* a listener ignores it */
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_ok(sys_shutdown(l, SHUT_RD));	/* ... but not this: disconnected */
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 0);
	ck_errno(sys_accept(l, NULL, NULL), EINVAL);
	ck_errno(sys_shutdown(l, SHUT_RD), ENOTCONN);
	ck_ok(sys_listen(l, 1));
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
	xclose(l);

	/* an accepted child: shutting down is fine, repeatedly */
	ck_ok(sys_shutdown(a, SHUT_WR));
	ck_ok(sys_shutdown(a, SHUT_WR));
	ck_ok(sys_shutdown(a, SHUT_RD));
	ck_errno(connect4(a, "127.0.0.1", p), EISCONN);
	xclose(a);
	xclose(c);

	l = listener(AF_INET, "127.0.0.1", 0, 0);
	ck_ok(sys_shutdown(l, SHUT_RDWR));
	ck_assert_int_eq(get_int(l, SOL_SOCKET, SO_ACCEPTCONN), 0);
	xclose(l);
}
END_TEST

START_TEST(shutdown_udp_and_others)
{
	int u = mksock(AF_INET, SOCK_DGRAM, 0), fd;

	ck_errno(sys_shutdown(u, SHUT_RDWR), ENOTCONN);
	ck_errno(sys_shutdown(u, 3), EINVAL);
	ck_ok(connect4(u, "127.0.0.1", 9));
	ck_ok(sys_shutdown(u, SHUT_RDWR));
	ck_ok(connect_unspec(u));
	ck_errno(sys_shutdown(u, SHUT_RD), ENOTCONN);
	xclose(u);

	fd = mksock(AF_UNIX, SOCK_STREAM, 0);
	ck_ok(sys_shutdown(fd, SHUT_RDWR));
	ck_errno(sys_shutdown(fd, 5), EINVAL);
	xclose(fd);
	fd = mksock(AF_UNIX, SOCK_DGRAM, 0);
	ck_ok(sys_shutdown(fd, SHUT_RD));
	xclose(fd);
	fd = mksock(AF_NETLINK, SOCK_RAW, 0);
	ck_errno(sys_shutdown(fd, SHUT_RDWR), EOPNOTSUPP);
	ck_errno(sys_shutdown(fd, 5), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_PACKET, SOCK_RAW, 0);
	ck_errno(sys_shutdown(fd, SHUT_RDWR), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_INET, SOCK_RAW, IPPROTO_UDP);
	ck_errno(sys_shutdown(fd, SHUT_RDWR), ENOTCONN);
	ck_errno(sys_shutdown(fd, 5), EINVAL);
	xclose(fd);
	fd = mksock(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE);
	ck_errno(sys_shutdown(fd, SHUT_WR), ENOTCONN);
	xclose(fd);
}
END_TEST

/* ------------------------------------------------------------ UDP connect */

START_TEST(udp_connect_addresses)
{
	int u, p;
	struct sockaddr_in6 a6 = sin6("::1", 9);
	struct sockaddr_in a4 = sin4("127.0.0.1", 9);

	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(connect4(u, "127.0.0.1", 9));	/* binds a port itself */
	ck_name(u, "127.0.0.1", -1);
	ck_assert_int_gt(port_of(u), 0);
	ck_ok(connect_unspec(u));
	ck_name(u, "0.0.0.0", 0);		/* automatic port: given back */
	xclose(u);

	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(connect4(u, "0.0.0.0", 9));
	ck_name(u, "127.0.0.1", -1);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(u, "127.0.0.5", 0));
	ck_ok(connect4(u, "127.3.3.3", 9));
	ck_name(u, "127.0.0.5", -1);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(connect4(u, "127.3.3.3", 9));
	ck_name(u, "127.0.0.1", -1);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(connect4(u, "127.0.0.1", 0));
	xclose(u);

	/* broadcast needs SO_BROADCAST; the port is bound before that check */
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(connect4(u, "255.255.255.255", 9), EACCES);
	ck_errno(connect4(u, "127.255.255.255", 9), EACCES);
	ck_assert_int_gt(port_of(u), 0);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(sys_connect(u, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
	ck_assert_int_gt(port_of(u), 0);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(sys_connect(u, (struct sockaddr *)&a4, 15), EINVAL);
	ck_assert_int_gt(port_of(u), 0);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(sys_connect(u, (struct sockaddr *)&a4, 1), EINVAL);
	ck_assert_int_eq(port_of(u), 0);	/* too short to even start */
	xclose(u);

	/* disconnect keeps what bind() chose */
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(u, "127.0.0.1", 0));
	ck_ok(connect4(u, "127.0.0.1", 9));
	ck_ok(connect_unspec(u));
	ck_name(u, "127.0.0.1", 0);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(u, "0.0.0.0", 0));
	p = port_of(u);
	xclose(u);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(u, "0.0.0.0", p));
	ck_ok(connect4(u, "127.0.0.1", 9));
	ck_name(u, "127.0.0.1", p);
	ck_ok(connect_unspec(u));
	ck_name(u, "0.0.0.0", p);
	/* connected again, to another peer */
	ck_ok(connect4(u, "127.0.0.1", 10));
	ck_ok(connect4(u, "127.0.0.1", 11));
	xclose(u);
}
END_TEST

START_TEST(udp6_connect_addresses)
{
	struct sockaddr_in a4 = sin4("127.0.0.1", 9);
	struct sockaddr_in6 a6 = sin6("::1", 9);
	int u;

	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(connect6(u, "::1", 9));
	ck_name(u, "::1", -1);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(connect6(u, "::", 9));
	ck_name(u, "::1", -1);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(connect6(u, "::ffff:127.0.0.1", 9));
	ck_name(u, "::ffff:127.0.0.1", -1);
	ck_ok(connect_unspec(u));
	ck_name(u, "::", 0);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(sys_connect(u, (struct sockaddr *)&a4, sizeof(a4)));
	ck_name(u, "::ffff:127.0.0.1", -1);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_errno(sys_connect(u, (struct sockaddr *)&a4, 15), EINVAL);
	ck_errno(sys_connect(u, (struct sockaddr *)&a6, 23), EINVAL);
	a6.sin6_family = 99;
	ck_errno(sys_connect(u, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
	ck_errno(connect6(u, "fe80::1", 9), EINVAL);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	set_int(u, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_errno(sys_connect(u, (struct sockaddr *)&a4, sizeof(a4)), EAFNOSUPPORT);
	ck_errno(connect6(u, "::ffff:127.0.0.1", 9), ENETUNREACH);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(u, "::", 0));
	ck_ok(connect6(u, "::ffff:127.0.0.1", 9));
	ck_name(u, "::ffff:127.0.0.1", -1);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(u, "::1", 0));		/* now v6-only */
	ck_errno(connect6(u, "::ffff:127.0.0.1", 9), ENETUNREACH);
	xclose(u);
	u = mksock(AF_INET6, SOCK_DGRAM, 0);
	ck_ok(bind6(u, "::ffff:127.0.0.1", 0));
	ck_errno(connect6(u, "::1", 9), EAFNOSUPPORT);
	ck_ok(connect6(u, "::", 9));		/* the IPv4 loopback for it */
	ck_name(u, "::ffff:127.0.0.1", -1);
	xclose(u);
}
END_TEST

/* ------------------------------------------------------------ sockets the port only creates */

START_TEST(other_families_calls)
{
	struct sockaddr_in a4 = sin4("127.0.0.1", 0);
	struct sockaddr_un un;
	int fd;

	fd = mksock(AF_UNIX, SOCK_STREAM, 0);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	ck_errno(sys_listen(fd, 1), EINVAL);		/* not bound */
	ck_errno(sys_accept(fd, NULL, NULL), EINVAL);	/* not listening */
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	ck_errno(sys_bind(fd, (struct sockaddr *)&un, sizeof(un) + 1), EINVAL);
	ck_errno(sys_connect(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	xclose(fd);
	fd = mksock(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_errno(sys_listen(fd, 1), EINVAL);
	xclose(fd);
	fd = mksock(AF_UNIX, SOCK_DGRAM, 0);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	ck_errno(sys_accept(fd, NULL, NULL), EOPNOTSUPP);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	xclose(fd);
	fd = mksock(AF_NETLINK, SOCK_RAW, 0);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	ck_errno(sys_accept(fd, NULL, NULL), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_PACKET, SOCK_RAW, 0);
	ck_errno(sys_bind(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	ck_errno(sys_accept(fd, NULL, NULL), EOPNOTSUPP);
	ck_errno(sys_connect(fd, (struct sockaddr *)&a4, sizeof(a4)), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_INET, SOCK_RAW, IPPROTO_UDP);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	ck_errno(sys_accept(fd, NULL, NULL), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	ck_errno(sys_accept(fd, NULL, NULL), EOPNOTSUPP);
	xclose(fd);
}
END_TEST

#ifndef SOCKETS_BACKEND_KERNEL
/* ------------------------------------------------------------ port-only: what the map sees */

START_TEST(tcp_listener_state)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), l2, p;
	struct sock_reuseport *g;

	set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_assert(!sk_hashed(sk_of(fd)));
	ck_ok(bind4(fd, "127.0.0.1", 0));
	p = port_of(fd);
	ck_assert(!sk_hashed(sk_of(fd)));		/* bound is not hashed */
	ck_assert_ptr_null(group_of(fd));
	ck_ok(sys_listen(fd, 4));
	ck_assert(map_would_take(fd));
	g = group_of(fd);
	ck_assert_uint_eq(g->num_socks, 1);
	l2 = listener(AF_INET, "127.0.0.1", p, 1);
	ck_assert_ptr_eq(group_of(l2), g);
	ck_assert_uint_eq(g->num_socks, 2);
	ck_ok(sys_listen(fd, 64));			/* stays */
	ck_assert_ptr_eq(group_of(fd), g);
	ck_ok(sys_shutdown(fd, SHUT_WR));		/* stays */
	ck_assert_ptr_eq(group_of(fd), g);
	ck_ok(connect_unspec(fd));			/* leaves */
	ck_assert(!sk_hashed(sk_of(fd)));
	ck_assert_ptr_null(group_of(fd));
	ck_assert_uint_eq(group_of(l2)->num_socks, 1);
	/* back in a group; its port was automatic, so it is a new port */
	ck_ok(sys_listen(fd, 4));
	ck_assert(map_would_take(fd));
	ck_assert_int_ne(port_of(fd), p);
	ck_assert_ptr_ne(group_of(fd), group_of(l2));
	ck_ok(sys_shutdown(fd, SHUT_RD));		/* leaves */
	ck_assert_ptr_null(group_of(fd));
	xclose(fd);
	ck_assert(map_would_take(l2));
	ck_assert_uint_eq(group_of(l2)->num_socks, 1);
	xclose(l2);

	/* no SO_REUSEPORT: hashed and RCU-freed, but no group */
	fd = listener(AF_INET6, "::", 0, 0);
	ck_assert(sk_hashed(sk_of(fd)));
	ck_assert(sock_flag(sk_of(fd), SOCK_RCU_FREE));
	ck_assert_ptr_null(group_of(fd));
	xclose(fd);

	/* SO_REUSEPORT set after bind still counts at listen() */
	fd = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(fd, "127.0.0.1", 0));
	set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(sys_listen(fd, 1));
	ck_assert(map_would_take(fd));
	xclose(fd);
}
END_TEST

START_TEST(tcp_group_membership_rules)
{
	int a = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(a), b, c, d;

	/* same port, other address: its own group */
	b = listener(AF_INET, "0.0.0.0", p, 1);
	ck_assert_ptr_ne(group_of(b), group_of(a));
	/* other family: its own group */
	c = mksock(AF_INET6, SOCK_STREAM, 0);
	set_int(c, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(c, SOL_IPV6, IPV6_V6ONLY, 1);
	ck_ok(bind6(c, "::", p));
	ck_ok(sys_listen(c, 1));
	ck_assert_ptr_ne(group_of(c), group_of(b));
	/* same family and address, but one is v6-only: its own group */
	d = listener(AF_INET6, "::", p, 1);
	ck_assert_ptr_ne(group_of(d), group_of(c));
	xclose(a);
	xclose(b);
	xclose(c);
	xclose(d);
}
END_TEST

START_TEST(tcp_connection_state)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(l), c, a;
	struct sock *lsk = sk_of(l), *csk, *ask;

	/* a foreign, copyable sk_user_data is inherited; a NOCOPY one is not */
	write_lock_bh(&lsk->sk_callback_lock);
	WRITE_ONCE(lsk->sk_user_data, (void *)(0x1000UL | SK_USER_DATA_NOCOPY));
	write_unlock_bh(&lsk->sk_callback_lock);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	set_int(c, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(connect4(c, "127.0.0.1", p));
	csk = sk_of(c);
	ck_assert_int_eq(csk->sk_state, TCP_ESTABLISHED);
	ck_assert(sk_hashed(csk));
	ck_assert(!sock_flag(csk, SOCK_RCU_FREE));
	ck_assert_ptr_null(group_of(c));
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ask = sk_of(a);
	ck_assert_int_eq(ask->sk_state, TCP_ESTABLISHED);
	ck_assert(sk_hashed(ask));
	ck_assert_ptr_null(group_of(a));
	ck_assert_ptr_null(ask->sk_user_data);
	ck_assert_int_eq(ask->sk_uid, lsk->sk_uid);
	xclose(a);
	xclose(c);

	write_lock_bh(&lsk->sk_callback_lock);
	WRITE_ONCE(lsk->sk_user_data, (void *)0x2000UL);
	write_unlock_bh(&lsk->sk_callback_lock);
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	a = (int)ck_ok(sys_accept(l, NULL, NULL));
	ck_assert_ptr_eq(sk_of(a)->sk_user_data, (void *)0x2000UL);
	write_lock_bh(&sk_of(a)->sk_callback_lock);
	WRITE_ONCE(sk_of(a)->sk_user_data, NULL);
	write_unlock_bh(&sk_of(a)->sk_callback_lock);
	write_lock_bh(&lsk->sk_callback_lock);
	WRITE_ONCE(lsk->sk_user_data, NULL);
	write_unlock_bh(&lsk->sk_callback_lock);
	xclose(a);
	xclose(c);

	/* a SYN_SENT socket: hashed, not RCU-freed, no group */
	ck_ok(sys_listen(l, 0));
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	a = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	set_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_errno(connect4(a, "127.0.0.1", p), EINPROGRESS);
	ck_assert_int_eq(sk_of(a)->sk_state, TCP_SYN_SENT);
	ck_assert(sk_hashed(sk_of(a)));
	ck_assert(!map_would_take(a));
	xclose(a);
	xclose(c);
	xclose(l);
}
END_TEST

/* What the test program saw, and what it answers. */
struct prog_ctl {
	enum sk_action verdict;
	struct sock *select;
	u32 len;
	u16 dport;
	unsigned int runs;
};

static enum sk_action test_prog(struct sk_reuseport_kern *ctx, void *data)
{
	struct prog_ctl *ctl = data;
	u16 dport;

	memcpy(&dport, (const char *)ctx->skb->data + 2, sizeof(dport));
	ctl->len = ctx->skb->len;
	ctl->dport = ntohs(dport);
	ctl->runs++;
	ctx->selected_sk = ctl->select;
	return ctl->verdict;
}

START_TEST(tcp_group_program_decides)
{
	int l1 = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int l2 = mksock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct prog_ctl ctl = { .verdict = SK_DROP };
	int p, c, a;

	set_int(l1, SOL_SOCKET, SO_REUSEPORT, 1);
	set_int(l2, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(bind4(l1, "127.0.0.1", 0));
	p = port_of(l1);
	ck_ok(bind4(l2, "127.0.0.1", p));
	ck_ok(sys_listen(l1, 8));
	ck_ok(sys_listen(l2, 8));
	ck_assert_int_eq(reuseport_attach_prog(sk_of(l1), bpf_prog_new(test_prog, &ctl)), 0);

	/* the program sees the SYN's TCP header; dropping it refuses the connection */
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c, "127.0.0.1", p), ECONNREFUSED);
	ck_assert_uint_eq(ctl.runs, 1);
	ck_assert_uint_eq(ctl.len, 20);
	ck_assert_uint_eq(ctl.dport, p);
	xclose(c);

	/* a selection is obeyed, every time */
	ctl.verdict = SK_PASS;
	ctl.select = sk_of(l2);
	for (int i = 0; i < 4; i++) {
		c = mksock(AF_INET, SOCK_STREAM, 0);
		ck_ok(connect4(c, "127.0.0.1", p));
		a = (int)ck_ok(sys_accept(l2, NULL, NULL));
		xclose(a);
		xclose(c);
	}
	ck_errno(sys_accept(l1, NULL, NULL), EAGAIN);

	/* pass without a selection: the hash picks */
	ctl.select = NULL;
	c = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c, "127.0.0.1", p));
	xclose(c);
	ck_assert_uint_eq(ctl.runs, 6);
	ck_ok(sys_setsockopt(l1, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &(int){ 0 }, sizeof(int)));
	xclose(l1);
	xclose(l2);
}
END_TEST

START_TEST(tcp_blocking_connect_to_full_queue_times_out)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 0), p = port_of(l), c1, c2;

	ck_ok(sys_listen(l, 0));
	c1 = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(connect4(c1, "127.0.0.1", p));
	/* Linux would wait for retransmissions; the port has none to wait for */
	c2 = mksock(AF_INET, SOCK_STREAM, 0);
	ck_errno(connect4(c2, "127.0.0.1", p), ETIMEDOUT);
	ck_assert_int_eq(sk_of(c2)->sk_state, TCP_CLOSE);
	ck_assert(!sk_hashed(sk_of(c2)));
	xclose(c2);
	xclose(c1);
	xclose(l);
}
END_TEST

START_TEST(port_only_routes_and_binds)
{
	int fd = mksock(AF_INET, SOCK_STREAM, 0), u;

	/* the port routes loopback only */
	ck_errno(connect4(fd, "10.255.255.1", 80), ENETUNREACH);
	xclose(fd);
	u = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_errno(connect4(u, "10.1.1.1", 9), ENETUNREACH);
	xclose(u);
	fd = mksock(AF_INET6, SOCK_STREAM, 0);
	ck_errno(connect6(fd, "2001:db8::1", 80), ENETUNREACH);
	xclose(fd);
	/* an empty accept queue is EAGAIN even for a blocking listener */
	fd = listener(AF_INET, "127.0.0.1", 0, 0);
	ck_errno(sys_accept(fd, NULL, NULL), EAGAIN);
	xclose(fd);
	/* binding raw, UDP-Lite, MPTCP and unix sockets is not modelled */
	fd = mksock(AF_INET, SOCK_RAW, IPPROTO_UDP);
	ck_errno(bind4(fd, "127.0.0.1", 0), EOPNOTSUPP);
	xclose(fd);
	fd = mksock(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	ck_errno(bind4(fd, "127.0.0.1", 0), EOPNOTSUPP);
	ck_errno(sys_listen(fd, 1), EOPNOTSUPP);
	xclose(fd);
}
END_TEST

START_TEST(udp_group_state)
{
	int u1, u2, u3, u4, p;
	struct sock_reuseport *g;

	u1 = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(u1, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_assert(!map_would_take(u1));			/* unbound */
	ck_ok(bind4(u1, "127.0.0.1", 0));
	p = port_of(u1);
	ck_assert(map_would_take(u1));
	g = group_of(u1);
	u2 = udp_bound(AF_INET, "127.0.0.1", p, 1);
	ck_assert_ptr_eq(group_of(u2), g);
	ck_assert_uint_eq(g->num_socks, 2);
	/* other address or family: other group */
	u3 = udp_bound(AF_INET, "0.0.0.0", p, 1);
	ck_assert_ptr_ne(group_of(u3), g);
	u4 = udp_bound(AF_INET6, "::", p, 1);
	ck_assert_ptr_ne(group_of(u4), g);
	ck_assert_ptr_ne(group_of(u4), group_of(u3));
	/* SO_REUSEPORT off afterwards changes nothing */
	set_int(u2, SOL_SOCKET, SO_REUSEPORT, 0);
	ck_assert_ptr_eq(group_of(u2), g);
	xclose(u2);
	ck_assert_uint_eq(g->num_socks, 1);
	xclose(u1);
	xclose(u3);
	xclose(u4);

	/* bound without SO_REUSEPORT, or with it set only later: no group */
	u1 = udp_bound(AF_INET, "127.0.0.1", 0, 0);
	ck_assert(sk_hashed(sk_of(u1)));
	ck_assert(sock_flag(sk_of(u1), SOCK_RCU_FREE));
	set_int(u1, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_assert_ptr_null(group_of(u1));
	xclose(u1);
}
END_TEST

START_TEST(udp_connect_leaves_group)
{
	int u, w, peer = udp_bound(AF_INET, "127.0.0.1", 0, 0), p = port_of(peer);

	u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	ck_assert(map_would_take(u));
	ck_ok(connect4(u, "127.0.0.1", p));
	ck_assert(sk_hashed(sk_of(u)));
	ck_assert_ptr_null(group_of(u));
	ck_assert_int_eq(sk_of(u)->sk_state, TCP_ESTABLISHED);
	ck_ok(connect_unspec(u));
	ck_assert_ptr_null(group_of(u));		/* for good */
	ck_assert_int_eq(sk_of(u)->sk_state, TCP_CLOSE);
	xclose(u);

	w = udp_bound(AF_INET, "0.0.0.0", 0, 1);
	ck_assert(map_would_take(w));
	ck_ok(connect4(w, "127.0.0.1", p));
	ck_assert_ptr_null(group_of(w));
	ck_name(w, "127.0.0.1", -1);
	xclose(w);

	/* bound by connect() itself: in a group for a moment, then out */
	w = mksock(AF_INET, SOCK_DGRAM, 0);
	set_int(w, SOL_SOCKET, SO_REUSEPORT, 1);
	ck_ok(connect4(w, "127.0.0.1", p));
	ck_assert(sk_hashed(sk_of(w)));
	ck_assert_ptr_null(group_of(w));
	xclose(w);

	w = udp_bound(AF_INET6, "::1", 0, 1);
	ck_ok(connect6(w, "::1", p));
	ck_assert_ptr_null(group_of(w));
	xclose(w);
	xclose(peer);
}
END_TEST

START_TEST(sk_user_data_readers)
{
	int fd = mksock(AF_INET, SOCK_DGRAM, 0);
	struct sock *sk = sk_of(fd);
	uintptr_t tagged = 0x4000UL | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF;

	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_user_data, (void *)tagged);
	ck_assert_ptr_eq(__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_BPF), (void *)0x4000UL);
	ck_assert_ptr_eq(__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_BPF | SK_USER_DATA_NOCOPY),
			 (void *)0x4000UL);
	ck_assert_ptr_null(__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_PSOCK));
	ck_assert_ptr_eq(__locked_read_sk_user_data_with_flags(sk, 0), (void *)0x4000UL);
	write_unlock_bh(&sk->sk_callback_lock);

	rcu_read_lock();
	ck_assert_ptr_eq(__rcu_dereference_sk_user_data_with_flags(sk, SK_USER_DATA_BPF), (void *)0x4000UL);
	ck_assert_ptr_null(__rcu_dereference_sk_user_data_with_flags(sk, SK_USER_DATA_PSOCK));
	rcu_read_unlock();

	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_user_data, NULL);
	ck_assert_ptr_null(__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_BPF));
	write_unlock_bh(&sk->sk_callback_lock);
	ck_assert(sk_is_inet(sk));
	ck_assert(!sk_is_inet(sk_of(mksock(AF_UNIX, SOCK_DGRAM, 0))));
	ck_assert_uint_ne(__sock_gen_cookie(sk), 0);
	ck_assert_uint_eq(__sock_gen_cookie(sk), sock_gen_cookie(sk));
	xclose(fd);
}
END_TEST

#ifndef NDEBUG
START_TEST(sk_user_data_read_without_lock_aborts)
{
	int fd = mksock(AF_INET, SOCK_DGRAM, 0);

	__locked_read_sk_user_data_with_flags(sk_of(fd), SK_USER_DATA_BPF);
}
END_TEST

START_TEST(sk_user_data_rcu_read_outside_rcu_aborts)
{
	int fd = mksock(AF_INET, SOCK_DGRAM, 0);

	__rcu_dereference_sk_user_data_with_flags(sk_of(fd), SK_USER_DATA_BPF);
}
END_TEST

START_TEST(sk_user_data_bad_flags_abort)
{
	int fd = mksock(AF_INET, SOCK_DGRAM, 0);
	struct sock *sk = sk_of(fd);

	write_lock_bh(&sk->sk_callback_lock);
	__locked_read_sk_user_data_with_flags(sk, 0x1000);
}
END_TEST
#endif

START_TEST(listener_close_frees_children)
{
	int l = listener(AF_INET, "127.0.0.1", 0, 1), p = port_of(l), c[4];
	struct sock *csk;

	for (int i = 0; i < 4; i++) {
		c[i] = mksock(AF_INET, SOCK_STREAM, 0);
		ck_ok(connect4(c[i], "127.0.0.1", p));
	}
	xclose(l);	/* four children never accepted: reset and freed (ASan checks) */
	/* the clients are independent objects in the port */
	csk = sk_of(c[0]);
	ck_assert_int_eq(csk->sk_state, TCP_ESTABLISHED);
	for (int i = 0; i < 4; i++)
		xclose(c[i]);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
	/* every port is free again */
	l = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(l, "127.0.0.1", p));
	xclose(l);
}
END_TEST

/* ------------------------------------------------------------ port-only: concurrency */

struct race_arg {
	int port;
	int iterations;
	unsigned long long cookies[64];
};

static void *udp_group_churn(void *p)
{
	struct race_arg *ra = p;

	for (int i = 0; i < ra->iterations; i++) {
		int fd = sys_socket(AF_INET, SOCK_DGRAM, 0), one = 1;
		unsigned long long cookie;
		socklen_t len = sizeof(cookie);

		if (fd < 0)
			return "socket";
		sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind4(fd, "127.0.0.1", ra->port))
			return "bind";
		if (sys_getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) || !cookie)
			return "cookie";
		if (i & 1)
			sys_connect(fd, (struct sockaddr *)&(struct sockaddr_in){
				.sin_family = AF_INET, .sin_port = htons(9),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(struct sockaddr_in));
		if (sys_close(fd))
			return "close";
	}
	return NULL;
}

static void *tcp_group_churn(void *p)
{
	struct race_arg *ra = p;

	for (int i = 0; i < ra->iterations; i++) {
		int fd = sys_socket(AF_INET, SOCK_STREAM, 0), one = 1;

		if (fd < 0)
			return "socket";
		sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind4(fd, "127.0.0.1", ra->port) || sys_listen(fd, 4))
			return "bind/listen";
		if (i % 3 == 1)
			sys_shutdown(fd, SHUT_RD);
		else if (i % 3 == 2)
			connect_unspec(fd);
		if (sys_close(fd))
			return "close";
	}
	return NULL;
}

static void *tcp_client_churn(void *p)
{
	struct race_arg *ra = p;

	for (int i = 0; i < ra->iterations; i++) {
		int fd = sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			return "socket";
		/* any answer will do: who listens changes all the time */
		connect4(fd, "127.0.0.1", ra->port);
		if (sys_close(fd))
			return "close";
	}
	return NULL;
}

START_TEST(concurrent_binds_connects_closes)
{
	pthread_t t[6];
	struct race_arg udp = { .iterations = 300 }, tcp = { .iterations = 300 };
	int a = udp_bound(AF_INET, "127.0.0.1", 0, 1), l = listener(AF_INET, "127.0.0.1", 0, 1);
	void *res;

	udp.port = port_of(a);
	tcp.port = port_of(l);
	xclose(a);
	xclose(l);
	ck_assert_int_eq(pthread_create(&t[0], NULL, udp_group_churn, &udp), 0);
	ck_assert_int_eq(pthread_create(&t[1], NULL, udp_group_churn, &udp), 0);
	ck_assert_int_eq(pthread_create(&t[2], NULL, tcp_group_churn, &tcp), 0);
	ck_assert_int_eq(pthread_create(&t[3], NULL, tcp_group_churn, &tcp), 0);
	ck_assert_int_eq(pthread_create(&t[4], NULL, tcp_client_churn, &tcp), 0);
	ck_assert_int_eq(pthread_create(&t[5], NULL, tcp_client_churn, &tcp), 0);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_msg(!res, "thread %d: %s failed", i, (char *)res);
	}
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
	/* everything closed: both ports are free for a socket without flags */
	a = mksock(AF_INET, SOCK_DGRAM, 0);
	ck_ok(bind4(a, "127.0.0.1", udp.port));
	xclose(a);
	l = mksock(AF_INET, SOCK_STREAM, 0);
	ck_ok(bind4(l, "127.0.0.1", tcp.port));
	xclose(l);
}
END_TEST

static void *cookie_taker(void *p)
{
	struct race_arg *ra = p;

	for (int i = 0; i < 64; i++) {
		int fd = sys_socket(AF_UNIX, SOCK_DGRAM, 0);
		socklen_t len = sizeof(ra->cookies[i]);

		if (fd < 0 || sys_getsockopt(fd, SOL_SOCKET, SO_COOKIE, &ra->cookies[i], &len))
			return "cookie";
		sys_close(fd);
	}
	return NULL;
}

START_TEST(cookies_are_unique_across_threads)
{
	static struct race_arg ra[4];
	pthread_t t[4];
	void *res;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, cookie_taker, &ra[i]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_ptr_null(res);
	}
	for (int i = 0; i < 4 * 64; i++) {
		unsigned long long c = ra[i / 64].cookies[i % 64];

		ck_assert_uint_ne(c, 0);
		for (int j = i + 1; j < 4 * 64; j++)
			ck_assert_uint_ne(c, ra[j / 64].cookies[j % 64]);
	}
}
END_TEST
#endif /* !SOCKETS_BACKEND_KERNEL */

/* ------------------------------------------------------------ suite */

/**
 * The socket layer's test suite.
 * @return the suite
 */
Suite *sockets_suite(void)
{
	Suite *s = suite_create("sockets");
	TCase *tc;

	tc = tcase_create("socket");
	tcase_add_test(tc, socket_type_flags_and_ranges);
	tcase_add_test(tc, socket_inet_protocols);
	tcase_add_test(tc, socket_kinds_the_map_reads);
	tcase_add_test(tc, socket_other_families_errors);
	tcase_add_test(tc, socket_ping_needs_group);
	tcase_add_test(tc, socket_raw_and_packet_need_cap_net_raw);
	tcase_add_test(tc, socket_raw_is_bound_to_its_protocol);
	tcase_add_test(tc, calls_on_bad_descriptors);
	tcase_add_test(tc, dup_keeps_the_socket);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_add_test(tc, setsockopt_sol_socket_errors);
	tcase_add_test(tc, reuseaddr_and_reuseport_values);
	tcase_add_test(tc, reuseport_only_for_inet);
	tcase_add_test(tc, getsockopt_sol_socket_lengths);
	tcase_add_test(tc, so_cookie);
	tcase_add_test(tc, so_acceptconn_follows_listen);
	tcase_add_test(tc, reuseport_bpf_options);
	tcase_add_test(tc, ipv6_v6only);
	tcase_add_test(tc, protocol_levels);
	tcase_add_test(tc, protocol_levels_of_other_families);
	suite_add_tcase(s, tc);

	tc = tcase_create("bind");
	tcase_add_test(tc, bind4_lengths_and_families);
	tcase_add_test(tc, bind4_addresses);
	tcase_add_test(tc, bind4_twice);
	tcase_add_test(tc, bind_privileged_port);
	tcase_add_test(tc, bind6_addresses);
	tcase_add_test(tc, bind_port_zero_uses_local_port_range);
	tcase_add_test(tc, getsockname_lengths);
	tcase_add_test(tc, getsockname_other_families);
	tcase_add_test(tc, tcp_bind_conflicts);
	tcase_add_test(tc, tcp_bind_conflicts_v6_wildcards);
	tcase_add_test(tc, tcp_reuseaddr_until_listen);
	tcase_add_test(tc, tcp_reuseport_shares);
	tcase_add_test(tc, reuseport_needs_same_owner);
	tcase_add_test(tc, reuseport_other_owner_and_listener);
	tcase_add_test(tc, udp_bind_conflicts);
	suite_add_tcase(s, tc);

	/* exercise "bind_conflict": the rule of inet_bind_conflict() */
	tc = tcase_create("join_rules");
	tcase_set_tags(tc, "exercise");
	tcase_add_test(tc, join_needs_reuseport_on_both);
	tcase_add_test(tc, join_bound_sockets_share_before_listen);
	tcase_add_test(tc, join_needs_the_same_owner);
	tcase_add_test(tc, join_wildcard_and_specific_addresses);
	tcase_add_test(tc, join_reuseaddr_only_until_listen);
	tcase_add_test(tc, join_automatic_ports_are_not_shared);
#ifndef SOCKETS_BACKEND_KERNEL
	tcase_add_test(tc, join_refused_to_a_socket_with_a_group);
#endif
	suite_add_tcase(s, tc);

#ifndef SOCKETS_BACKEND_KERNEL
	tc = tcase_create("udp_join");
	tcase_add_test(tc, udp_join_refused_to_a_socket_with_a_group);
	suite_add_tcase(s, tc);
#endif

	tc = tcase_create("connections");
	tcase_add_test(tc, listen_basics);
	tcase_add_test(tc, listener_disconnect_keeps_bound_port);
	tcase_add_test(tc, listener_disconnect_shows_old_port);
	tcase_add_test(tc, connect_and_accept);
	tcase_add_test(tc, connect_nonblocking);
	tcase_add_test(tc, connect_refused);
	tcase_add_test(tc, connect_full_backlog);
	tcase_add_test(tc, connect_argument_errors);
	tcase_add_test(tc, connect_addresses);
	tcase_add_test(tc, connect_across_families);
	tcase_add_test(tc, connect6_errors);
	tcase_add_test(tc, reuseport_spreads_connections);
	tcase_add_test(tc, accept_errors);
	tcase_add_test(tc, shutdown_tcp);
	tcase_add_test(tc, shutdown_udp_and_others);
	tcase_add_test(tc, udp_connect_addresses);
	tcase_add_test(tc, udp6_connect_addresses);
	tcase_add_test(tc, other_families_calls);
	suite_add_tcase(s, tc);

#ifndef SOCKETS_BACKEND_KERNEL
	tc = tcase_create("port_internals");
	tcase_add_test(tc, tcp_listener_state);
	tcase_add_test(tc, tcp_group_membership_rules);
	tcase_add_test(tc, tcp_connection_state);
	tcase_add_test(tc, tcp_group_program_decides);
	tcase_add_test(tc, tcp_blocking_connect_to_full_queue_times_out);
	tcase_add_test(tc, port_only_routes_and_binds);
	tcase_add_test(tc, udp_group_state);
	tcase_add_test(tc, udp_connect_leaves_group);
	tcase_add_test(tc, sk_user_data_readers);
#ifndef NDEBUG
	tcase_add_test_raise_signal(tc, sk_user_data_read_without_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, sk_user_data_rcu_read_outside_rcu_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, sk_user_data_bad_flags_abort, SIGABRT);
#endif
	tcase_add_test(tc, listener_close_frees_children);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, concurrent_binds_connects_closes);
	tcase_add_test(tc, cookies_are_unique_across_threads);
	suite_add_tcase(s, tc);
#endif
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sockets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
