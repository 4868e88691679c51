/**
 * @file inet_sock.h
 * @brief struct inet_sock and the socket layer's internal interfaces
 *        (include/net/inet_sock.h, include/net/inet_hashtables.h,
 *        include/net/tcp.h, include/net/udp.h, include/linux/net.h).
 *
 * struct inet_sock embeds struct sock as its first member, as in the
 * kernel, so a struct sock pointer to an IPv4 or IPv6 socket converts to
 * its inet_sock with inet_sk().  IPv6 sockets use the same structure: the
 * kernel's ipv6_pinfo fields the port needs (the IPv6 addresses, the
 * v6-only flag) live here too.
 *
 * The rest of this header is what the socket layer's files share with each
 * other: the address-family table socket() consults, the protocol
 * operations that kern/sock.h's struct proto leaves out, the port tables of
 * TCP and UDP, and the SOL_SOCKET option handlers.
 *
 * Locking, outermost first: lock_sock() of one socket (a listener may then
 * lock one of its not yet accepted children), a table's hash lock,
 * reuseport_lock, one socket's sk_callback_lock.  A listener's accept queue
 * has its own lock, taken inside the hash lock or inside lock_sock().
 */
#ifndef KERN_INET_SOCK_H
#define KERN_INET_SOCK_H

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "compiler.h"
#include "net.h"
#include "sock.h"
#include "spinlock.h"
#include "types.h"

/** Number of address families socket() accepts (AF_MAX, include/linux/socket.h, Linux 6.18). */
#define NPROTO		46
/** One more than the highest socket type (SOCK_PACKET + 1, include/linux/net.h). */
#define SOCK_MAX	(SOCK_PACKET + 1)
/** The bits of socket()'s type argument that hold the type; the rest are flags. */
#define SOCK_TYPE_MASK	0xf

/** Highest protocol number an inet socket accepts, plus one (IPPROTO_MPTCP + 1). */
#define IPPROTO_MAX_KERN	263

#ifndef SOL_TCP
/** The TCP option level (include/linux/socket.h). */
#define SOL_TCP		6
#endif
#ifndef SOL_UDP
/** The UDP option level (include/linux/socket.h). */
#define SOL_UDP		17
#endif

/** sk_shutdown bit: no more receiving (SHUT_RD + 1). */
#define RCV_SHUTDOWN	1
/** sk_shutdown bit: no more sending (SHUT_WR + 1). */
#define SEND_SHUTDOWN	2
/** Both sk_shutdown bits. */
#define SHUTDOWN_MASK	3

/** sk_reuse value: SO_REUSEADDR is off. */
#define SK_NO_REUSE	0
/** sk_reuse value: SO_REUSEADDR is on. */
#define SK_CAN_REUSE	1

/** Number of local ports; a port table has one bucket per port. */
#define INET_PORTS	65536

/** The IPv4 part the kernel stores for an IPv6 socket bound to a non-v4 address (127.0.0.6). */
#define LOOPBACK4_IPV6	0x7f000006U

/**
 * @name ipv6_addr_type() results (include/net/ipv6.h, the bits the port uses)
 * @{
 */
#define IPV6_ADDR_ANY		0x0000U	/**< :: */
#define IPV6_ADDR_UNICAST	0x0001U	/**< any unicast address */
#define IPV6_ADDR_MULTICAST	0x0002U	/**< ff00::/8 */
#define IPV6_ADDR_LOOPBACK	0x0010U	/**< ::1, or multicast of interface-local scope */
#define IPV6_ADDR_LINKLOCAL	0x0020U	/**< fe80::/10, or multicast of link-local scope */
#define IPV6_ADDR_MAPPED	0x1000U	/**< ::ffff:a.b.c.d */
/** @} */

struct inet_hashinfo;

/** @brief An IPv4 or IPv6 socket (struct inet_sock plus the ipv6_pinfo fields used). */
struct inet_sock {
	/** the generic socket; first, so that inet_sk() is a cast */
	struct sock sk;
	/**
	 * Local IPv4 address used for lookups (sk_rcv_saddr in the kernel),
	 * network order.  For an IPv6 socket: the mapped IPv4 address, 0 for
	 * "::", LOOPBACK4_IPV6 for any other address.
	 */
	in_addr_t inet_rcv_saddr;
	/** IPv4 source address for sending, network order (0 for multicast binds) */
	in_addr_t inet_saddr;
	/** peer IPv4 address, network order */
	in_addr_t inet_daddr;
	/** local port as getsockname() shows it, network order; may outlive inet_num */
	in_port_t inet_sport;
	/** peer port, network order */
	in_port_t inet_dport;
	/** local port in host order; 0 when the socket holds no port */
	u16 inet_num;
	/** IPV6_V6ONLY: an IPv6 socket that never carries IPv4 traffic */
	bool ipv6only;
	/** local IPv6 address used for lookups (sk_v6_rcv_saddr) */
	struct in6_addr sk_v6_rcv_saddr;
	/** IPv6 source address for sending (the kernel's np->saddr) */
	struct in6_addr v6_saddr;
	/** peer IPv6 address (sk_v6_daddr) */
	struct in6_addr sk_v6_daddr;
	/** pending error reported once by SO_ERROR or connect(); atomic accesses */
	int sk_err;
	/**
	 * TCP, port-only: this socket has been one end of a connection (it
	 * called connect(), or accept() returned it).  The live 6.18.44
	 * kernel then answers listen() with EINVAL for good, even once the
	 * socket is closed and unconnected again, and the failed listen()
	 * leaves the socket holding the port it chose (so bind() is EINVAL).
	 */
	bool was_connected;
	/**
	 * TCP, port-only: this socket has listened.  The live kernel then
	 * answers connect() with EINVAL for good (EISCONN while it listens).
	 */
	bool was_listener;
	/** listen() backlog: the accept queue is full beyond this many */
	int sk_max_ack_backlog;
	/** the port table this socket's port is in, while inet_num is set */
	struct inet_hashinfo *bind_table;
	/** next owner of the same local port (hash lock) */
	struct inet_sock *bind_next;
	/** the pointer that points at this owner (hash lock) */
	struct inet_sock **bind_pprev;
	/** protects the accept queue below (the kernel's rskq_lock) */
	spinlock_t rskq_lock;
	/** first established child waiting for accept() */
	struct inet_sock *accept_head;
	/** last established child waiting for accept() */
	struct inet_sock *accept_tail;
	/** next child in the listener's accept queue */
	struct inet_sock *accept_next;
	/** children in the accept queue (sk_ack_backlog) */
	u32 sk_ack_backlog;
	/** UDP: protects the receive queue (sk_receive_queue.lock) */
	spinlock_t rx_lock;
	/** UDP: oldest queued datagram (sk_receive_queue) */
	struct udp_skb *rx_head;
	/** UDP: newest queued datagram */
	struct udp_skb *rx_tail;
	/** UDP: bytes charged for queued datagrams (sk_rmem_alloc); rx_lock */
	u32 sk_rmem_alloc;
	/** UDP: receive buffer limit in bytes (sk_rcvbuf, from net.core.rmem_default) */
	int sk_rcvbuf;
	/** UDP: datagrams dropped because the queue was full (sk_drops) */
	u32 sk_drops;
};

/**
 * @brief A queued UDP datagram (the port's sk_buff on a receive queue).
 *
 * data[] holds the 8-byte UDP header and then the payload: the same bytes
 * an SK_REUSEPORT program saw while the datagram was being steered.
 */
struct udp_skb {
	struct udp_skb *next;		/**< next in the receive queue */
	bool v4;			/**< sent over IPv4 (saddr) or IPv6 (saddr6) */
	in_addr_t saddr;		/**< sender's IPv4 address */
	struct in6_addr saddr6;		/**< sender's IPv6 address */
	in_port_t sport;		/**< sender's port, network order */
	u32 len;			/**< payload bytes after the header */
	u32 truesize;			/**< what it is charged against sk_rcvbuf */
	unsigned char data[];		/**< UDP header, then payload */
};

/**
 * The inet_sock that embeds @p sk.
 * @param sk an AF_INET or AF_INET6 socket
 * @return its inet_sock
 */
static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return container_of(sk, struct inet_sock, sk);
}

/**
 * Store a new state; readers outside lock_sock() use READ_ONCE
 * (the kernel's inet_sk_state_store()).
 * @param sk the socket
 * @param state a TCP_* state
 */
static inline void inet_sk_state_store(struct sock *sk, int state)
{
	WRITE_ONCE(sk->sk_state, (u8)state);
}

/**
 * Is an IPv6 address "::"?
 * @param a the address
 * @return true for the unspecified address
 */
static inline bool ipv6_addr_any(const struct in6_addr *a)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	return !memcmp(a, &any, sizeof(any));
}

/**
 * Is an IPv6 address an IPv4-mapped one (::ffff:a.b.c.d)?
 * @param a the address
 * @return true if mapped
 */
static inline bool ipv6_addr_v4mapped(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

/**
 * Build the IPv4-mapped IPv6 address of @p addr.
 * @param addr IPv4 address, network order
 * @param v6 where the result goes
 */
static inline void ipv6_addr_set_v4mapped(in_addr_t addr, struct in6_addr *v6)
{
	memset(v6, 0, sizeof(*v6));
	v6->s6_addr[10] = 0xff;
	v6->s6_addr[11] = 0xff;
	memcpy(&v6->s6_addr[12], &addr, sizeof(addr));
}

/**
 * The IPv4 address inside a mapped IPv6 address.
 * @param v6 a mapped address
 * @return the IPv4 address, network order
 */
static inline in_addr_t ipv6_mapped_v4(const struct in6_addr *v6)
{
	in_addr_t addr;

	memcpy(&addr, &v6->s6_addr[12], sizeof(addr));
	return addr;
}

/* Defined in af_inet6.c. */
unsigned int ipv6_addr_type(const struct in6_addr *a);

/**
 * Does an address of this type need an interface (scope id) to be used?
 * (__ipv6_addr_needs_scope_id(), include/net/ipv6.h)
 * @param type an ipv6_addr_type() result
 * @return true for link-local unicast and link- or interface-local multicast
 */
static inline bool ipv6_addr_needs_scope_id(unsigned int type)
{
	return (type & IPV6_ADDR_LINKLOCAL) ||
	       ((type & IPV6_ADDR_MULTICAST) &&
		(type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL)));
}

/**
 * Is an IPv4 address in 127.0.0.0/8?
 * @param addr network order
 * @return true for loopback
 */
static inline bool ipv4_is_loopback(in_addr_t addr)
{
	return (ntohl(addr) >> 24) == 127;
}

/**
 * Is an IPv4 address multicast (224.0.0.0/4)?
 * @param addr network order
 * @return true for multicast
 */
static inline bool ipv4_is_multicast(in_addr_t addr)
{
	return (ntohl(addr) & 0xf0000000U) == 0xe0000000U;
}

/**
 * Is an IPv4 address the limited broadcast 255.255.255.255?
 * @param addr network order
 * @return true for it
 */
static inline bool ipv4_is_lbcast(in_addr_t addr)
{
	return addr == htonl(INADDR_BROADCAST);
}

/**
 * Is the socket an IPv6 socket that refuses IPv4 traffic?
 * @param sk the socket
 * @return true for AF_INET6 with IPV6_V6ONLY (set by hand, or by bind())
 */
static inline bool ipv6_only_sock(const struct sock *sk)
{
	return sk->sk_family == AF_INET6 && READ_ONCE(inet_sk(sk)->ipv6only);
}

/* ------------------------------------------------------------------ */

/**
 * @brief The protocol operations the socket layer calls beyond those of
 *        kern/sock.h's struct proto (the rest of the kernel's struct proto).
 *
 * sk->sk_prot points at the embedded struct proto; inet_prot() gets back
 * to this one.  A NULL member means the protocol does not have it.
 */
struct inet_proto {
	/** name, unhash and destroy; first, so sk->sk_prot can point here */
	struct proto prot;
	/** the port table of the protocol, NULL if it has none */
	struct inet_hashinfo *h;
	/** find or check a local port; 0 or -EADDRINUSE */
	int (*get_port)(struct sock *sk, unsigned short snum);
	/** connect(): the protocol's part, called with lock_sock() held for TCP, without it for UDP */
	int (*connect)(struct sock *sk, struct sockaddr *uaddr, int addr_len);
	/** connect(AF_UNSPEC) and the other ways of breaking an association */
	int (*disconnect)(struct sock *sk, int flags);
	/** close() of the last descriptor: tear down, then drop the descriptor's reference */
	void (*close)(struct sock *sk);
	/** the protocol's part of shutdown(), after the sk_shutdown bits are set */
	void (*shutdown)(struct sock *sk, int how);
	/** finish creation; an error makes socket() fail */
	int (*init)(struct sock *sk);
	/** setsockopt() at a level other than SOL_SOCKET */
	int (*setsockopt)(struct sock *sk, int level, int optname,
			  const void *optval, unsigned int optlen);
	/** getsockopt() at a level other than SOL_SOCKET; @c optlen is a user pointer */
	int (*getsockopt)(struct sock *sk, int level, int optname,
			  void *optval, int *optlen);
	/** sendto(): bytes sent or a negative errno; NULL where not modelled */
	int (*sendmsg)(struct sock *sk, const void *buf, size_t len, int flags,
		       const struct sockaddr *addr, int addr_len);
	/** recvfrom(): bytes or a negative errno; fills *@c addr, *@c addr_len */
	int (*recvmsg)(struct sock *sk, void *buf, size_t len, int flags,
		       struct sockaddr_storage *addr, int *addr_len);
};

/**
 * The inet_proto of a socket.
 * @param sk an inet socket
 * @return its protocol operations
 */
static inline const struct inet_proto *inet_prot(const struct sock *sk)
{
	return container_of(sk->sk_prot, struct inet_proto, prot);
}

/** @brief An address family: how socket() creates its sockets (struct net_proto_family). */
struct net_proto_family {
	int family;	/**< AF_* */
	/** fill in @c sock->ops and @c sock->sk, or fail leaving both unset */
	int (*create)(struct socket *sock, int protocol, int kern);
};

extern const struct net_proto_family inet_family_ops;
extern const struct net_proto_family inet6_family_ops;
extern const struct net_proto_family unix_family_ops;
extern const struct net_proto_family netlink_family_ops;
extern const struct net_proto_family packet_family_ops;

/** @brief One (type, protocol) pair an inet family offers (struct inet_protosw). */
struct inet_protosw {
	unsigned short type;			/**< SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	unsigned short protocol;		/**< IPPROTO_*, IPPROTO_IP = any protocol */
	const struct inet_proto *prot;		/**< the protocol */
	const struct proto_ops *ops;		/**< the family operations */
	bool reuse;				/**< sk_reuse starts on (INET_PROTOSW_REUSE) */
};

/* Defined in af_inet.c: the (type, protocol) lookup of inet_create(). */
int inet_protosw_lookup(const struct inet_protosw *sw, size_t n, int type,
			int *protocol, const struct inet_protosw **answer);

/* ------------------------------------------------------------------ sock.c */

/**
 * @brief The sysctls of the live kernel that the socket layer follows.
 *
 * Each file is opened once, when the program starts, and re-read with
 * pread() at every use: opening it during a system call would take a
 * descriptor number for a moment, and another thread could then see a
 * just-closed port descriptor as open (ENOTSOCK instead of EBADF).
 */
enum net_sysctl {
	NET_SYSCTL_IP_LOCAL_PORT_RANGE,		/**< net.ipv4.ip_local_port_range (2 values) */
	NET_SYSCTL_IP_UNPRIVILEGED_PORT_START,	/**< net.ipv4.ip_unprivileged_port_start */
	NET_SYSCTL_PING_GROUP_RANGE,		/**< net.ipv4.ping_group_range (2 values) */
	NET_SYSCTL_SOMAXCONN,			/**< net.core.somaxconn */
	NET_SYSCTL_BINDV6ONLY,			/**< net.ipv6.bindv6only */
	NET_SYSCTL_MPTCP_ENABLED,		/**< net.mptcp.enabled */
	NET_SYSCTL_RMEM_DEFAULT,		/**< net.core.rmem_default */
	NET_SYSCTL_MAX,				/**< number of entries */
};

int net_sysctl_read(enum net_sysctl which, long *vals, int n);

void sock_init_data(struct socket *sock, struct sock *sk);
void sock_orphan(struct sock *sk);
int sock_error(struct sock *sk);
int sock_setsockopt(struct socket *sock, int level, int optname,
		    const void *optval, unsigned int optlen);
int sock_getsockopt(struct socket *sock, int level, int optname,
		    void *optval, int *optlen);
int sock_no_bind(struct socket *sock, const struct sockaddr *addr, int len);
int sock_no_connect(struct socket *sock, const struct sockaddr *addr, int len, int flags);
int sock_no_accept(struct socket *sock, struct socket *newsock, int flags);
int sock_no_listen(struct socket *sock, int backlog);
int sock_no_shutdown(struct socket *sock, int how);
int sock_no_getname(struct socket *sock, struct sockaddr *addr, int peer);

/* ------------------------------------------------------------------ inet_hashtables.c */

/** @brief A protocol's table of local ports (the kernel's bhash plus the lock of its lookup tables). */
/** inet_bind_fast::fastreuseport: every owner had SO_REUSEPORT. */
#define FASTREUSEPORT_ANY	1
/** inet_bind_fast::fastreuseport: reset by a later owner; compare addresses. */
#define FASTREUSEPORT_STRICT	2

/**
 * @brief The fast-path fields of a TCP port's owners (the kernel keeps them
 *        in struct inet_bind_bucket, include/net/inet_hashtables.h).
 *
 * They summarise the owners when each joined, so that a bind() that matches
 * the summary skips the walk over every owner.  They are not recomputed
 * when an owner later changes SO_REUSEADDR or SO_REUSEPORT: Linux lets a
 * newcomer that matches the summary in, even where the owner-by-owner rule
 * would now refuse it.  Meaningful only while the port has owners.
 */
struct inet_bind_fast {
	s8 fastreuse;			/**< every owner had SO_REUSEADDR and was not listening */
	s8 fastreuseport;		/**< 0, FASTREUSEPORT_ANY or FASTREUSEPORT_STRICT */
	uid_t fastuid;			/**< the owner uid the SO_REUSEPORT summary is for */
	bool fast_ipv6_only;		/**< IPV6_V6ONLY of the summarised socket */
	unsigned short fast_sk_family;	/**< its family */
	in_addr_t fast_rcv_saddr;	/**< its IPv4 address */
	struct in6_addr fast_v6_rcv_saddr; /**< its IPv6 address */
};

struct inet_hashinfo {
	/**
	 * The one lock of the table: held for every change to a port's
	 * owners, to hashed state, to the addresses of an owner, and around
	 * reuseport group changes of the protocol's sockets.
	 */
	spinlock_t lock;
	/** owners of each local port, most recent first */
	struct inet_sock *bhash[INET_PORTS];
	/** TCP: each owned port's fast-path summary (see inet_bind_fast) */
	struct inet_bind_fast bfast[INET_PORTS];
};

/** TCP's port table. */
extern struct inet_hashinfo tcp_hashinfo;
/** UDP's port table. */
extern struct inet_hashinfo udp_table;

/**
 * @brief A connection's or a packet's addresses, as the lookups see them.
 *
 * IPv4 traffic of an IPv6 socket (mapped addresses) is an IPv4 flow.
 */
struct inet_flow {
	bool v4;			/**< IPv4 flow: the v4 fields are meaningful */
	in_addr_t saddr;			/**< IPv4 source */
	in_addr_t daddr;			/**< IPv4 destination */
	struct in6_addr saddr6;		/**< IPv6 source */
	struct in6_addr daddr6;		/**< IPv6 destination */
	in_port_t sport;			/**< source port */
	in_port_t dport;			/**< destination port */
};

u32 get_random_u32_below(u32 ceil);
void inet_get_local_port_range(int *low, int *high);
bool inet_rcv_saddr_equal(const struct sock *sk, const struct sock *sk2, bool match_wildcard);
bool inet_rcv_saddr_any(const struct sock *sk);
void inet_bind_hash(struct sock *sk, struct inet_hashinfo *h, unsigned short port);
void inet_bind_hash_tail(struct sock *sk, struct inet_hashinfo *h, unsigned short port);
void __inet_put_port(struct sock *sk);
void inet_put_port(struct sock *sk);
int inet_csk_get_port(struct sock *sk, unsigned short snum);
int inet_hash(struct sock *sk);
void __inet_unhash(struct sock *sk);
void inet_unhash(struct sock *sk);
int __inet_hash_connect(struct sock *sk);
struct sock *__inet_lookup_listener(struct inet_hashinfo *h, const struct inet_flow *flow);
void inet_sk_flow(const struct sock *sk, struct inet_flow *flow);
u32 inet_ehashfn(const struct inet_flow *flow);

/* ------------------------------------------------------------------ af_inet.c / af_inet6.c */

extern const struct proto_ops inet_stream_ops;
extern const struct proto_ops inet_dgram_ops;
extern const struct proto_ops inet_sockraw_ops;
extern const struct proto_ops inet6_stream_ops;
extern const struct proto_ops inet6_dgram_ops;
extern const struct proto_ops inet6_sockraw_ops;

void inet_sock_destruct(struct sock *sk);
int inet_release(struct socket *sock);
int inet_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int inet6_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int inet_shutdown(struct socket *sock, int how);
int inet_accept(struct socket *sock, struct socket *newsock, int flags);
int inet_listen(struct socket *sock, int backlog);
int inet_stream_connect(struct socket *sock, const struct sockaddr *uaddr, int addr_len, int flags);
int inet_dgram_connect(struct socket *sock, const struct sockaddr *uaddr, int addr_len, int flags);
int inet_autobind(struct sock *sk);
int sock_common_setsockopt(struct socket *sock, int level, int optname,
			   const void *optval, unsigned int optlen);
int sock_common_getsockopt(struct socket *sock, int level, int optname,
			   void *optval, int *optlen);
void inet_reset_saddr(struct sock *sk);
bool inet_port_requires_bind_service(unsigned short port);
int ip_route_connect(struct sock *sk, in_addr_t *daddr, in_addr_t *saddr);
int ip_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
int ip_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen);
int ipv6_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
int ipv6_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen);

/* ------------------------------------------------------------------ tcp.c */

extern const struct inet_proto tcp_prot;
extern const struct inet_proto tcpv6_prot;

void tcp_set_state(struct sock *sk, int state);
int inet_csk_listen_start(struct sock *sk);
struct sock *inet_csk_accept(struct sock *sk, int flags, int *err);

/* ------------------------------------------------------------------ udp.c */

extern const struct inet_proto udp_prot;
extern const struct inet_proto udpv6_prot;

int udp_lib_get_port(struct sock *sk, unsigned short snum);
void udp_sk_rx_init(struct inet_sock *inet);
void udp_sk_rx_purge(struct inet_sock *inet);
int udp_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
int udp_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen);
int udpv6_setsockopt(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
int udpv6_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen);

/* ------------------------------------------------------------------ raw.c */

extern const struct inet_proto raw_prot;
extern const struct inet_proto rawv6_prot;
extern const struct inet_proto ping_prot;
extern const struct inet_proto pingv6_prot;
extern const struct inet_proto udplite_prot;
extern const struct inet_proto udplitev6_prot;
extern const struct inet_proto mptcp_prot;
extern const struct inet_proto mptcpv6_prot;
extern const struct proto_ops mptcp_stream_ops;
extern const struct proto_ops mptcp_v6_stream_ops;

#endif /* KERN_INET_SOCK_H */
