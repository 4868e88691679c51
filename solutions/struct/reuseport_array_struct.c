/*
 * Solution to exercise "struct": allocate the map, check its attributes, report its memory
 * Chapter: The struct.
 *
 * These are the functions exactly as they stand in code/kernel/bpf/reuseport_array.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

/**
 * Validate creation attributes.  Port of reuseport_array_alloc_check().
 *
 * A value is a socket descriptor on the way in (4 or 8 bytes) and a socket
 * cookie on the way out (8 bytes), so only those two sizes make sense.  The
 * rest (key size, max_entries, flags) is the plain array's business.
 *
 * @param attr BPF_MAP_CREATE attributes
 * @return 0 or -EINVAL
 */
static int reuseport_array_alloc_check(union bpf_attr *attr)
{
	if (attr->value_size != sizeof(u32) &&
	    attr->value_size != sizeof(u64))
		return -EINVAL;

	return array_map_alloc_check(attr);
}

/**
 * Allocate the map.  Port of reuseport_array_alloc().
 *
 * One zeroed allocation holds the header and every slot, so a new map
 * starts with all slots empty.  struct_size() saturates instead of wrapping,
 * turning an absurd max_entries into -ENOMEM rather than a short buffer.
 *
 * @param attr BPF_MAP_CREATE attributes, already checked
 * @return the embedded struct bpf_map, or ERR_PTR(-ENOMEM)
 */
static struct bpf_map *reuseport_array_alloc(union bpf_attr *attr)
{
	int numa_node = bpf_map_attr_numa_node(attr);
	struct reuseport_array *array;

	array = bpf_map_area_alloc(struct_size(array, ptrs, attr->max_entries),
				   numa_node);
	if (!array)
		return ERR_PTR(-ENOMEM);

	bpf_map_init_from_attr(&array->map, attr);

	return &array->map;
}

/**
 * Memory the map uses, as fdinfo's "memlock" reports it.
 * Port of reuseport_array_mem_usage() (added in Linux 6.4).
 *
 * @param map the map
 * @return header plus one pointer per slot, whatever the value size
 */
static u64 reuseport_array_mem_usage(const struct bpf_map *map)
{
	struct reuseport_array *array;

	return struct_size(array, ptrs, map->max_entries);
}
