/**
 * @file raw.c
 * @brief The inet sockets the port creates but does not run: raw (IPv4 and
 *        IPv6), ping (ICMP datagram), UDP-Lite and MPTCP.  Stands in for
 *        net/ipv4/raw.c, net/ipv6/raw.c, net/ipv4/ping.c, net/ipv4/udplite.c
 *        and net/mptcp/protocol.c, Linux 6.18.
 *
 * They exist so that a reuseport array can be shown one and refuse it
 * (it reads their sk_family, sk_type and sk_protocol).  Creation follows
 * Linux: raw sockets need CAP_NET_RAW and are bound to their protocol
 * number (getsockname() shows it as the port) and hashed at once; ping
 * sockets are allowed only to the groups in net.ipv4.ping_group_range
 * (none by default: EACCES); MPTCP sockets need net.mptcp.enabled.
 *
 * Modelled on them: SOL_SOCKET options, getsockname(), shutdown()
 * (ENOTCONN, as they never connect), IPV6_V6ONLY on the IPv6 ones, and the
 * EOPNOTSUPP that Linux gives for listen()/accept() on raw, ping and
 * UDP-Lite sockets.  Not modelled, answering EOPNOTSUPP: bind() and
 * connect() of all of them, and everything of MPTCP beyond creation and
 * SOL_SOCKET (Linux would let it bind, listen and accept).
 */
#include <errno.h>
#include <unistd.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/inet_sock.h"

/** The raw option level (include/linux/socket.h). */
#define SOL_RAW		255

/* Port of raw_close() / sk_common_release(): out of the raw table, and gone. */
static void inet_inert_close(struct sock *sk)
{
	lock_sock(sk);
	WRITE_ONCE(sk->sk_hashed_flag, false);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

/* Port of raw_setsockopt(): SOL_RAW options are not modelled; others go to IP. */
static int raw_setsockopt(struct sock *sk, int level, int optname,
			  const void *optval, unsigned int optlen)
{
	if (level == SOL_RAW)
		return -ENOPROTOOPT;
	return ip_setsockopt(sk, level, optname, optval, optlen);
}

/* Port of raw_getsockopt(). */
static int raw_getsockopt(struct sock *sk, int level, int optname,
			  void *optval, int *optlen)
{
	if (level == SOL_RAW)
		return -ENOPROTOOPT;
	return ip_getsockopt(sk, level, optname, optval, optlen);
}

/* Port of rawv6_setsockopt(): IPV6_V6ONLY reaches ipv6_setsockopt(), which
 * refuses it (a raw socket always has a "port"). */
static int rawv6_setsockopt(struct sock *sk, int level, int optname,
			    const void *optval, unsigned int optlen)
{
	if (level == SOL_RAW)
		return -ENOPROTOOPT;
	return ipv6_setsockopt(sk, level, optname, optval, optlen);
}

/* Port of rawv6_getsockopt(). */
static int rawv6_getsockopt(struct sock *sk, int level, int optname,
			    void *optval, int *optlen)
{
	if (level == SOL_RAW)
		return -ENOPROTOOPT;
	return ipv6_getsockopt(sk, level, optname, optval, optlen);
}

/* Is @gid in net.ipv4.ping_group_range? */
static bool ping_group_allowed(gid_t gid, long low, long high)
{
	return (long)gid >= low && (long)gid <= high;
}

/*
 * Port of ping_init_sock(): only members (effective or supplementary) of
 * the groups in net.ipv4.ping_group_range may open ping sockets.  The
 * default range "1 0" is empty.
 */
static int ping_init_sock(struct sock *sk)
{
	long range[2] = { 1, 0 };
	gid_t groups[256];
	int n, i;

	if (net_sysctl_read(NET_SYSCTL_PING_GROUP_RANGE, range, 2) != 2) {
		range[0] = 1;
		range[1] = 0;
	}
	if (ping_group_allowed(getegid(), range[0], range[1]))
		return 0;
	n = getgroups((int)ARRAY_SIZE(groups), groups);
	for (i = 0; i < n; i++)
		if (ping_group_allowed(groups[i], range[0], range[1]))
			return 0;
	return -EACCES;
}

/* Port of mptcp_init_sock()'s first check. */
static int mptcp_init_sock(struct sock *sk)
{
	long enabled = 1;

	net_sysctl_read(NET_SYSCTL_MPTCP_ENABLED, &enabled, 1);
	if (!enabled)
		return -ENOPROTOOPT;
	return 0;
}

/*
 * MPTCP handles SOL_SOCKET itself (the kernel's SOCK_CUSTOM_SOCKOPT):
 * the options it passes on to its subflows work as usual, others are
 * EOPNOTSUPP.  Other levels are not modelled.
 */
static int mptcp_setsockopt(struct sock *sk, int level, int optname,
			    const void *optval, unsigned int optlen)
{
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (optname) {
	case SO_REUSEADDR:
	case SO_REUSEPORT:
		return sock_setsockopt(sk->sk_socket, level, optname, optval, optlen);
	default:
		return -EOPNOTSUPP;
	}
}

/* MPTCP getsockopt() below SOL_SOCKET: only IPV6_V6ONLY is modelled. */
static int mptcp_getsockopt(struct sock *sk, int level, int optname,
			    void *optval, int *optlen)
{
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY)
		return ipv6_getsockopt(sk, level, optname, optval, optlen);
	return -EOPNOTSUPP;
}

/** Raw IPv4 sockets (the kernel's raw_prot). */
const struct inet_proto raw_prot = {
	.prot = { .name = "RAW", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.setsockopt = raw_setsockopt,
	.getsockopt = raw_getsockopt,
};

/** Raw IPv6 sockets (the kernel's rawv6_prot). */
const struct inet_proto rawv6_prot = {
	.prot = { .name = "RAWv6", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.setsockopt = rawv6_setsockopt,
	.getsockopt = rawv6_getsockopt,
};

/** ICMP datagram sockets (the kernel's ping_prot). */
const struct inet_proto ping_prot = {
	.prot = { .name = "PING", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.init = ping_init_sock,
	.setsockopt = ip_setsockopt,
	.getsockopt = ip_getsockopt,
};

/** ICMPv6 datagram sockets (the kernel's pingv6_prot). */
const struct inet_proto pingv6_prot = {
	.prot = { .name = "PINGv6", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.init = ping_init_sock,
	.setsockopt = ipv6_setsockopt,
	.getsockopt = ipv6_getsockopt,
};

/** UDP-Lite over IPv4 (the kernel's udplite_prot). */
const struct inet_proto udplite_prot = {
	.prot = { .name = "UDP-Lite", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
};

/** UDP-Lite over IPv6 (the kernel's udplitev6_prot). */
const struct inet_proto udplitev6_prot = {
	.prot = { .name = "UDPLITEv6", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.setsockopt = udpv6_setsockopt,
	.getsockopt = udpv6_getsockopt,
};

/** MPTCP over IPv4 (the kernel's mptcp_prot). */
const struct inet_proto mptcp_prot = {
	.prot = { .name = "MPTCP", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.init = mptcp_init_sock,
	.setsockopt = mptcp_setsockopt,
	.getsockopt = mptcp_getsockopt,
};

/** MPTCP over IPv6 (the kernel's mptcp_v6_prot). */
const struct inet_proto mptcpv6_prot = {
	.prot = { .name = "MPTCPv6", .destroy = inet_sock_destruct },
	.close = inet_inert_close,
	.init = mptcp_init_sock,
	.setsockopt = mptcp_setsockopt,
	.getsockopt = mptcp_getsockopt,
};

/** MPTCP over IPv4: creation, SOL_SOCKET, getsockname and shutdown only. */
const struct proto_ops mptcp_stream_ops = {
	.family = PF_INET,
	.release = inet_release,
	.bind = sock_no_bind,
	.connect = sock_no_connect,
	.accept = sock_no_accept,
	.getname = inet_getname,
	.listen = sock_no_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};

/** MPTCP over IPv6: creation, SOL_SOCKET, getsockname and shutdown only. */
const struct proto_ops mptcp_v6_stream_ops = {
	.family = PF_INET6,
	.release = inet_release,
	.bind = sock_no_bind,
	.connect = sock_no_connect,
	.accept = sock_no_accept,
	.getname = inet6_getname,
	.listen = sock_no_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};
