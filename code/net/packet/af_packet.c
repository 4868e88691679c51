/**
 * @file af_packet.c
 * @brief AF_PACKET sockets, created only to be refused by a reuseport
 *        array.  Port of the creation checks and error paths of
 *        net/packet/af_packet.c, Linux 6.18.
 *
 * Modelled as in Linux: creation (CAP_NET_RAW first, then SOCK_RAW,
 * SOCK_DGRAM or SOCK_PACKET; any protocol; sk_protocol reads 0), SOL_SOCKET
 * options, the address checks of bind(), getsockname() of an unbound
 * socket, EOPNOTSUPP for connect(), listen(), accept() and shutdown(),
 * ENOPROTOOPT for other option levels.
 *
 * Not modelled: devices.  A bind() with a valid address, and SOL_PACKET
 * options, answer EOPNOTSUPP.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <stdlib.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/inet_sock.h"
#include "kern/uaccess.h"

#ifndef SOL_PACKET
#define SOL_PACKET	263	/**< the packet option level (include/linux/socket.h) */
#endif

/** @brief A packet socket: struct sock and the protocol it was opened for. */
struct packet_sock {
	struct sock sk;	/**< first, as in the kernel */
	__be16 num;	/**< the protocol, network order, as socket() got it */
};

static const struct proto packet_proto = {
	.name = "PACKET",
};

/* Port of packet_release(). */
static int packet_release(struct socket *sock)
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

/* Port of packet_bind()'s address checks. */
static int packet_bind(struct socket *sock, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)uaddr;

	if (addr_len < (int)sizeof(struct sockaddr_ll))
		return -EINVAL;
	if (sll->sll_family != AF_PACKET)
		return -EINVAL;
	return -EOPNOTSUPP;
}

/* Port of packet_bind_spkt()'s length check (SOCK_PACKET names a device). */
static int packet_bind_spkt(struct socket *sock, const struct sockaddr *uaddr, int addr_len)
{
	if (addr_len != (int)sizeof(struct sockaddr))
		return -EINVAL;
	return -EOPNOTSUPP;
}

/* Port of packet_getname(): no device, the socket's protocol. */
static int packet_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_ll *sll = (struct sockaddr_ll *)uaddr;

	if (peer)
		return -EOPNOTSUPP;
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = container_of(sock->sk, struct packet_sock, sk)->num;
	return offsetof(struct sockaddr_ll, sll_addr);
}

/* Port of packet_getname_spkt(): the family and an empty device name. */
static int packet_getname_spkt(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	if (peer)
		return -EOPNOTSUPP;
	memset(uaddr, 0, sizeof(*uaddr));
	uaddr->sa_family = AF_PACKET;
	return sizeof(*uaddr);
}

/* Port of packet_setsockopt(): only SOL_PACKET, not modelled. */
static int packet_setsockopt(struct socket *sock, int level, int optname,
			     const void *optval, unsigned int optlen)
{
	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

/* Port of packet_getsockopt()'s checks. */
static int packet_getsockopt(struct socket *sock, int level, int optname,
			     void *optval, int *optlen)
{
	int len;

	if (level != SOL_PACKET)
		return -ENOPROTOOPT;
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return -EOPNOTSUPP;
}

static const struct proto_ops packet_ops = {
	.family = PF_PACKET,
	.release = packet_release,
	.bind = packet_bind,
	.connect = sock_no_connect,
	.accept = sock_no_accept,
	.getname = packet_getname,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.setsockopt = packet_setsockopt,
	.getsockopt = packet_getsockopt,
};

static const struct proto_ops packet_ops_spkt = {
	.family = PF_PACKET,
	.release = packet_release,
	.bind = packet_bind_spkt,
	.connect = sock_no_connect,
	.accept = sock_no_accept,
	.getname = packet_getname_spkt,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.setsockopt = packet_setsockopt,
	.getsockopt = packet_getsockopt,
};

/* Port of packet_create(): the capability is checked before the type. */
static int packet_create(struct socket *sock, int protocol, int kern)
{
	struct packet_sock *po;
	struct sock *sk;

	if (!capable(CAP_NET_RAW))
		return -EPERM;
	if (sock->type != SOCK_DGRAM && sock->type != SOCK_RAW && sock->type != SOCK_PACKET)
		return -ESOCKTNOSUPPORT;

	sock->state = SS_UNCONNECTED;
	sk = sk_alloc(PF_PACKET, sock->type, 0, &packet_proto, sizeof(*po));
	if (!sk)
		return -ENOMEM;
	po = container_of(sk, struct packet_sock, sk);
	po->num = (__force __be16)protocol;
	sock->ops = sock->type == SOCK_PACKET ? &packet_ops_spkt : &packet_ops;
	sock_init_data(sock, sk);
	return 0;
}

/** socket() for AF_PACKET (and AF_INET + SOCK_PACKET). */
const struct net_proto_family packet_family_ops = {
	.family = PF_PACKET,
	.create = packet_create,
};
