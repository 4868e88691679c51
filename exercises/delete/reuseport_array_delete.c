/*
 * Exercise "delete": empty a slot on request and when its socket leaves its group
 * Chapter: Delete, detach and close.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write bpf_sk_reuseport_detach() (see README.md). */
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
	/* EXERCISE: write reuseport_array_delete_elem() (see README.md). */
	return -ENOSYS;
}
