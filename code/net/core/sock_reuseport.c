/**
 * @file sock_reuseport.c
 * @brief SO_REUSEPORT groups.  Port of net/core/sock_reuseport.c, Linux 6.18
 *        (the parts the map and the socket layer use).
 *
 * A group is an array of member sockets: listening (or bound) members first,
 * then, at the far end, TCP listeners that were shut down while migration
 * was enabled ("closed" members, kept so they can be migrated or revived).
 * All changes happen under reuseport_lock.  Readers (reuseport_select_sock())
 * hold only rcu_read_lock(), so a member is published by writing its array
 * entry before the count that covers it, and a group that grows is replaced
 * by a copy and freed after a grace period.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/overflow.h"
#include "kern/sock_reuseport.h"

/** Members a new group has room for (the kernel's INIT_SOCKS). */
#define INIT_SOCKS 128

DEFINE_SPINLOCK(reuseport_lock);

/*
 * Group ids: the kernel uses an IDA, which hands out the smallest free id.
 * Guarded by reuseport_lock like every other group change.
 */
static unsigned char *reuseport_ids;
static unsigned int reuseport_ids_size;

static int reuseport_id_alloc(void)
{
	unsigned int i;

	for (i = 0; i < reuseport_ids_size; i++) {
		if (!reuseport_ids[i]) {
			reuseport_ids[i] = 1;
			return (int)i;
		}
	}
	if (i >= (unsigned int)S32_MAX / 2)
		return -ENOSPC;
	{
		unsigned int size = reuseport_ids_size ? reuseport_ids_size * 2 : 64;
		unsigned char *ids = realloc(reuseport_ids, size);

		if (!ids)
			return -ENOMEM;
		memset(ids + reuseport_ids_size, 0, size - reuseport_ids_size);
		reuseport_ids = ids;
		reuseport_ids_size = size;
	}
	reuseport_ids[i] = 1;
	return (int)i;
}

static void reuseport_id_free(unsigned int id)
{
	spin_lock_bh(&reuseport_lock);
	if (id < reuseport_ids_size)
		reuseport_ids[id] = 0;
	spin_unlock_bh(&reuseport_lock);
}

/* Readers load these without the lock: atomic accesses, as READ_ONCE. */
static struct sock *reuse_sock_at(const struct sock_reuseport *reuse, int i)
{
	return __atomic_load_n(&reuse->socks[i], __ATOMIC_RELAXED);
}

static void reuse_set_sock(struct sock_reuseport *reuse, int i, struct sock *sk)
{
	__atomic_store_n(&reuse->socks[i], sk, __ATOMIC_RELAXED);
}

static u16 reuse_num_socks(const struct sock_reuseport *reuse)
{
	/* acquire: pairs with the release in __reuseport_add_sock() */
	return __atomic_load_n(&reuse->num_socks, __ATOMIC_ACQUIRE);
}

static int reuseport_sock_index(const struct sock *sk,
				const struct sock_reuseport *reuse, bool closed)
{
	int left, right;

	if (!closed) {
		left = 0;
		right = reuse->num_socks;
	} else {
		left = reuse->max_socks - reuse->num_closed_socks;
		right = reuse->max_socks;
	}
	for (; left < right; left++)
		if (reuse->socks[left] == sk)
			return left;
	return -1;
}

/**
 * Is @p sk a member (listening or closed) of @p reuse?  For tests and
 * invariant checks; caller holds reuseport_lock.
 * @param reuse the group
 * @param sk the socket
 * @return true if it is
 */
bool reuseport_group_contains(const struct sock_reuseport *reuse, const struct sock *sk)
{
	return reuseport_sock_index(sk, reuse, false) >= 0 ||
	       reuseport_sock_index(sk, reuse, true) >= 0;
}

static void __reuseport_add_sock(struct sock *sk, struct sock_reuseport *reuse)
{
	reuse_set_sock(reuse, reuse->num_socks, sk);
	/* the entry is visible before the count that covers it */
	__atomic_store_n(&reuse->num_socks, reuse->num_socks + 1, __ATOMIC_RELEASE);
}

static bool __reuseport_detach_sock(struct sock *sk, struct sock_reuseport *reuse)
{
	int i = reuseport_sock_index(sk, reuse, false);

	if (i == -1)
		return false;
	reuse_set_sock(reuse, i, reuse->socks[reuse->num_socks - 1]);
	__atomic_store_n(&reuse->num_socks, reuse->num_socks - 1, __ATOMIC_RELEASE);
	return true;
}

static void __reuseport_add_closed_sock(struct sock *sk, struct sock_reuseport *reuse)
{
	reuse_set_sock(reuse, reuse->max_socks - reuse->num_closed_socks - 1, sk);
	WRITE_ONCE(reuse->num_closed_socks, reuse->num_closed_socks + 1);
}

static bool __reuseport_detach_closed_sock(struct sock *sk, struct sock_reuseport *reuse)
{
	int i = reuseport_sock_index(sk, reuse, true);

	if (i == -1)
		return false;
	reuse_set_sock(reuse, i, reuse->socks[reuse->max_socks - reuse->num_closed_socks]);
	WRITE_ONCE(reuse->num_closed_socks, reuse->num_closed_socks - 1);
	return true;
}

static struct sock_reuseport *__reuseport_alloc(unsigned int max_socks)
{
	struct sock_reuseport *reuse;

	reuse = calloc(1, struct_size(reuse, socks, max_socks));
	if (!reuse)
		return NULL;
	reuse->max_socks = max_socks;
	return reuse;
}

/* Port of reuseport_free_rcu(): the group's last grace period is over. */
static void reuseport_free_rcu(struct rcu_head *head)
{
	struct sock_reuseport *reuse = container_of(head, struct sock_reuseport, rcu);
	struct bpf_prog *prog = rcu_dereference_protected(reuse->prog, 1);

	if (prog)
		bpf_prog_put(prog);
	reuseport_id_free(reuse->reuseport_id);
	free(reuse);
}

/* The kernel's kfree_rcu() of an outgrown copy. */
static void reuseport_free_memory_rcu(struct rcu_head *head)
{
	free(container_of(head, struct sock_reuseport, rcu));
}

/* Port of reuseport_grow(): double the member array.  reuseport_lock held. */
static struct sock_reuseport *reuseport_grow(struct sock_reuseport *reuse)
{
	struct sock_reuseport *more_reuse;
	u32 more_socks_size, i;

	more_socks_size = reuse->max_socks * 2U;
	if (more_socks_size > 0xffff) {
		if (reuse->num_closed_socks) {
			/* Make room by dropping the oldest closed member. */
			struct sock *sk = reuse->socks[reuse->max_socks - 1];

			RCU_INIT_POINTER(sk->sk_reuseport_cb, NULL);
			__reuseport_detach_closed_sock(sk, reuse);
			return reuse;
		}
		return NULL;
	}

	more_reuse = __reuseport_alloc(more_socks_size);
	if (!more_reuse)
		return NULL;

	more_reuse->num_socks = reuse->num_socks;
	more_reuse->num_closed_socks = reuse->num_closed_socks;
	more_reuse->prog = reuse->prog;
	more_reuse->reuseport_id = reuse->reuseport_id;
	more_reuse->bind_inany = reuse->bind_inany;
	more_reuse->has_conns = reuse->has_conns;

	memcpy(more_reuse->socks, reuse->socks, reuse->num_socks * sizeof(struct sock *));
	memcpy(more_reuse->socks + (more_reuse->max_socks - more_reuse->num_closed_socks),
	       reuse->socks + (reuse->max_socks - reuse->num_closed_socks),
	       reuse->num_closed_socks * sizeof(struct sock *));

	for (i = 0; i < reuse->max_socks; ++i)
		if (reuse->socks[i])
			rcu_assign_pointer(reuse->socks[i]->sk_reuseport_cb, more_reuse);

	/* The copy owns the program and the id now: free only the memory. */
	call_rcu(&reuse->rcu, reuseport_free_memory_rcu);
	return more_reuse;
}

/* Port of reuseport_resurrect(): a shut-down listener listens again. */
static int reuseport_resurrect(struct sock *sk, struct sock_reuseport *old_reuse,
			       struct sock_reuseport *reuse, bool bind_inany)
{
	if (old_reuse == reuse) {
		/* Same group: back from the closed section to the members. */
		__reuseport_detach_closed_sock(sk, old_reuse);
		__reuseport_add_sock(sk, old_reuse);
		return 0;
	}

	if (!reuse) {
		/* Start a fresh group; the old group's program stays behind. */
		int id;

		reuse = __reuseport_alloc(INIT_SOCKS);
		if (!reuse)
			return -ENOMEM;
		id = reuseport_id_alloc();
		if (id < 0) {
			free(reuse);
			return id;
		}
		reuse->reuseport_id = id;
		reuse->bind_inany = bind_inany;
	} else if (reuse->num_socks + reuse->num_closed_socks == reuse->max_socks) {
		reuse = reuseport_grow(reuse);
		if (!reuse)
			return -ENOMEM;
	}

	__reuseport_detach_closed_sock(sk, old_reuse);
	__reuseport_add_sock(sk, reuse);
	rcu_assign_pointer(sk->sk_reuseport_cb, reuse);

	if (old_reuse->num_socks + old_reuse->num_closed_socks == 0)
		call_rcu(&old_reuse->rcu, reuseport_free_rcu);
	return 0;
}

/**
 * Make @p sk the first member of a new group, unless it has one.
 * Port of reuseport_alloc().
 * @param sk the socket
 * @param bind_inany whether it is bound to the wildcard address
 * @return 0, -ENOMEM or -ENOSPC
 */
int reuseport_alloc(struct sock *sk, bool bind_inany)
{
	struct sock_reuseport *reuse;
	int id, ret = 0;

	spin_lock_bh(&reuseport_lock);

	/* The setsockopt path and the bind/listen path may race to get here. */
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	if (reuse) {
		if (reuse->num_closed_socks) {
			ret = reuseport_resurrect(sk, reuse, NULL, bind_inany);
			goto out;
		}
		/* Only ever turn bind_inany on here: the bind path owns it. */
		if (bind_inany)
			reuse->bind_inany = bind_inany;
		goto out;
	}

	reuse = __reuseport_alloc(INIT_SOCKS);
	if (!reuse) {
		ret = -ENOMEM;
		goto out;
	}

	id = reuseport_id_alloc();
	if (id < 0) {
		free(reuse);
		ret = id;
		goto out;
	}

	reuse->reuseport_id = id;
	reuse->bind_inany = bind_inany;
	reuse->socks[0] = sk;
	reuse->num_socks = 1;
	rcu_assign_pointer(sk->sk_reuseport_cb, reuse);

out:
	spin_unlock_bh(&reuseport_lock);
	return ret;
}

/**
 * Add @p sk to the group of @p sk2 (creating that group if @p sk2 has none).
 * Port of reuseport_add_sock().
 * @param sk the joining socket
 * @param sk2 a member of the group to join
 * @param bind_inany whether they are bound to the wildcard address
 * @return 0, -EBUSY (sk leads another group with members), -ENOMEM
 */
int reuseport_add_sock(struct sock *sk, struct sock *sk2, bool bind_inany)
{
	struct sock_reuseport *old_reuse, *reuse;

	if (!rcu_access_pointer(sk2->sk_reuseport_cb)) {
		int err = reuseport_alloc(sk2, bind_inany);

		if (err)
			return err;
	}

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk2->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	old_reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					      lockdep_is_held(&reuseport_lock));
	if (old_reuse && old_reuse->num_closed_socks) {
		int err = reuseport_resurrect(sk, old_reuse, reuse, reuse->bind_inany);

		spin_unlock_bh(&reuseport_lock);
		return err;
	}

	if (old_reuse && old_reuse->num_socks != 1) {
		spin_unlock_bh(&reuseport_lock);
		return -EBUSY;
	}

	if (reuse->num_socks + reuse->num_closed_socks == reuse->max_socks) {
		reuse = reuseport_grow(reuse);
		if (!reuse) {
			spin_unlock_bh(&reuseport_lock);
			return -ENOMEM;
		}
	}

	__reuseport_add_sock(sk, reuse);
	rcu_assign_pointer(sk->sk_reuseport_cb, reuse);

	spin_unlock_bh(&reuseport_lock);

	/* sk had a group of its own (from an early attach): drop it. */
	if (old_reuse)
		call_rcu(&old_reuse->rcu, reuseport_free_rcu);
	return 0;
}

/* [exercise:lock_order] */
/* [book:detach_sock] */
/**
 * @p sk leaves its group for good.  Port of reuseport_detach_sock().
 *
 * This is where a reuseport array learns that one of its sockets is going:
 * bpf_sk_reuseport_detach() runs here, under reuseport_lock, before the
 * socket stops being a member.
 *
 * @param sk the socket (closing, disconnecting, or connecting UDP)
 */
void reuseport_detach_sock(struct sock *sk)
{
	struct sock_reuseport *reuse;

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));

	/* reuseport_grow() may already have dropped a closed member. */
	if (!reuse)
		goto out;

	/* Tell the map first: it may hold sk in a slot. */
	bpf_sk_reuseport_detach(sk);

	rcu_assign_pointer(sk->sk_reuseport_cb, NULL);

	if (!__reuseport_detach_closed_sock(sk, reuse))
		__reuseport_detach_sock(sk, reuse);

	if (reuse->num_socks + reuse->num_closed_socks == 0)
		call_rcu(&reuse->rcu, reuseport_free_rcu);

out:
	spin_unlock_bh(&reuseport_lock);
}
/* [/book:detach_sock] */
/* [/exercise:lock_order] */

/**
 * A TCP listener stops listening (close, shutdown, disconnect).
 * Port of reuseport_stop_listen_sock().
 *
 * With net.ipv4.tcp_migrate_req set, the listener moves to the group's
 * closed section so its pending connections could migrate; it still leaves
 * every reuseport array at once.  Otherwise it leaves the group.
 *
 * @param sk the listener
 */
void reuseport_stop_listen_sock(struct sock *sk)
{
	if (sk->sk_protocol == IPPROTO_TCP) {
		struct sock_reuseport *reuse;

		spin_lock_bh(&reuseport_lock);
		reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
						  lockdep_is_held(&reuseport_lock));
		/* The kernel also migrates for a SELECT_OR_MIGRATE program. */
		if (reuse && sysctl_read_int("net/ipv4/tcp_migrate_req", 0)) {
			bpf_sk_reuseport_detach(sk);
			__reuseport_detach_sock(sk, reuse);
			__reuseport_add_closed_sock(sk, reuse);
			spin_unlock_bh(&reuseport_lock);
			return;
		}
		spin_unlock_bh(&reuseport_lock);
	}

	reuseport_detach_sock(sk);
}

static u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

/* Port of reuseport_select_sock_by_hash(): skip connected members. */
static struct sock *reuseport_select_sock_by_hash(struct sock_reuseport *reuse,
						  u32 hash, u16 num_socks)
{
	int i, j;

	i = j = reciprocal_scale(hash, num_socks);
	do {
		struct sock *sk = reuse_sock_at(reuse, i);

		if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
			return sk;
		i++;
		if (i >= num_socks)
			i = 0;
	} while (i != j);

	return NULL;
}

/* [book:select_sock] */
/**
 * Pick the member of @p sk's group that gets a packet or connection.
 * Port of reuseport_select_sock().
 *
 * With an attached SK_REUSEPORT program and a packet, the program decides;
 * if it selects nothing, or there is no program, the flow hash does.  A
 * program verdict other than SK_PASS gives ERR_PTR(-ECONNREFUSED).
 *
 * @param sk the member the lookup found
 * @param hash the flow hash
 * @param skb the packet, or NULL (then always by hash)
 * @param hdr_len unused by SK_REUSEPORT programs
 * @return the chosen socket, NULL (no group or no members), or an ERR_PTR
 */
struct sock *reuseport_select_sock(struct sock *sk, u32 hash,
				   struct sk_buff *skb, int hdr_len)
{
	struct sock_reuseport *reuse;
	struct bpf_prog *prog;
	struct sock *sk2 = NULL;
	u16 socks;

	(void)hdr_len;
	rcu_read_lock();
	reuse = rcu_dereference(sk->sk_reuseport_cb);

	/* not (or no longer) in a group */
	if (!reuse)
		goto out;

	prog = rcu_dereference(reuse->prog);
	socks = reuse_num_socks(reuse);
	if (likely(socks)) {
		if (prog && skb)
			sk2 = bpf_run_sk_reuseport(reuse, sk, prog, skb, NULL, hash);
		if (!sk2)
			sk2 = reuseport_select_sock_by_hash(reuse, hash, socks);
	}

out:
	rcu_read_unlock();
	return sk2;
}
/* [/book:select_sock] */

/**
 * Attach an SK_REUSEPORT program to @p sk's group (SO_ATTACH_REUSEPORT_EBPF).
 * Port of reuseport_attach_prog().  Takes over the caller's reference.
 * @param sk a member, or an unhashed socket with SO_REUSEPORT
 * @param prog the program
 * @return 0, -EINVAL (no SO_REUSEPORT, or hashed without a group), -ENOMEM
 */
int reuseport_attach_prog(struct sock *sk, struct bpf_prog *prog)
{
	struct sock_reuseport *reuse;
	struct bpf_prog *old_prog;

	if (!sk_hashed(sk)) {
		int err;

		if (!sk->sk_reuseport)
			return -EINVAL;
		err = reuseport_alloc(sk, false);
		if (err)
			return err;
	} else if (!rcu_access_pointer(sk->sk_reuseport_cb)) {
		/* bound without SO_REUSEPORT */
		return -EINVAL;
	}

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	old_prog = rcu_dereference_protected(reuse->prog,
					     lockdep_is_held(&reuseport_lock));
	rcu_assign_pointer(reuse->prog, prog);
	spin_unlock_bh(&reuseport_lock);

	if (old_prog)
		bpf_prog_put(old_prog);
	return 0;
}

/**
 * Detach the group's program (SO_DETACH_REUSEPORT_BPF).
 * Port of reuseport_detach_prog().
 * @param sk a member
 * @return 0, -ENOENT (no program, or a closed member), -EINVAL (no SO_REUSEPORT)
 */
int reuseport_detach_prog(struct sock *sk)
{
	struct sock_reuseport *reuse;
	struct bpf_prog *old_prog;

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	if (!reuse) {
		spin_unlock_bh(&reuseport_lock);
		return sk->sk_reuseport ? -ENOENT : -EINVAL;
	}

	if (!sk_hashed(sk) && reuse->num_closed_socks) {
		spin_unlock_bh(&reuseport_lock);
		return -ENOENT;
	}

	old_prog = rcu_dereference_protected(reuse->prog,
					     lockdep_is_held(&reuseport_lock));
	RCU_INIT_POINTER(reuse->prog, NULL);
	spin_unlock_bh(&reuseport_lock);

	if (!old_prog)
		return -ENOENT;
	bpf_prog_put(old_prog);
	return 0;
}
