/**
 * @file udp.c
 * @brief UDP over IPv4 and IPv6: ports, reuseport groups, connect and
 *        disconnect.  Port of parts of net/ipv4/udp.c, net/ipv6/udp.c,
 *        net/ipv4/datagram.c and net/ipv6/datagram.c, Linux 6.18.
 *
 * A UDP socket is hashed as soon as it has a port (bind(), or the
 * automatic bind of connect()); with SO_REUSEPORT set at that moment it
 * joins the reuseport group of an equal socket, or starts one.
 *
 * connect() follows Linux 6.13 and later: a connected socket is hashed by
 * its 4-tuple, which takes it out of its reuseport group for good (a later
 * connect(AF_UNSPEC) does not bring it back), and a socket bound to the
 * wildcard leaves its group already when connect() gives it a source
 * address.  The port's routes reach loopback only: other destinations are
 * ENETUNREACH, and broadcast ones EACCES (SO_BROADCAST is not modelled).
 *
 * Datagrams go from one port socket to another at once (sendto() and
 * recvfrom() below): the receiver is looked up as __udp4_lib_lookup() and
 * __udp6_lib_lookup() do, a reuseport group lets its SK_REUSEPORT program
 * or its hash choose the member, and the datagram joins that member's
 * bounded receive queue.  UDP-level options answer ENOPROTOOPT.
 */
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <stdlib.h>

#include "kern/err.h"
#include "kern/filter.h"
#include "kern/inet_sock.h"
#include "kern/sock_reuseport.h"
#include "kern/uaccess.h"

/** Shortest IPv6 socket address connect() accepts (RFC 2133's). */
#define SIN6_LEN_RFC2133	24

/** The UDP-Lite option level (include/linux/socket.h). */
#define SOL_UDPLITE		136

/* [book:udp_lport_inuse] */
/*
 * Port of udp_lib_lport_inuse(): may @sk take @num?  An owner whose address
 * overlaps conflicts, unless both have SO_REUSEADDR, or both SO_REUSEPORT
 * with the same owner uid (and @sk is in no group yet).  Every overlapping
 * owner is checked, whatever their order: that is what the live 6.18.44
 * kernel does.  (The source we read returns "free" at the first compatible
 * SO_REUSEPORT owner of a named port, and an earlier kernel on this machine
 * behaved so.)
 * Table lock held.
 */
static bool udp_lib_lport_inuse(struct inet_hashinfo *h, unsigned short num,
				const struct sock *sk)
{
	struct inet_sock *inet2;

	for (inet2 = h->bhash[num]; inet2; inet2 = inet2->bind_next) {
		const struct sock *sk2 = &inet2->sk;

		if (sk2 == sk || (READ_ONCE(sk2->sk_reuse) && sk->sk_reuse))
			continue;
		if (sk2->sk_bound_dev_if && sk->sk_bound_dev_if &&
		    sk2->sk_bound_dev_if != sk->sk_bound_dev_if)
			continue;
		if (!inet_rcv_saddr_equal(sk, sk2, true))
			continue;
		if (READ_ONCE(sk2->sk_reuseport) && sk->sk_reuseport &&
		    !rcu_access_pointer(sk->sk_reuseport_cb) &&
		    sk2->sk_uid == sk->sk_uid)
			continue;
		return true;
	}
	return false;
}
/* [/book:udp_lport_inuse] */

/*
 * Port of udp_reuseport_add_sock(): join the group of a bound socket of
 * the same family, v6-only flag, port, owner and address (sk2 may have no
 * group yet: it then gets one), or start a group.  Table lock held.
 */
static int udp_reuseport_add_sock(struct sock *sk, struct inet_hashinfo *h, unsigned short num)
{
	struct inet_sock *inet2;

	for (inet2 = h->bhash[num]; inet2; inet2 = inet2->bind_next) {
		struct sock *sk2 = &inet2->sk;

		if (sk2 != sk &&
		    sk2->sk_family == sk->sk_family &&
		    ipv6_only_sock(sk2) == ipv6_only_sock(sk) &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    READ_ONCE(sk2->sk_reuseport) && sk2->sk_uid == sk->sk_uid &&
		    inet_rcv_saddr_equal(sk, sk2, false))
			return reuseport_add_sock(sk, sk2, inet_rcv_saddr_any(sk));
	}
	return reuseport_alloc(sk, inet_rcv_saddr_any(sk));
}

/**
 * Claim a UDP port and hash the socket (port of udp_lib_get_port()).
 * Port 0 scans the ephemeral range from a random start (Linux strides
 * through it in a different order).  A socket with SO_REUSEPORT joins or
 * starts a reuseport group here; every hashed UDP socket is freed only
 * after a grace period.
 * @param sk the socket, locked, its local address set
 * @param snum the port, or 0
 * @return 0 or -EADDRINUSE
 */
int udp_lib_get_port(struct sock *sk, unsigned short snum)
{
	struct inet_hashinfo *h = &udp_table;
	int err = -EADDRINUSE;

	spin_lock_bh(&h->lock);
	if (!snum) {
		int low, high, remaining, first, i;

		inet_get_local_port_range(&low, &high);
		remaining = high - low + 1;
		first = (int)get_random_u32_below((u32)remaining);
		for (i = 0; i < remaining; i++) {
			int port = low + (first + i) % remaining;

			if (!udp_lib_lport_inuse(h, (unsigned short)port, sk)) {
				snum = (unsigned short)port;
				break;
			}
		}
		if (!snum)
			goto fail_unlock;
	} else if (udp_lib_lport_inuse(h, snum, sk)) {
		goto fail_unlock;
	}

	if (!sk_hashed(sk)) {
		if (sk->sk_reuseport && udp_reuseport_add_sock(sk, h, snum))
			goto fail_unlock;
		sock_set_flag(sk, SOCK_RCU_FREE);
		/*
		 * As in Linux, an IPv6 SO_REUSEPORT socket goes to the end of
		 * the port's chain and every other socket to the front.  The
		 * order no longer decides a bind on the live kernel (see
		 * udp_lib_lport_inuse()), but it still decides which group a
		 * later socket meets first, so the port keeps it.
		 */
		if (sk->sk_reuseport && sk->sk_family == AF_INET6)
			inet_bind_hash_tail(sk, h, snum);
		else
			inet_bind_hash(sk, h, snum);
		WRITE_ONCE(sk->sk_hashed_flag, true);
	}
	err = 0;
fail_unlock:
	spin_unlock_bh(&h->lock);
	return err;
}

/* Port of udp_lib_unhash() with the table lock held: out of the group,
 * the table, and the port. */
static void __udp_lib_unhash(struct sock *sk)
{
	if (!sk_hashed(sk))
		return;
	if (rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_detach_sock(sk);
	__inet_put_port(sk);
	WRITE_ONCE(sk->sk_hashed_flag, false);
}

/*
 * Port of udp_lib_unhash(), UDP's .unhash: the socket leaves its reuseport
 * group (and so any reuseport array), the table and its port.
 */
static void udp_lib_unhash(struct sock *sk)
{
	struct inet_hashinfo *h = &udp_table;

	if (!sk_hashed(sk))
		return;
	spin_lock_bh(&h->lock);
	__udp_lib_unhash(sk);
	spin_unlock_bh(&h->lock);
}

/*
 * Port of udp_lib_rehash(): the local address changed.  A group member
 * leaves its group: its members must share an address.  Table lock held.
 */
static void __udp_lib_rehash(struct sock *sk)
{
	if (sk_hashed(sk) && rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_detach_sock(sk);
}

/*
 * Port of reuseport_has_conns_set(): a member of this group has
 * connected.  The bit is written under reuseport_lock, like the group's
 * other bits.
 */
static void reuseport_has_conns_set(struct sock *sk)
{
	struct sock_reuseport *reuse;

	if (!sk->sk_reuseport)
		return;
	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	if (reuse)
		reuse->has_conns = 1;
	spin_unlock_bh(&reuseport_lock);
}

/*
 * Port of udp_lib_hash4() (udp4_hash4(), udp6_hash4()): a connected socket
 * is hashed by its 4-tuple and leaves its reuseport group.  Table lock held.
 */
static void udp_lib_hash4(struct sock *sk)
{
	if (sk_hashed(sk) && rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_detach_sock(sk);
}

/*
 * The part of __ip4_datagram_connect() after the checks: take the source
 * address (rehashing if the socket had none), the peer, and 4-tuple
 * hashing.  An IPv6 socket keeps mapped copies of the addresses.
 * Socket locked.
 */
static void udp_v4_connected(struct sock *sk, in_addr_t saddr, in_addr_t daddr, in_port_t dport)
{
	struct inet_hashinfo *h = &udp_table;
	struct inet_sock *inet = inet_sk(sk);
	bool rehash = false;

	spin_lock_bh(&h->lock);
	if (!inet->inet_saddr)
		inet->inet_saddr = saddr;
	if (!inet->inet_rcv_saddr) {
		inet->inet_rcv_saddr = saddr;
		rehash = true;
	}
	inet->inet_daddr = daddr;
	inet->inet_dport = dport;
	if (sk->sk_family == AF_INET6) {
		ipv6_addr_set_v4mapped(daddr, &inet->sk_v6_daddr);
		if (ipv6_addr_any(&inet->v6_saddr) ||
		    (ipv6_addr_v4mapped(&inet->v6_saddr) && !ipv6_mapped_v4(&inet->v6_saddr)))
			ipv6_addr_set_v4mapped(inet->inet_saddr, &inet->v6_saddr);
		if (ipv6_addr_any(&inet->sk_v6_rcv_saddr) ||
		    (ipv6_addr_v4mapped(&inet->sk_v6_rcv_saddr) &&
		     !ipv6_mapped_v4(&inet->sk_v6_rcv_saddr))) {
			ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &inet->sk_v6_rcv_saddr);
			rehash = true;
		}
	}
	if (rehash)
		__udp_lib_rehash(sk);
	reuseport_has_conns_set(sk);
	inet_sk_state_store(sk, TCP_ESTABLISHED);
	udp_lib_hash4(sk);
	spin_unlock_bh(&h->lock);
}

/*
 * Port of __ip4_datagram_connect(): length, family, route.  The wildcard
 * destination is the socket's own address, or 127.0.0.1.  Socket locked.
 */
static int __ip4_datagram_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = (const struct sockaddr_in *)uaddr;
	in_addr_t daddr, saddr;
	int err;

	if (addr_len < (int)sizeof(*usin))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	daddr = usin->sin_addr.s_addr;
	saddr = inet_sk(sk)->inet_saddr;
	/* a broadcast route without SO_BROADCAST */
	if (ipv4_is_lbcast(daddr) || daddr == htonl(0x7fffffffU))
		return -EACCES;
	err = ip_route_connect(sk, &daddr, &saddr);
	if (err)
		return err;

	udp_v4_connected(sk, saddr, daddr, usin->sin_port);
	return 0;
}

/* Port of udp_connect(): the IPv4 connect, then 4-tuple hashing. */
static int udp_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	int res;

	lock_sock(sk);
	res = __ip4_datagram_connect(sk, uaddr, addr_len);
	release_sock(sk);
	return res;
}

/*
 * Port of __ip6_datagram_connect().  An AF_INET address, or a mapped one,
 * is an IPv4 connect (refused to a v6-only socket); "::" means loopback;
 * a socket bound to a mapped address cannot reach an IPv6 destination.
 * Socket locked.
 */
static int __ip6_datagram_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *usin = (const struct sockaddr_in6 *)uaddr;
	struct inet_hashinfo *h = &udp_table;
	struct inet_sock *inet = inet_sk(sk);
	struct sockaddr_in sin;
	struct in6_addr daddr;
	unsigned int addr_type;

	if (usin->sin6_family == AF_INET) {
		if (ipv6_only_sock(sk))
			return -EAFNOSUPPORT;
		return __ip4_datagram_connect(sk, uaddr, addr_len);
	}

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
	if (addr_type == IPV6_ADDR_MAPPED) {
		if (ipv6_only_sock(sk))
			return -ENETUNREACH;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = ipv6_mapped_v4(&daddr);
		sin.sin_port = usin->sin6_port;
		return __ip4_datagram_connect(sk, (struct sockaddr *)&sin, sizeof(sin));
	}

	if (ipv6_addr_needs_scope_id(addr_type)) {
		if (addr_len < (int)sizeof(struct sockaddr_in6) || !usin->sin6_scope_id)
			return -EINVAL;
		return -ENETUNREACH;	/* the port has no interfaces */
	}
	if (ipv6_addr_v4mapped(&inet->sk_v6_rcv_saddr))
		return -EAFNOSUPPORT;
	if (!IN6_IS_ADDR_LOOPBACK(&daddr))
		return -ENETUNREACH;

	/* ip6_datagram_dst_update(): the source is ::1 unless bound */
	spin_lock_bh(&h->lock);
	inet->sk_v6_daddr = daddr;
	inet->inet_dport = usin->sin6_port;
	if (ipv6_addr_any(&inet->v6_saddr))
		inet->v6_saddr = in6addr_loopback;
	if (ipv6_addr_any(&inet->sk_v6_rcv_saddr)) {
		inet->sk_v6_rcv_saddr = in6addr_loopback;
		inet->inet_rcv_saddr = htonl(LOOPBACK4_IPV6);
		__udp_lib_rehash(sk);
	}
	inet->inet_daddr = htonl(LOOPBACK4_IPV6);
	reuseport_has_conns_set(sk);
	inet_sk_state_store(sk, TCP_ESTABLISHED);
	udp_lib_hash4(sk);
	spin_unlock_bh(&h->lock);
	return 0;
}

/* Port of udpv6_connect(). */
static int udpv6_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	int res;

	lock_sock(sk);
	res = __ip6_datagram_connect(sk, uaddr, addr_len);
	release_sock(sk);
	return res;
}

/*
 * Port of udp_disconnect() / __udp_disconnect(): forget the peer; forget
 * the address and the port too unless bind() chose them.  The socket does
 * not return to a reuseport group.
 */
static int udp_disconnect(struct sock *sk, int flags)
{
	struct inet_hashinfo *h = &udp_table;
	struct inet_sock *inet = inet_sk(sk);

	lock_sock(sk);
	spin_lock_bh(&h->lock);
	inet_sk_state_store(sk, TCP_CLOSE);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	sk->sk_bound_dev_if = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet_reset_saddr(sk);
		if (sk->sk_userlocks & SOCK_BINDPORT_LOCK)
			__udp_lib_rehash(sk);
	}
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		__udp_lib_unhash(sk);
		inet->inet_sport = 0;
	}
	spin_unlock_bh(&h->lock);
	release_sock(sk);
	return 0;
}

/* Port of udp_lib_close() / sk_common_release(). */
static void udp_lib_close(struct sock *sk)
{
	lock_sock(sk);
	udp_lib_unhash(sk);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

/* Port of udp_lib_setsockopt(): an int is required; no option is modelled. */
static int udp_lib_setsockopt(const void *optval, unsigned int optlen)
{
	int val;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_user(&val, optval, sizeof(val)))
		return -EFAULT;
	return -ENOPROTOOPT;
}

/* Port of udp_lib_getsockopt(). */
static int udp_lib_getsockopt(int *optlen)
{
	int len;

	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	return -ENOPROTOOPT;
}

/**
 * setsockopt() of an IPv4 UDP socket (port of udp_setsockopt()):
 * SOL_UDP/SOL_UDPLITE here, others to IP.
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen length
 * @return a negative errno: no UDP option is modelled
 */
int udp_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen)
{
	if (level == SOL_UDP || level == SOL_UDPLITE)
		return udp_lib_setsockopt(optval, optlen);
	return ip_setsockopt(sk, level, optname, optval, optlen);
}

/**
 * getsockopt() of an IPv4 UDP socket (port of udp_getsockopt()).
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen user pointer to the length
 * @return a negative errno: no UDP option is modelled
 */
int udp_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	if (level == SOL_UDP || level == SOL_UDPLITE)
		return udp_lib_getsockopt(optlen);
	return ip_getsockopt(sk, level, optname, optval, optlen);
}

/**
 * setsockopt() of an IPv6 UDP socket (port of udpv6_setsockopt()).
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen length
 * @return 0 or a negative errno
 */
int udpv6_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen)
{
	if (level == SOL_UDP || level == SOL_UDPLITE)
		return udp_lib_setsockopt(optval, optlen);
	return ipv6_setsockopt(sk, level, optname, optval, optlen);
}

/**
 * getsockopt() of an IPv6 UDP socket (port of udpv6_getsockopt()).
 * @param sk the socket
 * @param level option level
 * @param optname option
 * @param optval user pointer
 * @param optlen user pointer to the length
 * @return 0 or a negative errno
 */
int udpv6_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	if (level == SOL_UDP || level == SOL_UDPLITE)
		return udp_lib_getsockopt(optlen);
	return ipv6_getsockopt(sk, level, optname, optval, optlen);
}

/* ------------------------------------------------------------------ */
/* Datagrams: sendto() and recvfrom()                                  */
/* ------------------------------------------------------------------ */

/* Largest payload: 65535 minus the UDP header and (IPv4) the IP header. */
#define UDP_MAX_PAYLOAD4	(65535 - 8 - 20)
#define UDP_MAX_PAYLOAD6	(65535 - 8)

/*
 * What a queued datagram is charged against sk_rcvbuf besides its payload:
 * the kernel charges skb->truesize, the buffer and the sk_buff around it;
 * for a small datagram over loopback that is about 768 bytes on x86-64.
 */
#define UDP_SKB_OVERHEAD	768

/**
 * Set up an inet socket's (empty) receive queue.
 * @param inet the new socket
 */
void udp_sk_rx_init(struct inet_sock *inet)
{
	long rmem = 212992;	/* net.core.rmem_default's default */

	spin_lock_init(&inet->rx_lock);
	inet->rx_head = inet->rx_tail = NULL;
	inet->sk_rmem_alloc = 0;
	inet->sk_drops = 0;
	net_sysctl_read(NET_SYSCTL_RMEM_DEFAULT, &rmem, 1);
	inet->sk_rcvbuf = rmem > INT_MAX ? INT_MAX : (int)rmem;
}

/**
 * Free every datagram still queued (the destructor's skb_queue_purge());
 * the socket is unreachable by now.
 * @param inet the socket
 */
void udp_sk_rx_purge(struct inet_sock *inet)
{
	struct udp_skb *skb = inet->rx_head, *next;

	for (; skb; skb = next) {
		next = skb->next;
		free(skb);
	}
	inet->rx_head = inet->rx_tail = NULL;
	inet->sk_rmem_alloc = 0;
	spin_lock_destroy(&inet->rx_lock);
}

/*
 * Port of __udp_enqueue_schedule_skb(): charge the datagram to the socket
 * and queue it, unless the socket is already over its receive buffer
 * (there is always room for one datagram, however small the buffer).
 */
static bool udp_queue_rcv_skb(struct sock *sk, struct udp_skb *skb)
{
	struct inet_sock *inet = inet_sk(sk);
	bool queued = false;

	spin_lock(&inet->rx_lock);
	if (inet->sk_rmem_alloc > (u32)inet->sk_rcvbuf) {
		inet->sk_drops++;
		goto out;
	}
	inet->sk_rmem_alloc += skb->truesize;
	skb->next = NULL;
	if (inet->rx_tail)
		inet->rx_tail->next = skb;
	else
		inet->rx_head = skb;
	inet->rx_tail = skb;
	queued = true;
out:
	spin_unlock(&inet->rx_lock);
	return queued;
}

/*
 * Port of compute_score() of net/ipv4/udp.c and net/ipv6/udp.c: how well
 * does @sk match a datagram from @flow->saddr:sport to @addr:dport?  -1:
 * not at all.  A socket bound to the exact address beats the wildcard by
 * being found in the first of the two passes, not by its score.
 */
static int udp_compute_score(struct sock *sk, const struct inet_flow *flow, bool wildcard)
{
	struct inet_sock *inet = inet_sk(sk);
	int score;

	if (!sk_hashed(sk) || sk->sk_protocol != IPPROTO_UDP)
		return -1;
	if (flow->v4) {
		if (ipv6_only_sock(sk) ||
		    inet->inet_rcv_saddr != (wildcard ? htonl(INADDR_ANY) : flow->daddr))
			return -1;
		score = sk->sk_family == AF_INET ? 2 : 1;
		if (inet->inet_daddr) {
			if (inet->inet_daddr != flow->saddr)
				return -1;
			score += 4;
		}
	} else {
		static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

		if (sk->sk_family != AF_INET6 ||
		    memcmp(&inet->sk_v6_rcv_saddr, wildcard ? &any6 : &flow->daddr6,
			   sizeof(any6)))
			return -1;
		score = 1;
		if (!ipv6_addr_any(&inet->sk_v6_daddr)) {
			if (memcmp(&inet->sk_v6_daddr, &flow->saddr6, sizeof(any6)))
				return -1;
			score += 4;
		}
	}
	if (inet->inet_dport) {
		if (inet->inet_dport != flow->sport)
			return -1;
		score += 4;
	}
	return score;
}

/* Port of reuseport_has_conns(): has a member of @sk's group connected? */
static bool reuseport_has_conns(struct sock *sk)
{
	struct sock_reuseport *reuse;
	bool ret = false;

	rcu_read_lock();
	reuse = rcu_dereference(sk->sk_reuseport_cb);
	if (reuse && READ_ONCE(reuse->has_conns))
		ret = true;
	rcu_read_unlock();
	return ret;
}

/* [book:udp_lookup2] */
/*
 * Port of udp4_lib_lookup2() / udp6_lib_lookup2(): the best socket for the
 * datagram among those bound to one address (or the wildcard).  The first
 * best-so-far socket in a reuseport group hands the choice to its group,
 * and so to the group's program, which sees @skb; unless a member of the
 * group has connected, that choice is final, a program's drop included
 * (an ERR_PTR).  Table lock held.
 */
static struct sock *udp_lib_lookup2(const struct inet_flow *flow, bool wildcard,
				    struct sk_buff *skb)
{
	struct sock *result = NULL;
	struct inet_sock *inet2;
	int score, badness = 0;

	for (inet2 = udp_table.bhash[ntohs(flow->dport)]; inet2; inet2 = inet2->bind_next) {
		struct sock *sk = &inet2->sk;

		score = udp_compute_score(sk, flow, wildcard);
		if (score <= badness)
			continue;
		badness = score;

		result = NULL;
		if (READ_ONCE(sk->sk_reuseport))
			result = reuseport_select_sock(sk, inet_ehashfn(flow), skb,
						       (int)sizeof(struct udphdr));
		if (!result) {
			result = sk;
			continue;
		}
		if (!reuseport_has_conns(sk))
			return result;
		/* a connected member may still score higher: keep looking */
		if (IS_ERR(result))
			continue;
		badness = udp_compute_score(result, flow, wildcard);
	}
	return result;
}
/* [/book:udp_lookup2] */

/*
 * Port of __udp4_lib_lookup() / __udp6_lib_lookup(): the exact address
 * first, then the wildcard; a group's drop in the first pass is final.
 * NULL: no socket (the datagram is answered with ICMP port unreachable).
 */
static struct sock *udp_lib_lookup(const struct inet_flow *flow, struct sk_buff *skb)
{
	struct sock *result;

	result = udp_lib_lookup2(flow, false, skb);
	if (!result)
		result = udp_lib_lookup2(flow, true, skb);
	if (IS_ERR(result))
		return NULL;
	return result;
}

/*
 * Where a datagram from @sk goes, and from which address (the route of
 * udp_sendmsg() / udpv6_sendmsg()).  @uaddr is NULL for a connected send.
 */
static int udp_sendmsg_flow(struct sock *sk, const struct sockaddr *uaddr, int addr_len,
			    size_t len, struct inet_flow *flow)
{
	struct inet_sock *inet = inet_sk(sk);
	in_addr_t daddr, saddr;
	in_port_t dport;
	bool v4 = true;

	memset(flow, 0, sizeof(*flow));
	if (!uaddr) {
		if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
			return -EDESTADDRREQ;
		v4 = sk->sk_family == AF_INET || ipv6_addr_v4mapped(&inet->sk_v6_daddr);
		daddr = inet->inet_daddr;
		dport = inet->inet_dport;
		if (!v4) {
			flow->daddr6 = inet->sk_v6_daddr;
			goto v6_route;
		}
		goto v4_route;
	}

	if (sk->sk_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)uaddr;

		if (addr_len < (int)offsetof(struct sockaddr, sa_data))
			return -EINVAL;
		if (sin6->sin6_family == AF_INET) {
			if (ipv6_only_sock(sk))
				return -ENETUNREACH;
			goto v4_addr;
		}
		if (sin6->sin6_family != AF_INET6)
			return -EINVAL;
		if (addr_len < SIN6_LEN_RFC2133)
			return -EINVAL;
		dport = sin6->sin6_port;
		if (!dport)
			return -EINVAL;
		flow->daddr6 = sin6->sin6_addr;
		if (ipv6_addr_any(&flow->daddr6))
			flow->daddr6 = in6addr_loopback;
		if (ipv6_addr_v4mapped(&flow->daddr6)) {
			if (ipv6_only_sock(sk))
				return -ENETUNREACH;
			daddr = ipv6_mapped_v4(&flow->daddr6);
			goto v4_route;
		}
		goto v6_route;
	}

v4_addr:
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;

		if (addr_len < (int)sizeof(*sin))
			return -EINVAL;
		/* AF_UNSPEC is taken for AF_INET, for old programs (udp_sendmsg()) */
		if (sin->sin_family != AF_INET && sin->sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		daddr = sin->sin_addr.s_addr;
		dport = sin->sin_port;
		if (!dport)
			return -EINVAL;
	}
v4_route:
	if (len > UDP_MAX_PAYLOAD4)
		return -EMSGSIZE;
	saddr = inet->inet_saddr;
	if (ip_route_connect(sk, &daddr, &saddr))
		return -ENETUNREACH;
	flow->v4 = true;
	flow->saddr = saddr;
	flow->daddr = daddr;
	flow->sport = inet->inet_sport;
	flow->dport = dport;
	return 0;

v6_route:
	if (len > UDP_MAX_PAYLOAD6)
		return -EMSGSIZE;
	if (!IN6_IS_ADDR_LOOPBACK(&flow->daddr6) || ipv6_addr_v4mapped(&inet->sk_v6_rcv_saddr))
		return -ENETUNREACH;
	flow->v4 = false;
	flow->saddr6 = ipv6_addr_any(&inet->v6_saddr) ? in6addr_loopback : inet->v6_saddr;
	flow->sport = inet->inet_sport;
	flow->dport = dport;
	return 0;
}

/* [book:udp_sendmsg] */
/*
 * Port of udp_sendmsg() / udpv6_sendmsg() and, since the port has no
 * wire, of the receiving side's __udp4_lib_rcv(): route, build the
 * datagram, find the receiving socket, queue it there.  Losing it on the
 * way (no socket, a program's SK_DROP, a full queue) is no error for the
 * sender; only a connected sender hears of a missing socket, through the
 * ICMP error that __udp4_lib_err() turns into sk_err.
 */
static int udp_sendmsg(struct sock *sk, const void *buf, size_t len, int flags,
		       const struct sockaddr *uaddr, int addr_len)
{
	struct inet_hashinfo *h = &udp_table;
	struct udp_skb *uskb;
	struct sk_buff skb;
	struct inet_flow flow;
	struct udphdr *uh;
	struct sock *rsk;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	err = sock_error(sk);
	if (err)
		return err;
	if (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		return -EPIPE;
	/* an unbound sender gets its port first (inet_send_prepare()) */
	if (inet_autobind(sk))
		return -EAGAIN;
	err = udp_sendmsg_flow(sk, uaddr, addr_len, len, &flow);
	if (err)
		return err;

	uskb = malloc(sizeof(*uskb) + sizeof(*uh) + len);
	if (!uskb)
		return -ENOBUFS;
	memset(uskb, 0, sizeof(*uskb));
	uh = (struct udphdr *)uskb->data;
	uh->source = flow.sport;
	uh->dest = flow.dport;
	uh->len = htons((u16)(sizeof(*uh) + len));
	uh->check = 0;	/* loopback: checksum left to "offload" */
	if (len && copy_from_user(uskb->data + sizeof(*uh), buf, len)) {
		free(uskb);
		return -EFAULT;
	}
	uskb->v4 = flow.v4;
	uskb->saddr = flow.saddr;
	uskb->saddr6 = flow.saddr6;
	uskb->sport = flow.sport;
	uskb->len = (u32)len;
	uskb->truesize = (u32)len + UDP_SKB_OVERHEAD;

	/* what a program sees: the UDP header and the payload */
	skb.data = uskb->data;
	skb.len = (u32)(sizeof(*uh) + len);
	skb.protocol = htons(flow.v4 ? ETH_P_IP : ETH_P_IPV6);

	/*
	 * The kernel receives inside rcu_read_lock() (ip_local_deliver_finish()
	 * and on), so a socket that was chosen, even one a map update has just
	 * replaced, gets its datagram before synchronize_rcu() returns.  The
	 * table lock keeps the chosen socket hashed until it has the datagram.
	 */
	rcu_read_lock();
	spin_lock_bh(&h->lock);
	rsk = udp_lib_lookup(&flow, &skb);
	if (rsk && udp_queue_rcv_skb(rsk, uskb))
		uskb = NULL;
	spin_unlock_bh(&h->lock);
	rcu_read_unlock();

	if (!rsk && READ_ONCE(sk->sk_state) == TCP_ESTABLISHED)
		__atomic_store_n(&inet_sk(sk)->sk_err, ECONNREFUSED, __ATOMIC_RELAXED);
	free(uskb);	/* dropped */
	return (int)len;
}
/* [/book:udp_sendmsg] */

/*
 * Port of udp_recvmsg() / udpv6_recvmsg() for a socket that never waits:
 * the oldest datagram, truncated to @len (the rest is lost), its sender's
 * address in the socket's own family.
 */
static int udp_recvmsg(struct sock *sk, void *buf, size_t len, int flags,
		       struct sockaddr_storage *addr, int *addr_len)
{
	struct inet_sock *inet = inet_sk(sk);
	struct udp_skb *skb;
	size_t copied;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	/* copy under the queue lock: a peeked datagram stays someone else's to free */
	spin_lock(&inet->rx_lock);
	skb = inet->rx_head;
	if (!skb) {
		spin_unlock(&inet->rx_lock);
		/* __skb_wait_for_more_packets() order: error, shutdown, EAGAIN */
		err = sock_error(sk);
		if (err)
			return err;
		if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
			return 0;
		return -EAGAIN;
	}
	if (!(flags & MSG_PEEK)) {
		inet->rx_head = skb->next;
		if (!inet->rx_head)
			inet->rx_tail = NULL;
		inet->sk_rmem_alloc -= skb->truesize;
	}

	copied = skb->len < len ? skb->len : len;
	err = 0;
	if (copied && copy_to_user(buf, skb->data + sizeof(struct udphdr), copied))
		err = -EFAULT;

	memset(addr, 0, sizeof(*addr));
	if (sk->sk_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;

		sin->sin_family = AF_INET;
		sin->sin_port = skb->sport;
		sin->sin_addr.s_addr = skb->saddr;
		*addr_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = skb->sport;
		if (skb->v4)
			ipv6_addr_set_v4mapped(skb->saddr, &sin6->sin6_addr);
		else
			sin6->sin6_addr = skb->saddr6;
		*addr_len = sizeof(*sin6);
	}
	if (!err)
		err = (int)((flags & MSG_TRUNC) ? skb->len : copied);
	spin_unlock(&inet->rx_lock);

	if (!(flags & MSG_PEEK))
		free(skb);
	return err;
}

/** UDP over IPv4 (the kernel's udp_prot). */
const struct inet_proto udp_prot = {
	.prot = {
		.name = "UDP",
		.unhash = udp_lib_unhash,
		.destroy = inet_sock_destruct,
	},
	.h = &udp_table,
	.get_port = udp_lib_get_port,
	.connect = udp_connect,
	.disconnect = udp_disconnect,
	.close = udp_lib_close,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
};

/** UDP over IPv6 (the kernel's udpv6_prot). */
const struct inet_proto udpv6_prot = {
	.prot = {
		.name = "UDPv6",
		.unhash = udp_lib_unhash,
		.destroy = inet_sock_destruct,
	},
	.h = &udp_table,
	.get_port = udp_lib_get_port,
	.connect = udpv6_connect,
	.disconnect = udp_disconnect,
	.close = udp_lib_close,
	.setsockopt = udpv6_setsockopt,
	.getsockopt = udpv6_getsockopt,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
};
