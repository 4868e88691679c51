/*
 * Solution to exercise "update": store a socket in a slot: check, lock, check again, publish
 * Chapter: Update: check, lock, check again, publish.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

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
