/*
 * Exercise "lookup": answer BPF_MAP_LOOKUP_ELEM from userspace with the socket's cookie
 * Chapter: Lookup: two doors.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write bpf_fd_reuseport_array_lookup_elem() (see README.md). */
	return -ENOSYS;
}
