/**
 * @file filter.c
 * @brief SK_REUSEPORT programs: bpf_sk_select_reuseport() and running a
 *        program over a group.  Port of the SK_REUSEPORT part of
 *        net/core/filter.c, Linux 6.18.
 *
 * The port's "program" is a C function; what it may do is what a verified
 * SK_REUSEPORT program may do: read its context, call the helper, return a
 * verdict.  Programs run inside the caller's rcu_read_lock(), as in the
 * kernel, which is what lets the helper use a map slot without a reference.
 */
#include <stdlib.h>

#include "kern/err.h"
#include "kern/filter.h"
#include "kern/sock_reuseport.h"

/**
 * Create a program object with one reference (BPF_PROG_LOAD's result).
 * @param func the program
 * @param data its private data, passed to every run
 * @return the program, or NULL when out of memory
 */
struct bpf_prog *bpf_prog_new(enum sk_action (*func)(struct sk_reuseport_kern *, void *),
			      void *data)
{
	struct bpf_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->type = BPF_PROG_TYPE_SK_REUSEPORT;
	prog->func = func;
	prog->data = data;
	refcount_set(&prog->refcnt, 1);
	return prog;
}

static void bpf_prog_free_rcu(struct rcu_head *head)
{
	free(container_of(head, struct bpf_prog, rcu));
}

/**
 * Drop a reference; the last one frees the program after a grace period,
 * since a reader may be running it (bpf_prog_put()).
 * @param prog the program
 */
void bpf_prog_put(struct bpf_prog *prog)
{
	if (refcount_dec_and_test(&prog->refcnt))
		call_rcu(&prog->rcu, bpf_prog_free_rcu);
}

/* [book:select_reuseport] */
/**
 * The helper: steer to the socket in @p map at @p key.
 * Port of bpf_sk_select_reuseport() (BPF_CALL_4 sk_select_reuseport).
 *
 * The chosen socket must be in the same reuseport group as the socket that
 * received the packet; the errors say how it differs.  @p flags is unused.
 *
 * @param reuse_kern the program's context
 * @param map a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
 * @param key pointer to a u32 index
 * @param flags ignored, as in the kernel
 * @return 0, -ENOENT, -EPROTOTYPE, -EAFNOSUPPORT or -EBADFD
 */
long bpf_sk_select_reuseport(struct sk_reuseport_kern *reuse_kern,
			     struct bpf_map *map, void *key, u32 flags)
{
	struct sock_reuseport *reuse;
	struct sock *selected_sk;

	(void)flags;
	selected_sk = map->ops->map_lookup_elem(map, key);
	if (!selected_sk)
		return -ENOENT;

	/*
	 * The map only holds group members, so no group means the socket was
	 * unhashed (closed) after the lookup: report it as not there.
	 */
	reuse = rcu_dereference(selected_sk->sk_reuseport_cb);
	if (!reuse)
		return -ENOENT;

	if (unlikely(reuse->reuseport_id != reuse_kern->reuseport_id)) {
		struct sock *sk = reuse_kern->sk;

		if (sk->sk_protocol != selected_sk->sk_protocol)
			return -EPROTOTYPE;
		if (sk->sk_family != selected_sk->sk_family)
			return -EAFNOSUPPORT;
		/* same kind of socket, other address or port */
		return -EBADFD;
	}

	reuse_kern->selected_sk = selected_sk;
	return 0;
}
/* [/book:select_reuseport] */

/**
 * Run an SK_REUSEPORT program for a packet that reached @p sk's group.
 * Port of bpf_run_sk_reuseport().
 * @param reuse the group (read under RCU by the caller)
 * @param sk the socket the lookup found
 * @param prog the program
 * @param skb the packet
 * @param migrating_sk a listener being migrated, or NULL
 * @param hash the flow hash
 * @return the selected socket, NULL (SK_PASS without a selection: hash
 *         decides), or ERR_PTR(-ECONNREFUSED) for any other verdict
 */
struct sock *bpf_run_sk_reuseport(struct sock_reuseport *reuse, struct sock *sk,
				  struct bpf_prog *prog, struct sk_buff *skb,
				  struct sock *migrating_sk, u32 hash)
{
	struct sk_reuseport_kern reuse_kern = {
		.skb = skb,
		.sk = sk,
		.selected_sk = NULL,
		.migrating_sk = migrating_sk,
		.hash = hash,
		.reuseport_id = reuse->reuseport_id,
		.bind_inany = READ_ONCE(reuse->bind_inany),
	};
	enum sk_action action;

	action = prog->func(&reuse_kern, prog->data);
	if (action == SK_PASS)
		return reuse_kern.selected_sk;
	return ERR_PTR(-ECONNREFUSED);
}
