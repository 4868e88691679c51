/*
 * Exercise "update": store a socket in a slot: check, lock, check again, publish
 * Chapter: Update: check, lock, check again, publish.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write reuseport_array_update_check() (see README.md). */
	return -ENOSYS;
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
	/* EXERCISE: write bpf_fd_reuseport_array_update_elem() (see README.md). */
	return -ENOSYS;
}
