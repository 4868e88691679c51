/**
 * @file af_netlink.c
 * @brief AF_NETLINK sockets, created only to be refused by a reuseport
 *        array.  Port of the creation checks and error paths of
 *        net/netlink/af_netlink.c, Linux 6.18.
 *
 * Modelled as in Linux: creation (SOCK_RAW or SOCK_DGRAM; the protocol
 * must be one of those registered on the live 6.18 kernel the port was
 * checked on), SOL_SOCKET options, the address checks of bind() and
 * connect(), getsockname() of an unbound socket, EOPNOTSUPP for listen(),
 * accept() and shutdown(), ENOPROTOOPT for other option levels.
 *
 * Not modelled: the netlink bus itself.  A bind() or connect() with a valid
 * netlink address, and SOL_NETLINK options, answer EOPNOTSUPP.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>

#include "kern/err.h"
#include "kern/inet_sock.h"
#include "kern/uaccess.h"

/** Netlink protocol numbers run from 0 to MAX_LINKS - 1. */
#define MAX_LINKS	32

/*
 * The protocols registered on the live kernel the port follows (ROUTE,
 * USERSOCK, SOCK_DIAG, XFRM, SELINUX, AUDIT, FIB_LOOKUP, CONNECTOR,
 * NETFILTER, KOBJECT_UEVENT, GENERIC); the others answer EPROTONOSUPPORT.
 */
static const bool nl_registered[MAX_LINKS] = {
	[0] = true, [2] = true, [4] = true, [6] = true, [7] = true, [9] = true,
	[10] = true, [11] = true, [12] = true, [15] = true, [16] = true,
};

static const struct proto netlink_proto = {
	.name = "NETLINK",
};

/* Port of netlink_release(). */
static int netlink_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock->sk = NULL;
	lock_sock(sk);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
	return 0;
}

/* Port of netlink_bind()'s address checks. */
static int netlink_bind(struct socket *sock, const struct sockaddr *addr, int addr_len)
{
	const struct sockaddr_nl *nladdr = (const struct sockaddr_nl *)addr;

	if (addr_len < (int)sizeof(struct sockaddr_nl))
		return -EINVAL;
	if (nladdr->nl_family != AF_NETLINK)
		return -EINVAL;
	return -EOPNOTSUPP;
}

/* Port of netlink_connect()'s checks: AF_UNSPEC disconnects. */
static int netlink_connect(struct socket *sock, const struct sockaddr *addr,
			   int alen, int flags)
{
	if (alen < (int)sizeof(addr->sa_family))
		return -EINVAL;
	if (addr->sa_family == AF_UNSPEC)
		return 0;
	if (alen < (int)sizeof(struct sockaddr_nl))
		return -EINVAL;
	if (addr->sa_family != AF_NETLINK)
		return -EINVAL;
	return -EOPNOTSUPP;
}

/* Port of netlink_getname() for a socket that never bound: port id 0. */
static int netlink_getname(struct socket *sock, struct sockaddr *addr, int peer)
{
	struct sockaddr_nl *nladdr = (struct sockaddr_nl *)addr;

	memset(nladdr, 0, sizeof(*nladdr));
	nladdr->nl_family = AF_NETLINK;
	return sizeof(*nladdr);
}

/* Port of netlink_setsockopt(): only SOL_NETLINK, not modelled. */
static int netlink_setsockopt(struct socket *sock, int level, int optname,
			      const void *optval, unsigned int optlen)
{
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

/* Port of netlink_getsockopt()'s checks. */
static int netlink_getsockopt(struct socket *sock, int level, int optname,
			      void *optval, int *optlen)
{
	int len;

	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return -EOPNOTSUPP;
}

static const struct proto_ops netlink_ops = {
	.family = PF_NETLINK,
	.release = netlink_release,
	.bind = netlink_bind,
	.connect = netlink_connect,
	.accept = sock_no_accept,
	.getname = netlink_getname,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.setsockopt = netlink_setsockopt,
	.getsockopt = netlink_getsockopt,
};

/* Port of netlink_create(): type, then protocol range, then registration. */
static int netlink_create(struct socket *sock, int protocol, int kern)
{
	struct sock *sk;

	sock->state = SS_UNCONNECTED;
	if (sock->type != SOCK_RAW && sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol < 0 || protocol >= MAX_LINKS)
		return -EPROTONOSUPPORT;
	if (!nl_registered[protocol])
		return -EPROTONOSUPPORT;

	sk = sk_alloc(PF_NETLINK, sock->type, protocol, &netlink_proto, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sock->ops = &netlink_ops;
	sock_init_data(sock, sk);
	return 0;
}

/** socket() for AF_NETLINK. */
const struct net_proto_family netlink_family_ops = {
	.family = PF_NETLINK,
	.create = netlink_create,
};
