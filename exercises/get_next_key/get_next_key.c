/*
 * Exercise "get_next_key": walk the keys of the map, empty slots included
 * Chapter: Walking the keys and the system-call layer.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
 */

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
	/* EXERCISE: write reuseport_array_get_next_key() (see README.md). */
	return -ENOSYS;
}
