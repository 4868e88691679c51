/**
 * @file test_userspace_overflow.c
 * @brief Chapter "A kernel in userspace": saturating size arithmetic
 *        (size_mul(), size_add(), struct_size()) and what it protects.
 *
 * Every test here is tagged "exercise": together they grade
 * exercises/struct_size.  In that exercise the whole port, this file
 * included, is built with the student's overflow.h.  Each test asserts at
 * least one exact, non-zero size before anything else, so the stub (which
 * returns 0) fails every one cleanly, before a zero size can reach an
 * allocator.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/overflow.h"
#include "kern/sock.h"
#include "spec/spec.h"

/* Shaped like struct reuseport_array: the generic header, then the slots. */
struct demo_array {
	struct bpf_map map;
	struct sock __rcu *ptrs[];
};

/* 2^32: its square is the first product that does not fit in 64 bits. */
#define TWO_32	((size_t)1 << 32)

_Static_assert(sizeof(size_t) == 8, "these edge values assume a 64-bit size_t");

/* [book:test_size_mul] */
START_TEST(size_mul_is_exact_when_the_product_fits)
{
	ck_assert_uint_eq(size_mul(3, 5), 15);
	ck_assert_uint_eq(size_mul(8, 0xffffffff), 0x7fffffff8);
	ck_assert_uint_eq(size_mul(0, SIZE_MAX), 0);	/* no division by zero */
	ck_assert_uint_eq(size_mul(SIZE_MAX, 0), 0);
	ck_assert_uint_eq(size_mul(1, SIZE_MAX), SIZE_MAX);
	/* the largest exact products: no false alarm at the edge */
	ck_assert_uint_eq(size_mul(SIZE_MAX / 2, 2), SIZE_MAX - 1);
	ck_assert_uint_eq(size_mul(SIZE_MAX / 8, 8), SIZE_MAX - 7);
	ck_assert_uint_eq(size_mul(TWO_32 - 1, TWO_32 + 1), SIZE_MAX);
}
END_TEST

START_TEST(size_mul_saturates_instead_of_wrapping)
{
	ck_assert_uint_eq(size_mul(3, 5), 15);
	/* each of these is 2^64 exactly, or more: they would wrap to 0 or to
	 * a small number */
	ck_assert_uint_eq(size_mul(SIZE_MAX / 2 + 1, 2), SIZE_MAX);
	ck_assert_uint_eq(size_mul(SIZE_MAX / 8 + 1, 8), SIZE_MAX);
	ck_assert_uint_eq(size_mul(TWO_32, TWO_32), SIZE_MAX);
	/* wraps to 2^33 + 1, which is larger than either factor: a check
	 * like "product < factor" misses it */
	ck_assert_uint_eq(size_mul(TWO_32 + 1, TWO_32 + 1), SIZE_MAX);
	ck_assert_uint_eq(size_mul(SIZE_MAX, 2), SIZE_MAX);
	ck_assert_uint_eq(size_mul(SIZE_MAX, SIZE_MAX), SIZE_MAX);
}
END_TEST
/* [/book:test_size_mul] */

START_TEST(size_add_is_exact_or_saturated)
{
	ck_assert_uint_eq(size_add(2, 3), 5);
	ck_assert_uint_eq(size_add(0, 0), 0);
	ck_assert_uint_eq(size_add(SIZE_MAX - 5, 4), SIZE_MAX - 1);
	ck_assert_uint_eq(size_add(SIZE_MAX - 1, 1), SIZE_MAX);
	/* one past the top, and far past it */
	ck_assert_uint_eq(size_add(SIZE_MAX, 1), SIZE_MAX);
	ck_assert_uint_eq(size_add(1, SIZE_MAX), SIZE_MAX);
	ck_assert_uint_eq(size_add(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1), SIZE_MAX);
	ck_assert_uint_eq(size_add(SIZE_MAX, SIZE_MAX), SIZE_MAX);
}
END_TEST

START_TEST(saturation_is_sticky)
{
	size_t huge = size_mul(TWO_32, TWO_32);

	ck_assert_uint_eq(huge, SIZE_MAX);
	/* once saturated, later steps cannot bring the size back down */
	ck_assert_uint_eq(size_add(huge, 1), SIZE_MAX);
	ck_assert_uint_eq(size_mul(huge, 1), SIZE_MAX);
	ck_assert_uint_eq(size_add(size_mul(SIZE_MAX, 8), sizeof(struct bpf_map)), SIZE_MAX);
}
END_TEST

/* [book:test_struct_size] */
START_TEST(struct_size_adds_the_header_and_saturates)
{
	struct demo_array *a;	/* only its type is used */
	const size_t h = sizeof(*a), slot = sizeof(a->ptrs[0]);

	ck_assert_uint_eq(struct_size(a, ptrs, 0), h);
	ck_assert_uint_eq(struct_size(a, ptrs, 4), h + 4 * slot);
	ck_assert_uint_eq(flex_array_size(a, ptrs, 4), 4 * slot);
	/* the biggest map bpf(2) can ask for still fits in 64 bits */
	ck_assert_uint_eq(struct_size(a, ptrs, 0xffffffff), h + 0xffffffffULL * slot);
	/* SIZE_MAX-sized requests */
	ck_assert_uint_eq(struct_size(a, ptrs, SIZE_MAX), SIZE_MAX);
	ck_assert_uint_eq(flex_array_size(a, ptrs, SIZE_MAX / slot + 1), SIZE_MAX);
	/* the product fits, the header pushes it over */
	ck_assert_uint_eq(flex_array_size(a, ptrs, SIZE_MAX / slot), SIZE_MAX / slot * slot);
	ck_assert_uint_eq(struct_size(a, ptrs, SIZE_MAX / slot), SIZE_MAX);
}
END_TEST
/* [/book:test_struct_size] */

START_TEST(a_saturated_size_is_refused_by_the_allocator)
{
	struct demo_array *a;
	void *ok, *bad;

	ck_assert_uint_eq(struct_size(a, ptrs, 4), sizeof(*a) + 4 * sizeof(void *));
	ck_assert_uint_eq(struct_size(a, ptrs, SIZE_MAX), SIZE_MAX);
	ok = bpf_map_area_alloc(struct_size(a, ptrs, 4), NUMA_NO_NODE);
	ck_assert_ptr_nonnull(ok);
	bpf_map_area_free(ok);
	bad = bpf_map_area_alloc(struct_size(a, ptrs, SIZE_MAX), NUMA_NO_NODE);
	ck_assert_msg(bad == NULL, "a SIZE_MAX allocation succeeded");
}
END_TEST

/* [book:test_map_enomem] */
START_TEST(a_map_of_0xffffffff_slots_is_enomem_not_a_small_block)
{
	struct demo_array *a;
	struct bpf_map *map;
	int fd;

	/* 32 GiB and a little: exact, not wrapped, not saturated */
	ck_assert_uint_eq(struct_size(a, ptrs, 0xffffffffU),
			  sizeof(struct bpf_map) + 0xffffffffULL * sizeof(void *));
	/* through bpf(2): the allocator refuses the size, map_create says so */
	ck_assert_ret(map_create(8, 0xffffffff, 0), -ENOMEM);
	ck_assert_ret(map_create(4, 0xffffffff, 0), -ENOMEM);
	/* and a small map is sized by the same expression */
	fd = map_create_ok(8, 4, 0);
	map = bpf_map_get(fd);
	ck_assert(!IS_ERR_OR_NULL(map));
	ck_assert_uint_eq(map->ops->map_mem_usage(map),
			  sizeof(struct bpf_map) + 4 * sizeof(void *));
	bpf_map_put(map);
	xclose(fd);
}
END_TEST
/* [/book:test_map_enomem] */

static Suite *overflow_suite(void)
{
	Suite *s = suite_create("userspace_overflow");
	TCase *tc = tcase_create("struct_size");

	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, size_mul_is_exact_when_the_product_fits);
	tcase_add_test(tc, size_mul_saturates_instead_of_wrapping);
	tcase_add_test(tc, size_add_is_exact_or_saturated);
	tcase_add_test(tc, saturation_is_sticky);
	tcase_add_test(tc, struct_size_adds_the_header_and_saturates);
	tcase_add_test(tc, a_saturated_size_is_refused_by_the_allocator);
	tcase_add_test(tc, a_map_of_0xffffffff_slots_is_enomem_not_a_small_block);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(overflow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
