/**
 * @file sock.h
 * @brief struct sock: the fields of a socket that the map reads and writes
 *        (include/net/sock.h, include/net/sock_reuseport.h users).
 *
 * The kernel's struct sock has well over a hundred fields; the port keeps
 * the ones the map and the reuseport code touch, under their kernel names,
 * and the few the socket layer needs to get a socket into the states the map
 * cares about (bound, listening, hashed, in a reuseport group).  Protocol
 * state lives in struct inet_sock (kern/inet_sock.h), which embeds this one
 * first, as in the kernel.
 */
#ifndef KERN_SOCK_H
#define KERN_SOCK_H

#include <stdint.h>
#include <sys/types.h>

#include "compiler.h"
#include "rcupdate.h"
#include "refcount.h"
#include "spinlock.h"
#include "types.h"

struct sock;
struct socket;
struct sock_reuseport;

/** sk_flags bit: free the socket only after an RCU grace period. */
#define SOCK_RCU_FREE	0
/** sk_flags bit: the socket has been closed by its owner. */
#define SOCK_DEAD	1

/** sk_userlocks bit: the user chose the port (bind with a non-zero port). */
#define SOCK_BINDPORT_LOCK	0x8
/** sk_userlocks bit: the user chose the address. */
#define SOCK_BINDADDR_LOCK	0x4

/* [book:tag_bits] */
/**
 * @name sk_user_data tag bits
 * sk_user_data holds a pointer whose three low bits are free, because what
 * it points to is at least 8-byte aligned; the kernel uses those bits to
 * say who owns the pointer and how it may be copied (include/net/sock.h).
 * @{
 */
/** Do not copy sk_user_data into sockets cloned from this one (accept). */
#define SK_USER_DATA_NOCOPY	1UL
/** sk_user_data points into a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY slot. */
#define SK_USER_DATA_BPF	2UL
/** sk_user_data points to a sockmap psock. */
#define SK_USER_DATA_PSOCK	4UL
/** Clears the tag bits, leaving the pointer. */
#define SK_USER_DATA_PTRMASK	~(SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF | \
				  SK_USER_DATA_PSOCK)
/** @} */

/* The map stores a slot's address: the tags must fit below its alignment.
 * (The kernel has no such check; on 32-bit a slot is only 4-byte aligned.) */
_Static_assert(_Alignof(struct sock *) > ~SK_USER_DATA_PTRMASK,
	       "a slot address must leave every sk_user_data tag bit free");
/* [/book:tag_bits] */

/** @brief Protocol operations a struct sock needs (include/net/sock.h: struct proto). */
struct proto {
	const char *name;			/**< "TCP", "UDP", ... */
	/** remove the socket from the lookup tables (and its reuseport group) */
	void (*unhash)(struct sock *sk);
	/** release protocol resources; called once, before the final put */
	void (*destroy)(struct sock *sk);
};

/** TCP states used by the port (include/net/tcp_states.h numbering). */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
};

/* [book:struct_sock] */
/** @brief A network-layer socket. */
struct sock {
	unsigned short sk_family;	/**< AF_INET, AF_INET6, AF_UNIX, ... */
	u16 sk_type;			/**< SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, ... */
	u16 sk_protocol;		/**< IPPROTO_TCP, IPPROTO_UDP, ... */
	u8 sk_state;			/**< TCP_* state; UDP uses CLOSE/ESTABLISHED */
	u8 sk_reuse;			/**< SO_REUSEADDR */
	u8 sk_reuseport;		/**< SO_REUSEPORT */
	u8 sk_shutdown;			/**< RCV_SHUTDOWN/SEND_SHUTDOWN bits */
	u8 sk_userlocks;		/**< SOCK_BINDPORT_LOCK, SOCK_BINDADDR_LOCK */
	bool sk_hashed_flag;		/**< in a lookup table: what sk_hashed() reads */
	unsigned long sk_flags;		/**< SOCK_RCU_FREE, SOCK_DEAD bits */
	uid_t sk_uid;			/**< owner, for reuseport's same-user rule */
	int sk_bound_dev_if;		/**< bound device (always 0 in the port) */
	int sk_incoming_cpu;		/**< last CPU that received for it */
	refcount_t sk_refcnt;		/**< references to this struct sock */
	u64 sk_cookie;			/**< 0 until sock_gen_cookie() gives it one */
	/**
	 * Protects sk_user_data (and, in the kernel, the socket's callback
	 * pointers).  Taken after reuseport_lock, never two at once.
	 */
	rwlock_t sk_callback_lock;
	/**
	 * Owner-tagged pointer; for a socket in a reuseport array, the address
	 * of its slot | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF.
	 */
	void *sk_user_data;
	/** the reuseport group, NULL if none; RCU-protected */
	struct sock_reuseport __rcu *sk_reuseport_cb;
	spinlock_t sk_lock;		/**< lock_sock(): the process-context socket lock */
	struct socket *sk_socket;	/**< the struct socket, while a descriptor has it */
	const struct proto *sk_prot;	/**< protocol operations */
	struct rcu_head sk_rcu;		/**< for the RCU-deferred free */
};
/* [/book:struct_sock] */

/**
 * Test a flag bit of sk_flags.
 * @param sk the socket
 * @param flag SOCK_RCU_FREE or SOCK_DEAD
 * @return whether it is set
 */
static inline bool sock_flag(const struct sock *sk, int flag)
{
	return (__atomic_load_n(&sk->sk_flags, __ATOMIC_RELAXED) >> flag) & 1;
}

/**
 * Set a flag bit of sk_flags.
 * @param sk the socket
 * @param flag SOCK_RCU_FREE or SOCK_DEAD
 */
static inline void sock_set_flag(struct sock *sk, int flag)
{
	__atomic_fetch_or(&sk->sk_flags, 1UL << flag, __ATOMIC_RELAXED);
}

/**
 * Is the socket in a lookup table (listening TCP, bound UDP, connected TCP)?
 * @param sk the socket
 * @return true if hashed
 */
static inline bool sk_hashed(const struct sock *sk)
{
	return READ_ONCE(sk->sk_hashed_flag);
}

/**
 * Is the socket an inet (IPv4 or IPv6) socket?
 * @param sk the socket
 * @return true for AF_INET and AF_INET6
 */
bool sk_is_inet(const struct sock *sk);

/**
 * Must sk_user_data stay behind when @p sk is cloned (an accepted child)?
 * Port of sk_user_data_is_nocopy(), include/net/sock.h.
 * @param sk the socket
 * @return true if sk_user_data carries #SK_USER_DATA_NOCOPY
 */
bool sk_user_data_is_nocopy(const struct sock *sk);

/**
 * The pointer in sk_user_data, if every tag bit in @p flags is set in it.
 * Port of __locked_read_sk_user_data_with_flags(), include/net/sock.h.
 *
 * The caller holds @p sk's sk_callback_lock (an RCU read-side critical
 * section also passes the debug check, as in the kernel).  The tag bits
 * are cleared from the result, whichever are set.  Every pointer stored in
 * sk_user_data must be 8-byte aligned: the function cannot tell a tag from
 * a low address bit, so a misaligned pointer comes back rounded down.
 *
 * @param sk the socket
 * @param flags tag bits that must all be present (0: any value); debug
 *        builds abort on a bit outside the tags
 * @return the untagged pointer, or NULL if sk_user_data is NULL or lacks
 *         one of @p flags
 */
void *__locked_read_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags);

/**
 * The same, for a caller inside rcu_read_lock() that holds no lock.
 * Port of __rcu_dereference_sk_user_data_with_flags(), include/net/sock.h.
 * @param sk the socket
 * @param flags tag bits that must all be present (0: any value)
 * @return the untagged pointer, or NULL if sk_user_data is NULL or lacks
 *         one of @p flags
 */
void *__rcu_dereference_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags);

struct sock *sk_alloc(int family, int type, int protocol, const struct proto *prot, size_t size);
void sock_hold(struct sock *sk);
void sock_put(struct sock *sk);
void lock_sock(struct sock *sk);
void release_sock(struct sock *sk);

/**
 * The socket's cookie, assigning one on first use: a number that is never
 * 0 and never reused, as net/core/sock_diag.c's sock_gen_cookie() gives.
 * @param sk the socket
 * @return its cookie
 */
u64 __sock_gen_cookie(struct sock *sk);

/** Same as __sock_gen_cookie(); the kernel's variant disables preemption. */
#define sock_gen_cookie(sk)	__sock_gen_cookie(sk)

#endif /* KERN_SOCK_H */
