// SPDX-License-Identifier: GPL-2.0
/*
 * Other map commands (kernel-spec.md section 8; scenarios 39 and 40).  The
 * mmap() row of scenario 39 is not part of the port's surface and is left
 * out.
 */
#include <unistd.h>

#include "spec.h"

#ifndef BPF_MAP_LOOKUP_AND_DELETE_BATCH
#define BPF_MAP_LOOKUP_AND_DELETE_BATCH 25
#endif

static int batch_cmd(int cmd, int map_fd)
{
	__u32 keys[2] = { 0, 1 };
	__u64 values[2] = { 0, 0 };
	__u32 out_batch = 0;
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.batch.map_fd = map_fd;
	b.attr.batch.keys = (__u64)(unsigned long)keys;
	b.attr.batch.values = (__u64)(unsigned long)values;
	b.attr.batch.out_batch = (__u64)(unsigned long)&out_batch;
	b.attr.batch.count = 2;
	return bpf_raw(cmd, &b, ATTR_SIZE);
}

static int lookup_and_delete(int map_fd, __u32 key, __u64 flags)
{
	__u64 val = 0;

	return elem_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, map_fd, &key, &val,
			flags);
}

/*
 * LOOKUP_AND_DELETE_ELEM and the lookup, update and delete batch commands give
 * ENOTSUPP (524) and leave the slot as it was; LOOKUP_AND_DELETE with unknown
 * flag bit 1 gives EINVAL, and on a read-only map EPERM.
 * Spec: LIVE O01-O04, O17, O18.
 */
START_TEST(s39_unsupported_commands)
{
	int m = map_create_ok(8, 4, 0);
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(lookup_and_delete(m, 0, 0), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_LOOKUP_BATCH, m), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_UPDATE_BATCH, m), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_DELETE_BATCH, m), -ENOTSUPP);
	/* None of them touched the slot. */
	expect_slot(m, 0, l);

	ck_assert_ret(lookup_and_delete(m, 0, 1), -EINVAL);
	ck_assert_ret(lookup_and_delete(ro, 0, 0), -EPERM);
	xclose(l);
	xclose(ro);
	xclose(m);
}
END_TEST

/*
 * BPF_MAP_FREEZE succeeds once and takes write access from the fd: a second
 * freeze, update and delete give EPERM, the entry stays and still goes when its
 * socket closes. Freezing a read-only map gives EPERM.
 * Spec: LIVE O06-O10, O14-O16.
 */
START_TEST(s40_freeze)
{
	int m = map_create_ok(8, 4, 0);
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(map_freeze(m), 0);
	/* The frozen fd lost write permission, checked before "already". */
	ck_assert_ret(map_freeze(m), -EPERM);
	ck_assert_ret(ins(m, 1, l2, BPF_ANY), -EPERM);
	ck_assert_ret(del(m, 0), -EPERM);
	expect_slot(m, 0, l);
	/* The kernel side still detaches a closing socket. */
	xclose(l);
	expect_empty(m, 0);

	ck_assert_ret(map_freeze(ro), -EPERM);
	xclose(l2);
	xclose(ro);
	xclose(m);
}
END_TEST

/*
 * LOOKUP_AND_DELETE_ELEM gives EINVAL for BPF_F_LOCK, EBADF for a closed fd and
 * EPERM for a write-only map (it needs read and write), then ENOTSUPP (524) for
 * an empty or out-of-range key.
 * Spec: Section 3 LOOKUP_AND_DELETE row.
 */
START_TEST(x_lookup_and_delete_front_matter)
{
	int m = map_create_ok(8, 4, 0);
	int wo = map_create_ok(8, 4, BPF_F_WRONLY);

	ck_assert_ret(lookup_and_delete(m, 0, BPF_F_LOCK), -EINVAL);
	ck_assert_ret(lookup_and_delete(m, 0, BPF_F_LOCK | 2), -EINVAL);
	ck_assert_ret(lookup_and_delete(FD_NOT_OPEN, 0, 0), -EBADF);
	/* Needs read and write: a write-only fd is refused too. */
	ck_assert_ret(lookup_and_delete(wo, 0, 0), -EPERM);
	/* Empty or out of range, the command itself is unsupported. */
	ck_assert_ret(lookup_and_delete(m, 3, 0), -ENOTSUPP);
	ck_assert_ret(lookup_and_delete(m, 4, 0), -ENOTSUPP);
	xclose(wo);
	xclose(m);
}
END_TEST

/*
 * LOOKUP_AND_DELETE_BATCH on an 8-byte-value map, and the lookup, update and
 * delete batch commands on a 4-byte-value map, all give ENOTSUPP (524).
 * Spec: Section 8 batch row.
 */
START_TEST(x_batch_others)
{
	int m = map_create_ok(8, 4, 0);
	int m4 = map_create_ok(4, 4, 0);

	ck_assert_ret(batch_cmd(BPF_MAP_LOOKUP_AND_DELETE_BATCH, m), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_LOOKUP_BATCH, m4), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_UPDATE_BATCH, m4), -ENOTSUPP);
	ck_assert_ret(batch_cmd(BPF_MAP_DELETE_BATCH, m4), -ENOTSUPP);
	xclose(m4);
	xclose(m);
}
END_TEST

/*
 * A frozen 4-byte-value map stays readable: lookup still gives ENOSPC and
 * GET_NEXT_KEY works, its socket stays claimed (EBUSY in another map), and
 * delete gives EPERM.
 * Spec: Section 8 FREEZE rows.
 */
START_TEST(x_freeze_read_side)
{
	int m = map_create_ok(4, 4, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int m2 = map_create_ok(8, 4, 0);
	__u32 key = 2, next;

	ck_assert_ret(ins(m, 2, u, BPF_ANY), 0);
	ck_assert_ret(map_freeze(m), 0);
	ck_assert_ret(lookup(m, 2, NULL), -ENOSPC);
	ck_assert_ret(next_key(m, &key, &next), 0);
	ck_assert_uint_eq(next, 3);
	/* The socket is still claimed by the frozen map. */
	ck_assert_ret(ins(m2, 0, u, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m, 2), -EPERM);
	xclose(u);
	xclose(m2);
	xclose(m);
}
END_TEST

/*
 * FREEZE gives EBADF for a closed fd, EINVAL for a non-map fd (/dev/null) and
 * EINVAL for a non-zero byte after map_fd; the refused attempt does not freeze
 * the map, which then freezes normally.
 * Spec: none.
 */
START_TEST(x_freeze_front_matter)
{
	int dn = open_devnull();
	int m = map_create_ok(8, 4, 0);
	union attr_buf b;

	ck_assert_ret(map_freeze(FD_NOT_OPEN), -EBADF);
	ck_assert_ret(map_freeze(dn), -EINVAL);
	memset(&b, 0, sizeof(b));
	b.attr.map_fd = m;
	b.raw[8] = 1;
	ck_assert_ret(bpf_raw(BPF_MAP_FREEZE, &b, ATTR_SIZE), -EINVAL);
	/* The rejected attempt did not freeze it. */
	ck_assert_ret(map_freeze(m), 0);
	close(dn);
	xclose(m);
}
END_TEST

static int outer_create(int inner_fd)
{
	union attr_buf b;
	int fd;

	memset(&b, 0, sizeof(b));
	b.attr.map_type = BPF_MAP_TYPE_ARRAY_OF_MAPS;
	b.attr.key_size = 4;
	b.attr.value_size = 4;
	b.attr.max_entries = 2;
	b.attr.inner_map_fd = inner_fd;
	fd = bpf_raw(BPF_MAP_CREATE, &b, ATTR_SIZE);
	ck_assert_msg(fd >= 0, "ARRAY_OF_MAPS create: %s", errname(fd));
	map_track(fd, 4);
	return fd;
}

/*
 * A sockarray can be the inner-map template of an ARRAY_OF_MAPS: a map of the
 * same shape is accepted as an element, one with 4-byte values gives EINVAL.
 * Kernel only: the port has no ARRAY_OF_MAPS.
 * Spec: LIVE O11-O13.
 */
START_TEST(x_inner_map_of_array_of_maps)
{
	SPEC_KERNEL_ONLY("the port has no BPF_MAP_TYPE_ARRAY_OF_MAPS");

	int tmpl = map_create_ok(8, 4, 0);
	int outer = outer_create(tmpl);
	int same = map_create_ok(8, 4, 0);
	int other = map_create_ok(4, 4, 0);

	ck_assert_ret(ins(outer, 0, same, BPF_ANY), 0);
	ck_assert_ret(ins(outer, 1, other, BPF_ANY), -EINVAL);
	xclose(other);
	xclose(same);
	xclose(outer);
	xclose(tmpl);
}
END_TEST

Suite *map_other_suite(void)
{
	Suite *s = suite_create("map_other");
	TCase *tc = tcase_create("other");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s39_unsupported_commands);
	tcase_add_test(tc, s40_freeze);
	tcase_add_test(tc, x_lookup_and_delete_front_matter);
	tcase_add_test(tc, x_batch_others);
	tcase_add_test(tc, x_freeze_read_side);
	tcase_add_test(tc, x_freeze_front_matter);
	tcase_add_test(tc, x_inner_map_of_array_of_maps);
	suite_add_tcase(s, tc);
	return s;
}
