/**
 * @file af_inet.c
 * @brief The AF_INET family: socket creation, bind, connect, listen,
 *        accept, shutdown, getsockname and the SOL_IP options.  Port of
 *        parts of net/ipv4/af_inet.c, net/ipv4/ip_sockglue.c and the
 *        routing decisions of net/ipv4/route.c, Linux 6.18.
 *
 * The port's network is the loopback interface: 127.0.0.0/8 is local, and
 * so are the wildcard, multicast and limited-broadcast addresses a socket
 * may bind to.  Every other address is refused with EADDRNOTAVAIL by bind()
 * and with ENETUNREACH by connect(), where Linux would use the machine's
 * other interfaces and routes.
 *
 * Not modelled: IP-level options (every SOL_IP option answers
 * ENOPROTOOPT), SO_BINDTODEVICE, non-local binds (IP_FREEBIND,
 * ip_nonlocal_bind), bind_address_no_port, cgroup BPF hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/inet_sock.h"
#include "kern/sock_reuseport.h"
#include "kern/uaccess.h"

/*
 * The (type, protocol) pairs of AF_INET, in the order the kernel registers
 * them: protocol 0 picks the first entry of the type.
 */
static const struct inet_protosw inetsw[] = {
	{ SOCK_STREAM, IPPROTO_TCP, &tcp_prot, &inet_stream_ops, false },
	{ SOCK_DGRAM, IPPROTO_UDP, &udp_prot, &inet_dgram_ops, false },
	{ SOCK_DGRAM, IPPROTO_ICMP, &ping_prot, &inet_sockraw_ops, true },
	{ SOCK_RAW, IPPROTO_IP, &raw_prot, &inet_sockraw_ops, true },
	{ SOCK_DGRAM, IPPROTO_UDPLITE, &udplite_prot, &inet_sockraw_ops, false },
	{ SOCK_STREAM, IPPROTO_MPTCP, &mptcp_prot, &mptcp_stream_ops, false },
};

/**
 * Find the entry for (@p type, @p protocol) (the lookup loop of
 * inet_create()).  Protocol 0 takes the first entry of the type; an entry
 * with protocol 0 (raw) takes any protocol but 0.
 * @param sw the family's table
 * @param n its length
 * @param type the socket type
 * @param protocol in: requested protocol; out: the one chosen
 * @param answer where the entry goes
 * @return 0, -ESOCKTNOSUPPORT (no entry of that type), -EPROTONOSUPPORT
 */
int inet_protosw_lookup(const struct inet_protosw *sw, size_t n, int type,
			int *protocol, const struct inet_protosw **answer)
{
	int err = -ESOCKTNOSUPPORT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (sw[i].type != type)
			continue;
		err = 0;
		if (*protocol == sw[i].protocol) {
			if (*protocol != IPPROTO_IP)
				goto found;
		} else {
			if (*protocol == IPPROTO_IP) {
				*protocol = sw[i].protocol;
				goto found;
			}
			if (sw[i].protocol == IPPROTO_IP)
				goto found;
		}
		err = -EPROTONOSUPPORT;
	}
	return err;

found:
	*answer = &sw[i];
	return 0;
}

/**
 * Free what every inet socket has besides struct sock: the accept-queue
 * lock.  The destroy operation of every inet protocol.
 * @param sk the socket, unreachable by now
 */
void inet_sock_destruct(struct sock *sk)
{
	udp_sk_rx_purge(inet_sk(sk));
	spin_lock_destroy(&inet_sk(sk)->rskq_lock);
}

/*
 * Port of sk_common_release() for a socket whose init failed: nobody else
 * can see it yet.
 */
static void inet_create_failed(struct socket *sock, struct sock *sk)
{
	sock->sk = NULL;
	sock->ops = NULL;
	sock_orphan(sk);
	sock_put(sk);
}

/*
 * Port of inet_create(): the protocol range is checked first, then the
 * table; a raw socket needs CAP_NET_RAW, checked only once the pair exists.
 */
static int inet_create(struct socket *sock, int protocol, int kern)
{
	const struct inet_protosw *answer;
	struct inet_sock *inet;
	struct sock *sk;
	int err;

	if (protocol < 0 || protocol >= IPPROTO_MAX_KERN)
		return -EINVAL;

	sock->state = SS_UNCONNECTED;
	err = inet_protosw_lookup(inetsw, ARRAY_SIZE(inetsw), sock->type, &protocol, &answer);
	if (err)
		return err;

	if (sock->type == SOCK_RAW && !kern && !capable(CAP_NET_RAW))
		return -EPERM;

	sk = sk_alloc(PF_INET, sock->type, protocol, &answer->prot->prot, sizeof(*inet));
	if (!sk)
		return -ENOMEM;
	sock->ops = answer->ops;
	if (answer->reuse)
		sk->sk_reuse = SK_CAN_REUSE;

	inet = inet_sk(sk);
	spin_lock_init(&inet->rskq_lock);
	udp_sk_rx_init(inet);
	sock_init_data(sock, sk);

	/* A raw socket is "bound" to its protocol number, and hashed at once. */
	if (sock->type == SOCK_RAW) {
		inet->inet_num = (u16)protocol;
		inet->inet_sport = htons(inet->inet_num);
		WRITE_ONCE(sk->sk_hashed_flag, true);
	}

	if (answer->prot->init) {
		err = answer->prot->init(sk);
		if (err) {
			inet_create_failed(sock, sk);
			return err;
		}
	}
	return 0;
}

/** socket() for AF_INET. */
const struct net_proto_family inet_family_ops = {
	.family = PF_INET,
	.create = inet_create,
};

/**
 * close() of the last descriptor of an inet socket (port of inet_release()).
 * @param sock the socket
 * @return 0
 */
int inet_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (sk) {
		sock->sk = NULL;
		inet_prot(sk)->close(sk);
	}
	return 0;
}

/*
 * What inet_addr_type() says about a local address, reduced to the port's
 * network: is it something this host may bind to?
 */
static bool inet_addr_valid(in_addr_t addr)
{
	return addr == htonl(INADDR_ANY) || ipv4_is_loopback(addr) ||
	       ipv4_is_multicast(addr) || ipv4_is_lbcast(addr);
}

/* Broadcast addresses of the port's network: the limited broadcast and
 * that of 127.0.0.0/8. */
static bool inet_addr_is_broadcast(in_addr_t addr)
{
	return ipv4_is_lbcast(addr) || addr == htonl(0x7fffffffU);
}

/**
 * Does binding @p port need CAP_NET_BIND_SERVICE (port of
 * inet_port_requires_bind_service())?  Ports below
 * net.ipv4.ip_unprivileged_port_start do.
 * @param port the port, host order
 * @return true if privileged
 */
bool inet_port_requires_bind_service(unsigned short port)
{
	long start = 1024;

	net_sysctl_read(NET_SYSCTL_IP_UNPRIVILEGED_PORT_START, &start, 1);
	return port < start;
}

/**
 * Forget the local address unless bind() chose it (port of
 * inet_reset_saddr() / inet_bhash2_reset_saddr()).  Caller holds the
 * socket's table lock, or the socket is in no table.
 * @param sk the socket
 */
void inet_reset_saddr(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	if (sk->sk_userlocks & SOCK_BINDADDR_LOCK)
		return;
	inet->inet_rcv_saddr = 0;
	inet->inet_saddr = 0;
	if (sk->sk_family == AF_INET6) {
		memset(&inet->sk_v6_rcv_saddr, 0, sizeof(inet->sk_v6_rcv_saddr));
		memset(&inet->v6_saddr, 0, sizeof(inet->v6_saddr));
	}
}

/*
 * Port of __inet_bind().  The checks run in Linux's order: family, address,
 * privileged port, then (under the socket lock) "already bound".
 */
static int __inet_bind(struct sock *sk, const struct sockaddr *uaddr)
{
	const struct sockaddr_in *addr = (const struct sockaddr_in *)uaddr;
	const struct inet_proto *prot = inet_prot(sk);
	struct inet_sock *inet = inet_sk(sk);
	unsigned short snum;
	int err;

	if (addr->sin_family != AF_INET) {
		/* Compatibility: AF_UNSPEC is taken as AF_INET for the wildcard only. */
		if (addr->sin_family != AF_UNSPEC || addr->sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
	}

	if (!inet_addr_valid(addr->sin_addr.s_addr))
		return -EADDRNOTAVAIL;

	snum = ntohs(addr->sin_port);
	if (snum && inet_port_requires_bind_service(snum) && !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);

	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || inet->inet_num)
		goto out_release_sock;

	inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr.s_addr;
	/* Multicast and broadcast are receive addresses: send from the device's. */
	if (ipv4_is_multicast(addr->sin_addr.s_addr) || inet_addr_is_broadcast(addr->sin_addr.s_addr))
		inet->inet_saddr = 0;

	err = prot->get_port(sk, snum);
	if (err) {
		inet->inet_saddr = inet->inet_rcv_saddr = 0;
		goto out_release_sock;
	}

	if (inet->inet_rcv_saddr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (snum)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_sport = htons(inet->inet_num);
	err = 0;

out_release_sock:
	release_sock(sk);
	return err;
}

/* Port of inet_bind() / inet_bind_sk(). */
static int inet_bind(struct socket *sock, const struct sockaddr *uaddr, int addr_len)
{
	if (addr_len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	return __inet_bind(sock->sk, uaddr);
}

/**
 * Port of inet_autobind(): give an unbound socket an ephemeral port before
 * a datagram connect or send.
 * @param sk the socket
 * @return 0 or -EAGAIN (no free port)
 */
int inet_autobind(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	lock_sock(sk);
	if (!inet->inet_num) {
		if (inet_prot(sk)->get_port(sk, 0)) {
			release_sock(sk);
			return -EAGAIN;
		}
		inet->inet_sport = htons(inet->inet_num);
	}
	release_sock(sk);
	return 0;
}

/**
 * connect() of a datagram socket (port of inet_dgram_connect()).  The
 * socket gets a port before the address is even looked at, so a connect()
 * that fails on its address still leaves the socket bound.
 * @param sock the socket
 * @param uaddr the peer address, or AF_UNSPEC to disconnect
 * @param addr_len its length
 * @param flags file flags
 * @return 0 or a negative errno
 */
int inet_dgram_connect(struct socket *sock, const struct sockaddr *uaddr, int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	const struct inet_proto *prot = inet_prot(sk);

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	if (uaddr->sa_family == AF_UNSPEC)
		return prot->disconnect(sk, flags);
	if (inet_autobind(sk))
		return -EAGAIN;
	return prot->connect(sk, (struct sockaddr *)uaddr, addr_len);
}

/** TCP states, as a bit mask, in which a connect() is still waiting. */
#define TCPF_CONNECTING	((1 << TCP_SYN_SENT) | (1 << TCP_SYN_RECV))

/*
 * Port of __inet_stream_connect().
 *
 * The port carries the handshake out inside tcp_v4_connect()/tcp_v6_connect():
 * by the time it returns, the socket is ESTABLISHED (a listener took it),
 * CLOSE (refused), or still SYN_SENT (the listener's queue was full and the
 * SYN was dropped).  What the caller sees follows Linux: a non-blocking
 * socket gets EINPROGRESS in every case, as over real loopback, and learns
 * the outcome from the next connect() (0, the error, or EALREADY).  A
 * blocking socket cannot wait in the port: a SYN that was dropped is
 * treated as the eventual timeout (ETIMEDOUT).
 */
static int __inet_stream_connect(struct socket *sock, const struct sockaddr *uaddr,
				 int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	const struct inet_proto *prot = inet_prot(sk);
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;

	if (uaddr->sa_family == AF_UNSPEC) {
		err = prot->disconnect(sk, flags);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		return err;
	}

	switch (sock->state) {
	default:
		return -EINVAL;
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		if (sk->sk_state != TCP_CLOSE)
			return -EISCONN;

		/* Live 6.18.44, not in the source as read: see was_listener. */
		if (inet_sk(sk)->was_listener)
			return -EINVAL;

		err = prot->connect(sk, (struct sockaddr *)uaddr, addr_len);
		if (err < 0)
			return err;
		inet_sk(sk)->was_connected = true;

		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		if (flags & O_NONBLOCK)
			return err;
		break;
	}

	if ((1 << sk->sk_state) & TCPF_CONNECTING) {
		if (flags & O_NONBLOCK)
			return err;
		/* Nothing will ever answer the dropped SYN: time out now. */
		__atomic_store_n(&inet_sk(sk)->sk_err, ETIMEDOUT, __ATOMIC_RELAXED);
		tcp_set_state(sk, TCP_CLOSE);
	}

	/* Refused (RST), timed out, or reset by a disconnect. */
	if (sk->sk_state == TCP_CLOSE)
		goto sock_error;

	sock->state = SS_CONNECTED;
	return 0;

sock_error:
	err = sock_error(sk);
	if (!err)
		err = -ECONNABORTED;
	sock->state = SS_UNCONNECTED;
	if (prot->disconnect(sk, flags))
		sock->state = SS_DISCONNECTING;
	return err;
}

/**
 * connect() of a stream socket (port of inet_stream_connect()).
 * @param sock the socket
 * @param uaddr the peer address, or AF_UNSPEC to disconnect
 * @param addr_len its length
 * @param flags file flags (O_NONBLOCK)
 * @return 0 or a negative errno
 */
int inet_stream_connect(struct socket *sock, const struct sockaddr *uaddr, int addr_len, int flags)
{
	int err;

	lock_sock(sock->sk);
	err = __inet_stream_connect(sock, uaddr, addr_len, flags);
	release_sock(sock->sk);
	return err;
}

/**
 * accept() (port of inet_accept() and __inet_accept()): take an established
 * child from the listener's queue and attach it to @p newsock.
 * @param sock the listener
 * @param newsock the new socket's file side
 * @param flags the listener's file flags
 * @return 0, -EINVAL (not listening), -EAGAIN (nothing queued)
 */
int inet_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct sock *sk2;
	int err = -EINVAL;

	sk2 = inet_csk_accept(sock->sk, flags, &err);
	if (!sk2)
		return err;

	lock_sock(sk2);
	WRITE_ONCE(sk2->sk_socket, newsock);
	newsock->sk = sk2;
	newsock->state = SS_CONNECTED;
	release_sock(sk2);
	return 0;
}

/**
 * listen() (port of inet_listen() / __inet_listen_sk()).  Listening again
 * only changes the backlog.
 * @param sock the socket
 * @param backlog accept queue length (already capped by somaxconn)
 * @return 0 or a negative errno
 */
int inet_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	unsigned char old_state;
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;

	old_state = sk->sk_state;
	if (!((1 << old_state) & ((1 << TCP_CLOSE) | (1 << TCP_LISTEN))))
		goto out;

	WRITE_ONCE(inet_sk(sk)->sk_max_ack_backlog, backlog);
	if (old_state != TCP_LISTEN) {
		err = inet_csk_listen_start(sk);
		if (err)
			goto out;
		inet_sk(sk)->was_listener = true;
	}
	err = 0;
out:
	release_sock(sk);
	return err;
}

/**
 * getsockname() and the peer address (port of inet_getname()).
 * @param sock the socket
 * @param uaddr where a struct sockaddr_in goes
 * @param peer 0: local address; 1: peer (getpeername); 2: peer, for accept()
 * @return the address length, or -ENOTCONN
 */
int inet_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & ((1 << TCP_CLOSE) | (1 << TCP_SYN_SENT))) && peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		in_addr_t addr = inet->inet_rcv_saddr;

		if (!addr)
			addr = inet->inet_saddr;
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = addr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

/**
 * shutdown() (port of inet_shutdown()).
 *
 * An unconnected socket answers ENOTCONN but still records the shutdown.
 * A listener shut down for reading, or a connect() in progress, is
 * disconnected: for a listener that means leaving its reuseport group.
 *
 * @param sock the socket
 * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
 * @return 0, -EINVAL, -ENOTCONN
 */
int inet_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	const struct inet_proto *prot = inet_prot(sk);
	unsigned int mode = (unsigned int)how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, ... */
	int err = 0;

	if ((mode & ~SHUTDOWN_MASK) || !mode)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) & (TCPF_CONNECTING | (1 << TCP_CLOSE)))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}

	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		/* the bits are set all the same, so poll() can see them */
		__attribute__((fallthrough));
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mode);
		if (prot->shutdown)
			prot->shutdown(sk, (int)mode);
		break;
	case TCP_LISTEN:
		if (!(mode & RCV_SHUTDOWN))
			break;
		__attribute__((fallthrough));
	case TCP_SYN_SENT:
		err = prot->disconnect(sk, O_NONBLOCK);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		break;
	}
	release_sock(sk);
	return err;
}

/**
 * setsockopt() below SOL_SOCKET: the protocol decides (port of
 * sock_common_setsockopt()).
 * @param sock the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen length
 * @return 0 or a negative errno
 */
int sock_common_setsockopt(struct socket *sock, int level, int optname,
			   const void *optval, unsigned int optlen)
{
	const struct inet_proto *prot = inet_prot(sock->sk);

	if (!prot->setsockopt)
		return -EOPNOTSUPP;
	return prot->setsockopt(sock->sk, level, optname, optval, optlen);
}

/**
 * getsockopt() below SOL_SOCKET (port of sock_common_getsockopt()).
 * @param sock the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen user pointer to the length
 * @return 0 or a negative errno
 */
int sock_common_getsockopt(struct socket *sock, int level, int optname,
			   void *optval, int *optlen)
{
	const struct inet_proto *prot = inet_prot(sock->sk);

	if (!prot->getsockopt)
		return -EOPNOTSUPP;
	return prot->getsockopt(sock->sk, level, optname, optval, optlen);
}

/**
 * The route to an IPv4 destination, as far as the port has routes
 * (port of the address choices of ip_route_connect()).
 *
 * The wildcard destination means the socket's own address, else loopback
 * (a BSD convention Linux keeps).  Loopback destinations are reached from
 * 127.0.0.1 unless the socket has a source address; nothing else is
 * reachable.
 *
 * @param sk the socket
 * @param daddr in: requested destination; out: the one used
 * @param saddr in: the socket's source address or 0; out: the one used
 * @return 0 or -ENETUNREACH
 */
int ip_route_connect(struct sock *sk, in_addr_t *daddr, in_addr_t *saddr)
{
	if (!*daddr) {
		*daddr = *saddr;
		if (!*daddr)
			*daddr = *saddr = htonl(INADDR_LOOPBACK);
	}
	if (!ipv4_is_loopback(*daddr))
		return -ENETUNREACH;
	if (!*saddr)
		*saddr = htonl(INADDR_LOOPBACK);
	return 0;
}

/**
 * setsockopt() at SOL_IP (port of ip_setsockopt()).  The port models no
 * IP-level option.
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen length
 * @return -ENOPROTOOPT
 */
int ip_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen)
{
	return -ENOPROTOOPT;
}

/**
 * getsockopt() at SOL_IP (port of ip_getsockopt() / do_ip_getsockopt()).
 * Another level is EOPNOTSUPP; the length is read and checked before the
 * option; no option is modelled.
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen user pointer to the length
 * @return -EOPNOTSUPP, -EFAULT, -EINVAL or -ENOPROTOOPT
 */
int ip_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	int len;

	if (level != SOL_IP)
		return -EOPNOTSUPP;
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return -ENOPROTOOPT;
}

/** AF_INET stream (TCP) operations (the kernel's inet_stream_ops). */
const struct proto_ops inet_stream_ops = {
	.family = PF_INET,
	.release = inet_release,
	.bind = inet_bind,
	.connect = inet_stream_connect,
	.accept = inet_accept,
	.getname = inet_getname,
	.listen = inet_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};

/** AF_INET datagram (UDP) operations (the kernel's inet_dgram_ops). */
const struct proto_ops inet_dgram_ops = {
	.family = PF_INET,
	.release = inet_release,
	.bind = inet_bind,
	.connect = inet_dgram_connect,
	.accept = sock_no_accept,
	.getname = inet_getname,
	.listen = sock_no_listen,
	.shutdown = inet_shutdown,
	.setsockopt = sock_common_setsockopt,
	.getsockopt = sock_common_getsockopt,
};

/**
 * Operations of the AF_INET sockets the port only creates (raw, ping,
 * UDP-Lite): their bind() and connect() are not modelled and answer
 * EOPNOTSUPP; listen() and accept() answer EOPNOTSUPP as on Linux.
 */
const struct proto_ops inet_sockraw_ops = {
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
