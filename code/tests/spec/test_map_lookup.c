// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_LOOKUP_ELEM from userspace (kernel-spec.md section 4; scenarios
 * 7, 21, 26, 29, 30).
 */
#include "spec.h"

/*
 * Looking up an empty slot (3) or an index out of range (4, 0xFFFFFFFF) gives
 * ENOENT, and nothing is copied to the value buffer.
 * Spec: LIVE R04, R05, L04.
 */
START_TEST(s07_lookup_out_of_range_and_empty)
{
	int m = map_create_ok(8, 4, 0);
	__u64 c = 0xabcdULL;

	ck_assert_ret(lookup(m, 4, &c), -ENOENT);
	ck_assert_ret(lookup(m, 3, &c), -ENOENT);
	ck_assert_ret(lookup(m, 0xFFFFFFFF, &c), -ENOENT);
	/* Nothing is copied out on an error. */
	ck_assert_uint_eq(c, 0);
	xclose(m);
}
END_TEST

/*
 * On a map with 4-byte values, lookup gives ENOSPC for any key, occupied (3),
 * empty (0) or out of range (4), as a 64-bit cookie does not fit. The slot is
 * really occupied: a second NOEXIST insert gives EEXIST.
 * Spec: LIVE R09, R10, L10, L11, L13.
 */
START_TEST(s21_value_size4_lookup_enospc)
{
	int m = map_create_ok(4, 4, 0);
	int l = tcp_listener(AF_INET6, "::1", 0, 1);

	ck_assert_ret(ins(m, 3, l, BPF_NOEXIST), 0);
	ck_assert_ret(lookup(m, 3, NULL), -ENOSPC);
	ck_assert_ret(lookup(m, 0, NULL), -ENOSPC);
	ck_assert_ret(lookup(m, 4, NULL), -ENOSPC);
	/* The slot is really occupied: a second NOEXIST insert collides. */
	ck_assert_ret(ins(m, 3, l, BPF_NOEXIST), -EEXIST);
	xclose(l);
	xclose(m);
}
END_TEST

/*
 * Looking up a slot holding a listener returns a non-zero cookie, and SO_COOKIE
 * on the socket afterwards returns the same value: the lookup created the
 * cookie.
 * Spec: LIVE L19.
 */
START_TEST(s26_lookup_creates_cookie)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	__u64 c = 0;

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(lookup(m, 0, &c), 0);
	ck_assert_uint_ne(c, 0);
	ck_assert_uint_eq(cookie_of(l), c);
	xclose(l);
	xclose(m);
}
END_TEST

/*
 * Lookup checks run in order: an unknown flag bit gives EINVAL before the fd is
 * resolved, while BPF_F_LOCK gives EBADF on a closed fd, EPERM on a write-only
 * map and EINVAL only on a readable map.
 * Spec: LIVE L20, L21, L22, L08, L15.
 */
START_TEST(s29_lookup_check_order)
{
	__u32 key = 0;
	__u64 val;
	int m, wo;

	/* Unknown flag bits are refused before the fd is resolved. */
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, FD_NOT_OPEN, &key, &val, 1),
		      -EINVAL);
	/* BPF_F_LOCK alone is judged after the fd... */
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, FD_NOT_OPEN, &key, &val,
			       BPF_F_LOCK), -EBADF);
	/* ...and after the read permission. */
	wo = map_create_ok(8, 4, BPF_F_WRONLY);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, wo, &key, &val, 0), -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, wo, &key, &val, BPF_F_LOCK),
		      -EPERM);
	xclose(wo);

	m = map_create_ok(8, 4, 0);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m, &key, &val, BPF_F_LOCK),
		      -EINVAL);
	xclose(m);
}
END_TEST

/*
 * A NULL key gives EFAULT even on a 4-byte-value map, as the key is copied
 * before ENOSPC. On an 8-byte map a NULL value pointer gives EFAULT for an
 * occupied slot and ENOENT for an empty one.
 * Spec: LIVE L23, L24, L25.
 */
START_TEST(s30_lookup_bad_pointers)
{
	__u32 key = 0;
	__u64 val;
	int m4 = map_create_ok(4, 4, 0);
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	/* The key is copied before value_size 4 is turned away. */
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m4, NULL, &val, 0), -EFAULT);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m, &key, NULL, 0), -EFAULT);
	key = 3;
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m, &key, NULL, 0), -ENOENT);
	xclose(l);
	xclose(m);
	xclose(m4);
}
END_TEST

/*
 * Lookup with a NULL key pointer on an 8-byte-value map gives EFAULT.
 * Spec: LIVE L14.
 */
START_TEST(x_lookup_null_key)
{
	__u64 val;
	int m = map_create_ok(8, 4, 0);

	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m, NULL, &val, 0), -EFAULT);
	xclose(m);
}
END_TEST

/*
 * Lookup of a slot holding a UDP socket into an unmapped value address gives
 * EFAULT when the cookie is copied out.
 * Spec: LIVE L24.
 */
START_TEST(x_lookup_bad_value_pointer)
{
	__u32 key = 1;
	int m = map_create_ok(8, 4, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 1, u, BPF_ANY), 0);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m, &key, (void *)1, 0),
		      -EFAULT);
	xclose(u);
	xclose(m);
}
END_TEST

/*
 * TCP and UDP sockets, IPv4 and IPv6, inserted into four slots each read back
 * as their own socket's SO_COOKIE, which was read before the insert and has not
 * changed.
 * Spec: LIVE L06, L07, R*10.
 */
START_TEST(x_lookup_cookie_per_kind)
{
	static const struct {
		int family;
		const char *addr;
		int tcp;
	} k[] = {
		{ AF_INET, "127.0.0.1", 1 },
		{ AF_INET6, "::1", 1 },
		{ AF_INET, "127.0.0.1", 0 },
		{ AF_INET6, "::1", 0 },
	};
	int m = map_create_ok(8, 4, 0);
	int fds[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		fds[i] = k[i].tcp ? tcp_listener(k[i].family, k[i].addr, 0, 1) :
				    udp_bound(k[i].family, k[i].addr, 0, 1);
		/* Read the cookie first here: it must not change later. */
		(void)cookie_of(fds[i]);
		ck_assert_ret(ins(m, i, fds[i], BPF_NOEXIST), 0);
	}
	for (i = 0; i < 4; i++)
		expect_slot(m, i, fds[i]);
	for (i = 0; i < 4; i++)
		xclose(fds[i]);
	xclose(m);
}
END_TEST

/*
 * On a 4-byte-value map an unreadable key pointer gives EFAULT, because the key
 * is copied first, while any readable key, even 0xFFFFFFFF, gives ENOSPC.
 * Spec: LIVE L11, L23.
 */
START_TEST(x_lookup_value_size4_bad_key_pointer)
{
	__u64 val;
	int m4 = map_create_ok(4, 4, 0);

	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, m4, (void *)1, &val, 0),
		      -EFAULT);
	ck_assert_ret(lookup(m4, 0xFFFFFFFF, NULL), -ENOSPC);
	xclose(m4);
}
END_TEST

Suite *map_lookup_suite(void)
{
	Suite *s = suite_create("map_lookup");
	TCase *tc = tcase_create("lookup");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s07_lookup_out_of_range_and_empty);
	tcase_add_test(tc, s21_value_size4_lookup_enospc);
	tcase_add_test(tc, s26_lookup_creates_cookie);
	tcase_add_test(tc, s29_lookup_check_order);
	tcase_add_test(tc, s30_lookup_bad_pointers);
	tcase_add_test(tc, x_lookup_null_key);
	tcase_add_test(tc, x_lookup_bad_value_pointer);
	tcase_add_test(tc, x_lookup_cookie_per_kind);
	tcase_add_test(tc, x_lookup_value_size4_bad_key_pointer);
	suite_add_tcase(s, tc);
	return s;
}
