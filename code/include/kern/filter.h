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
#include "sockarray/syscalls.h"
#include "refcount.h"
#include "sock.h"

struct sock_reuseport;

/** @brief The packet the selection is for (only what the port models). */
struct sk_buff {
	const void *data;	/**< the packet from its L4 (TCP or UDP) header on */
	u32 len;		/**< its length, L4 header included */
	u16 protocol;		/**< skb->protocol: ETH_P_IP or ETH_P_IPV6, network order */
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
	/** a loaded program's user function (sockarray_prog_load()), or NULL */
	sockarray_reuseport_prog_t md_func;
	/** maps the program uses, one reference each (the kernel's aux->used_maps) */
	struct bpf_map **used_maps;
	u32 used_map_cnt;	/**< entries in used_maps */
	refcount_t refcnt;	/**< references: attachments and descriptors */
	struct rcu_head rcu;	/**< for the RCU-deferred free */
};

/* [book:reuseport_ctx] */
/**
 * @brief What a loaded program's context pointer points into.
 *
 * A real program reads struct sk_reuseport_md, but the verifier rewrites
 * every such read into a read of struct sk_reuseport_kern
 * (sk_reuseport_convert_ctx_access(), net/core/filter.c), so at run time
 * the context *is* the kernel structure.  The port cannot rewrite a C
 * function's loads, so it fills in a real md and keeps, next to it, the
 * kernel context it was made from; the helper gets back from the md to the
 * kernel context with container_of(), which is the same step the rewrite
 * makes at load time.
 */
struct sk_reuseport_ctx {
	struct sk_reuseport_md md;		/**< what the program reads */
	struct sk_reuseport_kern *kern;		/**< what the kernel works on */
};
/* [/book:reuseport_ctx] */

/** Most maps one program may use (MAX_USED_MAPS, include/linux/bpf_verifier.h). */
#define MAX_USED_MAPS	64

struct bpf_prog *bpf_prog_new(enum sk_action (*func)(struct sk_reuseport_kern *, void *), void *data);
void bpf_prog_put(struct bpf_prog *prog);
struct bpf_prog *bpf_prog_get_type(int ufd, u32 type);

long bpf_sk_select_reuseport(struct sk_reuseport_kern *reuse_kern,
			     struct bpf_map *map, void *key, u32 flags);
struct sock *bpf_run_sk_reuseport(struct sock_reuseport *reuse, struct sock *sk,
				  struct bpf_prog *prog, struct sk_buff *skb,
				  struct sock *migrating_sk, u32 hash);

#endif /* KERN_FILTER_H */
