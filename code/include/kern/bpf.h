/**
 * @file bpf.h
 * @brief The BPF map core: struct bpf_map, struct bpf_map_ops and the
 *        helpers map implementations use (include/linux/bpf.h,
 *        kernel/bpf/syscall.c).
 *
 * union bpf_attr is the real uapi type from <linux/bpf.h>.  The headers on
 * this system may be older than the kernel the port follows (Linux 6.18),
 * whose bpf_attr is 168 bytes and has fields the old header lacks, so the
 * system-call layer always works on a 168-byte buffer (union bpf_attr_kern)
 * and reads those newer fields by offset.
 */
#ifndef KERN_BPF_H
#define KERN_BPF_H

#include <linux/bpf.h>

#include "rcupdate.h"
#include "refcount.h"
#include "spinlock.h"
#include "types.h"
#include "workqueue.h"

struct bpf_map;
struct file;

/** sizeof(union bpf_attr) in Linux 6.18, measured on the live kernel. */
#define BPF_ATTR_SIZE_KERNEL	168

/** @brief union bpf_attr with room for every Linux 6.18 field. */
union bpf_attr_kern {
	union bpf_attr attr;			/**< the uapi view */
	u8 raw[BPF_ATTR_SIZE_KERNEL];		/**< all of it, by offset */
};

/** @brief What a map type implements (only the members the port uses). */
struct bpf_map_ops {
	/** can two maps stand in for each other as inner maps? */
	bool (*map_meta_equal)(const struct bpf_map *meta0, const struct bpf_map *meta1);
	/** validate the creation attributes, before any privilege check */
	int (*map_alloc_check)(union bpf_attr *attr);
	/** allocate and initialise the map */
	struct bpf_map *(*map_alloc)(union bpf_attr *attr);
	/** free it: no system call or program can reach it any more */
	void (*map_free)(struct bpf_map *map);
	/** next key for BPF_MAP_GET_NEXT_KEY */
	int (*map_get_next_key)(struct bpf_map *map, void *key, void *next_key);
	/** element lookup as BPF programs see it (under RCU) */
	void *(*map_lookup_elem)(struct bpf_map *map, void *key);
	/** element update from a program; NULL for this map */
	long (*map_update_elem)(struct bpf_map *map, void *key, void *value, u64 flags);
	/** element delete */
	long (*map_delete_elem)(struct bpf_map *map, void *key);
	/** BPF_MAP_LOOKUP_AND_DELETE_ELEM support; NULL for this map */
	int (*map_lookup_and_delete_elem)(struct bpf_map *map, void *key, void *value, u64 flags);
	/** batch operations; NULL for this map (the kernel answers ENOTSUPP) */
	int (*map_lookup_batch)(struct bpf_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
	/** memory the map uses, as fdinfo's "memlock" shows */
	u64 (*map_mem_usage)(const struct bpf_map *map);
};

/** @brief The part every map shares; a map type embeds it first. */
struct bpf_map {
	const struct bpf_map_ops *ops;	/**< the type's operations */
	u32 map_type;			/**< enum bpf_map_type */
	u32 key_size;			/**< bytes of a key */
	u32 value_size;			/**< bytes of a value */
	u32 max_entries;		/**< number of slots */
	u64 map_extra;			/**< type-specific (0 here) */
	u32 map_flags;			/**< creation flags minus the fd-only RDONLY/WRONLY */
	u32 id;				/**< system-wide map id */
	int numa_node;			/**< NUMA_NO_NODE or the chosen node */
	char name[BPF_OBJ_NAME_LEN];	/**< optional name */
	refcount_t refcnt;		/**< references: descriptors, programs */
	s64 writecnt;			/**< update/delete calls under way (freeze checks it) */
	bool frozen;			/**< BPF_MAP_FREEZE was called */
	spinlock_t freeze_mutex;	/**< serialises freeze against writers starting */
	struct work_struct work;	/**< the deferred free's work item */
};

int bpf_map_attr_numa_node(const union bpf_attr *attr);
void bpf_map_init_from_attr(struct bpf_map *map, union bpf_attr *attr);
void *bpf_map_area_alloc(u64 size, int numa_node);
void bpf_map_area_free(void *base);
bool bpf_map_meta_equal(const struct bpf_map *meta0, const struct bpf_map *meta1);
int array_map_alloc_check(union bpf_attr *attr);
void bpf_map_inc(struct bpf_map *map);
void bpf_map_put(struct bpf_map *map);
struct bpf_map *bpf_map_get(int fd);

/* Map operations that the system-call layer calls directly (no ops member). */
int bpf_fd_reuseport_array_lookup_elem(struct bpf_map *map, void *key, void *value);
int bpf_fd_reuseport_array_update_elem(struct bpf_map *map, void *key, void *value, u64 map_flags);

/** The operations of BPF_MAP_TYPE_REUSEPORT_SOCKARRAY. */
extern const struct bpf_map_ops reuseport_array_ops;

#endif /* KERN_BPF_H */
