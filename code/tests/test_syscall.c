/**
 * @file test_syscall.c
 * @brief Tests of the bpf(2) layer (code/kernel/bpf/syscall.c and
 *        arraymap.c) through sys_bpf(): attribute size and tail rules,
 *        CHECK_ATTR of every command, the order of the creation checks,
 *        privileges, permissions, key iteration, names, info-by-fd and the
 *        deferred free.
 *
 * Every expected errno is the one Linux 6.18 gives for the same call
 * (kernel-spec.md §2-§8): built with sys_bpf() replaced by the real bpf(2),
 * this suite passes on the live kernel except for the two tests marked as
 * deliberate differences and the "internal" case.  Privilege tests fork and
 * drop to uid 65534 without capabilities, or keep only chosen capabilities,
 * in the child.  The "internal" case looks inside: reference counts, the
 * asynchronous free, the writer count that BPF_MAP_FREEZE checks.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kern/workqueue.h"
#include "kern/bpf.h"
#include "kern/capability.h"
#include "kern/err.h"
#include "kern/rcupdate.h"
#include "kern/spinlock.h"
#include "kern/sock.h"
#include "kern/net.h"
#include "sockarray/syscalls.h"
#include "ck_errno.h"

#define MAP_TYPE_SOCKARRAY	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY	/* 20 */
#define NOT_OPEN_FD		9999
#define F_TOKEN_FD		(1U << 16)	/* BPF_F_TOKEN_FD, 6.18 */
#define OFF_MAP_TOKEN_FD	76
#define OFF_EXCL_HASH		80
#define OFF_EXCL_HASH_SIZE	88
#define INFO_SIZE		104		/* struct bpf_map_info, 6.18 */

/* A 4 KiB attribute buffer, so tails beyond 168 bytes can be tested. */
static union {
	union bpf_attr attr;
	union bpf_attr_kern kern;
	unsigned char raw[4096];
} ab __attribute__((aligned(8)));

/* ------------------------------------------------------------ helpers */

static void attr_zero(void)
{
	memset(&ab, 0, sizeof(ab));
}

static void put_u32(size_t off, u32 v)
{
	memcpy(ab.raw + off, &v, sizeof(v));
}

static void put_u64(size_t off, u64 v)
{
	memcpy(ab.raw + off, &v, sizeof(v));
}

/* Fill ab with a valid map(@vs, @max) creation request. */
static void map_attr(u32 vs, u32 max, u32 flags)
{
	attr_zero();
	ab.attr.map_type = MAP_TYPE_SOCKARRAY;
	ab.attr.key_size = 4;
	ab.attr.value_size = vs;
	ab.attr.max_entries = max;
	ab.attr.map_flags = flags;
}

static int create(void)
{
	return sys_bpf(BPF_MAP_CREATE, &ab.attr, BPF_ATTR_SIZE_KERNEL);
}

/* Create from the first @size bytes of ab: must succeed; closed again. */
static void create_sized_ok(unsigned int size)
{
	int fd = (int)ck_ok(sys_bpf(BPF_MAP_CREATE, &ab.attr, size));

	ck_assert_int_eq(sys_close(fd), 0);
}

/* A new map(@vs, @max) with @flags; the test fails if it cannot be made. */
static int mk_map(u32 vs, u32 max, u32 flags)
{
	map_attr(vs, max, flags);
	return (int)ck_ok(create());
}

/* An element command on @fd. */
static int elem(int cmd, int fd, const void *key, void *value, u64 flags)
{
	attr_zero();
	ab.attr.map_fd = (u32)fd;
	ab.attr.key = (uintptr_t)key;
	ab.attr.value = (uintptr_t)value;
	ab.attr.flags = flags;
	return sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL);
}

static int lookup(int fd, const void *key, void *value, u64 flags)
{
	return elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

static int update(int fd, const void *key, const void *value, u64 flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, key, (void *)value, flags);
}

static int lad(int fd, const void *key, void *value, u64 flags)
{
	return elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

static int delete(int fd, const void *key)
{
	return elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

static int next_key(int fd, const void *key, void *next)
{
	attr_zero();
	ab.attr.map_fd = (u32)fd;
	ab.attr.key = (uintptr_t)key;
	ab.attr.next_key = (uintptr_t)next;
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &ab.attr, BPF_ATTR_SIZE_KERNEL);
}

static int freeze(int fd)
{
	attr_zero();
	ab.attr.map_fd = (u32)fd;
	return sys_bpf(BPF_MAP_FREEZE, &ab.attr, BPF_ATTR_SIZE_KERNEL);
}

/* Batch commands take their descriptor at offset 36 (batch.map_fd). */
static int batch(int cmd, int fd)
{
	attr_zero();
	ab.attr.batch.map_fd = (u32)fd;
	return sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL);
}

/* BPF_OBJ_GET_INFO_BY_FD; *@len_out gets the info_len written back. */
static int info(int fd, void *buf, u32 len, u32 *len_out)
{
	int r;

	attr_zero();
	ab.attr.info.bpf_fd = (u32)fd;
	ab.attr.info.info = (uintptr_t)buf;
	ab.attr.info.info_len = len;
	r = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ab.attr, BPF_ATTR_SIZE_KERNEL);
	if (len_out)
		*len_out = ab.attr.info.info_len;
	return r;
}

/* The info of map @fd (fails the test on error). */
static struct bpf_map_info map_info(int fd)
{
	unsigned char buf[INFO_SIZE] = { 0 };
	struct bpf_map_info mi;

	ck_ok(info(fd, buf, sizeof(buf), NULL));
	memcpy(&mi, buf, sizeof(mi));
	return mi;
}

/*
 * Two pages, the second inaccessible: returns a pointer @n bytes before
 * the hole, for "readable up to here" tests.  The hole stays mapped
 * (PROT_NONE) so that no later allocation can land in it.
 */
static unsigned char *before_hole(size_t n)
{
	unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert(p != MAP_FAILED);
	ck_assert_int_eq(mprotect(p + 4096, 4096, PROT_NONE), 0);
	memset(p, 0, 4096);
	return p + 4096 - n;
}

static int devnull(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* ------------------------------------------------------ privilege helpers */

#define AS_NOBODY	(~0ULL)		/* uid/gid 65534, no capabilities */

/* Keep only @caps (effective and permitted), staying uid 0. */
static int keep_caps(u64 caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (u32)caps;
	d[1].effective = d[1].permitted = (u32)(caps >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

/* Leave root for nobody: the kernel clears every capability on the way. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -1;
	return 0;
}

/*
 * Run one bpf(2) call with ab as the attributes in a child that holds only
 * @caps (or is nobody), and report what it returned: 0 for success, else
 * the errno.  The child never frees anything: it leaves with _exit().
 */
static int bpf_as(u64 caps, int cmd)
{
	int pfd[2], res[2] = { 0, 0 }, status;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int r = caps == AS_NOBODY ? become_nobody() : keep_caps(caps);

		if (r) {
			res[0] = -2;
		} else {
			r = sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL);
			res[0] = r < 0 ? -1 : 0;
			res[1] = r < 0 ? errno : 0;
		}
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], res, sizeof(res)), (int)sizeof(res));
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(res[0] != -2, "could not drop privileges");
	return res[0] ? res[1] : 0;
}

#define CAPS(c)	(1ULL << (c))

/* ============================================================ attr size */

START_TEST(attr_size_over_a_page_is_e2big)
{
	/* judged before the pointer is even read */
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, 4097), E2BIG);
	ck_errno(sys_bpf(9999, NULL, 4097), E2BIG);
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, UINT_MAX), E2BIG);
}
END_TEST

START_TEST(attr_unreadable_is_efault)
{
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, 4096), EFAULT);
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, 169), EFAULT);
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, 100), EFAULT);
	ck_errno(sys_bpf(9999, NULL, 1), EFAULT);
	ck_errno(sys_bpf(BPF_MAP_CREATE, (void *)1, 168), EFAULT);
}
END_TEST

START_TEST(attr_size_zero_reads_nothing)
{
	/* an all-zero block: map_type 0 has no ops */
	ck_errno(sys_bpf(BPF_MAP_CREATE, NULL, 0), EINVAL);
	ck_errno(sys_bpf(9999, NULL, 0), EINVAL);
}
END_TEST

START_TEST(attr_unknown_commands_are_einval)
{
	/* 36, 37: BPF_TOKEN_CREATE, BPF_PROG_STREAM_READ_BY_FD (zero attr) */
	static const int cmds[] = { -1, 9999, 36, 37, 38, INT_MAX, INT_MIN };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		attr_zero();
		ck_errno(sys_bpf(cmds[i], &ab.attr, 4096), EINVAL);
		ck_errno(sys_bpf(cmds[i], &ab.attr, 168), EINVAL);
	}
}
END_TEST

/*
 * A deliberate difference: commands the port does not model answer EINVAL
 * (Linux: BPF_PROG_LOAD with a zero block is E2BIG, BPF_OBJ_GET EFAULT,
 * BPF_MAP_GET_FD_BY_ID ENOENT, ...).
 */
START_TEST(attr_unmodelled_commands_are_einval)
{
	static const int cmds[] = { BPF_PROG_LOAD, BPF_OBJ_PIN, BPF_OBJ_GET,
				    BPF_PROG_ATTACH, BPF_MAP_GET_NEXT_ID,
				    BPF_MAP_GET_FD_BY_ID, BPF_BTF_LOAD,
				    BPF_LINK_CREATE, BPF_ENABLE_STATS,
				    BPF_PROG_BIND_MAP };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		attr_zero();
		ck_errno(sys_bpf(cmds[i], &ab.attr, 168), EINVAL);
	}
}
END_TEST

START_TEST(attr_tail_beyond_kernel_size_must_be_zero)
{
	map_attr(8, 4, 0);
	ab.raw[BPF_ATTR_SIZE_KERNEL] = 1;
	ck_errno(sys_bpf(BPF_MAP_CREATE, &ab.attr, 169), E2BIG);
	ck_errno(sys_bpf(BPF_MAP_CREATE, &ab.attr, 4096), E2BIG);
	/* not passed: not looked at */
	create_sized_ok(168);

	ab.raw[BPF_ATTR_SIZE_KERNEL] = 0;
	ab.raw[4095] = 0x80;
	ck_errno(sys_bpf(BPF_MAP_CREATE, &ab.attr, 4096), E2BIG);
	create_sized_ok(4095);

	/* a bigger, all-zero block is fine */
	ab.raw[4095] = 0;
	create_sized_ok(4096);
}
END_TEST

START_TEST(attr_short_block_is_zero_extended)
{
	/* 16 bytes: map_type .. max_entries; flags and the rest read as 0 */
	map_attr(8, 4, BPF_F_RDONLY);
	create_sized_ok(16);
	/* 12 bytes: max_entries reads as 0 */
	ck_errno(sys_bpf(BPF_MAP_CREATE, &ab.attr, 12), EINVAL);
}
END_TEST

START_TEST(attr_tail_read_up_to_a_hole)
{
	unsigned char *p;

	/* 168 readable bytes, then nothing: fine at 168, EFAULT beyond */
	p = before_hole(168);
	ck_errno(sys_bpf(9999, (union bpf_attr *)p, 168), EINVAL);
	ck_errno(sys_bpf(9999, (union bpf_attr *)p, 169), EFAULT);
	/* a non-zero byte before the hole is found first: E2BIG */
	p = before_hole(200);
	p[199] = 1;
	ck_errno(sys_bpf(9999, (union bpf_attr *)p, 300), E2BIG);
	/* only 100 readable bytes: EFAULT once more are asked for */
	p = before_hole(100);
	ck_errno(sys_bpf(9999, (union bpf_attr *)p, 100), EINVAL);
	ck_errno(sys_bpf(9999, (union bpf_attr *)p, 168), EFAULT);
}
END_TEST

/* ============================================================ CHECK_ATTR */

/*
 * For each command: the first offset that must be zero, and for a byte
 * just before it, what the command does next with descriptor 9999.
 */
static const struct {
	int cmd;
	size_t end;
	int before_errno;	/* byte end-1 set */
} last_field[] = {
	{ BPF_MAP_UPDATE_ELEM, 32, EBADF },
	{ BPF_MAP_DELETE_ELEM, 16, EBADF },
	{ BPF_MAP_GET_NEXT_KEY, 24, EBADF },
	{ BPF_MAP_FREEZE, 4, EBADF },
	{ BPF_MAP_LOOKUP_BATCH, 56, EBADF },
	{ BPF_MAP_LOOKUP_AND_DELETE_BATCH, 56, EBADF },
	{ BPF_MAP_UPDATE_BATCH, 56, EBADF },
	{ BPF_MAP_DELETE_BATCH, 56, EBADF },
	{ BPF_OBJ_GET_INFO_BY_FD, 16, EBADFD },
	/* for these, flags bits other than BPF_F_LOCK are EINVAL early */
	{ BPF_MAP_LOOKUP_ELEM, 32, EINVAL },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 32, EINVAL },
};

/* A block whose descriptor field (wherever the command keeps it) is 9999. */
static void attr_bad_fd(int cmd)
{
	attr_zero();
	if (cmd >= BPF_MAP_LOOKUP_BATCH && cmd <= BPF_MAP_DELETE_BATCH)
		ab.attr.batch.map_fd = NOT_OPEN_FD;
	else
		ab.attr.map_fd = NOT_OPEN_FD;	/* = info.bpf_fd */
}

START_TEST(check_attr_every_command)
{
	int cmd = last_field[_i].cmd;
	size_t end = last_field[_i].end, off;

	/* every byte from the end to 167 must be zero */
	for (off = end; off < BPF_ATTR_SIZE_KERNEL; off++) {
		attr_bad_fd(cmd);
		ab.raw[off] = 0x80;
		ck_errno(sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL), EINVAL);
	}
	/* the last byte of the last field belongs to the command */
	attr_bad_fd(cmd);
	ab.raw[end - 1] = 0x80;
	ck_errno(sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL),
		 last_field[_i].before_errno);
	/* and nothing set: the descriptor decides */
	attr_bad_fd(cmd);
	ck_errno(sys_bpf(cmd, &ab.attr, BPF_ATTR_SIZE_KERNEL),
		 cmd == BPF_OBJ_GET_INFO_BY_FD ? EBADFD : EBADF);
}
END_TEST

START_TEST(check_attr_lookup_lock_flag_passes)
{
	/* BPF_F_LOCK is a known flag: the bad descriptor is found first */
	attr_bad_fd(BPF_MAP_LOOKUP_ELEM);
	ab.attr.flags = BPF_F_LOCK;
	ck_errno(sys_bpf(BPF_MAP_LOOKUP_ELEM, &ab.attr, 168), EBADF);
	attr_bad_fd(BPF_MAP_LOOKUP_AND_DELETE_ELEM);
	ab.attr.flags = BPF_F_LOCK;
	ck_errno(sys_bpf(BPF_MAP_LOOKUP_AND_DELETE_ELEM, &ab.attr, 168), EBADF);
}
END_TEST

START_TEST(check_attr_map_create)
{
	size_t off;

	/* 6.18 ends BPF_MAP_CREATE after excl_prog_hash_size (offset 92) */
	for (off = 92; off < BPF_ATTR_SIZE_KERNEL; off++) {
		map_attr(8, 4, 0);
		ab.raw[off] = 1;
		ck_errno(create(), EINVAL);
	}
	/* before any other check: an unreadable hash would be EFAULT */
	map_attr(8, 4, 0);
	put_u64(OFF_EXCL_HASH, 1);
	put_u32(OFF_EXCL_HASH_SIZE, 32);
	ck_errno(create(), EFAULT);
	ab.raw[92] = 1;
	ck_errno(create(), EINVAL);
}
END_TEST

/* ============================================================ creation */

START_TEST(create_accepts_the_spec_shapes)
{
	static const u32 flags[] = { 0, BPF_F_RDONLY, BPF_F_WRONLY,
				     BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG };
	struct bpf_map_info mi;
	int fd;

	fd = mk_map(8, 4, 0);
	mi = map_info(fd);
	ck_assert_uint_eq(mi.type, 20);
	ck_assert_uint_eq(mi.key_size, 4);
	ck_assert_uint_eq(mi.value_size, 8);
	ck_assert_uint_eq(mi.max_entries, 4);
	ck_assert_uint_eq(mi.map_flags, 0);
	ck_assert_uint_ne(mi.id, 0);
	ck_assert_int_eq(sys_close(fd), 0);

	ck_assert_int_eq(sys_close(mk_map(4, 4, 0)), 0);
	ck_assert_int_eq(sys_close(mk_map(8, 1, 0)), 0);
	ck_assert_int_eq(sys_close(mk_map(4, 1 << 20, 0)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		ck_assert_int_eq(sys_close(mk_map(8, 4, flags[i])), 0);
}
END_TEST

START_TEST(create_descriptor_is_a_cloexec_fd)
{
	int fd = mk_map(8, 4, 0);

	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(sys_close(fd), 0);
	ck_errno(sys_close(fd), EBADF);
}
END_TEST

START_TEST(create_ids_are_distinct)
{
	int a = mk_map(8, 4, 0), b = mk_map(8, 4, 0);

	ck_assert_uint_ne(map_info(a).id, map_info(b).id);
	sys_close(a);
	sys_close(b);
}
END_TEST

START_TEST(create_bad_shapes_are_einval)
{
	static const u32 vs[] = { 0, 1, 2, 3, 5, 16, 0xffffffff };
	static const u32 ks[] = { 0, 2, 8 };

	for (size_t i = 0; i < ARRAY_SIZE(vs); i++) {
		map_attr(vs[i], 4, 0);
		ck_errno(create(), EINVAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
		map_attr(8, 4, 0);
		ab.attr.key_size = ks[i];
		ck_errno(create(), EINVAL);
	}
	map_attr(8, 0, 0);
	ck_errno(create(), EINVAL);
}
END_TEST

START_TEST(create_bad_types_are_einval)
{
	/* 0 is UNSPEC; 33 (ARENA) refuses this shape; 34 is past the table */
	static const u32 types[] = { 0, 33, 34, 35, 9999, 0xffffffff };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		map_attr(8, 4, 0);
		ab.attr.map_type = types[i];
		ck_errno(create(), EINVAL);
	}
}
END_TEST

/*
 * A deliberate difference: map types the port does not implement are
 * EINVAL (Linux creates a HASH, ARRAY or SOCKMAP of this shape).
 */
START_TEST(create_unported_types_are_einval)
{
	static const u32 types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY,
				     BPF_MAP_TYPE_SOCKMAP };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		map_attr(8, 4, 0);
		ab.attr.map_type = types[i];
		ck_errno(create(), EINVAL);
	}
}
END_TEST

START_TEST(create_bad_flags_are_einval)
{
	static const u32 flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_ZERO_SEED,
		BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP,
		1U << 15, 1U << 31, BPF_F_RDONLY | BPF_F_WRONLY,
		BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG,
	};

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		map_attr(8, 4, flags[i]);
		ck_errno(create(), EINVAL);
	}
	map_attr(8, 4, 0);
	ab.attr.map_extra = 1;
	ck_errno(create(), EINVAL);
}
END_TEST

START_TEST(create_btf_id_combinations)
{
	map_attr(8, 4, 0);
	ab.attr.btf_vmlinux_value_type_id = 1;
	ck_errno(create(), EINVAL);
	ab.attr.btf_value_type_id = 1;
	ck_errno(create(), EINVAL);

	map_attr(8, 4, 0);
	ab.attr.btf_key_type_id = 1;
	ck_errno(create(), EINVAL);

	/* a btf_fd without type ids is ignored */
	map_attr(8, 4, 0);
	ab.attr.btf_fd = NOT_OPEN_FD;
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
}
END_TEST

START_TEST(create_btf_fd_is_never_btf)
{
	int dn = devnull();

	map_attr(8, 4, 0);
	ab.attr.btf_value_type_id = 1;
	ab.attr.btf_fd = NOT_OPEN_FD;
	ck_errno(create(), EBADF);
	ab.attr.btf_key_type_id = 1;
	ck_errno(create(), EBADF);
	ab.attr.btf_fd = (u32)dn;
	ck_errno(create(), EINVAL);
	close(dn);
}
END_TEST

START_TEST(create_numa_node)
{
	bool have_nodes = access("/sys/devices/system/node", F_OK) == 0;

	/* node 0 exists on every machine */
	map_attr(8, 4, BPF_F_NUMA_NODE);
	ab.attr.numa_node = 0;
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
	/* -1 is NUMA_NO_NODE: "anywhere" */
	ab.attr.numa_node = 0xffffffff;
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
	/* no such node (none of the test machines has 1001 nodes) */
	ab.attr.numa_node = 1000;
	if (!have_nodes || access("/sys/devices/system/node/node1000", F_OK))
		ck_errno(create(), EINVAL);
	ab.attr.numa_node = 0x80000000;
	ck_errno(create(), EINVAL);
	/* without the flag numa_node is not looked at */
	ab.attr.map_flags = 0;
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
}
END_TEST

START_TEST(create_offload_ifindex)
{
	map_attr(8, 4, 0);
	ab.attr.map_ifindex = 1;
	ck_errno(create(), EINVAL);
	ab.attr.map_ifindex = 9999;
	ck_errno(create(), EINVAL);
	/* the offload allocator replaces the array's: no ENOMEM */
	ab.attr.max_entries = 0xffffffff;
	ck_errno(create(), EINVAL);
	/* but the array's alloc_check still ran first */
	map_attr(3, 4, 0);
	ab.attr.map_ifindex = 1;
	ck_errno(create(), EINVAL);
}
END_TEST

START_TEST(create_token_fd)
{
	int dn = devnull();

	map_attr(8, 4, F_TOKEN_FD);
	put_u32(OFF_MAP_TOKEN_FD, NOT_OPEN_FD);
	ck_errno(create(), EBADF);
	put_u32(OFF_MAP_TOKEN_FD, (u32)dn);
	ck_errno(create(), EINVAL);
	put_u32(OFF_MAP_TOKEN_FD, 0x7fffffff);
	ck_errno(create(), EBADF);
	/* after the type's alloc_check and the offload switch ... */
	put_u32(OFF_MAP_TOKEN_FD, NOT_OPEN_FD);
	ab.attr.value_size = 3;
	ck_errno(create(), EINVAL);
	ab.attr.value_size = 8;
	ab.attr.map_type = 9999;
	ck_errno(create(), EINVAL);
	ab.attr.map_type = MAP_TYPE_SOCKARRAY;
	ab.attr.map_flags |= BPF_F_RDONLY | BPF_F_WRONLY;
	ck_errno(create(), EINVAL);
	/* ... but before the offload allocator */
	ab.attr.map_flags = F_TOKEN_FD;
	ab.attr.map_ifindex = 1;
	ck_errno(create(), EBADF);
	/* map_token_fd without the flag is ignored */
	map_attr(8, 4, 0);
	put_u32(OFF_MAP_TOKEN_FD, NOT_OPEN_FD);
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
	close(dn);
}
END_TEST

START_TEST(create_too_big_is_enomem)
{
	u64 phys = (u64)sysconf(_SC_PHYS_PAGES) * (u64)sysconf(_SC_PAGESIZE);

	/* 8 x 4G slots = 32 GiB: more than the machine (the live one has 23) */
	if (phys >= (8ULL << 32))
		return;
	map_attr(8, 0xffffffff, 0);
	ck_errno(create(), ENOMEM);
	/* the allocation comes before the name check ... */
	strcpy(ab.attr.map_name, "bad-name");
	ck_errno(create(), ENOMEM);
	/* ... and before BTF */
	memset(ab.attr.map_name, 0, sizeof(ab.attr.map_name));
	ab.attr.btf_value_type_id = 1;
	ab.attr.btf_fd = NOT_OPEN_FD;
	ck_errno(create(), ENOMEM);
	/* but after every attribute check */
	ab.attr.btf_value_type_id = 0;
	ab.attr.map_flags = BPF_F_MMAPABLE;
	ck_errno(create(), EINVAL);
}
END_TEST

START_TEST(create_excl_prog_hash)
{
	unsigned char hash[32] = { 1, 2, 3 };
	unsigned char *edge = before_hole(16);

	map_attr(8, 4, 0);
	put_u64(OFF_EXCL_HASH, (uintptr_t)hash);
	put_u32(OFF_EXCL_HASH_SIZE, 32);
	ck_assert_int_eq(sys_close(ck_ok(create())), 0);
	put_u32(OFF_EXCL_HASH_SIZE, 16);
	ck_errno(create(), EINVAL);
	put_u32(OFF_EXCL_HASH_SIZE, 0);
	ck_errno(create(), EINVAL);
	put_u32(OFF_EXCL_HASH_SIZE, 32);
	put_u64(OFF_EXCL_HASH, 1);
	ck_errno(create(), EFAULT);
	put_u64(OFF_EXCL_HASH, (uintptr_t)edge);	/* 16 of 32 readable */
	ck_errno(create(), EFAULT);
	put_u64(OFF_EXCL_HASH, 0);			/* size without hash */
	ck_errno(create(), EINVAL);
}
END_TEST

START_TEST(create_late_checks_order)
{
	/* name, then BTF, then excl_prog_hash */
	map_attr(8, 4, 0);
	put_u64(OFF_EXCL_HASH, 1);
	put_u32(OFF_EXCL_HASH_SIZE, 32);
	strcpy(ab.attr.map_name, "bad-name");
	ck_errno(create(), EINVAL);
	memset(ab.attr.map_name, 0, sizeof(ab.attr.map_name));
	ab.attr.btf_value_type_id = 1;
	ab.attr.btf_fd = NOT_OPEN_FD;
	ck_errno(create(), EBADF);
	strcpy(ab.attr.map_name, "bad-name");
	ck_errno(create(), EINVAL);
	/* size without hash still comes after BTF */
	memset(ab.attr.map_name, 0, sizeof(ab.attr.map_name));
	put_u64(OFF_EXCL_HASH, 0);
	put_u32(OFF_EXCL_HASH_SIZE, 16);
	ck_errno(create(), EBADF);
}
END_TEST

START_TEST(create_several_faults_earliest_wins)
{
	/* map_extra (step 4) before RDONLY|WRONLY (5) before value_size (8) */
	map_attr(3, 0, BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_MMAPABLE);
	ab.attr.map_extra = 1;
	ck_errno(create(), EINVAL);
	/* a bad type with a token flag: the type check comes first */
	map_attr(8, 4, F_TOKEN_FD);
	ab.attr.map_type = 0;
	put_u32(OFF_MAP_TOKEN_FD, NOT_OPEN_FD);
	ck_errno(create(), EINVAL);
}
END_TEST

/* ============================================================ names */

START_TEST(name_rules)
{
	static const struct {
		const char *name;
		int err;
	} cases[] = {
		{ "", 0 }, { "rsa_map.v1", 0 }, { "A.b_9", 0 },
		{ "0123456789abcde", 0 },
		{ "bad-name", EINVAL }, { "a b", EINVAL }, { "x\ty", EINVAL },
		{ "x\x7fy", EINVAL },
		/* the kernel's ctype is Latin-1: letters 0xC0-0xFF count */
		{ "x\xe9y", 0 }, { "x\xc0y", 0 }, { "x\xdfy", 0 },
		{ "x\xffy", 0 }, { "\xff\xfe\xc0", 0 },
		/* but not x (0xD7), / (0xF7), or other high bytes */
		{ "x\xd7y", EINVAL }, { "x\xf7y", EINVAL },
		{ "x\x80y", EINVAL }, { "x\xaay", EINVAL },
		{ "x\xb5y", EINVAL }, { "x\xbfy", EINVAL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		map_attr(8, 4, 0);
		strcpy(ab.attr.map_name, cases[i].name);
		if (cases[i].err) {
			ck_errno(create(), cases[i].err);
		} else {
			int fd = (int)ck_ok(create());

			ck_assert_str_eq(map_info(fd).name, cases[i].name);
			sys_close(fd);
		}
	}
}
END_TEST

START_TEST(name_needs_a_nul_within_16_bytes)
{
	int fd;

	map_attr(8, 4, 0);
	memset(ab.attr.map_name, 'a', 16);
	ck_errno(create(), EINVAL);
	/* bytes after the NUL are not looked at */
	memcpy(ab.attr.map_name, "ab\0-#", 5);
	fd = (int)ck_ok(create());
	ck_assert_str_eq(map_info(fd).name, "ab");
	sys_close(fd);
}
END_TEST

/* ============================================================ privileges */

START_TEST(priv_nobody_cannot_create)
{
	map_attr(8, 4, 0);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EPERM);
}
END_TEST

START_TEST(priv_attribute_errors_come_first)
{
	map_attr(3, 4, 0);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EINVAL);
	map_attr(8, 4, 0);
	ab.attr.map_type = 9999;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EINVAL);
	map_attr(8, 4, BPF_F_NUMA_NODE);
	ab.attr.numa_node = 1000;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EINVAL);
	/* the token lookup too */
	map_attr(8, 4, F_TOKEN_FD);
	put_u32(OFF_MAP_TOKEN_FD, NOT_OPEN_FD);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EBADF);
}
END_TEST

START_TEST(priv_checked_before_allocation_and_name)
{
	map_attr(8, 4, 0);
	strcpy(ab.attr.map_name, "bad-name");
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EPERM);
	map_attr(8, 0xffffffff, 0);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EPERM);
	map_attr(8, 4, 0);
	ab.attr.map_ifindex = 1;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_CREATE), EPERM);
}
END_TEST

START_TEST(priv_which_capabilities)
{
	map_attr(8, 4, 0);
	ck_assert_int_eq(bpf_as(0, BPF_MAP_CREATE), EPERM);
	ck_assert_int_eq(bpf_as(CAPS(CAP_NET_ADMIN), BPF_MAP_CREATE), EPERM);
	ck_assert_int_eq(bpf_as(CAPS(CAP_BPF), BPF_MAP_CREATE), 0);
	ck_assert_int_eq(bpf_as(CAPS(CAP_SYS_ADMIN), BPF_MAP_CREATE), 0);
}
END_TEST

START_TEST(priv_offload_needs_sys_admin)
{
	map_attr(8, 4, 0);
	ab.attr.map_ifindex = 1;
	ck_assert_int_eq(bpf_as(CAPS(CAP_BPF), BPF_MAP_CREATE), EPERM);
	ck_assert_int_eq(bpf_as(CAPS(CAP_NET_ADMIN), BPF_MAP_CREATE), EPERM);
	ck_assert_int_eq(bpf_as(CAPS(CAP_SYS_ADMIN), BPF_MAP_CREATE), EINVAL);
	/* CAP_BPF alone: the offload allocator refuses, name never read */
	strcpy(ab.attr.map_name, "bad-name");
	ck_assert_int_eq(bpf_as(CAPS(CAP_BPF), BPF_MAP_CREATE), EPERM);
}
END_TEST

START_TEST(priv_existing_fd_needs_nothing)
{
	int fd = mk_map(8, 4, 0);
	u32 key = 0, next = 77;
	unsigned char buf[INFO_SIZE] = { 0 };

	attr_zero();
	ab.attr.map_fd = (u32)fd;
	ab.attr.key = (uintptr_t)&key;
	ab.attr.next_key = (uintptr_t)&next;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_GET_NEXT_KEY), 0);
	ab.attr.key = (uintptr_t)&key;
	ab.attr.value = (uintptr_t)&next;
	ab.attr.flags = 0;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_LOOKUP_ELEM), ENOENT);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_DELETE_ELEM), EINVAL);
	ab.attr.value = 0;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_DELETE_ELEM), ENOENT);
	attr_zero();
	ab.attr.info.bpf_fd = (u32)fd;
	ab.attr.info.info = (uintptr_t)buf;
	ab.attr.info.info_len = sizeof(buf);
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_OBJ_GET_INFO_BY_FD), 0);
	attr_zero();
	ab.attr.map_fd = (u32)fd;
	ck_assert_int_eq(bpf_as(AS_NOBODY, BPF_MAP_FREEZE), 0);
	sys_close(fd);
}
END_TEST

/* ============================================================ info */

START_TEST(info_flags_drop_descriptor_bits)
{
	static const struct {
		u32 flags, shown;
	} cases[] = {
		{ BPF_F_RDONLY, 0 }, { BPF_F_WRONLY, 0 },
		{ BPF_F_RDONLY_PROG, 0x80 }, { BPF_F_WRONLY_PROG, 0x100 },
		{ BPF_F_NUMA_NODE, 0x4 },
		{ BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE | BPF_F_WRONLY, 0x84 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int fd = mk_map(4, 7, cases[i].flags);
		struct bpf_map_info mi = map_info(fd);

		ck_assert_uint_eq(mi.map_flags, cases[i].shown);
		ck_assert_uint_eq(mi.value_size, 4);
		ck_assert_uint_eq(mi.max_entries, 7);
		ck_assert_uint_eq(mi.map_extra, 0);
		sys_close(fd);
	}
}
END_TEST

START_TEST(info_len_exchange)
{
	int fd = mk_map(8, 4, 0);
	unsigned char buf[4096];
	u32 len;

	/* 0 bytes: nothing written, 0 written back */
	memset(buf, 0xee, sizeof(buf));
	ck_ok(info(fd, buf, 0, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(buf[0], 0xee);
	ck_ok(info(fd, NULL, 0, &len));
	/* 5 bytes: exactly 5 */
	ck_ok(info(fd, buf, 5, &len));
	ck_assert_uint_eq(len, 5);
	ck_assert_uint_eq(buf[0], 20);
	ck_assert_uint_eq(buf[4], map_info(fd).id & 0xff);
	memset(buf, 0xee, sizeof(buf));
	ck_ok(info(fd, buf, 5, &len));
	ck_assert_uint_eq(buf[5], 0xee);
	/* a whole page of zeros: the 6.18 struct's 104 bytes */
	memset(buf, 0, sizeof(buf));
	ck_ok(info(fd, buf, sizeof(buf), &len));
	ck_assert_uint_eq(len, INFO_SIZE);
	ck_errno(info(fd, buf, 4097, &len), E2BIG);
	sys_close(fd);
}
END_TEST

START_TEST(info_tail_and_hash_fields)
{
	int fd = mk_map(8, 4, 0);
	unsigned char buf[4096];
	u32 len;

	/* beyond the struct: must be zero */
	memset(buf, 0, sizeof(buf));
	buf[104] = 1;
	ck_errno(info(fd, buf, sizeof(buf), &len), E2BIG);
	ck_assert_int_eq(info(fd, buf, 104, &len), 0);
	/* the 4 padding bytes after hash_size count as tail too (6.18) */
	for (int off = 100; off < 104; off++) {
		memset(buf, 0, sizeof(buf));
		buf[off] = 0x40;
		ck_errno(info(fd, buf, off + 1, &len), E2BIG);
		ck_errno(info(fd, buf, sizeof(buf), &len), E2BIG);
	}
	/* ... and are checked before the hash fields */
	memset(buf, 0, sizeof(buf));
	buf[100] = 1;
	buf[88] = 1;
	ck_errno(info(fd, buf, 101, &len), E2BIG);
	/* hash (88) or hash_size (96) set: this map cannot be hashed */
	for (int off = 88; off < 100; off++) {
		memset(buf, 0, sizeof(buf));
		buf[off] = 1;
		ck_errno(info(fd, buf, 100, &len), EINVAL);
	}
	/* unless the buffer is too short to hold them */
	memset(buf, 0, sizeof(buf));
	buf[88] = 1;
	ck_ok(info(fd, buf, 88, &len));
	sys_close(fd);
}
END_TEST

START_TEST(info_unfilled_fields_echo_the_caller)
{
	int fd = mk_map(8, 4, 0);
	struct bpf_map_info mi;
	unsigned char buf[INFO_SIZE];

	memset(buf, 0xff, 88);
	memset(buf + 88, 0, INFO_SIZE - 88);
	ck_ok(info(fd, buf, sizeof(buf), NULL));
	memcpy(&mi, buf, sizeof(mi));
	ck_assert_uint_eq(mi.type, 20);
	ck_assert_uint_eq(mi.key_size, 4);
	ck_assert_str_eq(mi.name, "");
	ck_assert_uint_eq(mi.btf_vmlinux_value_type_id, 0);
	ck_assert_uint_eq(mi.map_extra, 0);
	/* not a device map, no BTF: left as sent */
	ck_assert_uint_eq(mi.ifindex, 0xffffffff);
	ck_assert_uint_eq(mi.netns_dev, ~0ULL);
	ck_assert_uint_eq(mi.netns_ino, ~0ULL);
	ck_assert_uint_eq(mi.btf_id, 0xffffffff);
	ck_assert_uint_eq(mi.btf_key_type_id, 0xffffffff);
	ck_assert_uint_eq(mi.btf_value_type_id, 0xffffffff);
	sys_close(fd);
}
END_TEST

START_TEST(info_faults)
{
	int fd = mk_map(8, 4, 0);
	unsigned char *edge;
	union bpf_attr *ro;
	unsigned char buf[INFO_SIZE] = { 0 };

	ck_errno(info(fd, NULL, 8, NULL), EFAULT);
	ck_errno(info(fd, NULL, 200, NULL), EFAULT);
	ck_errno(info(fd, (void *)"0123456789012345678901234567890123456789",
		      40, NULL), EFAULT);
	edge = before_hole(88);
	ck_ok(info(fd, edge, 88, NULL));
	ck_errno(info(fd, edge, 200, NULL), EFAULT);
	edge = before_hole(50);
	ck_errno(info(fd, edge, 88, NULL), EFAULT);

	/* info_len cannot be written back: EFAULT, but the info was */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(ro != MAP_FAILED);
	ro->info.bpf_fd = (u32)fd;
	ro->info.info = (uintptr_t)buf;
	ro->info.info_len = sizeof(buf);
	ck_assert_int_eq(mprotect(ro, 4096, PROT_READ), 0);
	ck_errno(sys_bpf(BPF_OBJ_GET_INFO_BY_FD, ro, 168), EFAULT);
	ck_assert_uint_eq(buf[0], 20);
	sys_close(fd);
}
END_TEST

START_TEST(info_descriptors)
{
	unsigned char buf[INFO_SIZE] = { 0 };
	int dn = devnull(), fd = mk_map(8, 4, 0);

	ck_errno(info(NOT_OPEN_FD, buf, sizeof(buf), NULL), EBADFD);
	ck_errno(info(-1, buf, sizeof(buf), NULL), EBADFD);
	ck_errno(info(dn, buf, sizeof(buf), NULL), EINVAL);
	sys_close(fd);
	ck_errno(info(fd, buf, sizeof(buf), NULL), EBADFD);
	close(dn);
}
END_TEST

/* ============================================================ elements */

START_TEST(elem_descriptor_errors)
{
	static const int cmds[] = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM,
				    BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY,
				    BPF_MAP_LOOKUP_AND_DELETE_ELEM };
	int dn = devnull();
	u32 key = 0;
	u64 value = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		/* DELETE ends at key: its value must stay 0 */
		void *v = cmds[i] == BPF_MAP_DELETE_ELEM ? NULL : &value;

		ck_errno(elem(cmds[i], NOT_OPEN_FD, &key, v, 0), EBADF);
		ck_errno(elem(cmds[i], -1, &key, v, 0), EBADF);
		ck_errno(elem(cmds[i], 0x7fffffff, &key, v, 0), EBADF);
		ck_errno(elem(cmds[i], dn, &key, v, 0), EINVAL);
	}
	ck_errno(freeze(NOT_OPEN_FD), EBADF);
	ck_errno(freeze(dn), EINVAL);
	for (int cmd = BPF_MAP_LOOKUP_BATCH; cmd <= BPF_MAP_DELETE_BATCH;
	     cmd++) {
		ck_errno(batch(cmd, NOT_OPEN_FD), EBADF);
		ck_errno(batch(cmd, dn), EINVAL);
	}
	close(dn);
}
END_TEST

START_TEST(elem_lookup_order)
{
	int fd = mk_map(8, 4, 0), wo = mk_map(8, 4, BPF_F_WRONLY);
	u32 key = 0;
	u64 value = 0;

	/* unknown flag: before the descriptor */
	ck_errno(lookup(NOT_OPEN_FD, &key, &value, 1), EINVAL);
	ck_errno(lookup(NOT_OPEN_FD, &key, &value, 1ULL << 40), EINVAL);
	/* BPF_F_LOCK: after descriptor and permission */
	ck_errno(lookup(NOT_OPEN_FD, &key, &value, BPF_F_LOCK), EBADF);
	ck_errno(lookup(wo, &key, &value, BPF_F_LOCK), EPERM);
	ck_errno(lookup(wo, NULL, &value, 0), EPERM);
	ck_errno(lookup(fd, NULL, &value, BPF_F_LOCK), EINVAL);
	/* then the key */
	ck_errno(lookup(fd, NULL, &value, 0), EFAULT);
	ck_errno(lookup(fd, before_hole(2), &value, 0), EFAULT);
	sys_close(fd);
	sys_close(wo);
}
END_TEST

START_TEST(elem_lookup_results)
{
	int fd = mk_map(8, 4, 0), fd4 = mk_map(4, 4, 0);
	u32 keys[] = { 0, 3, 4, 0xffffffff };
	u64 value = 0x1122334455667788ULL;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		ck_errno(lookup(fd, &keys[i], &value, 0), ENOENT);
		ck_errno(lookup(fd4, &keys[i], &value, 0), ENOSPC);
	}
	/* nothing is written on error */
	ck_assert_uint_eq(value, 0x1122334455667788ULL);
	ck_errno(lookup(fd, &keys[1], NULL, 0), ENOENT);
	/* the key is read even when the answer cannot depend on it */
	ck_errno(lookup(fd4, NULL, &value, 0), EFAULT);
	sys_close(fd);
	sys_close(fd4);
}
END_TEST

START_TEST(elem_update_order)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	u32 key = 0;
	u64 value = 0;

	/* permission first, whatever the flags or pointers */
	ck_errno(update(ro, &key, &value, 3), EPERM);
	ck_errno(update(ro, &key, &value, BPF_F_LOCK), EPERM);
	ck_errno(update(ro, NULL, NULL, 0), EPERM);
	/* then BPF_F_LOCK, before the key */
	ck_errno(update(fd, NULL, NULL, BPF_F_LOCK), EINVAL);
	ck_errno(update(fd, &key, &value, BPF_F_LOCK | 1), EINVAL);
	/* then key and value, before the map judges the flags */
	ck_errno(update(fd, NULL, &value, 3), EFAULT);
	ck_errno(update(fd, &key, NULL, 3), EFAULT);
	ck_errno(update(fd, &key, before_hole(4), 0), EFAULT);
	/* the map's own checks */
	ck_errno(update(fd, &key, &value, 3), EINVAL);
	ck_errno(update(fd, &key, &value, 1ULL << 40), EINVAL);
	sys_close(fd);
	sys_close(ro);
}
END_TEST

START_TEST(elem_update_values)
{
	int fd = mk_map(8, 4, 0), fd4 = mk_map(4, 4, 0), dn = devnull();
	int closed = mk_map(8, 4, 0);
	u32 key = 4;
	u64 v64 = ~0ULL;
	s32 v32 = -1;

	sys_close(closed);
	/* scenario 9: index out of range is E2BIG, but flags come first */
	ck_errno(update(fd, &key, &v64, BPF_ANY), E2BIG);
	ck_errno(update(fd, &key, &v64, 3), EINVAL);
	ck_errno(update(fd, &key, &v64, BPF_NOEXIST), E2BIG);
	/* scenario 11: a u64 descriptor above INT_MAX */
	key = 0;
	ck_errno(update(fd, &key, &v64, BPF_ANY), EINVAL);
	v64 = 0x80000000ULL;
	ck_errno(update(fd, &key, &v64, BPF_ANY), EINVAL);
	v64 = (1ULL << 32) | (u64)fd;
	ck_errno(update(fd, &key, &v64, BPF_ANY), EINVAL);
	v64 = 0x7fffffff;
	ck_errno(update(fd, &key, &v64, BPF_ANY), EBADF);
	/* scenario 12: a 4-byte value is an s32 descriptor */
	ck_errno(update(fd4, &key, &v32, BPF_ANY), EBADF);
	v32 = 0x7fffffff;
	ck_errno(update(fd4, &key, &v32, BPF_ANY), EBADF);
	/* scenario 13: open, but not a socket; or no longer open */
	v64 = (u64)dn;
	ck_errno(update(fd, &key, &v64, BPF_ANY), ENOTSOCK);
	v64 = (u64)fd;
	ck_errno(update(fd, &key, &v64, BPF_ANY), ENOTSOCK);
	v64 = (u64)closed;
	ck_errno(update(fd, &key, &v64, BPF_ANY), EBADF);
	close(dn);
	sys_close(fd);
	sys_close(fd4);
}
END_TEST

START_TEST(elem_delete_order)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	u32 key = 4;
	u64 value = 0;

	/* value and flags are past DELETE's last field */
	ck_errno(elem(BPF_MAP_DELETE_ELEM, NOT_OPEN_FD, &key, &value, 0),
		 EINVAL);
	ck_errno(elem(BPF_MAP_DELETE_ELEM, fd, &key, &value, 0), EINVAL);
	ck_errno(elem(BPF_MAP_DELETE_ELEM, fd, &key, NULL, 1), EINVAL);
	ck_errno(delete(ro, &key), EPERM);
	ck_errno(delete(ro, NULL), EPERM);
	ck_errno(delete(fd, NULL), EFAULT);
	ck_errno(delete(fd, &key), E2BIG);
	key = 0xffffffff;
	ck_errno(delete(fd, &key), E2BIG);
	key = 3;
	ck_errno(delete(fd, &key), ENOENT);
	sys_close(fd);
	sys_close(ro);
}
END_TEST

START_TEST(elem_permissions)
{
	int ro = mk_map(8, 4, BPF_F_RDONLY), wo = mk_map(8, 4, BPF_F_WRONLY);
	u32 key = 3, next;
	u64 value = 0;

	/* scenario 38 */
	ck_errno(update(ro, &key, &value, BPF_ANY), EPERM);
	ck_errno(delete(ro, &key), EPERM);
	ck_errno(lookup(ro, &key, &value, 0), ENOENT);
	ck_ok(next_key(ro, NULL, &next));
	ck_errno(lookup(wo, &key, &value, 0), EPERM);
	ck_errno(next_key(wo, &key, &next), EPERM);
	ck_errno(delete(wo, &key), ENOENT);
	value = 0x7fffffff;	/* past the permission check: not an fd */
	ck_errno(update(wo, &key, &value, BPF_ANY), EBADF);
	sys_close(ro);
	sys_close(wo);
}
END_TEST

START_TEST(elem_dup_shares_permissions)
{
	int ro = mk_map(8, 4, BPF_F_RDONLY), d;
	u32 key = 0;

	d = (int)ck_ok(sys_dup(ro));
	ck_assert_int_eq(sys_close(ro), 0);
	ck_errno(delete(d, &key), EPERM);
	ck_errno(lookup(d, &key, &key, 0), ENOENT);
	ck_assert_uint_eq(map_info(d).max_entries, 4);
	sys_close(d);
}
END_TEST

/* ============================================================ next key */

START_TEST(next_key_arithmetic)
{
	int fd = mk_map(8, 4, 0), fd5 = mk_map(8, 5, 0), fd1 = mk_map(8, 1, 0);
	u32 key, next;

	/* scenario 35 */
	next = 77;
	ck_ok(next_key(fd, NULL, &next));
	ck_assert_uint_eq(next, 0);
	key = 0;
	ck_ok(next_key(fd, &key, &next));
	ck_assert_uint_eq(next, 1);
	key = 2;
	ck_ok(next_key(fd, &key, &next));
	ck_assert_uint_eq(next, 3);
	key = 3;
	next = 77;
	ck_errno(next_key(fd, &key, &next), ENOENT);
	ck_assert_uint_eq(next, 77);
	key = 4;
	ck_ok(next_key(fd, &key, &next));
	ck_assert_uint_eq(next, 0);
	key = 0xffffffff;
	next = 77;
	ck_ok(next_key(fd, &key, &next));
	ck_assert_uint_eq(next, 0);
	/* scenario 36 */
	key = 3;
	ck_ok(next_key(fd5, &key, &next));
	ck_assert_uint_eq(next, 4);
	key = 4;
	ck_errno(next_key(fd5, &key, &next), ENOENT);
	key = 5;
	ck_ok(next_key(fd5, &key, &next));
	ck_assert_uint_eq(next, 0);
	next = 77;
	ck_ok(next_key(fd1, NULL, &next));
	ck_assert_uint_eq(next, 0);
	key = 0;
	ck_errno(next_key(fd1, &key, &next), ENOENT);
	sys_close(fd);
	sys_close(fd5);
	sys_close(fd1);
}
END_TEST

START_TEST(next_key_faults)
{
	int fd = mk_map(4, 4, 0);
	u32 key = 3, next;

	/* scenario 37 */
	ck_errno(next_key(fd, NULL, NULL), EFAULT);
	ck_errno(next_key(fd, &key, NULL), ENOENT);
	ck_errno(next_key(fd, (void *)1, &next), EFAULT);
	ck_errno(next_key(fd, NULL, (void *)"abcd"), EFAULT);
	/* flags is past the last field */
	ck_errno(elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, &next, 1), EINVAL);
	sys_close(fd);
}
END_TEST

/* ======================================================= other commands */

START_TEST(lookup_and_delete)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	int wo = mk_map(8, 4, BPF_F_WRONLY);
	u32 key = 0;
	u64 value;

	ck_errno(lad(fd, &key, &value, 0), ENOTSUPP);
	ck_errno(lad(fd, &key, NULL, 0), ENOTSUPP);
	ck_errno(lad(fd, &key, &value, 1), EINVAL);
	ck_errno(lad(NOT_OPEN_FD, &key, &value, 1), EINVAL);
	ck_errno(lad(ro, NULL, &value, 0), EPERM);
	ck_errno(lad(wo, NULL, &value, 0), EPERM);
	ck_errno(lad(fd, NULL, &value, BPF_F_LOCK), EINVAL);
	ck_errno(lad(fd, NULL, &value, 0), EFAULT);
	sys_close(fd);
	sys_close(ro);
	sys_close(wo);
}
END_TEST

START_TEST(batch_commands)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	int wo = mk_map(8, 4, BPF_F_WRONLY);

	for (int cmd = BPF_MAP_LOOKUP_BATCH; cmd <= BPF_MAP_DELETE_BATCH;
	     cmd++)
		ck_errno(batch(cmd, fd), ENOTSUPP);
	/* lookups need read, everything else write */
	ck_errno(batch(BPF_MAP_LOOKUP_BATCH, ro), ENOTSUPP);
	ck_errno(batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, ro), EPERM);
	ck_errno(batch(BPF_MAP_UPDATE_BATCH, ro), EPERM);
	ck_errno(batch(BPF_MAP_DELETE_BATCH, ro), EPERM);
	ck_errno(batch(BPF_MAP_LOOKUP_BATCH, wo), EPERM);
	ck_errno(batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, wo), EPERM);
	ck_errno(batch(BPF_MAP_UPDATE_BATCH, wo), ENOTSUPP);
	ck_errno(batch(BPF_MAP_DELETE_BATCH, wo), ENOTSUPP);
	/* the descriptor is batch.map_fd: attr.map_fd (offset 0) is in_batch */
	attr_zero();
	ab.attr.map_fd = (u32)fd;
	ab.attr.batch.map_fd = NOT_OPEN_FD;
	ck_errno(sys_bpf(BPF_MAP_LOOKUP_BATCH, &ab.attr, 168), EBADF);
	sys_close(fd);
	sys_close(ro);
	sys_close(wo);
}
END_TEST

START_TEST(freeze_rules)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	int wo = mk_map(8, 4, BPF_F_WRONLY), d;
	u32 key = 3, next;
	u64 value = 0x7fffffff;

	/* scenario 40 */
	ck_assert_int_eq(freeze(fd), 0);
	ck_errno(freeze(fd), EPERM);
	ck_errno(update(fd, &key, &value, BPF_ANY), EPERM);
	ck_errno(delete(fd, &key), EPERM);
	ck_errno(lookup(fd, &key, &value, 0), ENOENT);
	ck_ok(next_key(fd, NULL, &next));
	ck_errno(lad(fd, &key, &value, 0), EPERM);
	ck_errno(batch(BPF_MAP_LOOKUP_BATCH, fd), ENOTSUPP);
	ck_errno(batch(BPF_MAP_DELETE_BATCH, fd), EPERM);
	/* frozen is the map's state: every descriptor loses write */
	d = (int)ck_ok(sys_dup(fd));
	ck_errno(delete(d, &key), EPERM);
	sys_close(d);
	/* a read-only descriptor cannot freeze; a write-only one can */
	ck_errno(freeze(ro), EPERM);
	ck_assert_int_eq(freeze(wo), 0);
	ck_errno(freeze(wo), EPERM);
	ck_errno(batch(BPF_MAP_UPDATE_BATCH, wo), EPERM);
	/* attributes past map_fd */
	attr_zero();
	ab.attr.map_fd = (u32)ro;
	ab.raw[4] = 1;
	ck_errno(sys_bpf(BPF_MAP_FREEZE, &ab.attr, 168), EINVAL);
	sys_close(fd);
	sys_close(ro);
	sys_close(wo);
}
END_TEST

/* ============================================================ internals */

START_TEST(internal_map_get_references)
{
	int fd = mk_map(8, 4, 0), dn = devnull();
	struct bpf_map *map;

	ck_assert_int_eq(PTR_ERR(bpf_map_get(NOT_OPEN_FD)), -EBADF);
	ck_assert_int_eq(PTR_ERR(bpf_map_get(dn)), -EINVAL);
	map = bpf_map_get(fd);
	ck_assert(!IS_ERR(map));
	ck_assert_int_eq(refcount_read(&map->refcnt), 2);
	ck_assert_ptr_eq(map->ops, &reuseport_array_ops);
	ck_assert_uint_eq(map->map_type, 20);
	/* the descriptor goes; our reference keeps the map */
	ck_assert_int_eq(sys_close(fd), 0);
	ck_assert_int_eq(refcount_read(&map->refcnt), 1);
	ck_assert_uint_eq(map->max_entries, 4);
	ck_assert_int_eq(PTR_ERR(bpf_map_get(fd)), -EBADF);
	bpf_map_put(map);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
	close(dn);
}
END_TEST

START_TEST(internal_free_is_deferred)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = mk_map(8, 4, 0);
	int one = 1, err, u;
	struct bpf_map *map = bpf_map_get(fd);
	struct socket *sock;
	u64 val;
	u32 key = 0;

	ck_assert(!IS_ERR(map));
	u = sys_socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(u, 0);
	ck_assert_int_eq(sys_setsockopt(u, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	ck_assert_int_eq(sys_bind(u, (struct sockaddr *)&sin, sizeof(sin)), 0);
	val = (u64)u;
	ck_assert_int_eq(update(fd, &key, &val, BPF_ANY), 0);
	sock = sockfd_lookup(u, &err);
	ck_assert_ptr_nonnull(sock);
	sys_close(fd);
	/*
	 * Drop the last reference while holding the socket's callback lock:
	 * the free takes that lock, so a free run by the caller would abort
	 * (recursive locking).  Queued on the workqueue, it waits for the
	 * lock, then clears the socket's back-pointer.
	 */
	write_lock_bh(&sock->sk->sk_callback_lock);
	bpf_map_put(map);
	ck_assert_ptr_nonnull(sock->sk->sk_user_data);
	write_unlock_bh(&sock->sk->sk_callback_lock);
	flush_workqueue(system_unbound_wq);	/* the deferred map free */
	ck_assert_ptr_null(READ_ONCE(sock->sk->sk_user_data));
	sockfd_put(sock);
	sys_close(u);
	rcu_barrier();
}
END_TEST

START_TEST(internal_freeze_waits_for_writers)
{
	int fd = mk_map(8, 4, 0);
	struct bpf_map *map = bpf_map_get(fd);

	ck_assert(!IS_ERR(map));
	/* a writer is between bpf_map_write_active_inc() and _dec() */
	__atomic_add_fetch(&map->writecnt, 1, __ATOMIC_SEQ_CST);
	ck_errno(freeze(fd), EBUSY);
	ck_assert(!map->frozen);
	__atomic_sub_fetch(&map->writecnt, 1, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(freeze(fd), 0);
	ck_assert(map->frozen);
	/* failed and finished updates leave no writer behind */
	ck_assert_int_eq(map->writecnt, 0);
	bpf_map_put(map);
	sys_close(fd);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
}
END_TEST

START_TEST(internal_writers_are_uncounted_after_errors)
{
	int fd = mk_map(8, 4, 0), ro = mk_map(8, 4, BPF_F_RDONLY);
	struct bpf_map *map = bpf_map_get(fd), *rmap = bpf_map_get(ro);
	u32 key = 9;
	u64 value = ~0ULL;

	ck_errno(update(fd, &key, &value, 0), E2BIG);
	ck_errno(update(fd, NULL, &value, 0), EFAULT);
	ck_errno(delete(fd, &key), E2BIG);
	ck_errno(lad(fd, &key, &value, 0), ENOTSUPP);
	ck_errno(batch(BPF_MAP_UPDATE_BATCH, fd), ENOTSUPP);
	ck_errno(update(ro, &key, &value, 0), EPERM);
	ck_errno(batch(BPF_MAP_DELETE_BATCH, ro), EPERM);
	ck_assert_int_eq(map->writecnt, 0);
	ck_assert_int_eq(rmap->writecnt, 0);
	ck_assert_int_eq(freeze(fd), 0);
	bpf_map_put(map);
	bpf_map_put(rmap);
	sys_close(fd);
	sys_close(ro);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
}
END_TEST

START_TEST(internal_area_alloc)
{
	u64 phys = (u64)sysconf(_SC_PHYS_PAGES) * (u64)sysconf(_SC_PAGESIZE);
	unsigned char *p = bpf_map_area_alloc(4096, NUMA_NO_NODE);

	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 4096; i++)
		ck_assert_uint_eq(p[i], 0);
	bpf_map_area_free(p);
	ck_assert_ptr_null(bpf_map_area_alloc(phys + 1, 0));
	ck_assert_ptr_null(bpf_map_area_alloc(U64_MAX, NUMA_NO_NODE));
	bpf_map_area_free(NULL);
}
END_TEST

START_TEST(internal_array_alloc_check)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	ck_assert_int_eq(array_map_alloc_check(&a), 0);
	a.map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP;	/* plain array only */
	ck_assert_int_eq(array_map_alloc_check(&a), 0);
	a.map_flags = BPF_F_PRESERVE_ELEMS;
	ck_assert_int_eq(array_map_alloc_check(&a), -EINVAL);
	a.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	ck_assert_int_eq(array_map_alloc_check(&a), 0);
	a.map_flags = 0;
	a.value_size = (u32)INT_MAX + 1;
	ck_assert_int_eq(array_map_alloc_check(&a), -E2BIG);
	a.map_type = BPF_MAP_TYPE_PERCPU_ARRAY;
	a.value_size = 32768;
	ck_assert_int_eq(array_map_alloc_check(&a), 0);
	a.value_size = 32769;
	ck_assert_int_eq(array_map_alloc_check(&a), -E2BIG);
	a.value_size = 8;
	a.map_flags = BPF_F_NUMA_NODE;
	ck_assert_int_eq(array_map_alloc_check(&a), -EINVAL);
	a.numa_node = (u32)NUMA_NO_NODE;
	ck_assert_int_eq(array_map_alloc_check(&a), 0);
}
END_TEST

START_TEST(internal_meta_equal)
{
	int a = mk_map(8, 4, 0), b = mk_map(8, 9, BPF_F_WRONLY);
	int c = mk_map(4, 4, 0), d = mk_map(8, 4, BPF_F_RDONLY_PROG);
	struct bpf_map *ma = bpf_map_get(a), *mb = bpf_map_get(b);
	struct bpf_map *mc = bpf_map_get(c), *md = bpf_map_get(d);

	/* max_entries and descriptor-only flags do not matter */
	ck_assert(bpf_map_meta_equal(ma, mb));
	ck_assert(ma->ops->map_meta_equal(ma, mb));
	ck_assert(!bpf_map_meta_equal(ma, mc));
	ck_assert(!bpf_map_meta_equal(ma, md));
	bpf_map_put(ma);
	bpf_map_put(mb);
	bpf_map_put(mc);
	bpf_map_put(md);
	sys_close(a);
	sys_close(b);
	sys_close(c);
	sys_close(d);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
}
END_TEST

/* ============================================================ suite */

/**
 * The bpf(2) layer's suite.
 * @return a Check suite with one test case per area
 */
Suite *syscall_suite(void)
{
	Suite *s = suite_create("syscall");
	TCase *tc;

	tc = tcase_create("attr");
	tcase_add_test(tc, attr_size_over_a_page_is_e2big);
	tcase_add_test(tc, attr_unreadable_is_efault);
	tcase_add_test(tc, attr_size_zero_reads_nothing);
	tcase_add_test(tc, attr_unknown_commands_are_einval);
	tcase_add_test(tc, attr_unmodelled_commands_are_einval);
	tcase_add_test(tc, attr_tail_beyond_kernel_size_must_be_zero);
	tcase_add_test(tc, attr_short_block_is_zero_extended);
	tcase_add_test(tc, attr_tail_read_up_to_a_hole);
	suite_add_tcase(s, tc);

	tc = tcase_create("check_attr");
	tcase_add_loop_test(tc, check_attr_every_command, 0,
			    ARRAY_SIZE(last_field));
	tcase_add_test(tc, check_attr_lookup_lock_flag_passes);
	tcase_add_test(tc, check_attr_map_create);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_test(tc, create_accepts_the_spec_shapes);
	tcase_add_test(tc, create_descriptor_is_a_cloexec_fd);
	tcase_add_test(tc, create_ids_are_distinct);
	tcase_add_test(tc, create_bad_shapes_are_einval);
	tcase_add_test(tc, create_bad_types_are_einval);
	tcase_add_test(tc, create_unported_types_are_einval);
	tcase_add_test(tc, create_bad_flags_are_einval);
	tcase_add_test(tc, create_btf_id_combinations);
	tcase_add_test(tc, create_btf_fd_is_never_btf);
	tcase_add_test(tc, create_numa_node);
	tcase_add_test(tc, create_offload_ifindex);
	tcase_add_test(tc, create_token_fd);
	tcase_add_test(tc, create_too_big_is_enomem);
	tcase_add_test(tc, create_excl_prog_hash);
	tcase_add_test(tc, create_late_checks_order);
	tcase_add_test(tc, create_several_faults_earliest_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("name");
	tcase_add_test(tc, name_rules);
	tcase_add_test(tc, name_needs_a_nul_within_16_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("privilege");
	tcase_add_test(tc, priv_nobody_cannot_create);
	tcase_add_test(tc, priv_attribute_errors_come_first);
	tcase_add_test(tc, priv_checked_before_allocation_and_name);
	tcase_add_test(tc, priv_which_capabilities);
	tcase_add_test(tc, priv_offload_needs_sys_admin);
	tcase_add_test(tc, priv_existing_fd_needs_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("info");
	tcase_add_test(tc, info_flags_drop_descriptor_bits);
	tcase_add_test(tc, info_len_exchange);
	tcase_add_test(tc, info_tail_and_hash_fields);
	tcase_add_test(tc, info_unfilled_fields_echo_the_caller);
	tcase_add_test(tc, info_faults);
	tcase_add_test(tc, info_descriptors);
	suite_add_tcase(s, tc);

	tc = tcase_create("elem");
	tcase_add_test(tc, elem_descriptor_errors);
	tcase_add_test(tc, elem_lookup_order);
	tcase_add_test(tc, elem_lookup_results);
	tcase_add_test(tc, elem_update_order);
	tcase_add_test(tc, elem_update_values);
	tcase_add_test(tc, elem_delete_order);
	tcase_add_test(tc, elem_permissions);
	tcase_add_test(tc, elem_dup_shares_permissions);
	suite_add_tcase(s, tc);

	tc = tcase_create("next_key");
	tcase_add_test(tc, next_key_arithmetic);
	tcase_add_test(tc, next_key_faults);
	suite_add_tcase(s, tc);

	tc = tcase_create("other");
	tcase_add_test(tc, lookup_and_delete);
	tcase_add_test(tc, batch_commands);
	tcase_add_test(tc, freeze_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("internal");
	tcase_add_test(tc, internal_map_get_references);
	tcase_add_test(tc, internal_free_is_deferred);
	tcase_add_test(tc, internal_freeze_waits_for_writers);
	tcase_add_test(tc, internal_writers_are_uncounted_after_errors);
	tcase_add_test(tc, internal_area_alloc);
	tcase_add_test(tc, internal_array_alloc_check);
	tcase_add_test(tc, internal_meta_equal);
	suite_add_tcase(s, tc);

	return s;
}

/**
 * Run the suite.
 * @return EXIT_SUCCESS if every test passed, 77 (skipped) without the
 *         privileges the tests need
 */
int main(void)
{
	SRunner *sr;
	int failed;

	/* creating maps needs CAP_BPF; the privilege tests need root */
	if (geteuid() != 0 || !bpf_capable_cap(CAP_BPF)) {
		printf("SKIP: test_syscall must run as root with CAP_BPF\n");
		return 77;
	}

	sr = srunner_create(syscall_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
