/**
 * @file af_inet6.c
 * @brief The AF_INET6 family: socket creation, bind, getsockname and the
 *        SOL_IPV6 options.  Port of parts of net/ipv6/af_inet6.c,
 *        net/ipv6/ipv6_sockglue.c and net/ipv6/addrconf_core.c, Linux 6.18.
 *
 * Connect, listen, accept and shutdown are the AF_INET functions: they
 * work on struct inet_sock for both families.
 *
 * The port's IPv6 network is ::1.  A socket may bind to ::, ::1, an
 * IPv4-mapped address that AF_INET would accept, or (datagram sockets) a
 * multicast address that needs no interface.  Link-local addresses and
 * link-local multicast need an interface: without a scope id that is
 * EINVAL, as on Linux; with one, the port (which knows no interfaces)
 * answers EADDRNOTAVAIL, where Linux would look the interface up.  Every
 * other address is EADDRNOTAVAIL (the machine's real addresses included).
 *
 * Of the IPv6 options only IPV6_V6ONLY is modelled; others answer
 * ENOPROTOOPT.
 */
#include <errno.h>
#include <stdlib.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/inet_sock.h"
#include "kern/uaccess.h"

/** Shortest IPv6 socket address bind() and connect() accept (RFC 2133's, without scope id). */
#define SIN6_LEN_RFC2133	24

/* AF_INET6's (type, protocol) pairs, in registration order. */
static const struct inet_protosw inetsw6[] = {
	{ SOCK_RAW, IPPROTO_IP, &rawv6_prot, &inet6_sockraw_ops, true },
	{ SOCK_DGRAM, IPPROTO_UDP, &udpv6_prot, &inet6_dgram_ops, false },
	{ SOCK_DGRAM, IPPROTO_UDPLITE, &udplitev6_prot, &inet6_sockraw_ops, false },
	{ SOCK_STREAM, IPPROTO_TCP, &tcpv6_prot, &inet6_stream_ops, false },
	{ SOCK_DGRAM, IPPROTO_ICMPV6, &pingv6_prot, &inet6_sockraw_ops, true },
	{ SOCK_STREAM, IPPROTO_MPTCP, &mptcpv6_prot, &mptcp_v6_stream_ops, false },
};

/**
 * Classify an IPv6 address (port of ipv6_addr_type(), reduced to the
 * classes the port tells apart).
 * @param a the address
 * @return IPV6_ADDR_ANY, IPV6_ADDR_MAPPED, or IPV6_ADDR_UNICAST /
 *         IPV6_ADDR_MULTICAST with IPV6_ADDR_LOOPBACK or IPV6_ADDR_LINKLOCAL
 *         for the scopes that need them
 */
unsigned int ipv6_addr_type(const struct in6_addr *a)
{
	if (a->s6_addr[0] == 0xff) {
		unsigned int scope = a->s6_addr[1] & 0x0f;

		if (scope == 1)
			return IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK;
		if (scope == 2)
			return IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL;
		return IPV6_ADDR_MULTICAST;
	}
	if (ipv6_addr_any(a))
		return IPV6_ADDR_ANY;
	if (ipv6_addr_v4mapped(a))
		return IPV6_ADDR_MAPPED;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return IPV6_ADDR_LOOPBACK | IPV6_ADDR_UNICAST;
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80)
		return IPV6_ADDR_LINKLOCAL | IPV6_ADDR_UNICAST;
	return IPV6_ADDR_UNICAST;
}

/* Port of inet6_create(): as inet_create(), plus the v6-only default. */
static int inet6_create(struct socket *sock, int protocol, int kern)
{
	const struct inet_protosw *answer;
	struct inet_sock *inet;
	struct sock *sk;
	int err;

	if (protocol < 0 || protocol >= IPPROTO_MAX_KERN)
		return -EINVAL;

	sock->state = SS_UNCONNECTED;
	err = inet_protosw_lookup(inetsw6, ARRAY_SIZE(inetsw6), sock->type, &protocol, &answer);
	if (err)
		return err;

	if (sock->type == SOCK_RAW && !kern && !capable(CAP_NET_RAW))
		return -EPERM;

	sk = sk_alloc(PF_INET6, sock->type, protocol, &answer->prot->prot, sizeof(*inet));
	if (!sk)
		return -ENOMEM;
	sock->ops = answer->ops;
	if (answer->reuse)
		sk->sk_reuse = SK_CAN_REUSE;

	inet = inet_sk(sk);
	spin_lock_init(&inet->rskq_lock);
	udp_sk_rx_init(inet);
	{
		long bindv6only = 0;

		net_sysctl_read(NET_SYSCTL_BINDV6ONLY, &bindv6only, 1);
		inet->ipv6only = bindv6only != 0;
	}
	sock_init_data(sock, sk);

	if (sock->type == SOCK_RAW) {
		inet->inet_num = (u16)protocol;
		inet->inet_sport = htons(inet->inet_num);
		WRITE_ONCE(sk->sk_hashed_flag, true);
	}

	if (answer->prot->init) {
		err = answer->prot->init(sk);
		if (err) {
			sock->sk = NULL;
			sock->ops = NULL;
			sock_orphan(sk);
			sock_put(sk);
			return err;
		}
	}
	return 0;
}

/** socket() for AF_INET6. */
const struct net_proto_family inet6_family_ops = {
	.family = PF_INET6,
	.create = inet6_create,
};

/* The IPv4 checks of __inet_bind(), for a mapped address. */
static bool inet6_mapped_addr_valid(in_addr_t addr)
{
	return addr == htonl(INADDR_ANY) || ipv4_is_loopback(addr) ||
	       ipv4_is_multicast(addr) || ipv4_is_lbcast(addr);
}

/*
 * Port of __inet6_bind().  Unlike IPv4, the privileged-port check and the
 * "already bound" check come before the address is checked; and binding
 * to a specific non-mapped address makes the socket v6-only.
 */
static int __inet6_bind(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *addr = (const struct sockaddr_in6 *)uaddr;
	const struct inet_proto *prot = inet_prot(sk);
	struct inet_sock *inet = inet_sk(sk);
	in_addr_t v4addr = 0;
	unsigned short snum;
	unsigned int addr_type;
	bool saved_ipv6only;
	int err = 0;

	if (addr->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;

	addr_type = ipv6_addr_type(&addr->sin6_addr);
	if ((addr_type & IPV6_ADDR_MULTICAST) && sk->sk_type == SOCK_STREAM)
		return -EINVAL;

	snum = ntohs(addr->sin6_port);
	if (snum && inet_port_requires_bind_service(snum) && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);

	if (sk->sk_state != TCP_CLOSE || inet->inet_num) {
		err = -EINVAL;
		goto out;
	}

	if (addr_type == IPV6_ADDR_MAPPED) {
		/* a v6-only socket cannot take IPv4 traffic */
		if (ipv6_only_sock(sk)) {
			err = -EINVAL;
			goto out;
		}
		v4addr = ipv6_mapped_v4(&addr->sin6_addr);
		if (!inet6_mapped_addr_valid(v4addr)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	} else if (addr_type != IPV6_ADDR_ANY) {
		if (ipv6_addr_needs_scope_id(addr_type)) {
			if (addr_len < (int)sizeof(struct sockaddr_in6) || !addr->sin6_scope_id) {
				err = -EINVAL;
				goto out;
			}
			/* the port has no interfaces to look the scope up in */
			err = -EADDRNOTAVAIL;
			goto out;
		}
		v4addr = htonl(LOOPBACK4_IPV6);
		if (!(addr_type & IPV6_ADDR_MULTICAST) && !(addr_type & IPV6_ADDR_LOOPBACK)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}

	inet->inet_rcv_saddr = v4addr;
	inet->inet_saddr = v4addr;
	inet->sk_v6_rcv_saddr = addr->sin6_addr;
	if (!(addr_type & IPV6_ADDR_MULTICAST))
		inet->v6_saddr = addr->sin6_addr;

	saved_ipv6only = inet->ipv6only;
	if (addr_type != IPV6_ADDR_ANY && addr_type != IPV6_ADDR_MAPPED)
		WRITE_ONCE(inet->ipv6only, true);

	err = prot->get_port(sk, snum);
	if (err) {
		WRITE_ONCE(inet->ipv6only, saved_ipv6only);
		inet->inet_rcv_saddr = inet->inet_saddr = 0;
		memset(&inet->sk_v6_rcv_saddr, 0, sizeof(inet->sk_v6_rcv_saddr));
		memset(&inet->v6_saddr, 0, sizeof(inet->v6_saddr));
		goto out;
	}

	if (addr_type != IPV6_ADDR_ANY)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (snum)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_sport = htons(inet->inet_num);
out:
	release_sock(sk);
	return err;
}

/* Port of inet6_bind() / inet6_bind_sk(). */
static int inet6_bind(struct socket *sock, const struct sockaddr *uaddr, int addr_len)
{
	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	return __inet6_bind(sock->sk, uaddr, addr_len);
}

/**
 * getsockname() and the peer address of an IPv6 socket (port of
 * inet6_getname()).
 * @param sock the socket
 * @param uaddr where a struct sockaddr_in6 goes
 * @param peer 0: local; 1: peer (getpeername); 2: peer, for accept()
 * @return the address length, or -ENOTCONN
 */
int inet6_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_in6 *sin = (struct sockaddr_in6 *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	memset(sin, 0, sizeof(*sin));
	sin->sin6_family = AF_INET6;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & ((1 << TCP_CLOSE) | (1 << TCP_SYN_SENT))) && peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin6_port = inet->inet_dport;
		sin->sin6_addr = inet->sk_v6_daddr;
	} else {
		if (ipv6_addr_any(&inet->sk_v6_rcv_saddr))
			sin->sin6_addr = inet->v6_saddr;
		else
			sin->sin6_addr = inet->sk_v6_rcv_saddr;
		sin->sin6_port = inet->inet_sport;
	}
	release_sock(sk);
	return sizeof(*sin);
}

/**
 * setsockopt() at SOL_IPV6 (port of ipv6_setsockopt() / do_ipv6_setsockopt()).
 *
 * SOL_IP options of a non-raw IPv6 socket go to the IPv4 code.  The value
 * is read before the option is looked at (a NULL value counts as 0);
 * IPV6_V6ONLY needs an int and a socket without a port.
 *
 * @param sk the socket
 * @param level SOL_IPV6 (or SOL_IP)
 * @param optname option
 * @param optval user pointer
 * @param optlen length
 * @return 0 or a negative errno
 */
int ipv6_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen)
{
	struct inet_sock *inet = inet_sk(sk);
	int val = 0, ret;

	if (level == SOL_IP && sk->sk_type != SOCK_RAW)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (level != SOL_IPV6)
		return -ENOPROTOOPT;

	if (optval && optlen >= sizeof(int)) {
		if (copy_from_user(&val, optval, sizeof(val)))
			return -EFAULT;
	}

	lock_sock(sk);
	switch (optname) {
	case IPV6_V6ONLY:
		/* too late once the socket has a port: its lookups depend on it */
		if (optlen < sizeof(int) || inet->inet_num) {
			ret = -EINVAL;
			break;
		}
		WRITE_ONCE(inet->ipv6only, val != 0);
		ret = 0;
		break;
	default:
		ret = -ENOPROTOOPT;
		break;
	}
	release_sock(sk);
	return ret;
}

/**
 * getsockopt() at SOL_IPV6 (port of ipv6_getsockopt() / do_ipv6_getsockopt()).
 *
 * The length is not checked for sign: it is compared as unsigned, so a
 * negative length gets the whole int.
 *
 * @param sk the socket
 * @param level SOL_IPV6 (or SOL_IP)
 * @param optname option
 * @param optval user pointer
 * @param optlen user pointer to the length
 * @return 0 or a negative errno
 */
int ipv6_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	unsigned int len;
	int val;

	if (level == SOL_IP && sk->sk_type != SOCK_RAW)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level != SOL_IPV6)
		return -ENOPROTOOPT;

	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;

	switch (optname) {
	case IPV6_V6ONLY:
		val = READ_ONCE(inet_sk(sk)->ipv6only);
		break;
	default:
		return -ENOPROTOOPT;
	}

	if (len > sizeof(int))
		len = sizeof(int);
	if (copy_to_user(optlen, &len, sizeof(len)))
		return -EFAULT;
	if (copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/** AF_INET6 stream (TCP) operations (the kernel's inet6_stream_ops). */
const struct proto_ops inet6_stream_ops = {
	.family = PF_INET6,
	.release = inet_release,
	.bind = inet6_bind,
	.connect = inet_stream_connect,
	.accept = inet_accept,
	.getname = inet6_getname,
	.listen = inet_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};

/** AF_INET6 datagram (UDP) operations (the kernel's inet6_dgram_ops). */
const struct proto_ops inet6_dgram_ops = {
	.family = PF_INET6,
	.release = inet_release,
	.bind = inet6_bind,
	.connect = inet_dgram_connect,
	.accept = sock_no_accept,
	.getname = inet6_getname,
	.listen = sock_no_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};

/**
 * Operations of the AF_INET6 sockets the port only creates (raw, ping,
 * UDP-Lite): bind() and connect() are not modelled (EOPNOTSUPP).
 */
const struct proto_ops inet6_sockraw_ops = {
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
