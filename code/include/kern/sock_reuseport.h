/**
 * @file sock_reuseport.h
 * @brief SO_REUSEPORT groups (include/net/sock_reuseport.h,
 *        net/core/sock_reuseport.c).
 *
 * Sockets bound to the same address and port with SO_REUSEPORT, by the same
 * user, form a group; an incoming packet or connection picks one member, by
 * hash or by an attached SK_REUSEPORT program.  Every change to any group is
 * made under the one global reuseport_lock; readers use RCU.
 */
#ifndef KERN_SOCK_REUSEPORT_H
#define KERN_SOCK_REUSEPORT_H

#include "rcupdate.h"
#include "sock.h"
#include "spinlock.h"
#include "types.h"

struct bpf_prog;
struct sk_buff;

/** The lock that serialises every change to every reuseport group. */
extern spinlock_t reuseport_lock;

/* [book:struct_sock_reuseport] */
/** @brief A reuseport group. */
struct sock_reuseport {
	struct rcu_head rcu;		/**< for the RCU-deferred free */
	u16 max_socks;			/**< length of socks[] */
	u16 num_socks;			/**< members in socks[0 .. num_socks) */
	u16 num_closed_socks;		/**< shut-down listeners kept at the end of socks[] */
	unsigned int reuseport_id;	/**< group id; the helper compares it */
	u8 bind_inany;			/**< bound to the wildcard (a bit-field in the kernel) */
	u8 has_conns;			/**< a UDP member has connected (likewise) */
	struct bpf_prog __rcu *prog;	/**< attached program, or NULL */
	struct sock *socks[];		/**< members, then closed members */
};
/* [/book:struct_sock_reuseport] */

int reuseport_alloc(struct sock *sk, bool bind_inany);
int reuseport_add_sock(struct sock *sk, struct sock *sk2, bool bind_inany);
void reuseport_detach_sock(struct sock *sk);
void reuseport_stop_listen_sock(struct sock *sk);
struct sock *reuseport_select_sock(struct sock *sk, u32 hash,
				   struct sk_buff *skb, int hdr_len);
int reuseport_attach_prog(struct sock *sk, struct bpf_prog *prog);
int reuseport_detach_prog(struct sock *sk);
bool reuseport_group_contains(const struct sock_reuseport *reuse, const struct sock *sk);

/* Called with reuseport_lock held whenever a socket leaves its group, so
 * that a reuseport array holding it drops it (kernel/bpf/reuseport_array.c). */
void bpf_sk_reuseport_detach(struct sock *sk);

#endif /* KERN_SOCK_REUSEPORT_H */
