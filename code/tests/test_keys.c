/**
 * @file test_keys.c
 * @brief Chapter "Walking the keys and the system-call layer".
 *
 * The tests tagged "exercise" grade exercises/get_next_key.  They walk the
 * map's keys with BPF_MAP_GET_NEXT_KEY through sys_bpf(), which ends in
 * reuseport_array_get_next_key(): no key or a key out of range gives 0, the
 * last key gives ENOENT, any other key gives the next index, whether its
 * slot is filled or not.  The generated stub answers -ENOSYS, so every one
 * of them fails against it.
 *
 * The other tests check the system-call layer the chapter walks through
 * (code/kernel/bpf/syscall.c): the size of the attribute block, CHECK_ATTR,
 * the descriptor, its permissions, copying the key, and the commands this
 * map does not support, which answer the kernel-internal ENOTSUPP (524).
 * Every errno is the one Linux 6.18 gives (kernel-spec.md §3, §7, §8).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kern/bpf.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"

/* A value no step of the walk can write into a 4-slot map's next_key. */
#define UNTOUCHED	0xdeadbeefu

/* GET_NEXT_KEY after @key (NULL: from the start) into @next. */
static int step(int map, const u32 *key, u32 *next)
{
	*next = UNTOUCHED;
	return next_key(map, key, next);
}

/* Assert that the key after @key is @want. */
static void expect_next(int map, u32 key, u32 want)
{
	u32 next;

	ck_assert_ret(step(map, &key, &next), 0);
	ck_assert_msg(next == want, "after key %u: got %u, want %u", key,
		      next, want);
}

/* ------------------------------------------------- the exercise's tests */

/* Catches a walk that does not start at 0 when no key is given. */
START_TEST(no_key_starts_at_zero)
{
	int map = map_create_ok(8, 4, 0);
	u32 next;

	ck_assert_ret(step(map, NULL, &next), 0);
	ck_assert_uint_eq(next, 0);
	xclose(map);
}
END_TEST

/* [book:test_walk] */
/*
 * Catches a walk that skips empty slots, or visits only filled ones: the
 * keys are indices, and every index is a key.
 */
START_TEST(walk_visits_every_index_filled_or_not)
{
	int map = map_create_ok(8, 5, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u32 key, next, seen = 0;
	int r;

	ck_assert_ret(ins(map, 2, s, BPF_ANY), 0);	/* one slot of five */
	r = step(map, NULL, &next);
	while (r == 0) {
		ck_assert_uint_eq(next, seen);	/* 0, 1, 2, 3, 4 in order */
		seen++;
		key = next;
		r = step(map, &key, &next);
	}
	ck_assert_ret(r, -ENOENT);
	ck_assert_uint_eq(seen, 5);
	xclose(s);
	xclose(map);
}
END_TEST
/* [/book:test_walk] */

/* Catches an off-by-one at either end of the walk. */
START_TEST(next_is_key_plus_one)
{
	int map = map_create_ok(8, 4, 0);

	expect_next(map, 0, 1);
	expect_next(map, 1, 2);
	expect_next(map, 2, 3);
	xclose(map);
}
END_TEST

/*
 * Catches a walk that wraps to 0 after the last key (an endless loop for
 * every caller), and one that writes next_key when it has no next key.
 */
START_TEST(last_key_is_enoent_and_next_is_untouched)
{
	int map = map_create_ok(8, 4, 0);
	u32 key = 3, next;

	expect_next(map, 2, 3);
	ck_assert_ret(step(map, &key, &next), -ENOENT);
	ck_assert_uint_eq(next, UNTOUCHED);
	/* nothing is copied out, so a NULL next_key is no fault here */
	ck_assert_ret(next_key(map, &key, NULL), -ENOENT);
	xclose(map);
}
END_TEST

/*
 * Catches a walk that answers ENOENT or key + 1 for a key past the end:
 * a key that is not in the map restarts the walk at 0, as no key does.
 */
START_TEST(key_out_of_range_restarts_at_zero)
{
	int map = map_create_ok(8, 4, 0);

	expect_next(map, 4, 0);
	expect_next(map, 5, 0);
	expect_next(map, 0x7fffffffu, 0);
	/* the largest key: also what the map reads a NULL key as */
	expect_next(map, 0xffffffffu, 0);
	xclose(map);
}
END_TEST

/* Catches a walk that mistakes the first key for the last, or vice versa. */
START_TEST(one_slot_map_has_one_key)
{
	int map = map_create_ok(8, 1, 0);
	u32 key = 0, next;

	ck_assert_ret(step(map, NULL, &next), 0);
	ck_assert_uint_eq(next, 0);
	ck_assert_ret(step(map, &key, &next), -ENOENT);
	ck_assert_uint_eq(next, UNTOUCHED);
	expect_next(map, 1, 0);
	xclose(map);
}
END_TEST

/*
 * Catches a walk that depends on value_size, or on a small max_entries:
 * a map of 4-byte values and a million slots walks the same way.
 */
START_TEST(walk_ignores_value_size_and_scales)
{
	u32 max = 1u << 20, key, next;
	int map = map_create_ok(4, max, 0);

	expect_next(map, 0, 1);
	expect_next(map, max - 2, max - 1);
	key = max - 1;
	ck_assert_ret(step(map, &key, &next), -ENOENT);
	expect_next(map, max, 0);
	xclose(map);
}
END_TEST

/* ------------------------------------------------ the system-call layer */

/*
 * Catches a layer that looks at the descriptor before CHECK_ATTR: a
 * non-zero byte after next_key is EINVAL even when the map does not exist.
 */
START_TEST(check_attr_comes_before_the_descriptor)
{
	union attr_buf b;
	int map = map_create_ok(8, 4, 0);

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = FD_NOT_OPEN;
	b.attr.flags = 1;		/* GET_NEXT_KEY ends at next_key */
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &b, ATTR_SIZE), -EINVAL);
	b.attr.flags = 0;
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &b, ATTR_SIZE), -EBADF);

	/* DELETE ends at key: a value pointer is a field too many */
	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map;
	b.attr.value = 8;
	ck_assert_ret(bpf_raw(BPF_MAP_DELETE_ELEM, &b, ATTR_SIZE), -EINVAL);
	xclose(map);
}
END_TEST

/*
 * Catches a layer that mishandles the attribute block's size: a bigger
 * block with a zero tail is fine, a non-zero tail is E2BIG, more than a
 * page is E2BIG, a shorter block reads as zeros.
 */
START_TEST(attribute_block_size_rules)
{
	static union {
		union bpf_attr attr;
		unsigned char raw[8192];
	} big;
	int map = map_create_ok(8, 4, 0);
	u32 next = UNTOUCHED;

	memset(&big, 0, sizeof(big));
	big.attr.map_fd = map;
	big.attr.next_key = (u64)(uintptr_t)&next;
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &big, 1024), 0);
	ck_assert_uint_eq(next, 0);
	big.raw[1000] = 1;		/* a field this kernel does not know */
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &big, 1024), -E2BIG);
	big.raw[1000] = 0;
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &big, 4097), -E2BIG);
	/* 4 bytes: only map_fd; key and next_key read as zero (NULL) */
	ck_assert_ret(bpf_raw(BPF_MAP_GET_NEXT_KEY, &big, 4), -EFAULT);
	xclose(map);
}
END_TEST

/* Catches a layer that accepts any descriptor as a map. */
START_TEST(descriptor_must_be_an_open_map)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u32 next;

	ck_assert_ret(step(FD_NOT_OPEN, NULL, &next), -EBADF);
	ck_assert_ret(step(s, NULL, &next), -EINVAL);	/* a socket, not a map */
	ck_assert_ret(step(map, NULL, &next), 0);
	xclose(s);
	xclose(map);
}
END_TEST

/*
 * Catches a layer that ignores the descriptor's rights: BPF_F_WRONLY
 * takes away lookup and walk, BPF_F_RDONLY and a freeze take away update
 * and delete, before the key is even read.
 */
START_TEST(descriptor_rights_are_eperm)
{
	int wo = map_create_ok(8, 4, BPF_F_WRONLY);
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int fz = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u32 next;
	__u64 c;

	ck_assert_ret(step(wo, NULL, &next), -EPERM);
	ck_assert_ret(lookup(wo, 0, &c), -EPERM);
	ck_assert_ret(ins(wo, 0, s, BPF_ANY), 0);	/* writing is allowed */
	ck_assert_ret(del(wo, 0), 0);

	ck_assert_ret(step(ro, NULL, &next), 0);
	ck_assert_ret(ins(ro, 0, s, BPF_ANY), -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_DELETE_ELEM, ro, NULL, NULL, 0), -EPERM);

	ck_assert_ret(map_freeze(fz), 0);
	ck_assert_ret(ins(fz, 0, s, BPF_ANY), -EPERM);
	ck_assert_ret(step(fz, NULL, &next), 0);
	xclose(s);
	xclose(wo);
	xclose(ro);
	xclose(fz);
}
END_TEST

/* Catches a layer that reads the key without copy_from_user()'s check. */
START_TEST(bad_key_pointers_are_efault)
{
	int map = map_create_ok(8, 4, 0);
	u32 next;

	ck_assert_ret(next_key(map, (const u32 *)1, &next), -EFAULT);
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_ELEM, map, NULL, &next, 0),
		      -EFAULT);
	/* a first step that succeeds must copy out: NULL next_key faults */
	ck_assert_ret(next_key(map, NULL, NULL), -EFAULT);
	xclose(map);
}
END_TEST

/*
 * Catches a layer that turns ENOTSUPP into a userspace errno, or that
 * treats an unsupported command as unknown: the map has no
 * lookup-and-delete and no batch operations, and 524 leaks out unchanged.
 */
START_TEST(unsupported_commands_are_enotsupp)
{
	int map = map_create_ok(8, 4, 0);
	union attr_buf b;
	u32 key = 0;
	u64 v;

	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, map, &key, &v, 0),
		      -ENOTSUPP);
	memset(&b, 0, sizeof(b));
	b.attr.batch.map_fd = map;
	ck_assert_ret(bpf_raw(BPF_MAP_LOOKUP_BATCH, &b, ATTR_SIZE), -ENOTSUPP);
	ck_assert_ret(bpf_raw(BPF_MAP_UPDATE_BATCH, &b, ATTR_SIZE), -ENOTSUPP);
	ck_assert_ret(bpf_raw(BPF_MAP_DELETE_BATCH, &b, ATTR_SIZE), -ENOTSUPP);
	/* an unknown command is EINVAL, not 524 */
	ck_assert_ret(bpf_raw(9999, &b, ATTR_SIZE), -EINVAL);
	ck_assert_int_eq(ENOTSUPP, 524);
	ck_assert_int_ne(ENOTSUPP, EOPNOTSUPP);
	xclose(map);
}
END_TEST

static Suite *keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *walk = tcase_create("get_next_key");
	TCase *layer = tcase_create("syscall_layer");

	tcase_set_tags(walk, "exercise");
	tcase_set_timeout(walk, 20);
	tcase_add_test(walk, no_key_starts_at_zero);
	tcase_add_test(walk, walk_visits_every_index_filled_or_not);
	tcase_add_test(walk, next_is_key_plus_one);
	tcase_add_test(walk, last_key_is_enoent_and_next_is_untouched);
	tcase_add_test(walk, key_out_of_range_restarts_at_zero);
	tcase_add_test(walk, one_slot_map_has_one_key);
	tcase_add_test(walk, walk_ignores_value_size_and_scales);
	suite_add_tcase(s, walk);

	tcase_add_test(layer, check_attr_comes_before_the_descriptor);
	tcase_add_test(layer, attribute_block_size_rules);
	tcase_add_test(layer, descriptor_must_be_an_open_map);
	tcase_add_test(layer, descriptor_rights_are_eperm);
	tcase_add_test(layer, bad_key_pointers_are_efault);
	tcase_add_test(layer, unsupported_commands_are_enotsupp);
	suite_add_tcase(s, layer);
	return s;
}

/*
 * `test_keys kernel` runs every test against the running kernel's bpf(2)
 * (as root): all of them use only system calls.
 */
int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1 && !strcmp(argv[1], "kernel"))
		spec_backend = &spec_kernel_backend;
	sr = srunner_create(keys_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
