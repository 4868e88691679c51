/**
 * @file filter.h
 * @brief SK_REUSEPORT programs and bpf_sk_select_reuseport()
 *        (include/linux/filter.h, net/core/filter.c).
 *
 * A BPF program in the port is a C function with the program's signature:
 * it receives the context, may call the helper, and returns SK_PASS or
 * SK_DROP.  It stands in for a verified BPF program attached with
 * SO_ATTACH_REUSEPORT_EBPF.
 */
#ifndef KERN_FILTER_H
#define KERN_FILTER_H

#include "bpf.h"
#include "refcount.h"
#include "sock.h"

struct sock_reuseport;

/** @brief The packet the selection is for (only what the port models). */
struct sk_buff {
	const void *data;	/**< payload, from the L4 header */
	u32 len;		/**< its length */
};

/** @brief The kernel-side context of an SK_REUSEPORT program (struct sk_reuseport_kern). */
struct sk_reuseport_kern {
	struct sk_buff *skb;		/**< the packet */
	struct sock *sk;		/**< the socket that received it */
	struct sock *selected_sk;	/**< set by the helper */
	struct sock *migrating_sk;	/**< listener being migrated, or NULL */
	u32 hash;			/**< flow hash */
	u32 reuseport_id;		/**< id of the receiving group */
	bool bind_inany;		/**< the group is bound to the wildcard */
};

/** @brief A loaded program (struct bpf_prog, reduced to what runs it). */
struct bpf_prog {
	u32 type;	/**< BPF_PROG_TYPE_SK_REUSEPORT */
	/** the program: returns SK_PASS or SK_DROP */
	enum sk_action (*func)(struct sk_reuseport_kern *ctx, void *data);
	void *data;	/**< program's own data (e.g. its map), passed to func */
	refcount_t refcnt;	/**< references: attachments and the loader */
	struct rcu_head rcu;	/**< for the RCU-deferred free */
};

struct bpf_prog *bpf_prog_new(enum sk_action (*func)(struct sk_reuseport_kern *, void *), void *data);
void bpf_prog_put(struct bpf_prog *prog);

long bpf_sk_select_reuseport(struct sk_reuseport_kern *reuse_kern,
			     struct bpf_map *map, void *key, u32 flags);
struct sock *bpf_run_sk_reuseport(struct sock_reuseport *reuse, struct sock *sk,
				  struct bpf_prog *prog, struct sk_buff *skb,
				  struct sock *migrating_sk, u32 hash);

#endif /* KERN_FILTER_H */
