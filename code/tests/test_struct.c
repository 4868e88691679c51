/**
 * @file test_struct.c
 * @brief Chapter "The struct": allocation, attribute checks, layout and
 *        memory accounting of struct reuseport_array.
 *
 * The tests tagged "exercise" grade exercises/struct: run against the stub
 * every one of them must fail, against the solution every one must pass.
 * They reach the map both through bpf(2) (sys_bpf) and, where the question
 * is about memory layout, through the map object itself (bpf_map_get()).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "spec/spec.h"
#include "port_helpers.h"

/* [book:test_alloc_check] */
START_TEST(alloc_check_accepts_4_and_8_byte_values)
{
	int fd4 = map_create(4, 4, 0), fd8 = map_create(8, 4, 0);

	ck_assert_msg(fd4 >= 0, "value_size 4: got %s, want a map", errname(fd4));
	ck_assert_msg(fd8 >= 0, "value_size 8: got %s, want a map", errname(fd8));
	xclose(fd4);
	xclose(fd8);
}
END_TEST

START_TEST(alloc_check_rejects_other_value_sizes)
{
	static const __u32 bad[] = { 0, 1, 2, 3, 5, 7, 16, 4096 };

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(map_create(bad[i], 4, 0) == -EINVAL,
			      "value_size %u: got %s, want EINVAL (a value is a "
			      "4- or 8-byte fd, or an 8-byte cookie)",
			      bad[i], errname(map_create(bad[i], 4, 0)));
}
END_TEST

START_TEST(alloc_check_then_applies_the_array_checks)
{
	union attr_buf b;

	/* value_size is fine; each of these is the plain array's rule */
	map_attr_init(&b, 8, 4, 0);
	b.attr.key_size = 8;
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
	map_attr_init(&b, 8, 0, 0);
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
	map_attr_init(&b, 8, 4, BPF_F_MMAPABLE);
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
	map_attr_init(&b, 8, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
	ck_assert_ret(map_create_attr(&b, ATTR_SIZE), -EINVAL);
	/* and a good one, so that "always EINVAL" cannot pass */
	map_attr_init(&b, 8, 4, BPF_F_RDONLY_PROG);
	ck_assert_int_ge(map_create_attr(&b, ATTR_SIZE), 0);
}
END_TEST
/* [/book:test_alloc_check] */

START_TEST(alloc_records_the_attributes)
{
	int fd = map_create_ok(8, 7, BPF_F_RDONLY | BPF_F_RDONLY_PROG);
	struct bpf_map *map = map_of(fd);

	ck_assert_uint_eq(map->map_type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	ck_assert_ptr_eq(map->ops, &reuseport_array_ops);
	ck_assert_uint_eq(map->key_size, 4);
	ck_assert_uint_eq(map->value_size, 8);
	ck_assert_uint_eq(map->max_entries, 7);
	/* RDONLY describes the descriptor, not the map: not kept */
	ck_assert_uint_eq(map->map_flags, BPF_F_RDONLY_PROG);
	ck_assert_int_eq(map->numa_node, NUMA_NO_NODE);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST

/* [book:test_alloc_empty] */
START_TEST(alloc_starts_with_every_slot_empty)
{
	int fd = map_create_ok(8, 64, 0);
	struct bpf_map *map = map_of(fd);

	rcu_read_lock();
	for (u32 i = 0; i < 64; i++)
		ck_assert_msg(map->ops->map_lookup_elem(map, &i) == NULL,
			      "slot %u of a new map is not empty: was the "
			      "allocation zeroed?", i);
	rcu_read_unlock();
	for (u32 i = 0; i < 64; i++)
		ck_assert_ret(lookup(fd, i, NULL), -ENOENT);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST
/* [/book:test_alloc_empty] */

START_TEST(alloc_of_an_impossible_size_is_enomem)
{
	/* 0xffffffff slots of 8 bytes: 32 GiB, more than the machine has */
	ck_assert_ret(map_create(8, 0xffffffff, 0), -ENOMEM);
	/* and a large but possible one still works */
	ck_assert_int_ge(map_create(8, 1 << 20, 0), 0);
}
END_TEST

/* [book:test_layout] */
START_TEST(slots_follow_the_header)
{
	const u32 n = 9, idx[] = { 0, 5, 8 };
	int fd = map_create_ok(8, n, 0);
	struct bpf_map *map = map_of(fd);
	int s[3];

	s[0] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	for (int k = 1; k < 3; k++)
		s[k] = udp_bound(AF_INET, "127.0.0.1", port_of(s[0]), 1);
	for (int k = 0; k < 3; k++) {
		int err;
		struct socket *sock;
		uintptr_t want = (uintptr_t)map + sizeof(struct bpf_map) +
				 idx[k] * sizeof(struct sock *);

		ck_assert_ret(ins(fd, idx[k], s[k], BPF_ANY), 0);
		sock = sockfd_lookup(s[k], &err);
		ck_assert_ptr_nonnull(sock);
		/* the back-pointer is the slot's address, tagged NOCOPY|BPF */
		ck_assert_msg((uintptr_t)READ_ONCE(sock->sk->sk_user_data) ==
			      (want | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF),
			      "slot %u is not at header + %u pointers", idx[k], idx[k]);
		sockfd_put(sock);
	}
	for (int k = 0; k < 3; k++)
		xclose(s[k]);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST
/* [/book:test_layout] */

/* [book:test_mem_usage] */
START_TEST(mem_usage_is_header_plus_one_pointer_per_slot)
{
	static const struct { __u32 value_size, max; } cases[] = {
		{ 8, 1 }, { 8, 4 }, { 4, 4 }, { 4, 1000 }, { 8, 1 << 20 },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = map_create_ok(cases[i].value_size, cases[i].max, 0);
		struct bpf_map *map = map_of(fd);
		u64 want = sizeof(struct bpf_map) + (u64)cases[i].max * sizeof(void *);

		ck_assert_msg(map->ops->map_mem_usage(map) == want,
			      "map(%u,%u): mem_usage %llu, want %llu",
			      cases[i].value_size, cases[i].max,
			      (unsigned long long)map->ops->map_mem_usage(map),
			      (unsigned long long)want);
		bpf_map_put(map);
		xclose(fd);
	}
}
END_TEST
/* [/book:test_mem_usage] */

static Suite *struct_suite(void)
{
	Suite *s = suite_create("struct");
	TCase *tc = tcase_create("alloc");

	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, alloc_check_accepts_4_and_8_byte_values);
	tcase_add_test(tc, alloc_check_rejects_other_value_sizes);
	tcase_add_test(tc, alloc_check_then_applies_the_array_checks);
	tcase_add_test(tc, alloc_records_the_attributes);
	tcase_add_test(tc, alloc_starts_with_every_slot_empty);
	tcase_add_test(tc, alloc_of_an_impossible_size_is_enomem);
	tcase_add_test(tc, slots_follow_the_header);
	tcase_add_test(tc, mem_usage_is_header_plus_one_pointer_per_slot);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(struct_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
