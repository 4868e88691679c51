/*
 * Solution to exercise "delete": empty a slot on request and when its socket leaves its group
 * Chapter: Delete, detach and close.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

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
