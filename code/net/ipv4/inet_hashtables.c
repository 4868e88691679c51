/**
 * @file inet_hashtables.c
 * @brief Port tables, bind conflicts, listener hashing and listener lookup.
 *        Port of parts of net/ipv4/inet_hashtables.c and
 *        net/ipv4/inet_connection_sock.c, Linux 6.18.
 *
 * Each protocol (TCP, UDP) has one table with a bucket per local port.  A
 * bucket lists every socket that holds the port: bound sockets, listeners,
 * connected sockets and accepted children.  Being "hashed" (findable by a
 * lookup: a listener, an established connection, a bound UDP socket) is the
 * socket's sk_hashed_flag; the kernel's separate listening and established
 * hashes are that flag plus the socket's state.
 *
 * One lock per table (where the kernel has a lock per bucket) protects the
 * buckets, the hashed flags, and the addresses and ports of every socket in
 * a bucket.  It is taken after lock_sock() and before reuseport_lock.
 *
 * The port sees only the sockets it created: ports held by real sockets of
 * the process, or by other processes, do not conflict with the port's.
 * Not modelled: ip_local_reserved_ports, ip_autobind_reuse, the bind
 * bucket "fastreuse" caches (a cache of the same rules), TIME_WAIT.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <sys/random.h>

#include "kern/err.h"
#include "kern/filter.h"
#include "kern/inet_sock.h"
#include "kern/sock_reuseport.h"

/** TCP's port table. */
struct inet_hashinfo tcp_hashinfo = {
	.lock = { PTHREAD_MUTEX_INITIALIZER, "tcp_hashinfo.lock" },
};

/** UDP's port table. */
struct inet_hashinfo udp_table = {
	.lock = { PTHREAD_MUTEX_INITIALIZER, "udp_table.lock" },
};

/**
 * A random number below @p ceil (port of get_random_u32_below()).
 * @param ceil exclusive upper bound, at least 1
 * @return a number in [0, ceil)
 */
u32 get_random_u32_below(u32 ceil)
{
	static u32 fallback = 0x9e3779b9U;
	u32 r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = __atomic_add_fetch(&fallback, 0x9e3779b9U, __ATOMIC_RELAXED);
	return (u32)(((u64)r * ceil) >> 32);
}

/**
 * The ephemeral port range, read from net.ipv4.ip_local_port_range
 * (port of inet_get_local_port_range()).
 * @param low first port
 * @param high last port
 */
void inet_get_local_port_range(int *low, int *high)
{
	long range[2] = { 32768, 60999 };

	if (net_sysctl_read(NET_SYSCTL_IP_LOCAL_PORT_RANGE, range, 2) != 2 ||
	    range[0] < 1 || range[1] > 65535 || range[0] > range[1]) {
		range[0] = 32768;
		range[1] = 60999;
	}
	*low = (int)range[0];
	*high = (int)range[1];
}

/* Port of ipv4_rcv_saddr_equal(). */
static bool ipv4_rcv_saddr_equal(in_addr_t sk1_rcv_saddr, in_addr_t sk2_rcv_saddr,
				 bool sk2_ipv6only, bool match_sk1_wildcard,
				 bool match_sk2_wildcard)
{
	if (!sk2_ipv6only) {
		if (sk1_rcv_saddr == sk2_rcv_saddr)
			return true;
		return (match_sk1_wildcard && !sk1_rcv_saddr) ||
		       (match_sk2_wildcard && !sk2_rcv_saddr);
	}
	return false;
}

/*
 * Port of ipv6_rcv_saddr_equal().  sk2_rcv_saddr6 is NULL for an IPv4
 * socket, which then counts as a mapped address.
 */
static bool ipv6_rcv_saddr_equal(const struct in6_addr *sk1_rcv_saddr6,
				 const struct in6_addr *sk2_rcv_saddr6,
				 in_addr_t sk1_rcv_saddr, in_addr_t sk2_rcv_saddr,
				 bool sk1_ipv6only, bool sk2_ipv6only,
				 bool match_sk1_wildcard, bool match_sk2_wildcard)
{
	unsigned int addr_type = ipv6_addr_type(sk1_rcv_saddr6);
	unsigned int addr_type2 = sk2_rcv_saddr6 ? ipv6_addr_type(sk2_rcv_saddr6) : IPV6_ADDR_MAPPED;

	/* both mapped: an IPv4 question */
	if (addr_type == IPV6_ADDR_MAPPED && addr_type2 == IPV6_ADDR_MAPPED) {
		if (!sk2_ipv6only) {
			if (sk1_rcv_saddr == sk2_rcv_saddr)
				return true;
			return (match_sk1_wildcard && !sk1_rcv_saddr) ||
			       (match_sk2_wildcard && !sk2_rcv_saddr);
		}
		return false;
	}

	if (addr_type == IPV6_ADDR_ANY && addr_type2 == IPV6_ADDR_ANY)
		return true;

	if (addr_type2 == IPV6_ADDR_ANY && match_sk2_wildcard &&
	    !(sk2_ipv6only && addr_type == IPV6_ADDR_MAPPED))
		return true;

	if (addr_type == IPV6_ADDR_ANY && match_sk1_wildcard &&
	    !(sk1_ipv6only && addr_type2 == IPV6_ADDR_MAPPED))
		return true;

	if (sk2_rcv_saddr6 && !memcmp(sk1_rcv_saddr6, sk2_rcv_saddr6, sizeof(*sk2_rcv_saddr6)))
		return true;

	return false;
}

/**
 * Do two sockets' local addresses overlap (port of inet_rcv_saddr_equal())?
 * A wildcard overlaps every address of its family, and an IPv6 wildcard
 * without IPV6_V6ONLY every IPv4 address too, when @p match_wildcard.
 * Caller holds the table lock (or owns both sockets' addresses).
 * @param sk the socket asking
 * @param sk2 a socket of the same protocol
 * @param match_wildcard whether a wildcard matches a specific address
 * @return true if they overlap
 */
bool inet_rcv_saddr_equal(const struct sock *sk, const struct sock *sk2, bool match_wildcard)
{
	const struct inet_sock *inet = inet_sk(sk), *inet2 = inet_sk(sk2);

	if (sk->sk_family == AF_INET6)
		return ipv6_rcv_saddr_equal(&inet->sk_v6_rcv_saddr,
					    sk2->sk_family == AF_INET6 ? &inet2->sk_v6_rcv_saddr : NULL,
					    inet->inet_rcv_saddr, inet2->inet_rcv_saddr,
					    ipv6_only_sock(sk), ipv6_only_sock(sk2),
					    match_wildcard, match_wildcard);
	return ipv4_rcv_saddr_equal(inet->inet_rcv_saddr, inet2->inet_rcv_saddr,
				    ipv6_only_sock(sk2), match_wildcard, match_wildcard);
}

/**
 * Is the socket bound to its family's wildcard address (port of
 * inet_rcv_saddr_any())?
 * @param sk the socket
 * @return true for 0.0.0.0 and ::
 */
bool inet_rcv_saddr_any(const struct sock *sk)
{
	if (sk->sk_family == AF_INET6)
		return ipv6_addr_any(&inet_sk(sk)->sk_v6_rcv_saddr);
	return !inet_sk(sk)->inet_rcv_saddr;
}

/**
 * Make @p sk an owner of local port @p port (port of inet_bind_hash()).
 * Caller holds @p h's lock.
 * @param sk the socket, holding no port
 * @param h the protocol's table
 * @param port the port
 */
void inet_bind_hash(struct sock *sk, struct inet_hashinfo *h, unsigned short port)
{
	struct inet_sock *inet = inet_sk(sk);
	struct inet_sock *first = h->bhash[port];

	lockdep_assert_held(&h->lock);
	inet->inet_num = port;
	inet->bind_table = h;
	inet->bind_next = first;
	if (first)
		first->bind_pprev = &inet->bind_next;
	h->bhash[port] = inet;
	inet->bind_pprev = &h->bhash[port];
}

/**
 * Make @p sk the last owner of local port @p port: inet_bind_hash(), but at
 * the end of the chain, where Linux's UDP puts IPv6 SO_REUSEPORT sockets
 * (sk_add_node_tail_rcu() in udp_lib_get_port()).  Caller holds @p h's lock.
 * @param sk the socket, holding no port
 * @param h the protocol's table
 * @param port the port
 */
void inet_bind_hash_tail(struct sock *sk, struct inet_hashinfo *h, unsigned short port)
{
	struct inet_sock *inet = inet_sk(sk);
	struct inet_sock **pprev = &h->bhash[port];

	lockdep_assert_held(&h->lock);
	while (*pprev)
		pprev = &(*pprev)->bind_next;
	inet->inet_num = port;
	inet->bind_table = h;
	inet->bind_next = NULL;
	inet->bind_pprev = pprev;
	*pprev = inet;
}

/**
 * Give up the local port (port of __inet_put_port()).  inet_sport is
 * left alone, as in Linux: getsockname() keeps showing the old port.
 * Caller holds the table lock.
 * @param sk the socket; nothing happens if it holds no port
 */
void __inet_put_port(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	if (!inet->bind_pprev)
		return;
	lockdep_assert_held(&inet->bind_table->lock);
	*inet->bind_pprev = inet->bind_next;
	if (inet->bind_next)
		inet->bind_next->bind_pprev = inet->bind_pprev;
	inet->bind_next = NULL;
	inet->bind_pprev = NULL;
	inet->bind_table = NULL;
	inet->inet_num = 0;
}

/**
 * Give up the local port, taking the table lock (port of inet_put_port()).
 * @param sk the socket
 */
void inet_put_port(struct sock *sk)
{
	struct inet_hashinfo *h = inet_prot(sk)->h;

	spin_lock_bh(&h->lock);
	__inet_put_port(sk);
	spin_unlock_bh(&h->lock);
}

/* [exercise:bind_conflict] */
/*
 * Port of inet_bind_conflict(), net/ipv4/inet_connection_sock.c: does
 * @sk2, which already holds the port, keep @sk from holding it too?  This
 * is the whole of TCP's sharing rule except the address: the caller asks
 * inet_rcv_saddr_equal() whether the two addresses overlap.
 *
 * @sk: the socket that wants the port (bind(), or listen() checking again)
 * @sk2: one owner of the port; for @sk itself the answer is no conflict
 * @uid: the owner of @sk (its sk_uid), to compare with @sk2's
 * @relax: false while looking for a free ephemeral port (then SO_REUSEADDR
 *	does not let two sockets share), true for a port the user named
 * @reuseport_cb_ok: @sk is in no reuseport group, or in one that holds
 *	shut-down listeners it may rejoin; if false, SO_REUSEPORT cannot help
 * @reuseport_ok: false while looking for a free ephemeral port (a socket
 *	must not be dropped into a stranger's group by accident)
 *
 * The sockets are on different devices (sk_bound_dev_if, both set and
 * different): no conflict.  Otherwise they may share when both have
 * SO_REUSEADDR and @sk2 is not listening; or when both have SO_REUSEPORT,
 * SO_REUSEPORT is allowed (@reuseport_ok, @reuseport_cb_ok) and @sk2 has
 * the same owner (or is in TIME_WAIT, which has no owner to protect).
 * The first way is closed when not @relax; and, when @reuseport_ok is
 * false, also for a pair that the second way would have let share, so that
 * an automatic port never puts the socket into somebody's group.
 *
 * Returns true for a conflict, false if the two may share the port.
 */
static bool inet_bind_conflict(const struct sock *sk, const struct sock *sk2,
			       uid_t uid, bool relax, bool reuseport_cb_ok,
			       bool reuseport_ok)
{
	int bound_dev_if2;
	u8 state2, reuse2, reuseport2;

	if (sk == sk2)
		return false;

	bound_dev_if2 = READ_ONCE(sk2->sk_bound_dev_if);
	if (sk->sk_bound_dev_if && bound_dev_if2 && sk->sk_bound_dev_if != bound_dev_if2)
		return false;

	state2 = READ_ONCE(sk2->sk_state);
	reuse2 = READ_ONCE(sk2->sk_reuse);
	reuseport2 = READ_ONCE(sk2->sk_reuseport);

	if (sk->sk_reuse && reuse2 && state2 != TCP_LISTEN) {
		/* SO_REUSEADDR on both, and sk2 not listening: fine, unless strict */
		if (!relax || (!reuseport_ok && sk->sk_reuseport && reuseport2 &&
			       reuseport_cb_ok &&
			       (state2 == TCP_TIME_WAIT || uid == sk2->sk_uid)))
			return true;
	} else if (!reuseport_ok || !sk->sk_reuseport || !reuseport2 ||
		   !reuseport_cb_ok ||
		   (state2 != TCP_TIME_WAIT && uid != sk2->sk_uid)) {
		return true;
	}
	return false;
}
/* [/exercise:bind_conflict] */

/* [book:csk_bind_conflict] */
/*
 * Port of inet_csk_bind_conflict(): does any owner of @port keep @sk from
 * it?  A socket already in a group may share only while the group holds
 * closed listeners (it is coming back to it).  Table lock held.
 */
static bool inet_csk_bind_conflict(const struct sock *sk, struct inet_hashinfo *h,
				   unsigned short port, bool relax, bool reuseport_ok)
{
	struct sock_reuseport *reuseport_cb;
	bool reuseport_cb_ok;
	struct inet_sock *inet2;

	rcu_read_lock();
	reuseport_cb = rcu_dereference(sk->sk_reuseport_cb);
	reuseport_cb_ok = !reuseport_cb || READ_ONCE(reuseport_cb->num_closed_socks);
	rcu_read_unlock();

	for (inet2 = h->bhash[port]; inet2; inet2 = inet2->bind_next) {
		if (inet_bind_conflict(sk, &inet2->sk, sk->sk_uid, relax,
				       reuseport_cb_ok, reuseport_ok) &&
		    inet_rcv_saddr_equal(sk, &inet2->sk, true))
			return true;
	}
	return false;
}
/* [/book:csk_bind_conflict] */

/*
 * Port of inet_csk_find_open_port(): a free ephemeral port for bind(port 0)
 * or an unbound listen().  It starts at a random odd offset, steps by two,
 * then tries the even ports (connect() prefers even ones).  With
 * SO_REUSEADDR it tries the lower half of the range first.  Every owner of
 * an overlapping address conflicts here, SO_REUSEPORT or not.
 */
static int inet_csk_find_open_port(const struct sock *sk, struct inet_hashinfo *h)
{
	int attempt_half = sk->sk_reuse == SK_CAN_REUSE ? 1 : 0;
	int low, high, remaining, offset, port, i;

other_half_scan:
	inet_get_local_port_range(&low, &high);
	high++;			/* [low, high) */
	if (high - low < 4)
		attempt_half = 0;
	if (attempt_half) {
		int half = low + (((high - low) >> 2) << 1);

		if (attempt_half == 1)
			high = half;
		else
			low = half;
	}
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1;

	offset = (int)get_random_u32_below((u32)remaining);
	offset |= 1;

other_parity_scan:
	port = low + offset;
	for (i = 0; i < remaining; i += 2, port += 2) {
		if (port >= high)
			port -= remaining;
		if (!inet_csk_bind_conflict(sk, h, (unsigned short)port, false, false))
			return port;
	}

	offset--;
	if (!(offset & 1))
		goto other_parity_scan;

	if (attempt_half == 1) {
		attempt_half = 2;
		goto other_half_scan;
	}
	return 0;
}

/*
 * Port of sk_reuseport_match(): does @sk match the summary of the port's
 * SO_REUSEPORT owners, so that it may skip the owner-by-owner check?  Not
 * for a socket already in a group.  The address must fall within the
 * summarised one (a summarised wildcard covers a specific address, not the
 * other way round).
 *
 * The kernel source also lets FASTREUSEPORT_ANY match without comparing
 * addresses.  Linux 6.18 on the machine this port was checked on does not
 * show that short cut: after an owner on 127.0.0.1 turned SO_REUSEPORT off,
 * a SO_REUSEPORT bind() to 0.0.0.0 is refused while one to 127.0.0.1 is
 * let in (conformance case m06).  The port follows what Linux does.
 */
static bool sk_reuseport_match(const struct inet_bind_fast *tb, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (tb->fastreuseport <= 0 || !sk->sk_reuseport ||
	    rcu_access_pointer(sk->sk_reuseport_cb) || tb->fastuid != sk->sk_uid)
		return false;
	if (tb->fast_sk_family == AF_INET6)
		return ipv6_rcv_saddr_equal(&tb->fast_v6_rcv_saddr,
					    sk->sk_family == AF_INET6 ? &inet->sk_v6_rcv_saddr : NULL,
					    tb->fast_rcv_saddr, inet->inet_rcv_saddr,
					    tb->fast_ipv6_only, ipv6_only_sock(sk), true, false);
	return ipv4_rcv_saddr_equal(tb->fast_rcv_saddr, inet->inet_rcv_saddr,
				    ipv6_only_sock(sk), true, false);
}

/* Summarise @sk as the port's newest owner in @tb. */
static void inet_bind_fast_set(struct inet_bind_fast *tb, const struct sock *sk, s8 mode)
{
	const struct inet_sock *inet = inet_sk(sk);

	tb->fastreuseport = mode;
	tb->fastuid = sk->sk_uid;
	tb->fast_rcv_saddr = inet->inet_rcv_saddr;
	tb->fast_ipv6_only = ipv6_only_sock(sk);
	tb->fast_sk_family = sk->sk_family;
	tb->fast_v6_rcv_saddr = inet->sk_v6_rcv_saddr;
}

/*
 * Port of inet_csk_update_fastreuse(): @sk has just been granted @port;
 * fold it into the summary.  The first owner sets it; later owners can only
 * narrow it, except that a SO_REUSEPORT owner that did not match restarts
 * the SO_REUSEPORT summary from itself, in strict mode.  Table lock held,
 * @sk not yet among the owners unless it is a listener checking again.
 */
static void inet_csk_update_fastreuse(struct inet_hashinfo *h, unsigned short port,
				      struct sock *sk)
{
	struct inet_bind_fast *tb = &h->bfast[port];
	bool reuse = sk->sk_reuse && sk->sk_state != TCP_LISTEN;

	if (!h->bhash[port]) {
		tb->fastreuse = reuse;
		if (sk->sk_reuseport)
			inet_bind_fast_set(tb, sk, FASTREUSEPORT_ANY);
		else
			tb->fastreuseport = 0;
		return;
	}
	if (!reuse)
		tb->fastreuse = 0;
	if (!sk->sk_reuseport)
		tb->fastreuseport = 0;
	else if (!sk_reuseport_match(tb, sk))
		inet_bind_fast_set(tb, sk, FASTREUSEPORT_STRICT);
}

/**
 * Claim local port @p snum, or a free one if 0 (port of
 * inet_csk_get_port()).  Called by bind() and, to re-check the port under
 * the stricter rules of a listener, by listen().
 *
 * With a port asked for, an owner whose address overlaps is a conflict
 * unless both sockets have SO_REUSEADDR and the owner is not listening, or
 * both have SO_REUSEPORT and the same owner uid; but first the owners'
 * summary (struct inet_bind_fast) may let the socket in without asking
 * each owner, as in Linux, even if an owner has since dropped its option
 * (the differential fuzzer found that case).
 *
 * @param sk the socket, its local address already set
 * @param snum the port, or 0
 * @return 0 or -EADDRINUSE
 */
int inet_csk_get_port(struct sock *sk, unsigned short snum)
{
	struct inet_hashinfo *h = inet_prot(sk)->h;
	int port = snum, ret = -EADDRINUSE;

	spin_lock_bh(&h->lock);
	if (!port) {
		port = inet_csk_find_open_port(sk, h);
		if (!port)
			goto fail;
	} else {
		struct inet_bind_fast *tb = &h->bfast[port];
		bool reuse = sk->sk_reuse && sk->sk_state != TCP_LISTEN;

		/* The fast path: the owners' summary already says yes. */
		if (!h->bhash[port] ||
		    !((tb->fastreuse > 0 && reuse) || sk_reuseport_match(tb, sk))) {
			if (inet_csk_bind_conflict(sk, h, (unsigned short)port, true, true))
				goto fail;
		}
	}

	inet_csk_update_fastreuse(h, (unsigned short)port, sk);
	if (!inet_sk(sk)->bind_pprev)
		inet_bind_hash(sk, h, (unsigned short)port);
	ret = 0;
fail:
	spin_unlock_bh(&h->lock);
	return ret;
}

/* Is @sk a listener a lookup can find?  Table lock held. */
static bool inet_sk_listening(const struct sock *sk)
{
	return sk_hashed(sk) && READ_ONCE(sk->sk_state) == TCP_LISTEN;
}

/* [book:inet_reuseport_add_sock] */
/*
 * Port of inet_reuseport_add_sock(): join the group of a listener on the
 * same port with the same family, v6-only flag, owner and address, or start
 * a group.  Table lock held.
 */
static int inet_reuseport_add_sock(struct sock *sk, struct inet_hashinfo *h)
{
	struct inet_sock *inet2;

	for (inet2 = h->bhash[inet_sk(sk)->inet_num]; inet2; inet2 = inet2->bind_next) {
		struct sock *sk2 = &inet2->sk;

		if (sk2 != sk && inet_sk_listening(sk2) &&
		    sk2->sk_family == sk->sk_family &&
		    ipv6_only_sock(sk2) == ipv6_only_sock(sk) &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    READ_ONCE(sk2->sk_reuseport) && sk2->sk_uid == sk->sk_uid &&
		    inet_rcv_saddr_equal(sk, sk2, false))
			return reuseport_add_sock(sk, sk2, inet_rcv_saddr_any(sk));
	}
	return reuseport_alloc(sk, inet_rcv_saddr_any(sk));
}
/* [/book:inet_reuseport_add_sock] */

/**
 * Put a listener in the lookup tables (port of __inet_hash() for
 * TCP_LISTEN).  With SO_REUSEPORT it joins or starts a group first; from
 * now on RCU readers may find it, so it is freed only after a grace period.
 * @param sk a socket in TCP_LISTEN that holds its port
 * @return 0, or the error of the group code (-ENOMEM, -EBUSY)
 */
int inet_hash(struct sock *sk)
{
	struct inet_hashinfo *h = inet_prot(sk)->h;
	int err = 0;

	spin_lock_bh(&h->lock);
	if (sk->sk_reuseport) {
		err = inet_reuseport_add_sock(sk, h);
		if (err)
			goto unlock;
	}
	sock_set_flag(sk, SOCK_RCU_FREE);
	WRITE_ONCE(sk->sk_hashed_flag, true);
unlock:
	spin_unlock_bh(&h->lock);
	return err;
}

/**
 * Take a socket out of the lookup tables (port of __inet_unhash()).  A
 * listener leaves its reuseport group through reuseport_stop_listen_sock(),
 * which also tells a reuseport array.  Caller holds the table lock.
 * @param sk the socket, locked
 */
void __inet_unhash(struct sock *sk)
{
	lockdep_assert_held(&inet_prot(sk)->h->lock);
	if (!sk_hashed(sk))
		return;
	if (sk->sk_state == TCP_LISTEN && rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_stop_listen_sock(sk);
	WRITE_ONCE(sk->sk_hashed_flag, false);
}

/**
 * Take a socket out of the lookup tables, taking the table lock (port of
 * inet_unhash(), TCP's .unhash).
 * @param sk the socket, locked
 */
void inet_unhash(struct sock *sk)
{
	struct inet_hashinfo *h = inet_prot(sk)->h;

	if (!sk_hashed(sk))
		return;
	spin_lock_bh(&h->lock);
	__inet_unhash(sk);
	spin_unlock_bh(&h->lock);
}

/**
 * The addresses of a connection, seen from @p sk: source = local.
 * Caller holds the table lock or owns the socket.
 * @param sk a connected (or connecting) socket
 * @param flow where the addresses go
 */
void inet_sk_flow(const struct sock *sk, struct inet_flow *flow)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(flow, 0, sizeof(*flow));
	flow->v4 = sk->sk_family == AF_INET || ipv6_addr_v4mapped(&inet->sk_v6_daddr);
	if (flow->v4) {
		flow->saddr = inet->inet_rcv_saddr;
		flow->daddr = inet->inet_daddr;
	} else {
		flow->saddr6 = inet->sk_v6_rcv_saddr;
		flow->daddr6 = inet->sk_v6_daddr;
	}
	flow->sport = htons(inet->inet_num);
	flow->dport = inet->inet_dport;
}

static bool inet_flow_equal(const struct inet_flow *a, const struct inet_flow *b)
{
	if (a->v4 != b->v4 || a->sport != b->sport || a->dport != b->dport)
		return false;
	if (a->v4)
		return a->saddr == b->saddr && a->daddr == b->daddr;
	return !memcmp(&a->saddr6, &b->saddr6, sizeof(a->saddr6)) &&
	       !memcmp(&a->daddr6, &b->daddr6, sizeof(a->daddr6));
}

/*
 * Port of __inet_check_established(): is this connection's 4-tuple already
 * taken (by a connection from an explicitly shared port)?  Table lock held.
 */
static bool inet_check_established(const struct sock *sk, struct inet_hashinfo *h)
{
	struct inet_flow flow, flow2;
	struct inet_sock *inet2;

	inet_sk_flow(sk, &flow);
	for (inet2 = h->bhash[inet_sk(sk)->inet_num]; inet2; inet2 = inet2->bind_next) {
		struct sock *sk2 = &inet2->sk;
		u8 state2 = READ_ONCE(sk2->sk_state);

		if (sk2 == sk || !sk_hashed(sk2) || state2 == TCP_LISTEN || state2 == TCP_CLOSE)
			continue;
		inet_sk_flow(sk2, &flow2);
		if (inet_flow_equal(&flow, &flow2))
			return true;
	}
	return false;
}

/**
 * Give a connecting socket its port and hash it as a connection (port of
 * __inet_hash_connect()).  An unbound socket takes an ephemeral port with
 * no owner at all, even ports first (bind() prefers odd ones); a bound
 * socket keeps its port unless the same 4-tuple is in use.
 * Caller holds the table lock and the socket's lock.
 * @param sk the socket, addresses set, in TCP_SYN_SENT
 * @return 0 or -EADDRNOTAVAIL
 */
int __inet_hash_connect(struct sock *sk)
{
	struct inet_hashinfo *h = inet_prot(sk)->h;
	int low, high, remaining, offset, port, i;

	lockdep_assert_held(&h->lock);
	if (inet_sk(sk)->inet_num) {
		if (inet_check_established(sk, h))
			return -EADDRNOTAVAIL;
		goto hash;
	}

	inet_get_local_port_range(&low, &high);
	high++;
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1;
	offset = (int)get_random_u32_below((u32)remaining) & ~1;

other_parity_scan:
	port = low + offset;
	for (i = 0; i < remaining; i += 2, port += 2) {
		if (port >= high)
			port -= remaining;
		if (!h->bhash[port])
			goto found;
	}
	offset++;
	if ((offset & 1) && remaining > 1)
		goto other_parity_scan;
	return -EADDRNOTAVAIL;

found:
	inet_bind_hash(sk, h, (unsigned short)port);
	inet_sk(sk)->inet_sport = htons((unsigned short)port);
hash:
	WRITE_ONCE(sk->sk_hashed_flag, true);
	return 0;
}

/**
 * The hash of a connection that picks a member of a reuseport group
 * (stands in for inet_ehashfn(), a keyed jhash: any well-mixed function
 * of the 4-tuple does the same job).
 * @param flow the connection, source = the remote side
 * @return the hash
 */
u32 inet_ehashfn(const struct inet_flow *flow)
{
	u32 words[10], h = 0x811c9dc5U;
	size_t i, n = 0;

	if (flow->v4) {
		words[n++] = flow->saddr;
		words[n++] = flow->daddr;
	} else {
		memcpy(&words[n], &flow->saddr6, sizeof(flow->saddr6));
		n += 4;
		memcpy(&words[n], &flow->daddr6, sizeof(flow->daddr6));
		n += 4;
	}
	words[n++] = ((u32)flow->sport << 16) | flow->dport;
	for (i = 0; i < n; i++) {
		h ^= words[i];
		h *= 0x01000193U;
		h ^= h >> 15;
	}
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	return h;
}

/*
 * Port of inet_lookup_reuseport(): a listener in a group hands the choice
 * to its group (and to the group's SK_REUSEPORT program, which sees the
 * SYN's TCP header).
 */
static struct sock *inet_lookup_reuseport(struct sock *sk, const struct inet_flow *flow)
{
	unsigned char th[20] = { 0 };
	struct sk_buff skb = {
		.data = th,
		.len = sizeof(th),
		.protocol = htons(flow->v4 ? ETH_P_IP : ETH_P_IPV6),
	};

	if (!READ_ONCE(sk->sk_reuseport))
		return NULL;
	memcpy(&th[0], &flow->sport, sizeof(flow->sport));
	memcpy(&th[2], &flow->dport, sizeof(flow->dport));
	th[12] = 5 << 4;	/* data offset: 5 words */
	th[13] = 0x02;		/* SYN */
	return reuseport_select_sock(sk, inet_ehashfn(flow), &skb, sizeof(th));
}

/* Port of compute_score() of net/ipv4/inet_hashtables.c. */
static int compute_score(const struct sock *sk, in_addr_t daddr)
{
	if (ipv6_only_sock(sk) || inet_sk(sk)->inet_rcv_saddr != daddr)
		return -1;
	/* IPv4 sockets beat dual-stack IPv6 ones for IPv4 traffic */
	return sk->sk_family == AF_INET ? 2 : 1;
}

/* Port of compute_score() of net/ipv6/inet6_hashtables.c. */
static int compute_score6(const struct sock *sk, const struct in6_addr *daddr)
{
	if (sk->sk_family != AF_INET6 ||
	    memcmp(&inet_sk(sk)->sk_v6_rcv_saddr, daddr, sizeof(*daddr)))
		return -1;
	return 1;
}

/*
 * Port of inet_lhash2_lookup() / inet6_lhash2_lookup(): the best-scoring
 * listener of the port bound to @daddr, where the first one in a group
 * lets its group choose.
 */
static struct sock *inet_lhash2_lookup(struct inet_hashinfo *h, const struct inet_flow *flow,
				       in_addr_t daddr, const struct in6_addr *daddr6)
{
	struct sock *result = NULL;
	struct inet_sock *inet2;
	int score, hiscore = 0;

	for (inet2 = h->bhash[ntohs(flow->dport)]; inet2; inet2 = inet2->bind_next) {
		struct sock *sk = &inet2->sk;

		if (!inet_sk_listening(sk))
			continue;
		score = flow->v4 ? compute_score(sk, daddr) : compute_score6(sk, daddr6);
		if (score > hiscore) {
			struct sock *reuse_sk = inet_lookup_reuseport(sk, flow);

			if (reuse_sk)
				return reuse_sk;
			result = sk;
			hiscore = score;
		}
	}
	return result;
}

/**
 * The listener a SYN goes to (port of __inet_lookup_listener() and
 * inet6_lookup_listener()): one bound to the destination address first,
 * then one bound to the wildcard.  Caller holds the table lock.
 * @param h TCP's table
 * @param flow the SYN: source = client, destination = listener
 * @return the listener, NULL (none: the SYN is answered by a reset), or
 *         ERR_PTR(-ECONNREFUSED) when a group's program drops it
 */
struct sock *__inet_lookup_listener(struct inet_hashinfo *h, const struct inet_flow *flow)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	struct sock *result;

	lockdep_assert_held(&h->lock);
	if (flow->v4) {
		result = inet_lhash2_lookup(h, flow, flow->daddr, NULL);
		if (result)
			return result;
		return inet_lhash2_lookup(h, flow, htonl(INADDR_ANY), NULL);
	}
	result = inet_lhash2_lookup(h, flow, 0, &flow->daddr6);
	if (result)
		return result;
	return inet_lhash2_lookup(h, flow, 0, &any6);
}
