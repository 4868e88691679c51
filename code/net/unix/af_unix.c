/**
 * @file af_unix.c
 * @brief AF_UNIX sockets, as far as a reuseport array needs them: created,
 *        shown to the map, refused.  Port of parts of net/unix/af_unix.c,
 *        Linux 6.18.
 *
 * Modelled as in Linux: creation (SOCK_RAW becomes SOCK_DGRAM; the
 * protocol must be 0 or PF_UNIX and is reported as 0), SOL_SOCKET options
 * (SO_REUSEPORT cannot be turned on: EOPNOTSUPP), the checks bind() and
 * connect() make on the address, listen() and accept() on sockets that are
 * not bound or not listening, shutdown(), getsockname() of an unbound
 * socket, and EOPNOTSUPP for other option levels.
 *
 * Not modelled: names.  The port has no socket namespace (paths, abstract
 * names), so a bind() or connect() with a valid AF_UNIX address answers
 * EOPNOTSUPP, and sockets are never bound, listening or connected.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/un.h>

#include "kern/err.h"
#include "kern/inet_sock.h"

/* The kernel's unix_proto: nothing to unhash, nothing extra to free. */
static const struct proto unix_proto = {
	.name = "UNIX",
};

/* Port of unix_release(). */
static int unix_release(struct socket *sock)
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

/* Port of unix_validate_addr(). */
static int unix_validate_addr(const struct sockaddr_un *sunaddr, int addr_len)
{
	if (addr_len <= (int)offsetof(struct sockaddr_un, sun_path) ||
	    addr_len > (int)sizeof(*sunaddr))
		return -EINVAL;
	if (sunaddr->sun_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/*
 * Port of unix_bind(): a bare family asks for an automatic (abstract)
 * name; anything else must be a valid address.  Names are not modelled.
 */
static int unix_bind(struct socket *sock, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_un *sunaddr = (const struct sockaddr_un *)uaddr;
	int err;

	if (addr_len == (int)offsetof(struct sockaddr_un, sun_path) &&
	    sunaddr->sun_family == AF_UNIX)
		return -EOPNOTSUPP;	/* unix_autobind() */
	err = unix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

/* Port of unix_stream_connect()'s address check; names are not modelled. */
static int unix_stream_connect(struct socket *sock, const struct sockaddr *uaddr,
			       int addr_len, int flags)
{
	int err = unix_validate_addr((const struct sockaddr_un *)uaddr, addr_len);

	if (err)
		return err;
	return -EOPNOTSUPP;
}

/*
 * Port of unix_dgram_connect()'s checks: AF_UNSPEC dissolves an
 * association (there never is one here); names are not modelled.
 */
static int unix_dgram_connect(struct socket *sock, const struct sockaddr *uaddr,
			      int addr_len, int flags)
{
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	if (uaddr->sa_family == AF_UNSPEC)
		return 0;
	err = unix_validate_addr((const struct sockaddr_un *)uaddr, addr_len);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

/* Port of unix_listen(): only a bound stream or seqpacket socket listens. */
static int unix_listen(struct socket *sock, int backlog)
{
	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	return -EINVAL;		/* never bound in the port */
}

/* Port of unix_accept(): only a listening socket accepts. */
static int unix_accept(struct socket *sock, struct socket *newsock, int flags)
{
	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	return -EINVAL;		/* never listening in the port */
}

/* Port of unix_getname(): an unbound socket's name is the bare family. */
static int unix_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_un *sunaddr = (struct sockaddr_un *)uaddr;

	if (peer)
		return -ENOTCONN;
	memset(sunaddr, 0, offsetof(struct sockaddr_un, sun_path) + 1);
	sunaddr->sun_family = AF_UNIX;
	return offsetof(struct sockaddr_un, sun_path);
}

/* Port of unix_shutdown(): record it; there is no peer to tell. */
static int unix_shutdown(struct socket *sock, int mode)
{
	struct sock *sk = sock->sk;

	if (mode < SHUT_RD || mode > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | (mode + 1));
	release_sock(sk);
	return 0;
}

/** AF_UNIX SOCK_STREAM operations. */
static const struct proto_ops unix_stream_ops = {
	.family = PF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.accept = unix_accept,
	.getname = unix_getname,
	.listen = unix_listen,
	.shutdown = unix_shutdown,
};

/** AF_UNIX SOCK_DGRAM operations. */
static const struct proto_ops unix_dgram_ops = {
	.family = PF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.accept = sock_no_accept,
	.getname = unix_getname,
	.listen = sock_no_listen,
	.shutdown = unix_shutdown,
};

/** AF_UNIX SOCK_SEQPACKET operations. */
static const struct proto_ops unix_seqpacket_ops = {
	.family = PF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.accept = unix_accept,
	.getname = unix_getname,
	.listen = unix_listen,
	.shutdown = unix_shutdown,
};

/*
 * Port of unix_create(): the protocol is checked before the type;
 * SOCK_RAW is an old alias of SOCK_DGRAM.
 */
static int unix_create(struct socket *sock, int protocol, int kern)
{
	struct sock *sk;

	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;

	sock->state = SS_UNCONNECTED;
	switch (sock->type) {
	case SOCK_STREAM:
		sock->ops = &unix_stream_ops;
		break;
	case SOCK_RAW:
		sock->type = SOCK_DGRAM;
		__attribute__((fallthrough));
	case SOCK_DGRAM:
		sock->ops = &unix_dgram_ops;
		break;
	case SOCK_SEQPACKET:
		sock->ops = &unix_seqpacket_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}

	sk = sk_alloc(PF_UNIX, sock->type, 0, &unix_proto, sizeof(*sk));
	if (!sk) {
		sock->ops = NULL;
		return -ENOMEM;
	}
	sock_init_data(sock, sk);
	return 0;
}

/** socket() for AF_UNIX. */
const struct net_proto_family unix_family_ops = {
	.family = PF_UNIX,
	.create = unix_create,
};
