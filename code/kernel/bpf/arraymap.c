/**
 * @file arraymap.c
 * @brief The array maps' creation check and the inner-map compatibility
 *        test: ports of array_map_alloc_check() (kernel/bpf/arraymap.c)
 *        and bpf_map_meta_equal() (kernel/bpf/map_in_map.c), Linux 6.18.
 *
 * BPF_MAP_TYPE_REUSEPORT_SOCKARRAY is "an array of sockets": after checking
 * its own value size it hands every other creation attribute to the plain
 * array's check, so the same key size, max_entries and flag rules apply.
 * Only the checks live here; the port has no other array map type.
 */
#include <limits.h>

#include "kern/bpf.h"
#include "kern/err.h"

/*
 * Creation flags every array-like map accepts (ARRAY_CREATE_FLAG_MASK).
 * BPF_F_ACCESS_MASK in the kernel is the four access bits below.
 */
#define ARRAY_CREATE_FLAG_MASK \
	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | \
	 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS | \
	 BPF_F_INNER_MAP)

/* Smallest per-CPU chunk (mm/percpu: PCPU_MIN_UNIT_SIZE, 32 KiB). */
#define PCPU_MIN_UNIT_SIZE (32u << 10)

/*
 * Port of bpf_map_flags_access_ok() (include/linux/bpf.h, Linux 6.18).
 * A program may be denied reads or writes of a map, but not both: such a
 * map would be useless to it.
 */
static bool bpf_map_flags_access_ok(u32 access_flags)
{
	return (access_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
	       (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

/**
 * Validate the creation attributes of an array-like map.
 * Port of array_map_alloc_check(), kernel/bpf/arraymap.c, Linux 6.18.
 *
 * Runs before any privilege check, so a malformed request is EINVAL even
 * for a caller who could not create the map anyway.
 *
 * @param attr BPF_MAP_CREATE attributes (BPF_F_TOKEN_FD already cleared)
 * @return 0, -EINVAL, or -E2BIG for a value size no array can hold
 */
int array_map_alloc_check(union bpf_attr *attr)
{
	bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	int numa_node = bpf_map_attr_numa_node(attr);

	/* An array is indexed by a u32 and needs at least one slot. */
	if (attr->max_entries == 0 || attr->key_size != 4 ||
	    attr->value_size == 0 ||
	    attr->map_flags & ~ARRAY_CREATE_FLAG_MASK ||
	    !bpf_map_flags_access_ok(attr->map_flags) ||
	    (percpu && numa_node != NUMA_NO_NODE))
		return -EINVAL;

	/* mmap() and inner-map flexibility exist only for the plain array. */
	if (attr->map_type != BPF_MAP_TYPE_ARRAY &&
	    attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP))
		return -EINVAL;

	/* Keeping entries past the last fd is a perf event array feature. */
	if (attr->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
	    attr->map_flags & BPF_F_PRESERVE_ELEMS)
		return -EINVAL;

	/* Array code rounds value_size up to 8 in an int: keep that safe. */
	if (attr->value_size > INT_MAX)
		return -E2BIG;

	/* A per-CPU value must fit one per-CPU chunk. */
	if (percpu && ((u64)attr->value_size + 7) / 8 * 8 > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;

	return 0;
}

/**
 * Can @p meta1 replace @p meta0 as an inner map of a map-in-map?
 * Port of bpf_map_meta_equal(), kernel/bpf/map_in_map.c, Linux 6.18.
 *
 * The verifier checked the program against the inner map's shape once;
 * any map put in the outer map later must have that same shape.  The ops
 * need no comparison because the type implies them.  The kernel also
 * compares the maps' BTF records (spin locks, timers, kptrs); the port's
 * maps have none, so two records are always equal.
 *
 * @param meta0 the inner map the outer map was created with
 * @param meta1 the candidate
 * @return true if they are interchangeable
 */
bool bpf_map_meta_equal(const struct bpf_map *meta0,
			const struct bpf_map *meta1)
{
	return meta0->map_type == meta1->map_type &&
	       meta0->key_size == meta1->key_size &&
	       meta0->value_size == meta1->value_size &&
	       meta0->map_flags == meta1->map_flags;
}
