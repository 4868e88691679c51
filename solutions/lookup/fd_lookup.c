/*
 * Solution to exercise "lookup": answer BPF_MAP_LOOKUP_ELEM from userspace with the socket's cookie
 * Chapter: Lookup: two doors.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

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
