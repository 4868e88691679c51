// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_GET_NEXT_KEY (kernel-spec.md section 7) and the front matter the
 * element commands share (section 3); scenarios 33, 35-38.
 */
#include <unistd.h>

#include <stdio.h>

#include "spec.h"

#define UNTOUCHED 0xdeadbeefU

/* One element command with the given attr block size and one stray byte. */
static int cmd_with_byte(int cmd, int map_fd, unsigned int off)
{
	union attr_buf b;
	__u32 key = 0, next;
	__u64 val = 0;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	b.attr.key = (__u64)(unsigned long)&key;
	if (cmd == BPF_MAP_GET_NEXT_KEY)
		b.attr.next_key = (__u64)(unsigned long)&next;
	else if (cmd != BPF_MAP_DELETE_ELEM)
		b.attr.value = (__u64)(unsigned long)&val;
	b.raw[off] = 1;
	return bpf_raw(cmd, &b, ATTR_SIZE);
}

/* Expect next_key(@key) == @want, or the error @err with *next untouched. */
static void expect_next(int m, const __u32 *key, int err, __u32 want)
{
	__u32 next = UNTOUCHED;
	int r = next_key(m, key, &next);

	char what[48];

	snprintf(what, sizeof(what), "next_key(%s%u)", key ? "" : "NULL ",
		 key ? *key : 0);
	spec_check_ret(what, r, err);
	if (err)
		ck_assert_uint_eq(next, UNTOUCHED);
	else
		ck_assert_uint_eq(next, want);
}

static void expect_next_of(int m, __u32 key, int err, __u32 want)
{
	expect_next(m, &key, err, want);
}

/*
 * A stray field after a command's last one gives EINVAL: a byte at offset 32
 * for LOOKUP and UPDATE, non-zero flags for GET_NEXT_KEY, and a byte at offset
 * 100 for MAP_CREATE.
 * Spec: LIVE L26, U47, G13, C47.
 */
START_TEST(s33_check_attr_tails)
{
	int m = map_create_ok(8, 4, 0);
	union attr_buf b;
	__u32 key = 0, next;

	ck_assert_ret(cmd_with_byte(BPF_MAP_LOOKUP_ELEM, m, 32), -EINVAL);
	ck_assert_ret(cmd_with_byte(BPF_MAP_UPDATE_ELEM, m, 32), -EINVAL);

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = m;
	b.attr.key = (__u64)(unsigned long)&key;
	b.attr.next_key = (__u64)(unsigned long)&next;
	b.attr.flags = 1;
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &b, ATTR_SIZE), -EINVAL);

	map_attr_init(&b, 8, 4, 0);
	b.raw[100] = 1;
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
	xclose(m);
}
END_TEST

/*
 * On a 4-entry map GET_NEXT_KEY ignores occupancy: NULL gives 0, 0 gives 1, 2
 * gives 3, the last key 3 gives ENOENT and an out-of-range key (4, 0xFFFFFFFF)
 * restarts at 0, whether the map is empty or holds slots 1 and 3.
 * Spec: LIVE G01-G09.
 */
START_TEST(s35_next_key_map4)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int pass;

	/* Occupancy is ignored: run once empty, once with slots 1 and 3 set. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);

			ck_assert_ret(ins(m, 1, l, BPF_ANY), 0);
			ck_assert_ret(ins(m, 3, l2, BPF_ANY), 0);
			/* The map holds no reference: keep l2 until the end. */
			expect_next(m, NULL, 0, 0);
			expect_next_of(m, 0, 0, 1);
			expect_next_of(m, 2, 0, 3);
			expect_next_of(m, 3, -ENOENT, 0);
			expect_next_of(m, 4, 0, 0);
			expect_next_of(m, 0xFFFFFFFF, 0, 0);
			xclose(l2);
			continue;
		}
		expect_next(m, NULL, 0, 0);
		expect_next_of(m, 0, 0, 1);
		expect_next_of(m, 2, 0, 3);
		expect_next_of(m, 3, -ENOENT, 0);
		expect_next_of(m, 4, 0, 0);
		expect_next_of(m, 0xFFFFFFFF, 0, 0);
	}
	xclose(l);
	xclose(m);
}
END_TEST

/*
 * GET_NEXT_KEY on a 5-entry map steps 3 to 4, ends at 4 with ENOENT and
 * restarts at 0 from 5; on a 1-entry map NULL gives 0 and key 0 gives ENOENT.
 * Spec: LIVE G17-G19, G10, G11.
 */
START_TEST(s36_next_key_other_sizes)
{
	int m5 = map_create_ok(8, 5, 0);
	int m1 = map_create_ok(8, 1, 0);

	expect_next_of(m5, 3, 0, 4);
	expect_next_of(m5, 4, -ENOENT, 0);
	expect_next_of(m5, 5, 0, 0);
	expect_next(m1, NULL, 0, 0);
	expect_next_of(m1, 0, -ENOENT, 0);
	xclose(m5);
	xclose(m1);
}
END_TEST

/*
 * GET_NEXT_KEY with a NULL next_key pointer gives EFAULT from a NULL key but
 * ENOENT from the last key (nothing to write), and an unreadable key pointer
 * gives EFAULT with next_key untouched.
 * Spec: LIVE G14-G16.
 */
START_TEST(s37_next_key_bad_pointers)
{
	int m = map_create_ok(8, 4, 0);
	__u32 key = 3, next = UNTOUCHED;

	ck_assert_ret(next_key(m, NULL, NULL), -EFAULT);
	ck_assert_ret(next_key(m, &key, NULL), -ENOENT);
	ck_assert_ret(next_key(m, (const __u32 *)1, &next), -EFAULT);
	ck_assert_uint_eq(next, UNTOUCHED);
	xclose(m);
}
END_TEST

/*
 * A BPF_F_RDONLY map refuses update and delete with EPERM but allows lookup
 * (ENOENT when empty) and GET_NEXT_KEY; a BPF_F_WRONLY map refuses lookup and
 * GET_NEXT_KEY with EPERM but allows update and delete.
 * Spec: LIVE U39-U41, L15-L18.
 */
START_TEST(s38_rdonly_wronly)
{
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int wo = map_create_ok(8, 4, BPF_F_WRONLY);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	__u32 key = 0, next;

	ck_assert_ret(ins(ro, 0, l, BPF_ANY), -EPERM);
	ck_assert_ret(del(ro, 0), -EPERM);
	ck_assert_ret(lookup(ro, 0, NULL), -ENOENT);
	expect_next(ro, NULL, 0, 0);

	ck_assert_ret(lookup(wo, 0, NULL), -EPERM);
	ck_assert_ret(next_key(wo, &key, &next), -EPERM);
	ck_assert_ret(ins(wo, 0, l, BPF_ANY), 0);
	ck_assert_ret(del(wo, 0), 0);
	ck_assert_ret(del(wo, 0), -ENOENT);
	xclose(l);
	xclose(ro);
	xclose(wo);
}
END_TEST

/*
 * GET_NEXT_KEY ignores the value size: on a 3-entry map with 4-byte values it
 * steps NULL to 0, 0 to 1 and 1 to 2, ends at 2 with ENOENT and restarts at 0
 * from key 3.
 * Spec: LIVE G12.
 */
START_TEST(x_next_key_value_size4)
{
	int m = map_create_ok(4, 3, 0);

	expect_next(m, NULL, 0, 0);
	expect_next_of(m, 0, 0, 1);
	expect_next_of(m, 1, 0, 2);
	expect_next_of(m, 2, -ENOENT, 0);
	expect_next_of(m, 3, 0, 0);
	xclose(m);
}
END_TEST

/*
 * Walking a 7-entry map with GET_NEXT_KEY from NULL visits the indexes 0 to 6
 * once each, in order, and then gives ENOENT.
 * Spec: Section 7.
 */
START_TEST(x_next_key_full_walk)
{
	int m = map_create_ok(8, 7, 0);
	__u32 key, next;
	int n = 0;

	ck_assert_ret(next_key(m, NULL, &key), 0);
	for (;;) {
		int r = next_key(m, &key, &next);

		n++;
		if (r == -ENOENT)
			break;
		ck_assert_ret(r, 0);
		ck_assert_uint_eq(next, key + 1);
		key = next;
	}
	ck_assert_int_eq(n, 7);
	ck_assert_uint_eq(key, 6);
	xclose(m);
}
END_TEST

static const int elem_cmds[] = {
	BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
	BPF_MAP_GET_NEXT_KEY,
};

/*
 * For LOOKUP, UPDATE, DELETE and GET_NEXT_KEY, a map fd that is not open gives
 * EBADF, and an open fd that is not a map (/dev/null or a socket) gives EINVAL.
 * Spec: LIVE U37, U38.
 */
START_TEST(x_front_matter_map_fd)
{
	int dn = open_devnull();
	int s = new_socket(AF_INET, SOCK_DGRAM, 0);
	__u32 key = 0, next;
	__u64 val = 0;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		int cmd = elem_cmds[i];
		void *v = cmd == BPF_MAP_DELETE_ELEM ? NULL :
			  cmd == BPF_MAP_GET_NEXT_KEY ? (void *)&next : &val;

		ck_assert_ret(elem_cmd(cmd, FD_NOT_OPEN, &key, v, 0), -EBADF);
		ck_assert_ret(elem_cmd(cmd, dn, &key, v, 0), -EINVAL);
		ck_assert_ret(elem_cmd(cmd, s, &key, v, 0), -EINVAL);
	}
	close(dn);
	xclose(s);
}
END_TEST

/*
 * A stray byte after the last field of LOOKUP, UPDATE, DELETE or GET_NEXT_KEY
 * gives EINVAL even when the map fd is not open: the attr tail is checked
 * before the fd is resolved.
 * Spec: Section 3.
 */
START_TEST(x_front_matter_tail_before_fd)
{
	ck_assert_ret(cmd_with_byte(BPF_MAP_LOOKUP_ELEM, FD_NOT_OPEN, 32),
		      -EINVAL);
	ck_assert_ret(cmd_with_byte(BPF_MAP_UPDATE_ELEM, FD_NOT_OPEN, 32),
		      -EINVAL);
	ck_assert_ret(cmd_with_byte(BPF_MAP_DELETE_ELEM, FD_NOT_OPEN, 24),
		      -EINVAL);
	ck_assert_ret(cmd_with_byte(BPF_MAP_GET_NEXT_KEY, FD_NOT_OPEN, 24),
		      -EINVAL);
	/* Far beyond every field, still inside the installed union. */
	ck_assert_ret(cmd_with_byte(BPF_MAP_LOOKUP_ELEM, FD_NOT_OPEN,
				    ATTR_SIZE - 1), -EINVAL);
}
END_TEST

/*
 * UPDATE with BPF_F_LOCK gives EBADF on a closed fd, EPERM on a read-only map
 * and EINVAL on a writable one: the lock bit is judged after fd and permission.
 * Flags 3 without it reach the key copy (EFAULT).
 * Spec: LIVE U46, U02.
 */
START_TEST(x_front_matter_update_lock_order)
{
	__u32 key = 0;
	__u64 val = 0;
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int m = map_create_ok(8, 4, 0);

	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, FD_NOT_OPEN, &key, &val,
			       BPF_F_LOCK), -EBADF);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, ro, NULL, NULL, BPF_F_LOCK),
		      -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, NULL, NULL, BPF_F_LOCK),
		      -EINVAL);
	/* Without the lock bit, flags 3 passes the front matter to the key. */
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, NULL, &val, 3), -EFAULT);
	xclose(ro);
	xclose(m);
}
END_TEST

/*
 * Lookup with BPF_F_LOCK, alone or with another flag bit, on a readable
 * BPF_F_RDONLY map gives EINVAL.
 * Spec: Section 3 LOOKUP row.
 */
START_TEST(x_front_matter_lookup_lock_rdonly)
{
	__u32 key = 0;
	__u64 val;
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);

	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, ro, &key, &val, BPF_F_LOCK),
		      -EINVAL);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, ro, &key, &val,
			       BPF_F_LOCK | 1), -EINVAL);
	xclose(ro);
}
END_TEST

/*
 * The fd's permission is checked before the key is copied: update and delete
 * with a NULL key on a read-only map, and lookup and GET_NEXT_KEY with a bad
 * key on a write-only map, all give EPERM.
 * Spec: Section 3.
 */
START_TEST(x_front_matter_permission_before_key)
{
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int wo = map_create_ok(8, 4, BPF_F_WRONLY);
	__u64 val = 0;
	__u32 next;

	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, ro, NULL, &val, 0), -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_DELETE_ELEM, ro, NULL, NULL, 0), -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, wo, NULL, &val, 0), -EPERM);
	ck_assert_ret(next_key(wo, (const __u32 *)1, &next), -EPERM);
	xclose(ro);
	xclose(wo);
}
END_TEST

Suite *map_keys_suite(void)
{
	Suite *s = suite_create("map_keys");
	TCase *tc = tcase_create("keys");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s33_check_attr_tails);
	tcase_add_test(tc, s35_next_key_map4);
	tcase_add_test(tc, s36_next_key_other_sizes);
	tcase_add_test(tc, s37_next_key_bad_pointers);
	tcase_add_test(tc, s38_rdonly_wronly);
	tcase_add_test(tc, x_next_key_value_size4);
	tcase_add_test(tc, x_next_key_full_walk);
	tcase_add_test(tc, x_front_matter_map_fd);
	tcase_add_test(tc, x_front_matter_tail_before_fd);
	tcase_add_test(tc, x_front_matter_update_lock_order);
	tcase_add_test(tc, x_front_matter_lookup_lock_rdonly);
	tcase_add_test(tc, x_front_matter_permission_before_key);
	suite_add_tcase(s, tc);
	return s;
}
