/*
 * Exercise "struct": allocate the map, check its attributes, report its memory
 * Chapter: The struct.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/bpf/reuseport_array.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write reuseport_array_alloc_check() (see README.md). */
	return -ENOSYS;
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
	/* EXERCISE: write reuseport_array_alloc() (see README.md). */
	return ERR_PTR(-ENOSYS);
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
	/* EXERCISE: write reuseport_array_mem_usage() (see README.md). */
	return 0;
}
