/**
 * @file sock.c
 * @brief Generic socket code: allocation, references, the socket lock,
 *        cookies, sk_user_data readers and the SOL_SOCKET options.
 *        Port of parts of net/core/sock.c and net/core/sock_diag.c,
 *        Linux 6.18.
 *
 * A socket's memory is freed when its last reference goes.  A socket that
 * RCU readers can reach without a reference (one in a reuseport group or a
 * reuseport array: SOCK_RCU_FREE) is freed only after a grace period, and
 * its locks stay valid until then.
 *
 * SOL_SOCKET options modelled: SO_REUSEADDR, SO_REUSEPORT,
 * SO_DETACH_REUSEPORT_BPF, SO_ATTACH_REUSEPORT_EBPF (with a descriptor from
 * sockarray_prog_load()), and, read-only, SO_TYPE,
 * SO_PROTOCOL, SO_DOMAIN, SO_ACCEPTCONN, SO_ERROR and SO_COOKIE.  Every
 * other option answers ENOPROTOOPT, also those Linux accepts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kern/err.h"
#include "kern/file.h"
#include "kern/filter.h"
#include "kern/inet_sock.h"
#include "kern/sock_reuseport.h"
#include "kern/uaccess.h"

/* Where each net_sysctl lives, below /proc/sys. */
static const char *const net_sysctl_path[NET_SYSCTL_MAX] = {
	[NET_SYSCTL_IP_LOCAL_PORT_RANGE] = "/proc/sys/net/ipv4/ip_local_port_range",
	[NET_SYSCTL_IP_UNPRIVILEGED_PORT_START] = "/proc/sys/net/ipv4/ip_unprivileged_port_start",
	[NET_SYSCTL_PING_GROUP_RANGE] = "/proc/sys/net/ipv4/ping_group_range",
	[NET_SYSCTL_SOMAXCONN] = "/proc/sys/net/core/somaxconn",
	[NET_SYSCTL_BINDV6ONLY] = "/proc/sys/net/ipv6/bindv6only",
	[NET_SYSCTL_MPTCP_ENABLED] = "/proc/sys/net/mptcp/enabled",
	[NET_SYSCTL_RMEM_DEFAULT] = "/proc/sys/net/core/rmem_default",
};

/* Their descriptors, opened before main() runs; -1 if missing. */
static int net_sysctl_fd[NET_SYSCTL_MAX];

__attribute__((constructor))
static void net_sysctl_open(void)
{
	for (int i = 0; i < NET_SYSCTL_MAX; i++)
		net_sysctl_fd[i] = open(net_sysctl_path[i], O_RDONLY | O_CLOEXEC);
}

/**
 * Read the current value(s) of one of the live kernel's sysctls.
 * @param which the sysctl
 * @param vals where up to @p n integers go
 * @param n how many the caller wants
 * @return how many were read (0 if the file is missing: keep defaults)
 */
int net_sysctl_read(enum net_sysctl which, long *vals, int n)
{
	char buf[128], *p, *end;
	ssize_t len;
	int i;

	if (net_sysctl_fd[which] < 0)
		return 0;
	len = pread(net_sysctl_fd[which], buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (i = 0, p = buf; i < n; i++, p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		vals[i] = v;
	}
	return i;
}

/**
 * Allocate a socket (port of sk_alloc()).
 *
 * @param family AF_*
 * @param type SOCK_*
 * @param protocol the protocol number the socket reports
 * @param prot its protocol operations
 * @param size bytes to allocate: the structure that embeds struct sock
 *        first (struct inet_sock for inet sockets)
 * @return the socket with one reference, or NULL when out of memory
 */
struct sock *sk_alloc(int family, int type, int protocol, const struct proto *prot, size_t size)
{
	struct sock *sk;

	if (size < sizeof(*sk))
		size = sizeof(*sk);
	sk = calloc(1, size);
	if (!sk)
		return NULL;
	sk->sk_family = (unsigned short)family;
	sk->sk_type = (u16)type;
	sk->sk_protocol = (u16)protocol;
	sk->sk_prot = prot;
	sk->sk_uid = geteuid();
	sk->sk_state = TCP_CLOSE;
	refcount_set(&sk->sk_refcnt, 1);
	rwlock_init(&sk->sk_callback_lock);
	spin_lock_init(&sk->sk_lock);
	return sk;
}

/**
 * Connect a new struct sock to its struct socket (port of sock_init_data()).
 * @param sock the file side, or NULL for a socket without one (a child)
 * @param sk the network side
 */
void sock_init_data(struct socket *sock, struct sock *sk)
{
	sk->sk_state = TCP_CLOSE;
	sk->sk_incoming_cpu = -1;
	sk->sk_socket = sock;
	if (sock)
		sock->sk = sk;
}

/**
 * Take a reference (port of sock_hold()).
 * @param sk a socket the caller already holds a reference on
 */
void sock_hold(struct sock *sk)
{
	refcount_inc(&sk->sk_refcnt);
}

/*
 * Port of __sk_destruct(): runs when no reader can see the socket any more,
 * at once or after a grace period.
 */
static void __sk_destruct(struct rcu_head *head)
{
	struct sock *sk = container_of(head, struct sock, sk_rcu);

	if (sk->sk_prot && sk->sk_prot->destroy)
		sk->sk_prot->destroy(sk);
	rwlock_destroy(&sk->sk_callback_lock);
	spin_lock_destroy(&sk->sk_lock);
	free(sk);
}

/*
 * Port of sk_destruct(): a socket still in a reuseport group (a listener
 * parked in its group's closed section by tcp_migrate_req) leaves it now,
 * and since group readers may still see it, it is freed after a grace period.
 */
static void sk_destruct(struct sock *sk)
{
	bool use_call_rcu = sock_flag(sk, SOCK_RCU_FREE);

	if (rcu_access_pointer(sk->sk_reuseport_cb)) {
		reuseport_detach_sock(sk);
		use_call_rcu = true;
	}

	if (use_call_rcu)
		call_rcu(&sk->sk_rcu, __sk_destruct);
	else
		__sk_destruct(&sk->sk_rcu);
}

/**
 * Drop a reference; the last one frees the socket (port of sock_put()).
 * The caller must not hold reuseport_lock.
 * @param sk the socket
 */
void sock_put(struct sock *sk)
{
	if (refcount_dec_and_test(&sk->sk_refcnt))
		sk_destruct(sk);
}

/**
 * Take the process-context socket lock (port of lock_sock()).
 * @param sk the socket
 */
void lock_sock(struct sock *sk)
{
	spin_lock(&sk->sk_lock);
}

/**
 * Release the socket lock (port of release_sock()).
 * @param sk the socket
 */
void release_sock(struct sock *sk)
{
	spin_unlock(&sk->sk_lock);
}

/**
 * The socket has lost its struct socket: mark it dead (port of sock_orphan()).
 * @param sk the socket, locked
 */
void sock_orphan(struct sock *sk)
{
	sock_set_flag(sk, SOCK_DEAD);
	WRITE_ONCE(sk->sk_socket, NULL);
}

/*
 * Report and clear the pending error (port of sock_error()).
 * @param sk the socket
 * @return 0, or the pending error as a negative errno
 */
int sock_error(struct sock *sk)
{
	int err;

	if (!sk_is_inet(sk))
		return 0;
	if (likely(!__atomic_load_n(&inet_sk(sk)->sk_err, __ATOMIC_RELAXED)))
		return 0;
	err = __atomic_exchange_n(&inet_sk(sk)->sk_err, 0, __ATOMIC_RELAXED);
	return -err;
}

/* Source of cookies: the kernel hands them out from per-CPU batches of one
 * global counter; a single counter gives the same guarantees. */
static u64 sock_cookie_next = 1;

/* [book:sock_gen_cookie] */
/*
 * The socket's cookie, given on first use (port of __sock_gen_cookie(),
 * net/core/sock_diag.c).  Two racing first callers agree: the
 * compare-and-swap lets only one value in.
 * @param sk the socket
 * @return its cookie, never 0
 */
u64 __sock_gen_cookie(struct sock *sk)
{
	u64 res = __atomic_load_n(&sk->sk_cookie, __ATOMIC_RELAXED);

	if (!res) {
		u64 new = __atomic_fetch_add(&sock_cookie_next, 1, __ATOMIC_RELAXED);

		__atomic_compare_exchange_n(&sk->sk_cookie, &res, new, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		res = __atomic_load_n(&sk->sk_cookie, __ATOMIC_RELAXED);
	}
	return res;
}
/* [/book:sock_gen_cookie] */

/*
 * Is @p sk an IPv4 or IPv6 socket? (port of sk_is_inet(), include/net/sock.h)
 * @param sk the socket
 * @return true for AF_INET and AF_INET6
 */
bool sk_is_inet(const struct sock *sk)
{
	return sk->sk_family == AF_INET || sk->sk_family == AF_INET6;
}

/* [exercise:sk_user_data] */
/* [book:check_flags] */
/*
 * Abort on a flags argument that is not made of tag bits only.  The kernel
 * warns (WARN_ON_ONCE()) and carries on; such a caller has mixed a pointer
 * into the test, so in the port's debug builds it is a bug worth stopping.
 */
static void sk_user_data_check_flags(uintptr_t flags)
{
#ifndef NDEBUG
	if (flags & SK_USER_DATA_PTRMASK) {
		fprintf(stderr, "sk_user_data: flags %#lx has non-tag bits\n",
			(unsigned long)flags);
		abort();
	}
#else
	(void)flags;
#endif
}
/* [/book:check_flags] */

/* [book:is_nocopy] */
/*
 * Must sk_user_data stay behind when @p sk is cloned?  Port of
 * sk_user_data_is_nocopy(), a static inline of include/net/sock.h; a
 * function here so that the exercise can replace it.  Bit 0 decides it,
 * whoever owns the rest of the value.
 */
bool sk_user_data_is_nocopy(const struct sock *sk)
{
	return (uintptr_t)READ_ONCE(sk->sk_user_data) & SK_USER_DATA_NOCOPY;
}
/* [/book:is_nocopy] */

/* [book:locked_read] */
/*
 * Port of __locked_read_sk_user_data_with_flags(), include/net/sock.h
 * (documented in kern/sock.h): sk_user_data without its tag bits if every
 * bit of @p flags is set in it, else NULL.  The caller holds
 * sk_callback_lock, which keeps the value from changing; as with the
 * kernel's rcu_dereference_check(), being inside rcu_read_lock() also
 * passes the check.  Debug builds abort when neither holds.
 */
void *__locked_read_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags)
{
	uintptr_t sk_user_data;

	RCU_LOCKDEP_CHECK(lockdep_is_held(&sk->sk_callback_lock) || rcu_read_lock_held(),
			  "sk_user_data read without sk_callback_lock");
	sk_user_data = (uintptr_t)READ_ONCE(sk->sk_user_data);
	sk_user_data_check_flags(flags);

	if ((sk_user_data & flags) == flags)
		return (void *)(sk_user_data & SK_USER_DATA_PTRMASK);
	return NULL;
}
/* [/book:locked_read] */

/* [book:rcu_read] */
/*
 * Port of __rcu_dereference_sk_user_data_with_flags(), include/net/sock.h:
 * the same answer, for a reader inside rcu_read_lock() that holds no lock
 * (debug builds abort outside one).  The acquire load orders it before the
 * reads made through the pointer it returns; the kernel's rcu_dereference()
 * gets that from the address dependency.
 */
void *__rcu_dereference_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags)
{
	uintptr_t sk_user_data;

	RCU_LOCKDEP_CHECK(rcu_read_lock_held(),
			  "sk_user_data RCU read outside rcu_read_lock()");
	sk_user_data = (uintptr_t)__atomic_load_n(&sk->sk_user_data, __ATOMIC_ACQUIRE);
	sk_user_data_check_flags(flags);

	if ((sk_user_data & flags) == flags)
		return (void *)(sk_user_data & SK_USER_DATA_PTRMASK);
	return NULL;
}
/* [/book:rcu_read] */
/* [/exercise:sk_user_data] */

/* [book:attach_bpf] */
/*
 * Port of sk_reuseport_attach_bpf(), net/core/filter.c.  The descriptor
 * must name a program (EBADF: not open; EINVAL: open but not an
 * SK_REUSEPORT program, which is also what a classic or SOCKET_FILTER
 * program gets from the port, since it has none), and the socket must be a
 * TCP or UDP inet socket (else the kernel's internal ENOTSUPP, 524).  The
 * group takes over the reference bpf_prog_get_type() returned.
 */
static int sk_reuseport_attach_bpf(u32 ufd, struct sock *sk)
{
	struct bpf_prog *prog;
	int err;

	prog = bpf_prog_get_type((int)ufd, BPF_PROG_TYPE_SK_REUSEPORT);
	if (IS_ERR(prog))
		return PTR_ERR(prog);

	if ((sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DGRAM) ||
	    (sk->sk_protocol != IPPROTO_UDP && sk->sk_protocol != IPPROTO_TCP) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		err = -ENOTSUPP;
		goto err_prog_put;
	}

	err = reuseport_attach_prog(sk, prog);
err_prog_put:
	if (err)
		bpf_prog_put(prog);
	return err;
}
/* [/book:attach_bpf] */

/**
 * setsockopt() at SOL_SOCKET (port of sk_setsockopt()).
 *
 * As in Linux, every option takes an int: a shorter optlen is EINVAL and an
 * unreadable value EFAULT, before the option name is even looked at.
 *
 * @param sock the socket
 * @param level SOL_SOCKET
 * @param optname SO_*
 * @param optval user pointer to the value
 * @param optlen its length (never negative here: the caller checks)
 * @return 0 or a negative errno
 */
int sock_setsockopt(struct socket *sock, int level, int optname,
		    const void *optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val, valbool, ret = 0;

	(void)level;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_user(&val, optval, sizeof(val)))
		return -EFAULT;
	valbool = val ? 1 : 0;

	lock_sock(sk);
	switch (optname) {
	case SO_REUSEADDR:
		WRITE_ONCE(sk->sk_reuse, valbool ? SK_CAN_REUSE : SK_NO_REUSE);
		break;
	case SO_REUSEPORT:
		/* Only inet sockets have port groups (6.18; older kernels let any family set it). */
		if (valbool && !sk_is_inet(sk))
			ret = -EOPNOTSUPP;
		else
			WRITE_ONCE(sk->sk_reuseport, (u8)valbool);
		break;
	case SO_ATTACH_REUSEPORT_EBPF:
		ret = -EINVAL;
		if (optlen == sizeof(u32))
			ret = sk_reuseport_attach_bpf((u32)val, sk);
		break;
	case SO_DETACH_REUSEPORT_BPF:
		ret = reuseport_detach_prog(sk);
		break;
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	default:
		/* read-only, or not modelled */
		ret = -ENOPROTOOPT;
		break;
	}
	release_sock(sk);
	return ret;
}

/**
 * getsockopt() at SOL_SOCKET (port of sk_getsockopt()).
 *
 * An int option is truncated to the caller's length (even 0 bytes) rather
 * than refused; *optlen becomes the number of bytes written.
 *
 * @param sock the socket
 * @param level SOL_SOCKET
 * @param optname SO_*
 * @param optval user pointer for the value
 * @param optlen user pointer: room at @p optval in, bytes written out
 * @return 0 or a negative errno
 */
int sock_getsockopt(struct socket *sock, int level, int optname,
		    void *optval, int *optlen)
{
	struct sock *sk = sock->sk;
	union {
		int val;
		u64 val64;
	} v;
	int lv = sizeof(int);
	int len;

	(void)level;
	if (copy_from_user(&len, optlen, sizeof(int)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	memset(&v, 0, sizeof(v));
	switch (optname) {
	case SO_REUSEADDR:
		v.val = READ_ONCE(sk->sk_reuse);
		break;
	case SO_REUSEPORT:
		v.val = READ_ONCE(sk->sk_reuseport);
		break;
	case SO_TYPE:
		v.val = sk->sk_type;
		break;
	case SO_PROTOCOL:
		v.val = sk->sk_protocol;
		break;
	case SO_DOMAIN:
		v.val = sk->sk_family;
		break;
	case SO_ACCEPTCONN:
		v.val = READ_ONCE(sk->sk_state) == TCP_LISTEN;
		break;
	case SO_ERROR:
		v.val = -sock_error(sk);
		break;
	case SO_COOKIE:
		lv = sizeof(u64);
		if (len < lv)
			return -EINVAL;
		v.val64 = sock_gen_cookie(sk);
		break;
	default:
		return -ENOPROTOOPT;
	}

	if (len > lv)
		len = lv;
	if (copy_to_user(optval, &v, (unsigned long)len))
		return -EFAULT;
	if (copy_to_user(optlen, &len, sizeof(int)))
		return -EFAULT;
	return 0;
}

/**
 * bind() of a family that has none (port of sock_no_bind()).
 * @param sock unused
 * @param addr unused
 * @param len unused
 * @return -EOPNOTSUPP
 */
int sock_no_bind(struct socket *sock, const struct sockaddr *addr, int len)
{
	return -EOPNOTSUPP;
}

/**
 * connect() of a family that has none (port of sock_no_connect()).
 * @param sock unused
 * @param addr unused
 * @param len unused
 * @param flags unused
 * @return -EOPNOTSUPP
 */
int sock_no_connect(struct socket *sock, const struct sockaddr *addr, int len, int flags)
{
	return -EOPNOTSUPP;
}

/**
 * accept() of a socket type that has none (port of sock_no_accept()).
 * @param sock unused
 * @param newsock unused
 * @param flags unused
 * @return -EOPNOTSUPP
 */
int sock_no_accept(struct socket *sock, struct socket *newsock, int flags)
{
	return -EOPNOTSUPP;
}

/**
 * listen() of a socket type that has none (port of sock_no_listen()).
 * @param sock unused
 * @param backlog unused
 * @return -EOPNOTSUPP
 */
int sock_no_listen(struct socket *sock, int backlog)
{
	return -EOPNOTSUPP;
}

/**
 * shutdown() of a family that has none (port of sock_no_shutdown()).
 * @param sock unused
 * @param how unused
 * @return -EOPNOTSUPP
 */
int sock_no_shutdown(struct socket *sock, int how)
{
	return -EOPNOTSUPP;
}

/**
 * getsockname() of a family the port does not model.
 * @param sock unused
 * @param addr unused
 * @param peer unused
 * @return -EOPNOTSUPP
 */
int sock_no_getname(struct socket *sock, struct sockaddr *addr, int peer)
{
	return -EOPNOTSUPP;
}
