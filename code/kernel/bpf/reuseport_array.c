/**
 * @file reuseport_array.c
 * @brief BPF_MAP_TYPE_REUSEPORT_SOCKARRAY: an array of SO_REUSEPORT sockets
 *        for SK_REUSEPORT programs.  Port of kernel/bpf/reuseport_array.c,
 *        Linux 6.18, function by function and in the same order.
 *
 * Userspace stores a socket by descriptor and reads back its cookie; a
 * program calls bpf_sk_select_reuseport() to steer a packet or connection
 * to the socket in a slot.  The map holds no reference on its sockets:
 *  - it accepts only sockets that are freed after an RCU grace period
 *    (SOCK_RCU_FREE), so a reader inside rcu_read_lock() never sees one
 *    freed under it;
 *  - each stored socket points back at its slot through sk_user_data, and
 *    when the socket leaves its reuseport group (close, disconnect) the
 *    reuseport code calls bpf_sk_reuseport_detach(), which empties the slot.
 *
 * Locks, outermost first: reuseport_lock (global), then one socket's
 * sk_callback_lock.  Slots are RCU pointers; sk_user_data is written only
 * under the socket's sk_callback_lock.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"
#include "kern/overflow.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"

/* [book:struct] */
/**
 * @brief The map: the common header, then one RCU pointer per slot.
 *
 * Embedding struct bpf_map first lets the generic code hold a
 * struct bpf_map * and this file convert it back (see reuseport_array()).
 */
struct reuseport_array {
	struct bpf_map map;		/**< generic part, must be first */
	struct sock __rcu *ptrs[];	/**< max_entries slots, NULL = empty */
};

/* Generic map pointer -> this map.  A plain cast is enough because map is
 * the first member; container_of() would say the same thing at offset 0. */
static struct reuseport_array *reuseport_array(struct bpf_map *map)
{
	return (struct reuseport_array *)map;
}
/* [/book:struct] */

/* [exercise:delete] */
/* [book:detach] */
/**
 * Take @p sk out of whichever reuseport array slot it is in, if any.
 * Port of bpf_sk_reuseport_detach(), kernel/bpf/reuseport_array.c.
 *
 * Called by the reuseport code whenever @p sk leaves its group, with
 * reuseport_lock held.  The slot is found through the back-pointer in
 * sk_user_data, and only if that pointer carries the BPF tag: another
 * subsystem's sk_user_data is none of our business.
 *
 * @param sk the socket leaving its group
 */
void bpf_sk_reuseport_detach(struct sock *sk)
{
	struct sock __rcu **socks;

	write_lock_bh(&sk->sk_callback_lock);
	socks = __locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_BPF);
	if (socks) {
		WRITE_ONCE(sk->sk_user_data, NULL);
		/*
		 * Empty the slot before dropping the callback lock.
		 * reuseport_array_free() does not take reuseport_lock, so
		 * this lock is the only thing that keeps it from freeing the
		 * array between our read of the back-pointer and this store.
		 *
		 * The kernel stores with RCU_INIT_POINTER() (a WRITE_ONCE).
		 * If free() then reads this NULL, it frees the array with no
		 * lock in between; C11 calls that a data race unless the store
		 * is a release that free()'s acquire load synchronises with.
		 * ThreadSanitizer found it, so the port publishes the NULL
		 * with rcu_assign_pointer(), a release store.
		 */
		rcu_assign_pointer(*socks, NULL);
	}
	write_unlock_bh(&sk->sk_callback_lock);
}
/* [/book:detach] */
/* [/exercise:delete] */

/* [exercise:struct] */
/* [book:alloc_check] */
/**
 * Validate creation attributes.  Port of reuseport_array_alloc_check().
 *
 * A value is a socket descriptor on the way in (4 or 8 bytes) and a socket
 * cookie on the way out (8 bytes), so only those two sizes make sense.  The
 * rest (key size, max_entries, flags) is the plain array's business.
 *
 * @param attr BPF_MAP_CREATE attributes
 * @return 0 or -EINVAL
 */
static int reuseport_array_alloc_check(union bpf_attr *attr)
{
	if (attr->value_size != sizeof(u32) &&
	    attr->value_size != sizeof(u64))
		return -EINVAL;

	return array_map_alloc_check(attr);
}
/* [/book:alloc_check] */
/* [/exercise:struct] */

/* [book:lookup_elem] */
/**
 * Slot lookup as a BPF program sees it.  Port of reuseport_array_lookup_elem().
 *
 * Runs inside the program's RCU read-side critical section; the socket it
 * returns stays valid until that section ends, because every socket in the
 * map is freed only after a grace period.
 *
 * @param map the map
 * @param key pointer to a u32 index
 * @return the socket, or NULL for an empty slot or an index out of range
 */
static void *reuseport_array_lookup_elem(struct bpf_map *map, void *key)
{
	struct reuseport_array *array = reuseport_array(map);
	u32 index = *(u32 *)key;

	if (unlikely(index >= array->map.max_entries))
		return NULL;

	return rcu_dereference(array->ptrs[index]);
}
/* [/book:lookup_elem] */

/* [exercise:delete] */
/* [book:delete_elem] */
/**
 * Empty a slot.  Port of reuseport_array_delete_elem(); system call only.
 *
 * The socket itself is untouched: it stays in its group and keeps serving.
 *
 * @param map the map
 * @param key pointer to a u32 index
 * @return 0, -E2BIG (index out of range) or -ENOENT (slot empty)
 */
static long reuseport_array_delete_elem(struct bpf_map *map, void *key)
{
	struct reuseport_array *array = reuseport_array(map);
	u32 index = *(u32 *)key;
	struct sock *sk;
	int err;

	if (index >= map->max_entries)
		return -E2BIG;

	/* Cheap answer for the common miss, without the global lock. */
	if (!rcu_access_pointer(array->ptrs[index]))
		return -ENOENT;

	spin_lock_bh(&reuseport_lock);

	/* Look again: a close() may have emptied the slot meanwhile. */
	sk = rcu_dereference_protected(array->ptrs[index],
				       lockdep_is_held(&reuseport_lock));
	if (sk) {
		write_lock_bh(&sk->sk_callback_lock);
		WRITE_ONCE(sk->sk_user_data, NULL);
		RCU_INIT_POINTER(array->ptrs[index], NULL);
		write_unlock_bh(&sk->sk_callback_lock);
		err = 0;
	} else {
		err = -ENOENT;
	}

	spin_unlock_bh(&reuseport_lock);

	return err;
}
/* [/book:delete_elem] */
/* [/exercise:delete] */

/* [exercise:free] */
/* [book:free] */
/**
 * Free the map.  Port of reuseport_array_free().
 *
 * By now no system call and no program can reach the map, so the only
 * thing that can still touch it is bpf_sk_reuseport_detach(), from a socket
 * closing on another CPU, which finds its slot through sk_user_data under
 * that socket's sk_callback_lock.  Clearing each socket's sk_user_data under
 * the same lock, before the array memory goes, closes that door: a detach
 * that runs later sees no back-pointer and leaves the array alone.  So
 * reuseport_lock is not needed here.
 *
 * @param map the map
 */
static void reuseport_array_free(struct bpf_map *map)
{
	struct reuseport_array *array = reuseport_array(map);
	struct sock *sk;
	u32 i;

	/*
	 * Without reuseport_lock a slot's socket may be closing right now;
	 * the RCU read lock keeps its memory alive while we use it.
	 */
	rcu_read_lock();
	for (i = 0; i < map->max_entries; i++) {
		sk = rcu_dereference(array->ptrs[i]);
		if (sk) {
			write_lock_bh(&sk->sk_callback_lock);
			/*
			 * The kernel stores plainly here: all readers but the
			 * update's lock-free pre-check hold this lock.  The port
			 * uses WRITE_ONCE so TSan sees that pre-check's
			 * READ_ONCE pairing with an atomic store.
			 */
			WRITE_ONCE(sk->sk_user_data, NULL);
			write_unlock_bh(&sk->sk_callback_lock);
			RCU_INIT_POINTER(array->ptrs[i], NULL);
		}
	}
	rcu_read_unlock();

	/* No socket refers to the array any more. */
	bpf_map_area_free(array);
}
/* [/book:free] */
/* [/exercise:free] */

/* [exercise:struct] */
/* [book:alloc] */
/**
 * Allocate the map.  Port of reuseport_array_alloc().
 *
 * One zeroed allocation holds the header and every slot, so a new map
 * starts with all slots empty.  struct_size() saturates instead of wrapping,
 * turning an absurd max_entries into -ENOMEM rather than a short buffer.
 *
 * @param attr BPF_MAP_CREATE attributes, already checked
 * @return the embedded struct bpf_map, or ERR_PTR(-ENOMEM)
 */
static struct bpf_map *reuseport_array_alloc(union bpf_attr *attr)
{
	int numa_node = bpf_map_attr_numa_node(attr);
	struct reuseport_array *array;

	array = bpf_map_area_alloc(struct_size(array, ptrs, attr->max_entries),
				   numa_node);
	if (!array)
		return ERR_PTR(-ENOMEM);

	bpf_map_init_from_attr(&array->map, attr);

	return &array->map;
}
/* [/book:alloc] */
/* [/exercise:struct] */

/* [exercise:lookup] */
/* [book:fd_lookup] */
/**
 * BPF_MAP_LOOKUP_ELEM from userspace: the socket's cookie.
 * Port of bpf_fd_reuseport_array_lookup_elem().
 *
 * A socket pointer means nothing to userspace, so the answer is the
 * socket's cookie, a u64: a map with 4-byte values cannot hold it.
 *
 * @param map the map
 * @param key pointer to a u32 index
 * @param value where the u64 cookie is written
 * @return 0, -ENOSPC (value_size is 4) or -ENOENT
 */
int bpf_fd_reuseport_array_lookup_elem(struct bpf_map *map, void *key,
				       void *value)
{
	struct sock *sk;
	int err;

	if (map->value_size != sizeof(u64))
		return -ENOSPC;

	rcu_read_lock();
	sk = reuseport_array_lookup_elem(map, key);
	if (sk) {
		*(u64 *)value = __sock_gen_cookie(sk);
		err = 0;
	} else {
		err = -ENOENT;
	}
	rcu_read_unlock();

	return err;
}
/* [/book:fd_lookup] */
/* [/exercise:lookup] */

/* [exercise:update] */
/* [book:update_check] */
/**
 * May @p nsk go into a slot now holding @p osk?
 * Port of reuseport_array_update_check().
 *
 * Run twice by the update: once without locks to fail fast, and again under
 * reuseport_lock and nsk's sk_callback_lock, where the answer holds.
 *
 * @param array the map
 * @param nsk the socket to store
 * @param osk the slot's current socket, or NULL
 * @param nsk_reuse nsk's reuseport group, or NULL
 * @param map_flags BPF_ANY, BPF_NOEXIST or BPF_EXIST
 * @return 0, -EEXIST, -ENOENT, -ENOTSUPP, -EINVAL or -EBUSY
 */
static int
reuseport_array_update_check(const struct reuseport_array *array,
			     const struct sock *nsk,
			     const struct sock *osk,
			     const struct sock_reuseport *nsk_reuse,
			     u32 map_flags)
{
	(void)array;

	if (osk && map_flags == BPF_NOEXIST)
		return -EEXIST;

	if (!osk && map_flags == BPF_EXIST)
		return -ENOENT;

	if (nsk->sk_protocol != IPPROTO_UDP && nsk->sk_protocol != IPPROTO_TCP)
		return -ENOTSUPP;

	if (nsk->sk_family != AF_INET && nsk->sk_family != AF_INET6)
		return -ENOTSUPP;

	if (nsk->sk_type != SOCK_STREAM && nsk->sk_type != SOCK_DGRAM)
		return -ENOTSUPP;

	/*
	 * Only a socket that is hashed (a TCP listener, a bound UDP socket),
	 * in a reuseport group, and freed after a grace period: the group is
	 * how it will be detached, the grace period is how programs may use
	 * it without a reference.
	 */
	if (!sock_flag(nsk, SOCK_RCU_FREE) || !sk_hashed(nsk) || !nsk_reuse)
		return -EINVAL;

	/* Someone owns sk_user_data already; lock may not be held here. */
	if (READ_ONCE(nsk->sk_user_data))
		return -EBUSY;

	return 0;
}
/* [/book:update_check] */
/* [/exercise:update] */

/* [exercise:update] */
/* [book:update] */
/**
 * BPF_MAP_UPDATE_ELEM from userspace: store the socket behind a descriptor.
 * Port of bpf_fd_reuseport_array_update_elem().
 *
 * @param map the map
 * @param key pointer to a u32 index
 * @param value pointer to the descriptor (u64 or s32, by value_size)
 * @param map_flags BPF_ANY, BPF_NOEXIST or BPF_EXIST
 * @return 0 or a negative errno
 */
int bpf_fd_reuseport_array_update_elem(struct bpf_map *map, void *key,
				       void *value, u64 map_flags)
{
	struct reuseport_array *array = reuseport_array(map);
	struct sock *free_osk = NULL, *osk, *nsk;
	struct sock_reuseport *reuse;
	u32 index = *(u32 *)key;
	uintptr_t sk_user_data;
	struct socket *socket;
	int err, fd;

	if (map_flags > BPF_EXIST)
		return -EINVAL;

	if (index >= map->max_entries)
		return -E2BIG;

	if (map->value_size == sizeof(u64)) {
		u64 fd64 = *(u64 *)value;

		if (fd64 > S32_MAX)
			return -EINVAL;
		fd = fd64;
	} else {
		fd = *(int *)value;
	}

	socket = sockfd_lookup(fd, &err);
	if (!socket)
		return err;

	nsk = socket->sk;
	if (!nsk) {
		err = -EINVAL;
		goto put_file;
	}

	/* Fail fast, without locks; everything is checked again below. */
	err = reuseport_array_update_check(array, nsk,
					   rcu_access_pointer(array->ptrs[index]),
					   rcu_access_pointer(nsk->sk_reuseport_cb),
					   map_flags);
	if (err)
		goto put_file;

	spin_lock_bh(&reuseport_lock);
	/*
	 * The slot and the group need only reuseport_lock; sk_user_data needs
	 * nsk's callback lock.  Taking both for the whole check keeps it one
	 * atomic decision.
	 */
	write_lock_bh(&nsk->sk_callback_lock);

	osk = rcu_dereference_protected(array->ptrs[index],
					lockdep_is_held(&reuseport_lock));
	reuse = rcu_dereference_protected(nsk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	err = reuseport_array_update_check(array, nsk, osk, reuse, map_flags);
	if (err)
		goto put_file_unlock;

	/* Back-pointer first, then the slot: see the book's update chapter. */
	sk_user_data = (uintptr_t)&array->ptrs[index] | SK_USER_DATA_NOCOPY |
		SK_USER_DATA_BPF;
	WRITE_ONCE(nsk->sk_user_data, (void *)sk_user_data);
	rcu_assign_pointer(array->ptrs[index], nsk);
	free_osk = osk;
	err = 0;

put_file_unlock:
	write_unlock_bh(&nsk->sk_callback_lock);

	/* The replaced socket no longer belongs to the slot. */
	if (free_osk) {
		write_lock_bh(&free_osk->sk_callback_lock);
		WRITE_ONCE(free_osk->sk_user_data, NULL);
		write_unlock_bh(&free_osk->sk_callback_lock);
	}

	spin_unlock_bh(&reuseport_lock);
put_file:
	sockfd_put(socket);
	return err;
}
/* [/book:update] */
/* [/exercise:update] */

/* [exercise:get_next_key] */
/* [book:get_next_key] */
/**
 * Key iteration.  Port of reuseport_array_get_next_key().
 *
 * Pure index arithmetic: empty slots are not skipped.  No key, or a key
 * past the end, restarts at 0; the last key ends the walk.
 *
 * @param map the map
 * @param key pointer to a u32 index, or NULL
 * @param next_key where the next index is written
 * @return 0 or -ENOENT (after the last key)
 */
static int reuseport_array_get_next_key(struct bpf_map *map, void *key,
					void *next_key)
{
	struct reuseport_array *array = reuseport_array(map);
	u32 index = key ? *(u32 *)key : U32_MAX;
	u32 *next = (u32 *)next_key;

	if (index >= array->map.max_entries) {
		*next = 0;
		return 0;
	}

	if (index == array->map.max_entries - 1)
		return -ENOENT;

	*next = index + 1;
	return 0;
}
/* [/book:get_next_key] */
/* [/exercise:get_next_key] */

/* [exercise:struct] */
/* [book:mem_usage] */
/**
 * Memory the map uses, as fdinfo's "memlock" reports it.
 * Port of reuseport_array_mem_usage() (added in Linux 6.4).
 *
 * @param map the map
 * @return header plus one pointer per slot, whatever the value size
 */
static u64 reuseport_array_mem_usage(const struct bpf_map *map)
{
	struct reuseport_array *array;

	return struct_size(array, ptrs, map->max_entries);
}
/* [/book:mem_usage] */
/* [/exercise:struct] */

/* [book:ops] */
/**
 * The map type's operations.  There is no map_update_elem: programs may
 * not store sockets here, and the system-call layer calls
 * bpf_fd_reuseport_array_update_elem() and
 * bpf_fd_reuseport_array_lookup_elem() by name.
 */
const struct bpf_map_ops reuseport_array_ops = {
	.map_meta_equal = bpf_map_meta_equal,
	.map_alloc_check = reuseport_array_alloc_check,
	.map_alloc = reuseport_array_alloc,
	.map_free = reuseport_array_free,
	.map_lookup_elem = reuseport_array_lookup_elem,
	.map_get_next_key = reuseport_array_get_next_key,
	.map_delete_elem = reuseport_array_delete_elem,
	.map_mem_usage = reuseport_array_mem_usage,
};
/* [/book:ops] */
