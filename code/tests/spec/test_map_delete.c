// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_DELETE_ELEM (kernel-spec.md section 6; scenarios 8, 32, 34).
 */
#include <unistd.h>

#include "spec.h"

/* DELETE with a hand-made attr block (value/flags are normally zero). */
static int del_attr(int map_fd, const void *key, __u64 value, __u64 flags)
{
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	b.attr.key = (__u64)(unsigned long)key;
	b.attr.value = value;
	b.attr.flags = flags;
	return bpf_raw(BPF_MAP_DELETE_ELEM, &b, ATTR_SIZE);
}

/*
 * Deleting index 4 of a 4-entry map gives E2BIG, and deleting the empty
 * in-range slot 3 gives ENOENT.
 * Spec: LIVE R02, R06.
 */
START_TEST(s08_delete_out_of_range_and_empty)
{
	int m = map_create_ok(8, 4, 0);

	ck_assert_ret(del(m, 4), -E2BIG);
	ck_assert_ret(del(m, 3), -ENOENT);
	xclose(m);
}
END_TEST

/*
 * DELETE refuses stray attr fields with EINVAL (a value pointer, even with a
 * closed fd, or non-zero flags), gives EFAULT for a NULL key, and EPERM on a
 * read-only map even for an out-of-range index.
 * Spec: LIVE D08, D09, D11, D12, D13.
 */
START_TEST(s32_delete_attr_checks)
{
	__u32 key = 0;
	int m = map_create_ok(8, 4, 0);
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);

	/* DELETE's last field is key: a value pointer is a stray field. */
	ck_assert_ret(del_attr(m, &key, (__u64)(unsigned long)&key, 0), -EINVAL);
	ck_assert_ret(del_attr(FD_NOT_OPEN, &key, 1, 0), -EINVAL);
	ck_assert_ret(del_attr(m, &key, 0, 1), -EINVAL);
	ck_assert_ret(del_attr(m, NULL, 0, 0), -EFAULT);
	ck_assert_ret(del(ro, 4), -EPERM);
	xclose(ro);
	xclose(m);
}
END_TEST

/*
 * Deleting an occupied slot empties it (a second delete gives ENOENT) and frees
 * the listener for another map (EBUSY before, 0 after). The listener still
 * accepts connections, and closing it empties its new slot.
 * Spec: LIVE D04-D07, D10.
 */
START_TEST(s34_delete_occupied)
{
	int m = map_create_ok(8, 4, 0);
	int m2 = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int c, a;

	ck_assert_ret(ins(m, 1, l, BPF_ANY), 0);
	ck_assert_ret(del(m, 1), 0);
	expect_empty(m, 1);
	ck_assert_ret(del(m, 1), -ENOENT);

	ck_assert_ret(ins(m, 2, l, BPF_NOEXIST), 0);
	ck_assert_ret(ins(m2, 0, l, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m, 2), 0);
	ck_assert_ret(ins(m2, 0, l, BPF_ANY), 0);
	expect_slot(m2, 0, l);

	/* Still a listening member of its group: it takes connections. */
	c = tcp_client(AF_INET, "127.0.0.1", port_of(l), 0);
	a = accept_one(l);
	xclose(a);
	xclose(c);
	xclose(l);
	expect_empty(m2, 0);
	xclose(m2);
	xclose(m);
}
END_TEST

/*
 * Deleting an index at or beyond max_entries (5 or 0xFFFFFFFF of 4, 1 of 1)
 * gives E2BIG, while the empty slot 0 of a one-entry map gives ENOENT.
 * Spec: LIVE D01, D02, D14.
 */
START_TEST(x_delete_index_range)
{
	int m = map_create_ok(8, 4, 0);
	int m4 = map_create_ok(4, 1, 0);

	ck_assert_ret(del(m, 0xFFFFFFFF), -E2BIG);
	ck_assert_ret(del(m, 5), -E2BIG);
	ck_assert_ret(del(m4, 1), -E2BIG);
	ck_assert_ret(del(m4, 0), -ENOENT);
	xclose(m4);
	xclose(m);
}
END_TEST

/*
 * Deleting each of the four empty slots of a fresh map gives ENOENT.
 * Spec: LIVE D03, D06.
 */
START_TEST(x_delete_empty_slots)
{
	int m = map_create_ok(8, 4, 0);
	__u32 i;

	for (i = 0; i < 4; i++)
		ck_assert_ret(del(m, i), -ENOENT);
	xclose(m);
}
END_TEST

/*
 * Deleting through a BPF_F_RDONLY map gives EPERM for index 0 and for
 * 0xFFFFFFFF: the permission check precedes the index check.
 * Spec: LIVE U40, D12.
 */
START_TEST(x_delete_rdonly_any_index)
{
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);

	ck_assert_ret(del(ro, 0), -EPERM);
	ck_assert_ret(del(ro, 0xFFFFFFFF), -EPERM);
	xclose(ro);
}
END_TEST

/*
 * On a 4-byte-value map an occupied slot is deleted as on an 8-byte one (0,
 * then ENOENT), and once the socket is reinserted, closing it empties the slot
 * (ENOENT).
 * Spec: Section 6.
 */
START_TEST(x_delete_value_size4)
{
	int m = map_create_ok(4, 4, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 3, u, BPF_ANY), 0);
	ck_assert_ret(del(m, 3), 0);
	ck_assert_ret(del(m, 3), -ENOENT);
	ck_assert_ret(ins(m, 3, u, BPF_NOEXIST), 0);
	xclose(u);
	ck_assert_ret(del(m, 3), -ENOENT);
	xclose(m);
}
END_TEST

/*
 * Deleting one of two UDP group members from its slot leaves the other slot
 * intact, and the same socket can be reinserted with NOEXIST; closing both
 * sockets empties both slots.
 * Spec: LIVE R*08/09.
 */
START_TEST(x_delete_then_reinsert_same_slot)
{
	int m = map_create_ok(8, 4, 0);
	int u = udp_bound(AF_INET6, "::1", 0, 1);
	int u2 = udp_bound(AF_INET6, "::1", port_of(u), 1);

	ck_assert_ret(ins(m, 0, u, BPF_ANY), 0);
	ck_assert_ret(ins(m, 1, u2, BPF_ANY), 0);
	ck_assert_ret(del(m, 0), 0);
	expect_slot(m, 1, u2);
	ck_assert_ret(ins(m, 0, u, BPF_NOEXIST), 0);
	expect_slot(m, 0, u);
	xclose(u);
	xclose(u2);
	expect_empty(m, 0);
	expect_empty(m, 1);
	xclose(m);
}
END_TEST

Suite *map_delete_suite(void)
{
	Suite *s = suite_create("map_delete");
	TCase *tc = tcase_create("delete");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s08_delete_out_of_range_and_empty);
	tcase_add_test(tc, s32_delete_attr_checks);
	tcase_add_test(tc, s34_delete_occupied);
	tcase_add_test(tc, x_delete_index_range);
	tcase_add_test(tc, x_delete_empty_slots);
	tcase_add_test(tc, x_delete_rdonly_any_index);
	tcase_add_test(tc, x_delete_value_size4);
	tcase_add_test(tc, x_delete_then_reinsert_same_slot);
	suite_add_tcase(s, tc);
	return s;
}
