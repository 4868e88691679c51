// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_CREATE and BPF_OBJ_GET_INFO_BY_FD for REUSEPORT_SOCKARRAY
 * (kernel-spec.md section 2; scenarios 1-6).  Scenario 41 (fdinfo memlock)
 * is not observable through the port's surface and is left out.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include <stdio.h>

#include "spec.h"

#define CAPBIT(c) (1ULL << (c))
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define NOBODY 65534

/* A create that must fail with @err, for one attribute tweak. */
static void expect_create(union attr_buf *b, int err)
{
	int fd = map_create_attr(b, ATTR_SIZE);

	char what[96];

	if (fd >= 0)
		xclose(fd);
	snprintf(what, sizeof(what), "create(type %u key %u value %u max %u flags %#x)",
		 b->attr.map_type, b->attr.key_size, b->attr.value_size,
		 b->attr.max_entries, b->attr.map_flags);
	spec_check_ret(what, fd >= 0 ? 0 : fd, err);
}

static void expect_info(int fd, __u32 value_size, __u32 max_entries,
			__u32 map_flags)
{
	struct bpf_map_info info;

	ck_assert_ret(map_info(fd, &info), 0);
	ck_assert_uint_eq(info.type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	ck_assert_uint_eq(info.key_size, 4);
	ck_assert_uint_eq(info.value_size, value_size);
	ck_assert_uint_eq(info.max_entries, max_entries);
	ck_assert_uint_eq(info.map_flags, map_flags);
}

/*
 * A map with 8-byte values and one with 4-byte values (4 entries each) are both
 * created, and BPF_OBJ_GET_INFO_BY_FD reports their type, 4-byte key, value
 * size, max_entries and zero flags as given.
 * Spec: LIVE C01, C02, C33.
 */
START_TEST(s01_create_and_info)
{
	int m8 = map_create_ok(8, 4, 0);
	int m4 = map_create_ok(4, 4, 0);

	expect_info(m8, 8, 4, 0);
	expect_info(m4, 4, 4, 0);
	xclose(m8);
	xclose(m4);
}
END_TEST

/*
 * Creation fails with EINVAL for value sizes 0, 1, 2, 3, 5 and 16, key sizes 0,
 * 2 and 8, max_entries 0 and the unknown map type 9999, while a one-entry map
 * is created and reported as given.
 * Spec: LIVE C03-C13, Y06.
 */
START_TEST(s02_bad_sizes_and_type)
{
	static const __u32 bad_vs[] = { 0, 1, 2, 3, 5, 16 };
	static const __u32 bad_ks[] = { 0, 2, 8 };
	union attr_buf b;
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(bad_vs) / sizeof(bad_vs[0]); i++) {
		map_attr_init(&b, bad_vs[i], 4, 0);
		expect_create(&b, -EINVAL);
	}
	for (i = 0; i < sizeof(bad_ks) / sizeof(bad_ks[0]); i++) {
		map_attr_init(&b, 8, 4, 0);
		b.attr.key_size = bad_ks[i];
		expect_create(&b, -EINVAL);
	}
	map_attr_init(&b, 8, 0, 0);
	expect_create(&b, -EINVAL);

	fd = map_create_ok(8, 1, 0);
	expect_info(fd, 8, 1, 0);
	xclose(fd);

	map_attr_init(&b, 8, 4, 0);
	b.attr.map_type = 9999;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * Creation fails with EINVAL for each map flag the type does not allow
 * (NO_PREALLOC, NO_COMMON_LRU, ZERO_SEED, MMAPABLE, PRESERVE_ELEMS, INNER_MAP,
 * bit 31, RDONLY with WRONLY, RDONLY_PROG with WRONLY_PROG) and for a non-zero
 * map_extra.
 * Spec: LIVE C16-C31.
 */
START_TEST(s03_bad_flags_and_extra)
{
	static const __u32 bad_flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_ZERO_SEED,
		BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP,
		1U << 31, BPF_F_RDONLY | BPF_F_WRONLY,
		BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG,
	};
	union attr_buf b;
	unsigned int i;

	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		map_attr_init(&b, 8, 4, bad_flags[i]);
		expect_create(&b, -EINVAL);
	}
	map_attr_init(&b, 8, 4, 0);
	b.attr.map_extra = 1;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * Maps created with BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
 * BPF_F_WRONLY_PROG or BPF_F_NUMA_NODE succeed. Info reports the last three
 * flags, but 0 for RDONLY and WRONLY, which belong to the descriptor, not the
 * map.
 * Spec: LIVE C18-C24, C37-C40.
 */
START_TEST(s04_good_flags_and_info)
{
	static const struct {
		__u32 flags;
		__u32 reported;
	} cases[] = {
		{ BPF_F_RDONLY, 0 },
		{ BPF_F_WRONLY, 0 },
		{ BPF_F_RDONLY_PROG, BPF_F_RDONLY_PROG },
		{ BPF_F_WRONLY_PROG, BPF_F_WRONLY_PROG },
		{ BPF_F_NUMA_NODE, BPF_F_NUMA_NODE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* numa_node stays 0: node 0 is always online. */
		int fd = map_create_ok(8, 4, cases[i].flags);

		expect_info(fd, 8, 4, cases[i].reported);
		xclose(fd);
	}
}
END_TEST

/*
 * A map name with a character other than a letter, digit, underscore or dot
 * ("bad-name") fails with EINVAL, as does a 16-byte name with no terminating
 * NUL; "rsa_map.v1" is accepted.
 * Spec: LIVE C34-C36.
 */
START_TEST(s05_map_name)
{
	union attr_buf b;
	int fd;

	map_attr_init(&b, 8, 4, 0);
	memcpy(b.attr.map_name, "bad-name", 8);
	expect_create(&b, -EINVAL);

	map_attr_init(&b, 8, 4, 0);
	memcpy(b.attr.map_name, "rsa_map.v1", 10);
	fd = map_create_attr(&b, ATTR_SIZE);
	ck_assert_msg(fd >= 0, "create with name rsa_map.v1: %s", errname(fd));
	xclose(fd);

	map_attr_init(&b, 8, 4, 0);
	memset(b.attr.map_name, 'a', sizeof(b.attr.map_name));
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * Run @fn in a child that has become uid/gid 65534 with exactly @caps in its
 * effective and permitted sets, and return what @fn returned.  The child
 * reports through a pipe so that Check's own state is never involved.
 */
static int run_as_nobody(__u64 caps, int (*fn)(void *), void *arg)
{
	int pfd[2];
	int status;
	int result = 0x7fffffff;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: errno %d", errno);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct data[2];
		int r = -1000;

		close(pfd[0]);
		memset(data, 0, sizeof(data));
		data[0].effective = data[0].permitted = (__u32)caps;
		data[1].effective = data[1].permitted = (__u32)(caps >> 32);
		/* Keep the permitted set across setuid, then trim it. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
		    setgroups(0, NULL) == 0 &&
		    setresgid(NOBODY, NOBODY, NOBODY) == 0 &&
		    setresuid(NOBODY, NOBODY, NOBODY) == 0 &&
		    syscall(SYS_capset, &hdr, data) == 0)
			r = fn(arg);
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &result, sizeof(result)), sizeof(result));
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %#x", status);
	ck_assert_msg(result != -1000, "dropping privileges failed");
	return result;
}

/* Create a map in the child; returns 0 or -errno (no Check calls here). */
static int child_create(void *arg)
{
	union attr_buf *b = arg;
	int fd = t_bpf(BPF_MAP_CREATE, &b->attr, ATTR_SIZE);

	if (fd < 0)
		return -errno;
	t_close(fd);
	return 0;
}

/*
 * As uid 65534, creation fails with EPERM with no capability or only
 * CAP_NET_ADMIN, and succeeds with CAP_BPF or CAP_SYS_ADMIN. A bad value size
 * gives EINVAL even without capabilities: attribute checks precede the
 * privilege check.
 * Spec: LIVE P01-P05.
 */
START_TEST(s06_privileges)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	ck_assert_ret(run_as_nobody(0, child_create, &b), -EPERM);
	ck_assert_ret(run_as_nobody(CAPBIT(CAP_NET_ADMIN), child_create, &b),
		      -EPERM);
	ck_assert_ret(run_as_nobody(CAPBIT(CAP_BPF), child_create, &b), 0);
	ck_assert_ret(run_as_nobody(CAPBIT(CAP_SYS_ADMIN), child_create, &b), 0);

	map_attr_init(&b, 3, 4, 0);
	ck_assert_ret(run_as_nobody(0, child_create, &b), -EINVAL);
}
END_TEST

/*
 * An unprivileged process (uid 65534, no capabilities) asking for a map named
 * "bad-name" gets EPERM, not EINVAL: the name is checked after the privilege
 * check.
 * Spec: SRC row 15.
 */
START_TEST(x_priv_before_name)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	memcpy(b.attr.map_name, "bad-name", 8);
	ck_assert_ret(run_as_nobody(0, child_create, &b), -EPERM);
}
END_TEST

struct inherited {
	int map;
	int sock;
};

static int child_use_map(void *arg)
{
	struct inherited *in = arg;
	__u32 key = 0;
	__u64 val = (__u64)in->sock;
	__u64 cookie;
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = in->map;
	b.attr.key = (__u64)(unsigned long)&key;
	b.attr.value = (__u64)(unsigned long)&val;
	if (t_bpf(BPF_MAP_UPDATE_ELEM, &b.attr, ATTR_SIZE))
		return -errno;
	b.attr.value = (__u64)(unsigned long)&cookie;
	if (t_bpf(BPF_MAP_LOOKUP_ELEM, &b.attr, ATTR_SIZE))
		return -errno;
	b.attr.value = 0;
	if (t_bpf(BPF_MAP_DELETE_ELEM, &b.attr, ATTR_SIZE))
		return -errno;
	return 0;
}

/*
 * A process with no capabilities (uid 65534) that inherits a map descriptor can
 * update, look up and delete an element through it: only creating a map needs a
 * capability.
 * Spec: LIVE P06.
 */
START_TEST(x_unprivileged_uses_inherited_fd)
{
	struct inherited in;

	in.map = map_create_ok(8, 4, 0);
	in.sock = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	ck_assert_ret(run_as_nobody(0, child_use_map, &in), 0);
	xclose(in.sock);
	xclose(in.map);
}
END_TEST

/*
 * bpf(2) gives E2BIG for an attr block over 4096 bytes or one with a non-zero
 * byte beyond the known union, accepts a zero tail, zero-extends a 16-byte
 * block, and gives EFAULT for a NULL attr and EINVAL for an unknown command.
 * Spec: LIVE Y01, Y02, Y03, Y04, Y05, Y08.
 */
START_TEST(x_bpf_attr_size_and_command)
{
	static union {
		union bpf_attr attr;
		unsigned char raw[8192];
	} big;
	union attr_buf b;
	int fd;

	map_attr_init(&b, 8, 4, 0);
	memset(&big, 0, sizeof(big));
	memcpy(&big, &b, sizeof(b));

	/* More than a page is refused outright. */
	ck_assert_ret(bpf_raw(BPF_MAP_CREATE, &big, 4097), -E2BIG);
	/* A larger block is fine while the tail is zero... */
	fd = map_create_attr((union attr_buf *)&big, 4096);
	ck_assert_msg(fd >= 0, "create with 4096-byte zero-tailed attr: %s",
		      errname(fd));
	xclose(fd);
	/* ...but not with a non-zero byte beyond the kernel's union. */
	big.raw[4095] = 1;
	ck_assert_ret(bpf_raw(BPF_MAP_CREATE, &big, 4096), -E2BIG);

	/* A short block is zero-extended: 16 bytes end before map_flags. */
	fd = map_create_attr(&b, 16);
	ck_assert_msg(fd >= 0, "create with 16-byte attr: %s", errname(fd));
	expect_info(fd, 8, 4, 0);
	xclose(fd);

	ck_assert_ret(bpf_raw(BPF_MAP_CREATE, NULL, ATTR_SIZE), -EFAULT);
	memset(&b, 0, sizeof(b));
	ck_assert_ret(bpf_raw(9999, &b, ATTR_SIZE), -EINVAL);
}
END_TEST

/*
 * A non-zero byte just past excl_prog_hash_size (offset 92), the last field
 * BPF_MAP_CREATE knows, makes creation fail with EINVAL.
 * Spec: LIVE C47 (row 1).
 */
START_TEST(x_create_check_attr_tail)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	b.raw[92] = 1;
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
}
END_TEST

/*
 * Setting btf_vmlinux_value_type_id, or btf_key_type_id, to 1 makes creation
 * fail with EINVAL.
 * Spec: LIVE C43, C44 (row 3).
 */
START_TEST(x_create_btf_ids)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	b.attr.btf_vmlinux_value_type_id = 1;
	expect_create(&b, -EINVAL);

	map_attr_init(&b, 8, 4, 0);
	b.attr.btf_key_type_id = 1;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * BPF_F_NUMA_NODE with numa_node 1000, a node that does not exist, makes
 * creation fail with EINVAL.
 * Spec: LIVE C19 (row 6).
 */
START_TEST(x_create_bad_numa_node)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, BPF_F_NUMA_NODE);
	b.attr.numa_node = 1000;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * A map_type of BPF_MAP_TYPE_UNSPEC (0) makes creation fail with EINVAL.
 * Spec: LIVE Y07 (row 7).
 */
START_TEST(x_create_type_unspec)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	b.attr.map_type = BPF_MAP_TYPE_UNSPEC;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * Creation fails with EINVAL for the remaining flag bits outside the allowed
 * set: BPF_F_STACK_BUILD_ID, BPF_F_CLONE and bits 17, 18, 20 and 30.
 * Spec: Row 9, LIVE C25-C30.
 */
START_TEST(x_create_other_flags)
{
	static const __u32 bad_flags[] = {
		BPF_F_STACK_BUILD_ID, BPF_F_CLONE, 1U << 17, 1U << 18,
		1U << 20, 1U << 30,
	};
	union attr_buf b;
	unsigned int i;

	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		map_attr_init(&b, 8, 4, bad_flags[i]);
		expect_create(&b, -EINVAL);
	}
}
END_TEST

/*
 * Attribute checks come before allocation: value size 3 or BPF_F_MMAPABLE with
 * max_entries 0xFFFFFFFF gives EINVAL, not ENOMEM, and several faults at once
 * (value size 16, max_entries 0, RDONLY with WRONLY) give EINVAL.
 * Spec: LIVE C32.
 */
START_TEST(x_create_earliest_fault_wins)
{
	union attr_buf b;

	map_attr_init(&b, 3, 0xFFFFFFFF, 0);
	expect_create(&b, -EINVAL);
	map_attr_init(&b, 8, 0xFFFFFFFF, BPF_F_MMAPABLE);
	expect_create(&b, -EINVAL);
	map_attr_init(&b, 16, 0, BPF_F_RDONLY | BPF_F_WRONLY);
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * A non-zero map_ifindex (device offload) makes creation fail with EINVAL.
 * Spec: LIVE C45 (row 10).
 */
START_TEST(x_create_ifindex)
{
	union attr_buf b;

	map_attr_init(&b, 8, 4, 0);
	b.attr.map_ifindex = 1;
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * A map with 1048576 (2^20) entries is created and reported as such, while one
 * with 0xFFFFFFFF entries fails with ENOMEM.
 * Spec: LIVE C14, C15 (row 14).
 */
START_TEST(x_create_alloc_size)
{
	union attr_buf b;
	int fd;

	fd = map_create_ok(8, 1U << 20, 0);
	expect_info(fd, 8, 1U << 20, 0);
	xclose(fd);

	map_attr_init(&b, 8, 0xFFFFFFFF, 0);
	expect_create(&b, -ENOMEM);
}
END_TEST

/*
 * A 32-byte excl_prog_hash is accepted. A size of 16, a hash without a size, a
 * size without a hash and the swapped field layout each give EINVAL, and an
 * unreadable hash pointer gives EFAULT.
 * Spec: LIVE C46 (row 17; the other excl_prog_hash cases are SRC).
 */
START_TEST(x_create_excl_prog_hash)
{
	static const unsigned char hash[32] = { 1, 2, 3 };
	union attr_buf b;
	int fd;

	map_attr_init(&b, 8, 4, 0);
	attr_put_u64(&b, ATTR_OFF_EXCL_PROG_HASH, (__u64)(unsigned long)hash);
	attr_put_u32(&b, ATTR_OFF_EXCL_PROG_HASH_SIZE, 32);
	fd = map_create_attr(&b, ATTR_SIZE);
	ck_assert_msg(fd >= 0, "create with a 32-byte excl_prog_hash: %s",
		      errname(fd));
	xclose(fd);

	/* Wrong size. */
	attr_put_u32(&b, ATTR_OFF_EXCL_PROG_HASH_SIZE, 16);
	expect_create(&b, -EINVAL);
	/* Hash without a size. */
	attr_put_u32(&b, ATTR_OFF_EXCL_PROG_HASH_SIZE, 0);
	expect_create(&b, -EINVAL);
	/* Size without a hash. */
	attr_put_u64(&b, ATTR_OFF_EXCL_PROG_HASH, 0);
	attr_put_u32(&b, ATTR_OFF_EXCL_PROG_HASH_SIZE, 32);
	expect_create(&b, -EINVAL);
	/* Unreadable hash. */
	attr_put_u64(&b, ATTR_OFF_EXCL_PROG_HASH, 1);
	expect_create(&b, -EFAULT);

	/* The swapped layout (size at 80, hash at 88) is not accepted. */
	map_attr_init(&b, 8, 4, 0);
	attr_put_u32(&b, ATTR_OFF_EXCL_PROG_HASH, 32);
	attr_put_u64(&b, ATTR_OFF_EXCL_PROG_HASH_SIZE,
		     (__u64)(unsigned long)hash);
	expect_create(&b, -EINVAL);
}
END_TEST

/*
 * BPF_OBJ_GET_INFO_BY_FD reports a 1000-entry map with 4-byte values as given,
 * and for flags RDONLY_PROG, NUMA_NODE and WRONLY reports only RDONLY_PROG and
 * NUMA_NODE.
 * Spec: LIVE C33, C37-C40.
 */
START_TEST(x_info_shapes)
{
	int fd;

	fd = map_create_ok(4, 1000, 0);
	expect_info(fd, 4, 1000, 0);
	xclose(fd);

	fd = map_create_ok(8, 4, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE |
				 BPF_F_WRONLY);
	expect_info(fd, 8, 4, BPF_F_RDONLY_PROG | BPF_F_NUMA_NODE);
	xclose(fd);
}
END_TEST

/*
 * BPF_OBJ_GET_INFO_BY_FD on a descriptor that is not open gives EBADFD (not
 * EBADF, unlike the element commands), and on /dev/null, which is not a BPF
 * object, gives EINVAL.
 * Spec: none.
 */
START_TEST(x_info_bad_fd)
{
	struct bpf_map_info info;
	int dn = open_devnull();

	ck_assert_ret(map_info(FD_NOT_OPEN, &info), -EBADFD);
	ck_assert_ret(map_info(dn, &info), -EINVAL);
	close(dn);
}
END_TEST

Suite *map_create_suite(void)
{
	Suite *s = suite_create("map_create");
	TCase *tc = tcase_create("create");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s01_create_and_info);
	tcase_add_test(tc, s02_bad_sizes_and_type);
	tcase_add_test(tc, s03_bad_flags_and_extra);
	tcase_add_test(tc, s04_good_flags_and_info);
	tcase_add_test(tc, s05_map_name);
	tcase_add_test(tc, s06_privileges);
	tcase_add_test(tc, x_priv_before_name);
	tcase_add_test(tc, x_unprivileged_uses_inherited_fd);
	tcase_add_test(tc, x_bpf_attr_size_and_command);
	tcase_add_test(tc, x_create_check_attr_tail);
	tcase_add_test(tc, x_create_btf_ids);
	tcase_add_test(tc, x_create_bad_numa_node);
	tcase_add_test(tc, x_create_type_unspec);
	tcase_add_test(tc, x_create_other_flags);
	tcase_add_test(tc, x_create_earliest_fault_wins);
	tcase_add_test(tc, x_create_ifindex);
	tcase_add_test(tc, x_create_alloc_size);
	tcase_add_test(tc, x_create_excl_prog_hash);
	tcase_add_test(tc, x_info_shapes);
	tcase_add_test(tc, x_info_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}
