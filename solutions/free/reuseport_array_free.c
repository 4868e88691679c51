/*
 * Solution to exercise "free": free the map while its sockets live on and close concurrently
 * Chapter: Lifecycle: freeing the map while sockets close.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

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
