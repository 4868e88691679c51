/*
 * Exercise "free": free the map while its sockets live on and close concurrently
 * Chapter: Lifecycle: freeing the map while sockets close.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write reuseport_array_free() (see README.md). */
}
