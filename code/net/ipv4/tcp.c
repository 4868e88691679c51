/**
 * @file tcp.c
 * @brief TCP: connection states, listen, the handshake over the port's
 *        loopback, accept, disconnect, shutdown and close.  Port of parts
 *        of net/ipv4/tcp.c, net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c and
 *        net/ipv4/inet_connection_sock.c, Linux 6.18.
 *
 * The port carries no segments.  A connect() to a loopback address runs
 * the listener's side of the handshake at once, under TCP's table lock:
 * the listener the lookup picks (its reuseport group and the group's
 * program decide among members) gets an ESTABLISHED child in its accept
 * queue, and the client becomes ESTABLISHED.  No listener: the client is
 * refused (ECONNREFUSED).  A SYN to the sender's own address and port
 * connects the socket to itself (Linux's simultaneous open; the differential
 * fuzzer found this).  A full accept queue drops the SYN, as Linux does,
 * and the client stays in SYN_SENT; the port never retransmits it.
 *
 * The two ends of a connection are independent objects: closing,
 * shutting down or resetting one end does not change the other (Linux
 * would send a FIN or RST).  A closed connection frees its port at once
 * (no TIME_WAIT).  Listener migration (tcp_migrate_req) moves the listener
 * to its group's closed section (see sock_reuseport.c) but does not move
 * its queued children: they are reset with the listener.  No TCP-level
 * option is modelled: SOL_TCP options answer ENOPROTOOPT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/err.h"
#include "kern/inet_sock.h"
#include "kern/sock_reuseport.h"
#include "kern/uaccess.h"

/** Shortest IPv6 socket address connect() accepts (RFC 2133's). */
#define SIN6_LEN_RFC2133	24

/*
 * The TCP_CLOSE branch of tcp_set_state(): out of the lookup tables (and,
 * for a listener, out of its group), and the port goes too unless bind()
 * chose it.  The state changes last, so that a closed socket is never seen
 * hashed.  Table lock held.
 */
static void __tcp_close_state(struct sock *sk)
{
	__inet_unhash(sk);
	if (inet_sk(sk)->bind_pprev && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		__inet_put_port(sk);
	inet_sk_state_store(sk, TCP_CLOSE);
}

/**
 * Move a TCP socket to a new state (port of tcp_set_state()).  Only
 * TCP_CLOSE has side effects: see __tcp_close_state().
 * @param sk the socket, locked
 * @param state a TCP_* state
 */
void tcp_set_state(struct sock *sk, int state)
{
	struct inet_hashinfo *h = &tcp_hashinfo;

	if (state != TCP_CLOSE) {
		inet_sk_state_store(sk, state);
		return;
	}
	spin_lock_bh(&h->lock);
	__tcp_close_state(sk);
	spin_unlock_bh(&h->lock);
}

/* States in which a disconnect resets the connection (tcp_need_reset()). */
static bool tcp_need_reset(int state)
{
	return (1 << state) & ((1 << TCP_ESTABLISHED) | (1 << TCP_CLOSE_WAIT) |
			       (1 << TCP_FIN_WAIT1) | (1 << TCP_FIN_WAIT2) |
			       (1 << TCP_SYN_RECV));
}

/* Take the first child off a listener's accept queue, or NULL. */
static struct inet_sock *inet_csk_reqsk_queue_remove(struct inet_sock *inet)
{
	struct inet_sock *child;

	spin_lock(&inet->rskq_lock);
	child = inet->accept_head;
	if (child) {
		inet->accept_head = child->accept_next;
		if (!inet->accept_head)
			inet->accept_tail = NULL;
		child->accept_next = NULL;
		inet->sk_ack_backlog--;
	}
	spin_unlock(&inet->rskq_lock);
	return child;
}

/*
 * Port of inet_csk_listen_stop(): reset the children nobody accepted.
 * The listener is locked and already unhashed, so no child can be added.
 */
static void inet_csk_listen_stop(struct sock *sk)
{
	struct inet_hashinfo *h = &tcp_hashinfo;
	struct inet_sock *child;

	while ((child = inet_csk_reqsk_queue_remove(inet_sk(sk)))) {
		struct sock *csk = &child->sk;

		/* listener, then child: the one order in which two socket locks nest */
		lock_sock(csk);
		spin_lock_bh(&h->lock);
		__inet_unhash(csk);
		__inet_put_port(csk);
		inet_sk_state_store(csk, TCP_CLOSE);
		spin_unlock_bh(&h->lock);
		sock_orphan(csk);
		release_sock(csk);
		sock_put(csk);
	}
}

/**
 * Start listening (port of inet_csk_listen_start()).  The state changes
 * to TCP_LISTEN before the port is checked again under a listener's rules
 * (or chosen, for an unbound socket), then the socket is hashed.
 * @param sk the socket, locked, in TCP_CLOSE
 * @return 0, -EADDRINUSE, -EINVAL (see inet_sock::was_connected), or an
 *         error of the reuseport group code
 */
int inet_csk_listen_start(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	int err;

	inet_sk_state_store(sk, TCP_LISTEN);
	err = inet_prot(sk)->get_port(sk, inet->inet_num);
	if (!err) {
		inet->inet_sport = htons(inet->inet_num);
		/*
		 * Not in the 6.18 source as read, but what the live 6.18.44
		 * kernel does (found by the differential fuzzer): a socket that
		 * has been one end of a connection fails here, after get_port()
		 * gave it a port, and keeps that port.
		 */
		if (inet->was_connected)
			err = -EINVAL;
		else
			err = inet_hash(sk);
		if (!err)
			return 0;
	}
	inet_sk_state_store(sk, TCP_CLOSE);
	return err;
}

/**
 * Take an established connection off a listener (port of
 * inet_csk_accept()).  The port cannot sleep waiting for one: an empty
 * queue is EAGAIN whether or not the socket is blocking.
 * @param sk the listener
 * @param flags its file flags
 * @param err where -EINVAL (not listening) or -EAGAIN goes
 * @return the child, with the reference the queue held, or NULL
 */
struct sock *inet_csk_accept(struct sock *sk, int flags, int *err)
{
	struct inet_sock *child;

	lock_sock(sk);
	*err = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out_err;

	child = inet_csk_reqsk_queue_remove(inet_sk(sk));
	if (!child) {
		*err = -EAGAIN;
		goto out_err;
	}
	release_sock(sk);
	return &child->sk;

out_err:
	release_sock(sk);
	return NULL;
}

/*
 * Port of tcp_create_openreq_child() / inet_csk_clone_lock(): the
 * listener's side of a new connection.  The child copies the listener's
 * options and owner, shares its port, and is hashed as an established
 * connection; it is in no reuseport group, and it does not inherit an
 * sk_user_data tagged SK_USER_DATA_NOCOPY (a reuseport array's back-pointer).
 * TCP's table lock held.
 */
static struct sock *tcp_create_child(struct sock *lsk, const struct inet_flow *syn)
{
	struct inet_sock *linet = inet_sk(lsk), *newinet;
	struct sock *newsk;

	newsk = sk_alloc(lsk->sk_family, SOCK_STREAM, IPPROTO_TCP, lsk->sk_prot, sizeof(*newinet));
	if (!newsk)
		return NULL;
	newinet = inet_sk(newsk);
	spin_lock_init(&newinet->rskq_lock);
	udp_sk_rx_init(newinet);
	sock_init_data(NULL, newsk);

	newsk->sk_uid = lsk->sk_uid;
	newsk->sk_reuse = READ_ONCE(lsk->sk_reuse);
	newsk->sk_reuseport = READ_ONCE(lsk->sk_reuseport);
	newsk->sk_userlocks = lsk->sk_userlocks & ~SOCK_BINDPORT_LOCK;
	newsk->sk_bound_dev_if = lsk->sk_bound_dev_if;
	/* the kernel copies the flags word whole (SOCK_RCU_FREE included) */
	newsk->sk_flags = __atomic_load_n(&lsk->sk_flags, __ATOMIC_RELAXED) & ~(1UL << SOCK_DEAD);
	/* as sk_clone_lock(): copy the value, then drop a NOCOPY one */
	newsk->sk_user_data = READ_ONCE(lsk->sk_user_data);
	if (sk_user_data_is_nocopy(newsk))
		newsk->sk_user_data = NULL;
	newinet->ipv6only = READ_ONCE(linet->ipv6only);

	/* local = where the SYN went; peer = where it came from */
	if (syn->v4) {
		newinet->inet_rcv_saddr = newinet->inet_saddr = syn->daddr;
		newinet->inet_daddr = syn->saddr;
		if (newsk->sk_family == AF_INET6) {
			ipv6_addr_set_v4mapped(syn->daddr, &newinet->sk_v6_rcv_saddr);
			ipv6_addr_set_v4mapped(syn->daddr, &newinet->v6_saddr);
			ipv6_addr_set_v4mapped(syn->saddr, &newinet->sk_v6_daddr);
		}
	} else {
		newinet->sk_v6_rcv_saddr = newinet->v6_saddr = syn->daddr6;
		newinet->sk_v6_daddr = syn->saddr6;
		newinet->inet_rcv_saddr = newinet->inet_saddr = htonl(LOOPBACK4_IPV6);
		newinet->inet_daddr = htonl(LOOPBACK4_IPV6);
	}
	newinet->inet_dport = syn->sport;
	newinet->inet_sport = syn->dport;
	inet_bind_hash(newsk, &tcp_hashinfo, ntohs(syn->dport));
	newsk->sk_state = TCP_ESTABLISHED;
	newinet->was_connected = true;	/* not was_listener: see inet_sock.h */
	WRITE_ONCE(newsk->sk_hashed_flag, true);
	return newsk;
}

/*
 * The SYN of @sk reaches the port's loopback (what tcp_v4_rcv(),
 * tcp_conn_request() and tcp_v4_syn_recv_sock() do, in one step).
 * TCP's table lock held.
 */
static void tcp_transmit_syn(struct sock *sk)
{
	struct inet_hashinfo *h = &tcp_hashinfo;
	struct inet_sock *linet, *child;
	struct sock *lsk, *newsk;
	struct inet_flow syn;
	bool full;

	inet_sk_flow(sk, &syn);
	/*
	 * A SYN to its own address and port: Linux's established-table lookup
	 * finds the sender itself, before any listener, and the simultaneous
	 * open of tcp_rcv_synsent_state_process() connects it to itself.
	 */
	if (syn.sport == syn.dport &&
	    (syn.v4 ? syn.saddr == syn.daddr :
		      !memcmp(&syn.saddr6, &syn.daddr6, sizeof(syn.daddr6)))) {
		inet_sk_state_store(sk, TCP_ESTABLISHED);
		return;
	}
	lsk = __inet_lookup_listener(h, &syn);
	if (IS_ERR_OR_NULL(lsk) || !sk_hashed(lsk) ||
	    READ_ONCE(lsk->sk_state) != TCP_LISTEN || lsk->sk_protocol != IPPROTO_TCP) {
		/* answered by a reset: tcp_reset() + tcp_done() */
		__atomic_store_n(&inet_sk(sk)->sk_err, ECONNREFUSED, __ATOMIC_RELAXED);
		__tcp_close_state(sk);
		return;
	}

	linet = inet_sk(lsk);
	spin_lock(&linet->rskq_lock);
	/* sk_acceptq_is_full(): room for backlog + 1 */
	full = linet->sk_ack_backlog > (u32)READ_ONCE(linet->sk_max_ack_backlog);
	spin_unlock(&linet->rskq_lock);
	if (full)
		return;		/* dropped: the client stays in SYN_SENT */

	newsk = tcp_create_child(lsk, &syn);
	if (!newsk)
		return;		/* dropped too */
	child = inet_sk(newsk);

	spin_lock(&linet->rskq_lock);
	if (linet->accept_tail)
		linet->accept_tail->accept_next = child;
	else
		linet->accept_head = child;
	linet->accept_tail = child;
	linet->sk_ack_backlog++;
	spin_unlock(&linet->rskq_lock);

	inet_sk_state_store(sk, TCP_ESTABLISHED);
}

/*
 * The part of tcp_v4_connect() / tcp_v6_connect() after the route: take
 * the addresses, a port (inet_hash_connect()), send the SYN.  @flow has the
 * chosen source address and the destination.  Socket locked.
 */
static int tcp_connect(struct sock *sk, const struct inet_flow *flow)
{
	struct inet_hashinfo *h = &tcp_hashinfo;
	struct inet_sock *inet = inet_sk(sk);
	int err;

	spin_lock_bh(&h->lock);
	if (flow->v4) {
		if (!inet->inet_saddr)
			inet->inet_saddr = flow->saddr;
		inet->inet_rcv_saddr = inet->inet_saddr;
		inet->inet_daddr = flow->daddr;
		if (sk->sk_family == AF_INET6) {
			ipv6_addr_set_v4mapped(inet->inet_saddr, &inet->v6_saddr);
			ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &inet->sk_v6_rcv_saddr);
			ipv6_addr_set_v4mapped(flow->daddr, &inet->sk_v6_daddr);
		}
	} else {
		if (ipv6_addr_any(&inet->sk_v6_rcv_saddr)) {
			inet->sk_v6_rcv_saddr = flow->saddr6;
			inet->v6_saddr = flow->saddr6;
		}
		inet->sk_v6_daddr = flow->daddr6;
		inet->inet_rcv_saddr = htonl(LOOPBACK4_IPV6);
		inet->inet_daddr = htonl(LOOPBACK4_IPV6);
	}
	inet->inet_dport = flow->dport;
	__atomic_store_n(&inet->sk_err, 0, __ATOMIC_RELAXED);
	inet_sk_state_store(sk, TCP_SYN_SENT);

	err = __inet_hash_connect(sk);
	if (err) {
		__tcp_close_state(sk);
		inet_reset_saddr(sk);
		inet->inet_dport = 0;
		goto out;
	}

	tcp_transmit_syn(sk);
out:
	spin_unlock_bh(&h->lock);
	return err;
}

/*
 * Port of tcp_v4_connect(): length, family, then the route (only loopback
 * destinations have one; multicast and broadcast never do for TCP).
 */
static int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = (const struct sockaddr_in *)uaddr;
	struct inet_flow flow = { .v4 = true };
	int err;

	if (addr_len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	flow.daddr = usin->sin_addr.s_addr;
	flow.saddr = inet_sk(sk)->inet_saddr;
	flow.dport = usin->sin_port;
	if (ipv4_is_multicast(flow.daddr) || ipv4_is_lbcast(flow.daddr) ||
	    flow.daddr == htonl(0x7fffffffU))
		return -ENETUNREACH;
	err = ip_route_connect(sk, &flow.daddr, &flow.saddr);
	if (err)
		return err;
	return tcp_connect(sk, &flow);
}

/*
 * Port of tcp_v6_connect().  "::" means loopback; a mapped destination is
 * an IPv4 connection (refused to a v6-only socket); a socket bound to a
 * mapped address cannot reach an IPv6 one.
 */
static int tcp_v6_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *usin = (const struct sockaddr_in6 *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct inet_flow flow = { 0 };
	struct in6_addr daddr;
	unsigned int addr_type;
	int err;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (usin->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;

	daddr = usin->sin6_addr;
	if (ipv6_addr_any(&daddr)) {
		if (ipv6_addr_v4mapped(&inet->sk_v6_rcv_saddr))
			ipv6_addr_set_v4mapped(htonl(INADDR_LOOPBACK), &daddr);
		else
			daddr = in6addr_loopback;
	}

	addr_type = ipv6_addr_type(&daddr);
	if (addr_type & IPV6_ADDR_MULTICAST)
		return -ENETUNREACH;
	if (addr_type & IPV6_ADDR_LINKLOCAL) {
		if (addr_len < (int)sizeof(struct sockaddr_in6) || !usin->sin6_scope_id)
			return -EINVAL;
		return -ENETUNREACH;	/* the port has no interfaces */
	}

	flow.dport = usin->sin6_port;
	if (addr_type == IPV6_ADDR_MAPPED) {
		if (ipv6_only_sock(sk))
			return -ENETUNREACH;
		flow.v4 = true;
		flow.daddr = ipv6_mapped_v4(&daddr);
		flow.saddr = inet->inet_saddr;
		if (ipv4_is_multicast(flow.daddr) || ipv4_is_lbcast(flow.daddr) ||
		    flow.daddr == htonl(0x7fffffffU))
			return -ENETUNREACH;
		err = ip_route_connect(sk, &flow.daddr, &flow.saddr);
		if (err)
			return err;
		return tcp_connect(sk, &flow);
	}

	if (ipv6_addr_v4mapped(&inet->sk_v6_rcv_saddr))
		return -EAFNOSUPPORT;
	if (!IN6_IS_ADDR_LOOPBACK(&daddr))
		return -ENETUNREACH;
	flow.daddr6 = daddr;
	flow.saddr6 = ipv6_addr_any(&inet->sk_v6_rcv_saddr) ? in6addr_loopback
							    : inet->sk_v6_rcv_saddr;
	return tcp_connect(sk, &flow);
}

/*
 * Port of tcp_disconnect(): back to a fresh, unconnected socket that keeps
 * only what bind() chose.  A listener leaves its group and resets its
 * queued children; a connection is reset (ECONNRESET for SO_ERROR).
 * Socket locked.
 */
static int tcp_disconnect(struct sock *sk, int flags)
{
	struct inet_hashinfo *h = &tcp_hashinfo;
	struct inet_sock *inet = inet_sk(sk);
	int old_state = sk->sk_state;

	spin_lock_bh(&h->lock);
	if (old_state != TCP_CLOSE)
		__tcp_close_state(sk);
	inet_reset_saddr(sk);
	inet->inet_dport = 0;
	spin_unlock_bh(&h->lock);

	if (old_state == TCP_LISTEN)
		inet_csk_listen_stop(sk);
	else if (tcp_need_reset(old_state) || old_state == TCP_SYN_SENT)
		__atomic_store_n(&inet->sk_err, ECONNRESET, __ATOMIC_RELAXED);

	WRITE_ONCE(sk->sk_shutdown, 0);
	return 0;
}

/*
 * Port of tcp_shutdown(): stop sending.  The FIN that Linux sends is
 * implied by the new state (no segment carries it in the port).
 */
static void tcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		inet_sk_state_store(sk, TCP_FIN_WAIT1);
		break;
	case TCP_CLOSE_WAIT:
		inet_sk_state_store(sk, TCP_LAST_ACK);
		break;
	default:
		break;
	}
}

/*
 * Port of tcp_close(): a listener unhashes (leaving its group) and resets
 * its unaccepted children; any socket then gives up its port, loses its
 * struct socket and the descriptor's reference.
 */
static void tcp_close(struct sock *sk)
{
	struct inet_hashinfo *h = &tcp_hashinfo;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		tcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
	}

	spin_lock_bh(&h->lock);
	if (sk->sk_state != TCP_CLOSE)
		__tcp_close_state(sk);
	__inet_put_port(sk);
	spin_unlock_bh(&h->lock);

	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

/*
 * Port of tcp_setsockopt(): other levels go to IP or IPv6; SOL_TCP takes
 * an int, but no TCP option is modelled.
 */
static int tcp_setsockopt(struct sock *sk, int level, int optname,
			  const void *optval, unsigned int optlen)
{
	int val;

	if (level != SOL_TCP) {
		if (sk->sk_family == AF_INET6)
			return ipv6_setsockopt(sk, level, optname, optval, optlen);
		return ip_setsockopt(sk, level, optname, optval, optlen);
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_user(&val, optval, sizeof(val)))
		return -EFAULT;
	return -ENOPROTOOPT;
}

/* Port of tcp_getsockopt() / do_tcp_getsockopt(). */
static int tcp_getsockopt(struct sock *sk, int level, int optname,
			  void *optval, int *optlen)
{
	int len;

	if (level != SOL_TCP) {
		if (sk->sk_family == AF_INET6)
			return ipv6_getsockopt(sk, level, optname, optval, optlen);
		return ip_getsockopt(sk, level, optname, optval, optlen);
	}
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return -ENOPROTOOPT;
}

/** TCP over IPv4 (the kernel's tcp_prot). */
const struct inet_proto tcp_prot = {
	.prot = {
		.name = "TCP",
		.unhash = inet_unhash,
		.destroy = inet_sock_destruct,
	},
	.h = &tcp_hashinfo,
	.get_port = inet_csk_get_port,
	.connect = tcp_v4_connect,
	.disconnect = tcp_disconnect,
	.close = tcp_close,
	.shutdown = tcp_shutdown,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
};

/** TCP over IPv6 (the kernel's tcpv6_prot). */
const struct inet_proto tcpv6_prot = {
	.prot = {
		.name = "TCPv6",
		.unhash = inet_unhash,
		.destroy = inet_sock_destruct,
	},
	.h = &tcp_hashinfo,
	.get_port = inet_csk_get_port,
	.connect = tcp_v6_connect,
	.disconnect = tcp_disconnect,
	.close = tcp_close,
	.shutdown = tcp_shutdown,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
};
