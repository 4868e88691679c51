/**
 * @file syscall.c
 * @brief bpf(2) for maps: port of kernel/bpf/syscall.c, Linux 6.18.
 *
 * The system call copies its attribute block from the caller, then each
 * command validates it in a fixed order: unused trailing bytes, flags that
 * need no map, the map descriptor, the descriptor's permissions, and only
 * then the user buffers.  The order is part of the interface (the first
 * failing check decides the errno), so every function below keeps the
 * kernel's, as measured on a live 6.18 kernel (kernel-spec.md §2, §3, §8).
 *
 * A map lives as long as something holds a reference: each open file of it
 * holds one.  When the last goes, the map is freed asynchronously, after an
 * RCU grace period, because a socket leaving its reuseport group may still
 * be reaching the map through its sk_user_data back-pointer.
 *
 * Deliberate differences from Linux 6.18:
 *  - Commands that do not act on an existing map or create one
 *    (BPF_PROG_LOAD, BPF_OBJ_PIN, BPF_BTF_LOAD, BPF_MAP_GET_FD_BY_ID, links,
 *    tokens, ...) are not modelled and fail with EINVAL, the answer the
 *    kernel gives for a command it does not know.
 *  - Only BPF_MAP_TYPE_REUSEPORT_SOCKARRAY has operations; every other map
 *    type fails with EINVAL as if the kernel had been built without it.
 *  - There are no BTF objects and no BPF tokens: a BTF or token descriptor
 *    is answered as the kernel answers a descriptor that is not one (EBADF
 *    if it is not open, EINVAL otherwise).
 *  - The excl_prog_hash of BPF_MAP_CREATE is validated and read, then
 *    dropped: there are no programs whose hash it could restrict.
 *  - Map ids come from a counter, not an idr: nothing looks a map up by id.
 *  - No LSM hooks, no memory cgroup accounting, no NUMA placement.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/bpf.h"
#include "kern/capability.h"
#include "kern/err.h"
#include "kern/file.h"
#include "kern/rcupdate.h"
#include "kern/spinlock.h"
#include "kern/uaccess.h"
#include "sockarray/syscalls.h"

/* Marks a pointer into the caller's memory: only uaccess helpers touch it. */
#ifndef __user
# define __user
#endif

/* bpf(2) refuses attribute blocks and info buffers larger than a page. */
#define PAGE_SIZE		4096UL

/* Bytes of a SHA-256 digest (include/crypto/sha2.h). */
#define SHA256_DIGEST_SIZE	32

/*
 * Linux 6.18 uapi that the system's <linux/bpf.h> may predate.  Defined
 * after that header, so they can only shadow an enumerator of the same
 * value, never break it.
 */
#define BPF_F_TOKEN_FD		(1U << 16)	/* map_token_fd is valid */
#define BPF_MAP_TYPE_ARENA	33		/* may carry map_extra */
#define NR_BPF_MAP_TYPES	34		/* __MAX_BPF_MAP_TYPE */

/* Offsets of the BPF_MAP_CREATE fields added after the system header. */
#define ATTR_MAP_TOKEN_FD		76	/* u32 */
#define ATTR_EXCL_PROG_HASH		80	/* u64 user pointer */
#define ATTR_EXCL_PROG_HASH_SIZE	88	/* u32 */

/* Offset of the first byte after member @m of type @t. */
#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))

/*
 * Where each command's attributes end in the 6.18 layout: every byte from
 * there to the end of the block must be zero (CHECK_ATTR).  Each value was
 * confirmed on the live kernel by setting the byte at it (EINVAL) and the
 * byte before it (the command went on to look up its descriptor).
 */
#define BPF_MAP_CREATE_LAST_FIELD_END	(ATTR_EXCL_PROG_HASH_SIZE + 4)
#define BPF_MAP_LOOKUP_ELEM_LAST_FIELD_END \
	offsetofend(union bpf_attr, flags)
#define BPF_MAP_UPDATE_ELEM_LAST_FIELD_END \
	offsetofend(union bpf_attr, flags)
#define BPF_MAP_DELETE_ELEM_LAST_FIELD_END \
	offsetofend(union bpf_attr, key)
#define BPF_MAP_GET_NEXT_KEY_LAST_FIELD_END \
	offsetofend(union bpf_attr, next_key)
#define BPF_MAP_LOOKUP_AND_DELETE_ELEM_LAST_FIELD_END \
	offsetofend(union bpf_attr, flags)
#define BPF_MAP_FREEZE_LAST_FIELD_END \
	offsetofend(union bpf_attr, map_fd)
#define BPF_MAP_BATCH_LAST_FIELD_END \
	offsetofend(union bpf_attr, batch.flags)
#define BPF_OBJ_GET_INFO_BY_FD_LAST_FIELD_END \
	offsetofend(union bpf_attr, info.info)

_Static_assert(offsetof(union bpf_attr, map_extra) == 64, "6.18 layout");
_Static_assert(BPF_MAP_LOOKUP_ELEM_LAST_FIELD_END == 32, "6.18 layout");
_Static_assert(BPF_MAP_DELETE_ELEM_LAST_FIELD_END == 16, "6.18 layout");
_Static_assert(BPF_MAP_GET_NEXT_KEY_LAST_FIELD_END == 24, "6.18 layout");
_Static_assert(BPF_MAP_FREEZE_LAST_FIELD_END == 4, "6.18 layout");
_Static_assert(BPF_MAP_BATCH_LAST_FIELD_END == 56, "6.18 layout");
_Static_assert(BPF_OBJ_GET_INFO_BY_FD_LAST_FIELD_END == 16, "6.18 layout");

/* Non-zero byte at or after @end: the caller set a field this command lacks. */
#define CHECK_ATTR(CMD)	bpf_attr_tail_nonzero(attr, CMD##_LAST_FIELD_END)

/*
 * struct bpf_map_info as Linux 6.18 has it: the system header's fields,
 * then a u64 hash pointer and its u32 size (6.18), padded to 104 bytes.
 */
#define BPF_MAP_INFO_SIZE_KERNEL	104
#define INFO_HASH			88	/* u64 user pointer */
#define INFO_HASH_SIZE			96	/* u32 */
/*
 * Measured on 6.18: a non-zero byte anywhere from here on is E2BIG, the
 * four padding bytes after hash_size included, before the hash fields are
 * looked at; info_len is still capped at the full 104 bytes.
 */
#define BPF_MAP_INFO_CHECKED_SIZE	(INFO_HASH_SIZE + 4)

/** @brief struct bpf_map_info with room for every Linux 6.18 field. */
union bpf_map_info_kern {
	struct bpf_map_info info;		/**< the header's fields */
	u8 raw[BPF_MAP_INFO_SIZE_KERNEL];	/**< all of it, by offset */
};

_Static_assert(sizeof(struct bpf_map_info) <= BPF_MAP_INFO_SIZE_KERNEL,
	       "info layout");
_Static_assert(sizeof(union bpf_map_info_kern) == BPF_MAP_INFO_SIZE_KERNEL,
	       "info layout");

static const struct file_operations bpf_map_fops;

/* Next map id; ids start at 1 as idr_alloc_cyclic(.., 1, INT_MAX) gives. */
static u32 map_idr_next;

/* ------------------------------------------------------------------ */
/* Attribute block helpers                                             */
/* ------------------------------------------------------------------ */

/*
 * Every attr in this file is the attr member of a union bpf_attr_kern
 * (see __sys_bpf()), so the whole 168-byte block is reachable from it.
 */
static const u8 *attr_raw(const union bpf_attr *attr)
{
	return ((const union bpf_attr_kern *)attr)->raw;
}

/* A 6.18 field the system header lacks, read by offset. */
static u32 attr_u32(const union bpf_attr *attr, size_t off)
{
	u32 v;

	memcpy(&v, attr_raw(attr) + off, sizeof(v));
	return v;
}

static u64 attr_u64(const union bpf_attr *attr, size_t off)
{
	u64 v;

	memcpy(&v, attr_raw(attr) + off, sizeof(v));
	return v;
}

/* The body of CHECK_ATTR(): the kernel's memchr_inv() over the tail. */
static bool bpf_attr_tail_nonzero(const union bpf_attr *attr, size_t end)
{
	const u8 *raw = attr_raw(attr);
	size_t i;

	for (i = end; i < BPF_ATTR_SIZE_KERNEL; i++)
		if (raw[i])
			return true;
	return false;
}

/* Port of u64_to_user_ptr() (include/linux/kernel.h). */
static void __user *u64_to_user_ptr(u64 v)
{
	return (void __user *)(uintptr_t)v;
}

/*
 * Port of bpf_check_uarg_tail_zero(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * Lets an old kernel accept a newer, larger structure as long as the
 * fields it does not know are zero, i.e. unused.  The tail is read in
 * pieces that never cross a page, so, as with the kernel's word-by-word
 * read, a non-zero byte before an unreadable page is E2BIG and an
 * unreadable page before any non-zero byte is EFAULT.
 */
static int bpf_check_uarg_tail_zero(const void __user *uaddr,
				    size_t expected_size, size_t actual_size)
{
	uintptr_t p = (uintptr_t)uaddr + expected_size;
	size_t left, chunk;
	int res;

	if (unlikely(actual_size > PAGE_SIZE))	/* nobody needs that much */
		return -E2BIG;

	if (actual_size <= expected_size)
		return 0;

	for (left = actual_size - expected_size; left; left -= chunk) {
		chunk = PAGE_SIZE - p % PAGE_SIZE;
		if (chunk > left)
			chunk = left;
		res = check_zeroed_user((const void __user *)p, chunk);
		if (res < 0)
			return res;
		if (!res)
			return -E2BIG;
		p += chunk;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Map memory, references and identity                                 */
/* ------------------------------------------------------------------ */

/**
 * The NUMA node a map asked for.
 * Port of bpf_map_attr_numa_node(), include/linux/bpf.h, Linux 6.18.
 *
 * @param attr BPF_MAP_CREATE attributes
 * @return attr->numa_node if BPF_F_NUMA_NODE is set, else NUMA_NO_NODE
 */
int bpf_map_attr_numa_node(const union bpf_attr *attr)
{
	return (attr->map_flags & BPF_F_NUMA_NODE) ?
		(int)attr->numa_node : NUMA_NO_NODE;
}

/*
 * Port of node_online() (include/linux/nodemask.h) together with the
 * nr_node_ids bound map_create() checks first: the real kernel's view,
 * from sysfs.  A kernel built without NUMA has no node directory and one
 * node, 0.
 */
static bool node_online(int nid)
{
	char path[64];

	if (nid < 0)
		return false;
	if (access("/sys/devices/system/node", F_OK))
		return nid == 0;
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", nid);
	return access(path, F_OK) == 0;
}

/*
 * Port of bpf_map_flags_retain_permanent(), kernel/bpf/syscall.c, 6.18.
 * BPF_F_RDONLY/BPF_F_WRONLY describe the descriptor created with the map,
 * not the map: another descriptor may have other rights.  So the map does
 * not keep them (and BPF_OBJ_GET_INFO_BY_FD does not report them).
 */
static u32 bpf_map_flags_retain_permanent(u32 flags)
{
	return flags & ~(BPF_F_RDONLY | BPF_F_WRONLY);
}

/**
 * Fill the common header of a new map from its creation attributes.
 * Port of bpf_map_init_from_attr(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * @param map the map being allocated
 * @param attr BPF_MAP_CREATE attributes, already checked
 */
void bpf_map_init_from_attr(struct bpf_map *map, union bpf_attr *attr)
{
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = bpf_map_flags_retain_permanent(attr->map_flags);
	map->numa_node = bpf_map_attr_numa_node(attr);
	map->map_extra = attr->map_extra;
}

/**
 * Allocate zeroed memory for a map.
 * Port of bpf_map_area_alloc() (__bpf_map_area_alloc()),
 * kernel/bpf/syscall.c, Linux 6.18.
 *
 * The kernel asks for the memory without retrying hard and without the
 * out-of-memory killer, so an impossible request fails at once.  The port
 * refuses anything larger than the machine's physical memory (where the
 * kernel would fail) rather than let lazy overcommit accept it, and never
 * wraps: @p size is 64-bit even on 32-bit hosts.  The node is only a hint
 * and the port does not place memory.
 *
 * @param size bytes wanted
 * @param numa_node preferred node, or NUMA_NO_NODE
 * @return zeroed memory, or NULL
 */
void *bpf_map_area_alloc(u64 size, int numa_node)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page_size = sysconf(_SC_PAGESIZE);

	(void)numa_node;
	if (pages > 0 && page_size > 0 && size > (u64)pages * (u64)page_size)
		return NULL;
#if SIZE_MAX < UINT64_MAX
	if (size > SIZE_MAX)
		return NULL;
#endif
	return calloc(1, size ? (size_t)size : 1);
}

/**
 * Free memory from bpf_map_area_alloc().
 * Port of bpf_map_area_free(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * @param base the area, or NULL
 */
void bpf_map_area_free(void *base)
{
	free(base);
}

/*
 * Port of bpf_map_alloc_id(), kernel/bpf/syscall.c, Linux 6.18.
 * Ids are what BPF_OBJ_GET_INFO_BY_FD reports; like the kernel's cyclic
 * idr they start at 1 and wrap before INT_MAX.
 */
static void bpf_map_alloc_id(struct bpf_map *map)
{
	u32 id;

	do {
		id = __atomic_add_fetch(&map_idr_next, 1, __ATOMIC_RELAXED) &
		     0x7fffffff;
	} while (!id);
	map->id = id;
}

/* [book:map_free] */
/*
 * Port of bpf_map_free(), kernel/bpf/syscall.c, Linux 6.18: nothing can
 * reach the map any more, run the type's destructor now.
 */
static void bpf_map_free(struct bpf_map *map)
{
	spin_lock_destroy(&map->freeze_mutex);
	map->ops->map_free(map);
}

/*
 * Port of bpf_map_free_deferred(): the deferred half of bpf_map_put(), run
 * by the workqueue's thread.  It runs later and in another thread, which is
 * what userspace can observe (kernel-spec.md §10, X31).
 */
static void bpf_map_free_deferred(struct work_struct *work)
{
	bpf_map_free(container_of(work, struct bpf_map, work));
}
/* [/book:map_free] */

/**
 * Take a reference on a map the caller already holds one on.
 * Port of bpf_map_inc(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * @param map the map
 */
void bpf_map_inc(struct bpf_map *map)
{
	refcount_inc(&map->refcnt);
}

/* [book:map_put] */
/**
 * Drop a reference; the last one frees the map asynchronously.
 * Port of bpf_map_put(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * As in Linux 6.18 for a map no program uses (bpf_map_free_in_work()),
 * the free is queued on system_unbound_wq, with no grace period: nothing
 * reaches a map whose last reference is gone, and the sockets that still
 * point into it are the map_free's own business.  The caller never frees
 * the map itself, so it may hold locks.  (Linux waits for a grace period
 * first only for an inner map removed from a map-in-map, which the port
 * does not have; a program's own references are dropped only after the
 * program's grace period, in bpf_prog_free_deferred().)
 *
 * @param map the map
 */
void bpf_map_put(struct bpf_map *map)
{
	if (refcount_dec_and_test(&map->refcnt)) {
		INIT_WORK(&map->work, bpf_map_free_deferred);
		queue_work(system_unbound_wq, &map->work);
	}
}
/* [/book:map_put] */

/* ------------------------------------------------------------------ */
/* Map files                                                           */
/* ------------------------------------------------------------------ */

/*
 * Port of bpf_map_release(), kernel/bpf/syscall.c, Linux 6.18: the last
 * descriptor of this open file went away, and with it its map reference.
 */
static int bpf_map_release(struct file *file)
{
	bpf_map_put(file->private_data);
	return 0;
}

/* What makes a file a map file (bpf_map_fops, kernel/bpf/syscall.c). */
static const struct file_operations bpf_map_fops = {
	.release = bpf_map_release,
	.name = "bpf-map",
};

/*
 * Port of bpf_get_file_flag(), kernel/bpf/syscall.c, Linux 6.18: the
 * descriptor's access mode from BPF_F_RDONLY/BPF_F_WRONLY.
 */
static int bpf_get_file_flag(int flags)
{
	if ((flags & BPF_F_RDONLY) && (flags & BPF_F_WRONLY))
		return -EINVAL;
	if (flags & BPF_F_RDONLY)
		return O_RDONLY;
	if (flags & BPF_F_WRONLY)
		return O_WRONLY;
	return O_RDWR;
}

/*
 * Port of bpf_map_new_fd(), kernel/bpf/syscall.c, Linux 6.18: an anonymous
 * "bpf-map" file, always close-on-exec.  The kernel's anon_inode_getfd()
 * grants FMODE_CAN_READ/FMODE_CAN_WRITE for the access mode because the
 * map fops have (dummy) read and write methods; those two bits are what
 * the map commands check.
 *
 * Unlike the kernel's, this one consumes the caller's map reference: on
 * success the file owns it, on failure it has been dropped (the kernel's
 * caller drops it with bpf_map_put_with_uref() in that case).
 */
static int bpf_map_new_fd(struct bpf_map *map, int flags)
{
	unsigned int f_mode = 0;
	struct file *file;
	int fd;

	if ((flags & O_ACCMODE) != O_WRONLY)
		f_mode |= FMODE_READ | FMODE_CAN_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		f_mode |= FMODE_WRITE | FMODE_CAN_WRITE;

	file = alloc_file(&bpf_map_fops, map, f_mode, flags | O_CLOEXEC);
	if (!file) {
		bpf_map_put(map);
		return -ENOMEM;
	}

	fd = fd_install_new(file);
	if (fd < 0)
		fput(file);	/* its release drops the map reference */
	return fd;
}

/* Port of fdput(): end of the scope in which @f was looked up. */
static void fdput(struct file *f)
{
	if (f)
		fput(f);
}

/*
 * Port of __bpf_map_get(), kernel/bpf/syscall.c, Linux 6.18: the map
 * behind a looked-up descriptor.  No reference is taken: the file's own,
 * held until fdput(), keeps the map alive.
 */
static struct bpf_map *__bpf_map_get(struct file *f)
{
	if (!f)
		return ERR_PTR(-EBADF);
	if (file_is_foreign(f) || f->f_op != &bpf_map_fops)
		return ERR_PTR(-EINVAL);

	return f->private_data;
}

/**
 * The map behind a descriptor, with a reference of its own.
 * Port of bpf_map_get(), kernel/bpf/syscall.c, Linux 6.18 (__bpf_map_get()
 * plus bpf_map_inc()).
 *
 * For code that keeps the map after the descriptor may be closed, such as
 * a program using it; release with bpf_map_put().
 *
 * @param ufd a descriptor of the calling process
 * @return the map, ERR_PTR(-EBADF) if @p ufd is not open, or
 *         ERR_PTR(-EINVAL) if it is not a map
 */
struct bpf_map *bpf_map_get(int ufd)
{
	struct file *f = fget(ufd);
	struct bpf_map *map = __bpf_map_get(f);

	if (!IS_ERR(map))
		bpf_map_inc(map);
	fdput(f);
	return map;
}

/*
 * Port of map_get_sys_perms(), kernel/bpf/syscall.c, Linux 6.18: the
 * descriptor's rights, minus write once the map is frozen, whatever the
 * descriptor says.
 */
static unsigned int map_get_sys_perms(struct bpf_map *map, struct file *f)
{
	unsigned int mode = f->f_mode;

	if (READ_ONCE(map->frozen))
		mode &= ~FMODE_CAN_WRITE;
	return mode;
}

/*
 * Ports of bpf_map_write_active_inc()/_dec()/bpf_map_write_active(),
 * kernel/bpf/syscall.c, Linux 6.18: count the writers under way, so that
 * BPF_MAP_FREEZE can refuse while one is running.  As in the kernel,
 * writers do not take freeze_mutex: a writer that counted itself before
 * freeze looked is refused EBUSY; one that starts after sees frozen set.
 */
static void bpf_map_write_active_inc(struct bpf_map *map)
{
	__atomic_add_fetch(&map->writecnt, 1, __ATOMIC_SEQ_CST);
}

static void bpf_map_write_active_dec(struct bpf_map *map)
{
	__atomic_sub_fetch(&map->writecnt, 1, __ATOMIC_SEQ_CST);
}

static bool bpf_map_write_active(const struct bpf_map *map)
{
	return __atomic_load_n(&map->writecnt, __ATOMIC_SEQ_CST) != 0;
}

/* ------------------------------------------------------------------ */
/* BPF_MAP_CREATE                                                      */
/* ------------------------------------------------------------------ */

/*
 * The kernel's isalnum() (lib/ctype.c): its table is Latin-1, so besides
 * ASCII letters and digits, 0xC0-0xFF are letters, except the
 * multiplication and division signs 0xD7 and 0xF7.  Verified on 6.18: a
 * map named "x\xe9y" is accepted, "x\xd7y" and "x\x80y" are not.
 */
static bool kernel_isalnum(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c >= 0xc0 && c != 0xd7 && c != 0xf7;
}

/*
 * Port of bpf_obj_name_cpy(), kernel/bpf/syscall.c, Linux 6.18.
 * Names show up in bpftool and /proc, so only characters that are safe
 * there are allowed; the name must be NUL-terminated within @size bytes.
 * Returns the name's length or -EINVAL.
 */
static int bpf_obj_name_cpy(char *dst, const char *src, unsigned int size)
{
	const char *end = src + size;
	const char *orig_src = src;

	memset(dst, 0, size);
	while (src < end && *src) {
		if (!kernel_isalnum(*src) && *src != '_' && *src != '.')
			return -EINVAL;
		*dst++ = *src++;
	}

	if (src == end)
		return -EINVAL;

	return src - orig_src;
}

/*
 * Port of bpf_token_get_from_fd(), kernel/bpf/token.c, Linux 6.18.
 * The port has no BPF tokens, so no descriptor is one: the answer is the
 * kernel's for a descriptor that is not open (EBADF) or is something else
 * (EINVAL).  Verified: BPF_F_TOKEN_FD with map_token_fd 9999 is EBADF,
 * with fd 0 EINVAL.
 */
static int bpf_token_get_from_fd(u32 ufd)
{
	struct file *f = fget((int)ufd);

	if (!f)
		return -EBADF;
	fdput(f);
	return -EINVAL;
}

/*
 * Port of btf_get_by_fd(), kernel/bpf/btf.c, Linux 6.18, for a port with
 * no BTF: never a BTF object, so EBADF or EINVAL as above.
 */
static int btf_get_by_fd(int fd)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	fdput(f);
	return -EINVAL;
}

/*
 * Port of bpf_map_offload_map_alloc(), kernel/bpf/offload.c, Linux 6.18:
 * a map bound to a network device (map_ifindex) is allocated by the
 * device's driver.  Only CAP_SYS_ADMIN may ask, and in the port it always
 * fails.
 */
static struct bpf_map *bpf_map_offload_map_alloc(union bpf_attr *attr)
{
	(void)attr;
	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	/*
	 * The kernel goes on: map types other than ARRAY and HASH are
	 * EINVAL, and so is an ifindex no offload-capable device has.  The
	 * port has neither such a type nor such a device.
	 */
	return ERR_PTR(-EINVAL);
}

/* Port of bpf_map_offload_map_mem_usage(): only the host-side header. */
static u64 bpf_map_offload_map_mem_usage(const struct bpf_map *map)
{
	(void)map;
	return sizeof(struct bpf_map);
}

/* What map_create() uses for a device-bound map (bpf_map_offload_ops). */
static const struct bpf_map_ops bpf_map_offload_ops = {
	.map_alloc = bpf_map_offload_map_alloc,
	.map_mem_usage = bpf_map_offload_map_mem_usage,
};

/*
 * The map types the port implements (bpf_map_types[], generated from
 * include/linux/bpf_types.h in the kernel), indexed by enum bpf_map_type.
 */
static const struct bpf_map_ops *const bpf_map_types[NR_BPF_MAP_TYPES] = {
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = &reuseport_array_ops,
};

/*
 * Port of map_create(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * Order (kernel-spec.md §2, every step checked live): trailing bytes;
 * BPF_F_TOKEN_FD noted and cleared; BTF id combinations; map_extra;
 * RDONLY+WRONLY; NUMA node; map type; the type's alloc_check; offload
 * switch; token lookup; unprivileged_bpf_disabled; the type's capability;
 * allocation; name; BTF; excl_prog_hash; id; descriptor.  Attribute errors
 * therefore beat privilege errors, and the name is checked only after the
 * (possibly huge) allocation succeeded.
 */
static int map_create(union bpf_attr *attr)
{
	const struct bpf_map_ops *ops;
	int numa_node = bpf_map_attr_numa_node(attr);
	u32 map_type = attr->map_type;
	u64 excl_prog_hash;
	u32 excl_prog_hash_size;
	struct bpf_map *map;
	bool token_flag;
	int f_flags;
	int err;

	if (CHECK_ATTR(BPF_MAP_CREATE))
		return -EINVAL;

	/*
	 * The token flag is about who is asking, not about the map; clear
	 * it so that the map type's flag check does not reject it.
	 */
	token_flag = attr->map_flags & BPF_F_TOKEN_FD;
	attr->map_flags &= ~BPF_F_TOKEN_FD;

	/* Kernel-BTF values exist only for struct_ops maps. */
	if (attr->btf_vmlinux_value_type_id) {
		if (attr->map_type != BPF_MAP_TYPE_STRUCT_OPS ||
		    attr->btf_key_type_id || attr->btf_value_type_id)
			return -EINVAL;
	} else if (attr->btf_key_type_id && !attr->btf_value_type_id) {
		return -EINVAL;
	}

	if (attr->map_type != BPF_MAP_TYPE_BLOOM_FILTER &&
	    attr->map_type != BPF_MAP_TYPE_ARENA &&
	    attr->map_extra != 0)
		return -EINVAL;

	f_flags = bpf_get_file_flag(attr->map_flags);
	if (f_flags < 0)
		return f_flags;

	/* NUMA_NO_NODE (-1) with BPF_F_NUMA_NODE means "any": accepted. */
	if (numa_node != NUMA_NO_NODE && !node_online(numa_node))
		return -EINVAL;

	if (map_type >= ARRAY_SIZE(bpf_map_types))
		return -EINVAL;
	ops = bpf_map_types[map_type];
	if (!ops)
		return -EINVAL;

	if (ops->map_alloc_check) {
		err = ops->map_alloc_check(attr);
		if (err)
			return err;
	}
	/* A device-bound map is the driver's: its allocator decides. */
	if (attr->map_ifindex)
		ops = &bpf_map_offload_ops;
	if (!ops->map_mem_usage)
		return -EINVAL;

	if (token_flag)
		return bpf_token_get_from_fd(attr_u32(attr, ATTR_MAP_TOKEN_FD));

	/*
	 * kernel.unprivileged_bpf_disabled blocks map creation by anyone
	 * without CAP_BPF, whatever the map type would allow.  Unreadable,
	 * it counts as set, the default of kernels built since 5.13.
	 */
	if (sysctl_read_int("kernel/unprivileged_bpf_disabled", 2) &&
	    !bpf_capable_cap(CAP_BPF))
		return -EPERM;

	/*
	 * The per-type gate.  Socket arrays need CAP_BPF (or CAP_SYS_ADMIN);
	 * no other type reaches here in the port.
	 */
	switch (map_type) {
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
		if (!bpf_capable_cap(CAP_BPF))
			return -EPERM;
		break;
	default:
		return -EPERM;
	}

	map = ops->map_alloc(attr);
	if (IS_ERR(map))
		return PTR_ERR(map);
	map->ops = ops;
	map->map_type = map_type;
	refcount_set(&map->refcnt, 1);
	map->writecnt = 0;
	map->frozen = false;
	/* Before the first failure path: bpf_map_free() destroys it. */
	spin_lock_init(&map->freeze_mutex);

	err = bpf_obj_name_cpy(map->name, attr->map_name,
			       sizeof(attr->map_name));
	if (err < 0)
		goto free_map;

	/*
	 * A key/value type description needs a BTF object; the port has
	 * none, so any descriptor given is not one.
	 */
	if (attr->btf_key_type_id || attr->btf_value_type_id ||
	    attr->btf_vmlinux_value_type_id) {
		err = btf_get_by_fd(attr->btf_fd);
		goto free_map;
	}

	/*
	 * 6.18: the map may be reserved for the one program whose SHA-256
	 * is given.  Read it as the kernel does; with no programs in the
	 * port there is nothing to keep it for.
	 */
	excl_prog_hash = attr_u64(attr, ATTR_EXCL_PROG_HASH);
	excl_prog_hash_size = attr_u32(attr, ATTR_EXCL_PROG_HASH_SIZE);
	if (excl_prog_hash) {
		u8 sha[SHA256_DIGEST_SIZE];

		if (excl_prog_hash_size != SHA256_DIGEST_SIZE) {
			err = -EINVAL;
			goto free_map;
		}
		if (copy_from_user(sha, u64_to_user_ptr(excl_prog_hash),
				   SHA256_DIGEST_SIZE)) {
			err = -EFAULT;
			goto free_map;
		}
	} else if (excl_prog_hash_size) {
		err = -EINVAL;
		goto free_map;
	}

	bpf_map_alloc_id(map);

	/* From here the descriptor's file owns the reference. */
	return bpf_map_new_fd(map, f_flags);

free_map:
	/* Never published: no one else can hold it, free it now. */
	bpf_map_free(map);
	return err;
}

/* ------------------------------------------------------------------ */
/* Element commands                                                    */
/* ------------------------------------------------------------------ */

/*
 * Port of __bpf_copy_key(), kernel/bpf/syscall.c, Linux 6.18: the key,
 * copied whole from the caller, or NULL for maps without keys.
 */
static void *__bpf_copy_key(const void __user *ukey, u64 key_size)
{
	void *key;

	if (!key_size)
		return ukey ? ERR_PTR(-EINVAL) : NULL;

	key = malloc(key_size);
	if (!key)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(key, ukey, key_size)) {
		free(key);
		return ERR_PTR(-EFAULT);
	}
	return key;
}

/*
 * Port of bpf_map_value_size(), kernel/bpf/syscall.c, Linux 6.18.  Per-CPU
 * maps and fd arrays size their syscall values differently; this map's
 * value is value_size bytes both ways.
 */
static u32 bpf_map_value_size(const struct bpf_map *map)
{
	return map->value_size;
}

/*
 * Port of bpf_map_copy_value(), kernel/bpf/syscall.c, Linux 6.18.  The
 * socket array has its own syscall lookup (a socket pointer means nothing
 * to userspace; its cookie does), which takes rcu_read_lock() itself.
 */
static int bpf_map_copy_value(struct bpf_map *map, void *key, void *value,
			      u64 flags)
{
	(void)flags;
	return bpf_fd_reuseport_array_lookup_elem(map, key, value);
}

/*
 * Port of bpf_map_update_value(), kernel/bpf/syscall.c, Linux 6.18.  The
 * socket array has no map_update_elem op (programs may not store sockets);
 * the syscall calls its descriptor-taking update directly, without
 * rcu_read_lock(): it takes its own locks.
 */
static int bpf_map_update_value(struct bpf_map *map, struct file *map_file,
				void *key, void *value, u64 flags)
{
	(void)map_file;
	return bpf_fd_reuseport_array_update_elem(map, key, value, flags);
}

/*
 * Port of map_lookup_elem(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes; flags other than BPF_F_LOCK (before the map is
 * even looked up); descriptor; read permission; BPF_F_LOCK (this map's
 * values hold no spin lock); key copy; lookup; value copy-out.  Nothing is
 * written back on error.
 */
static int map_lookup_elem(union bpf_attr *attr)
{
	void __user *ukey = u64_to_user_ptr(attr->key);
	void __user *uvalue = u64_to_user_ptr(attr->value);
	struct bpf_map *map;
	void *key, *value;
	struct file *f;
	u32 value_size;
	int err;

	if (CHECK_ATTR(BPF_MAP_LOOKUP_ELEM))
		return -EINVAL;

	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	if (!(map_get_sys_perms(map, f) & FMODE_CAN_READ)) {
		err = -EPERM;
		goto out;
	}

	if (attr->flags & BPF_F_LOCK) {
		err = -EINVAL;
		goto out;
	}

	key = __bpf_copy_key(ukey, map->key_size);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto out;
	}

	value_size = bpf_map_value_size(map);

	err = -ENOMEM;
	value = calloc(1, value_size);
	if (!value)
		goto free_key;

	err = bpf_map_copy_value(map, key, value, attr->flags);
	if (err)
		goto free_value;

	err = -EFAULT;
	if (copy_to_user(uvalue, value, value_size) != 0)
		goto free_value;

	err = 0;

free_value:
	free(value);
free_key:
	free(key);
out:
	fdput(f);
	return err;
}

/*
 * Port of map_update_elem(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes; descriptor; (counted as a writer) write
 * permission; BPF_F_LOCK; key copy; value copy; the map's update, which
 * judges the remaining flag bits itself.
 */
static int map_update_elem(union bpf_attr *attr)
{
	void __user *ukey = u64_to_user_ptr(attr->key);
	void __user *uvalue = u64_to_user_ptr(attr->value);
	struct bpf_map *map;
	void *key, *value;
	struct file *f;
	u32 value_size;
	int err;

	if (CHECK_ATTR(BPF_MAP_UPDATE_ELEM))
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	bpf_map_write_active_inc(map);
	if (!(map_get_sys_perms(map, f) & FMODE_CAN_WRITE)) {
		err = -EPERM;
		goto err_put;
	}

	if (attr->flags & BPF_F_LOCK) {
		err = -EINVAL;
		goto err_put;
	}

	key = __bpf_copy_key(ukey, map->key_size);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto err_put;
	}

	value_size = bpf_map_value_size(map);
	value = malloc(value_size);
	if (!value) {
		err = -ENOMEM;
		goto free_key;
	}
	if (copy_from_user(value, uvalue, value_size)) {
		err = -EFAULT;
		goto free_value;
	}

	/*
	 * The kernel then waits for programs of map-in-map types to finish
	 * (maybe_wait_bpf_programs()); nothing to wait for with this type.
	 */
	err = bpf_map_update_value(map, f, key, value, attr->flags);

free_value:
	free(value);
free_key:
	free(key);
err_put:
	bpf_map_write_active_dec(map);
out:
	fdput(f);
	return err;
}

/*
 * Port of map_delete_elem(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes (value and flags must be zero); descriptor; write
 * permission; key copy; the map's delete, inside rcu_read_lock() as it
 * would run from a program.
 */
static int map_delete_elem(union bpf_attr *attr)
{
	void __user *ukey = u64_to_user_ptr(attr->key);
	struct bpf_map *map;
	struct file *f;
	void *key;
	int err;

	if (CHECK_ATTR(BPF_MAP_DELETE_ELEM))
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	bpf_map_write_active_inc(map);
	if (!(map_get_sys_perms(map, f) & FMODE_CAN_WRITE)) {
		err = -EPERM;
		goto err_put;
	}

	key = __bpf_copy_key(ukey, map->key_size);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto err_put;
	}

	rcu_read_lock();
	err = map->ops->map_delete_elem(map, key);
	rcu_read_unlock();

	free(key);
err_put:
	bpf_map_write_active_dec(map);
out:
	fdput(f);
	return err;
}

/*
 * Port of map_get_next_key(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes (flags must be zero); descriptor; read permission;
 * key copy (a NULL key asks for the first key); the map's step, under
 * rcu_read_lock(); copy-out of the next key, only on success.
 */
static int map_get_next_key(union bpf_attr *attr)
{
	void __user *ukey = u64_to_user_ptr(attr->key);
	void __user *unext_key = u64_to_user_ptr(attr->next_key);
	struct bpf_map *map;
	void *key, *next_key;
	struct file *f;
	int err;

	if (CHECK_ATTR(BPF_MAP_GET_NEXT_KEY))
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	if (!(map_get_sys_perms(map, f) & FMODE_CAN_READ)) {
		err = -EPERM;
		goto out;
	}

	if (ukey) {
		key = __bpf_copy_key(ukey, map->key_size);
		if (IS_ERR(key)) {
			err = PTR_ERR(key);
			goto out;
		}
	} else {
		key = NULL;
	}

	err = -ENOMEM;
	next_key = malloc(map->key_size);
	if (!next_key)
		goto free_key;

	rcu_read_lock();
	err = map->ops->map_get_next_key(map, key, next_key);
	rcu_read_unlock();
	if (err)
		goto free_next_key;

	err = -EFAULT;
	if (copy_to_user(unext_key, next_key, map->key_size) != 0)
		goto free_next_key;

	err = 0;

free_next_key:
	free(next_key);
free_key:
	free(key);
out:
	fdput(f);
	return err;
}

/*
 * Port of map_lookup_and_delete_elem(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes; flags other than BPF_F_LOCK; descriptor; read
 * and write permission; BPF_F_LOCK; key copy; then the operation, which
 * only queues, stacks and hash maps implement: ENOTSUPP (524) here.
 */
static int map_lookup_and_delete_elem(union bpf_attr *attr)
{
	void __user *ukey = u64_to_user_ptr(attr->key);
	struct bpf_map *map;
	void *key, *value;
	struct file *f;
	u32 value_size;
	int err;

	if (CHECK_ATTR(BPF_MAP_LOOKUP_AND_DELETE_ELEM))
		return -EINVAL;

	if (attr->flags & ~BPF_F_LOCK)
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	bpf_map_write_active_inc(map);
	if (!(map_get_sys_perms(map, f) & FMODE_CAN_READ) ||
	    !(map_get_sys_perms(map, f) & FMODE_CAN_WRITE)) {
		err = -EPERM;
		goto err_put;
	}

	if (attr->flags & BPF_F_LOCK) {
		err = -EINVAL;
		goto err_put;
	}

	key = __bpf_copy_key(ukey, map->key_size);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto err_put;
	}

	value_size = bpf_map_value_size(map);

	err = -ENOMEM;
	value = malloc(value_size);
	if (!value)
		goto free_key;

	/* No queue, stack or hash map in the port: the kernel's fallback. */
	err = -ENOTSUPP;

	free(value);
free_key:
	free(key);
err_put:
	bpf_map_write_active_dec(map);
out:
	fdput(f);
	return err;
}

/*
 * Port of BPF_DO_BATCH(), kernel/bpf/syscall.c: a map type without the
 * batch operation answers ENOTSUPP.
 */
#define BPF_DO_BATCH(fn, ...)			\
	do {					\
		if (!fn) {			\
			err = -ENOTSUPP;	\
			goto err_put;		\
		}				\
		err = fn(__VA_ARGS__);		\
	} while (0)

/*
 * Port of bpf_map_do_batch(), kernel/bpf/syscall.c, Linux 6.18.
 * Order: trailing bytes; descriptor (batch.map_fd, offset 36); (writers
 * counted) read permission for the lookups; write permission for all but
 * LOOKUP_BATCH; then the type's batch operation, absent here (ENOTSUPP).
 * The port's bpf_map_ops has only the lookup batch member: no map type of
 * the port implements the others.
 */
static int bpf_map_do_batch(const union bpf_attr *attr,
			    union bpf_attr __user *uattr, int cmd)
{
	bool has_read = cmd == BPF_MAP_LOOKUP_BATCH ||
			cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	bool has_write = cmd != BPF_MAP_LOOKUP_BATCH;
	struct bpf_map *map;
	struct file *f;
	int err;

	if (CHECK_ATTR(BPF_MAP_BATCH))
		return -EINVAL;

	f = fget((int)attr->batch.map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}
	if (has_write)
		bpf_map_write_active_inc(map);
	if (has_read && !(map_get_sys_perms(map, f) & FMODE_CAN_READ)) {
		err = -EPERM;
		goto err_put;
	}
	if (has_write && !(map_get_sys_perms(map, f) & FMODE_CAN_WRITE)) {
		err = -EPERM;
		goto err_put;
	}

	if (cmd == BPF_MAP_LOOKUP_BATCH)
		BPF_DO_BATCH(map->ops->map_lookup_batch, map, attr, uattr);
	else
		err = -ENOTSUPP;

err_put:
	if (has_write)
		bpf_map_write_active_dec(map);
out:
	fdput(f);
	return err;
}

/*
 * Port of map_freeze(), kernel/bpf/syscall.c, Linux 6.18: make the map
 * read-only for system calls from now on (programs may still write).
 * Order: trailing bytes; descriptor; write permission (so freezing twice
 * is EPERM: the first freeze took write permission away); then, under
 * freeze_mutex, EBUSY while a writer is under way or if already frozen.
 */
static int map_freeze(const union bpf_attr *attr)
{
	struct bpf_map *map;
	struct file *f;
	int err = 0;

	if (CHECK_ATTR(BPF_MAP_FREEZE))
		return -EINVAL;

	f = fget((int)attr->map_fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out;
	}

	if (!(map_get_sys_perms(map, f) & FMODE_CAN_WRITE)) {
		err = -EPERM;
		goto out;
	}

	spin_lock(&map->freeze_mutex);
	if (bpf_map_write_active(map)) {
		err = -EBUSY;
		goto err_put;
	}
	if (READ_ONCE(map->frozen)) {
		err = -EBUSY;
		goto err_put;
	}

	WRITE_ONCE(map->frozen, true);
err_put:
	spin_unlock(&map->freeze_mutex);
out:
	fdput(f);
	return err;
}

/* ------------------------------------------------------------------ */
/* BPF_OBJ_GET_INFO_BY_FD                                              */
/* ------------------------------------------------------------------ */

/*
 * Port of bpf_map_get_info_by_fd(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * The caller's buffer may be older (shorter) or newer (longer, zero tail)
 * than the kernel's struct; min(info_len, 104) bytes are exchanged and
 * that length is written back.  Since 6.18 the buffer is also read first:
 * a non-zero hash asks for the map's SHA-256, which only arrays compute
 * (EINVAL here), and a hash_size without a hash is EINVAL.  Fields the
 * kernel does not fill (ifindex, netns, BTF ids of a map without BTF) are
 * handed back as the caller sent them, as measured.
 */
static int bpf_map_get_info_by_fd(struct file *file, struct bpf_map *map,
				  const union bpf_attr *attr,
				  union bpf_attr __user *uattr)
{
	void __user *uinfo = u64_to_user_ptr(attr->info.info);
	union bpf_map_info_kern info;
	u32 info_len = attr->info.info_len;
	u32 hash_size;
	u64 hash;
	int err;

	(void)file;
	err = bpf_check_uarg_tail_zero(uinfo, BPF_MAP_INFO_CHECKED_SIZE,
				       info_len);
	if (err)
		return err;
	if (info_len > sizeof(info))
		info_len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (copy_from_user(&info, uinfo, info_len))
		return -EFAULT;

	info.info.type = map->map_type;
	info.info.id = map->id;
	info.info.key_size = map->key_size;
	info.info.value_size = map->value_size;
	info.info.max_entries = map->max_entries;
	info.info.map_flags = map->map_flags;
	info.info.map_extra = map->map_extra;
	memcpy(info.info.name, map->name, sizeof(map->name));
	info.info.btf_vmlinux_value_type_id = 0;	/* not struct_ops */

	memcpy(&hash, info.raw + INFO_HASH, sizeof(hash));
	memcpy(&hash_size, info.raw + INFO_HASH_SIZE, sizeof(hash_size));
	if (hash) {
		/* No map_get_hash op: only array maps can be hashed. */
		return -EINVAL;
	} else if (hash_size) {
		return -EINVAL;
	}

	if (copy_to_user(uinfo, &info, info_len) ||
	    copy_to_user((u8 __user *)uattr +
			 offsetof(union bpf_attr, info.info_len),
			 &info_len, sizeof(info_len)))
		return -EFAULT;

	return 0;
}

/*
 * Port of bpf_obj_get_info_by_fd(), kernel/bpf/syscall.c, Linux 6.18.
 * Note the errno for a descriptor that is not open: EBADFD (77), not
 * EBADF (verified).  Programs, BTF objects and links are not modelled,
 * so every descriptor but a map's is EINVAL, as a non-BPF file is.
 */
static int bpf_obj_get_info_by_fd(const union bpf_attr *attr,
				  union bpf_attr __user *uattr)
{
	struct file *f;
	int err;

	if (CHECK_ATTR(BPF_OBJ_GET_INFO_BY_FD))
		return -EINVAL;

	f = fget((int)attr->info.bpf_fd);
	if (!f)
		return -EBADFD;

	if (!file_is_foreign(f) && f->f_op == &bpf_map_fops)
		err = bpf_map_get_info_by_fd(f, f->private_data, attr, uattr);
	else
		err = -EINVAL;

	fdput(f);
	return err;
}

/* ------------------------------------------------------------------ */
/* The system call                                                     */
/* ------------------------------------------------------------------ */

/*
 * Port of __sys_bpf(), kernel/bpf/syscall.c, Linux 6.18.
 *
 * A caller built against older headers passes a shorter block: the
 * missing fields read as zero.  One built against newer headers passes a
 * longer one: accepted if the part this kernel does not know is zero.
 * Size and tail are judged before anything is copied, then the command.
 */
static int __sys_bpf(int cmd, union bpf_attr __user *uattr, unsigned int size)
{
	union bpf_attr_kern kattr;
	union bpf_attr *attr = &kattr.attr;
	int err;

	err = bpf_check_uarg_tail_zero(uattr, sizeof(kattr), size);
	if (err)
		return err;
	if (size > sizeof(kattr))
		size = sizeof(kattr);

	memset(&kattr, 0, sizeof(kattr));
	if (copy_from_user(&kattr, uattr, size) != 0)
		return -EFAULT;

	switch (cmd) {
	case BPF_MAP_CREATE:
		err = map_create(attr);
		break;
	case BPF_MAP_LOOKUP_ELEM:
		err = map_lookup_elem(attr);
		break;
	case BPF_MAP_UPDATE_ELEM:
		err = map_update_elem(attr);
		break;
	case BPF_MAP_DELETE_ELEM:
		err = map_delete_elem(attr);
		break;
	case BPF_MAP_GET_NEXT_KEY:
		err = map_get_next_key(attr);
		break;
	case BPF_MAP_FREEZE:
		err = map_freeze(attr);
		break;
	case BPF_OBJ_GET_INFO_BY_FD:
		err = bpf_obj_get_info_by_fd(attr, uattr);
		break;
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		err = map_lookup_and_delete_elem(attr);
		break;
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		err = bpf_map_do_batch(attr, uattr, cmd);
		break;
	default:
		/* Unknown, or a command the port does not model. */
		err = -EINVAL;
		break;
	}

	return err;
}

/**
 * bpf(2) for the port (parameters and result: sockarray/syscalls.h).
 * Port of the system call entry, SYSCALL_DEFINE3(bpf, ...),
 * kernel/bpf/syscall.c, Linux 6.18: the kernel's negative errno becomes
 * -1 and errno.  A NULL or invalid @p attr is EFAULT, never a crash.
 */
int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	int err = __sys_bpf(cmd, attr, size);

	if (err < 0) {
		errno = -err;
		return -1;
	}
	return err;
}
