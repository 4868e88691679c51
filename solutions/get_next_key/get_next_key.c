/*
 * Solution to exercise "get_next_key": walk the keys of the map, empty slots included
 * Chapter: Walking the keys and the system-call layer.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
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
	struct reuseport_array *array = reuseport_array(map);
	u32 index = key ? *(u32 *)key : U32_MAX;
	u32 *next = (u32 *)next_key;

	if (index >= array->map.max_entries) {
		*next = 0;
		return 0;
	}

	if (index == array->map.max_entries - 1)
		return -ENOENT;

	*next = index + 1;
	return 0;
}
