/*
 * reuseport_array_free() in the wrong order, for the lifecycle chapter's
 * use-after-free demonstration (cmake/Lifecycle.cmake).
 *
 * tools/exgen.py splices this file into code/kernel/bpf/reuseport_array.c
 * in place of the real function (the exercise "free"'s region), so the rest
 * of the port is the real one.  Never linked into the port or the tests.
 */

/* [book:wrong_free] */
static void reuseport_array_free(struct bpf_map *map)
{
	struct reuseport_array *array = reuseport_array(map);

	/*
	 * WRONG: the memory goes first.  Every socket still in a slot keeps
	 * sk_user_data = &array->ptrs[i] (tagged), a pointer into freed
	 * memory, and its next close runs bpf_sk_reuseport_detach(), which
	 * stores NULL through it.
	 */
	bpf_map_area_free(array);
}
/* [/book:wrong_free] */
