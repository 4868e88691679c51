/**
 * @file test_substrate.c
 * @brief Tests of the kernel-in-userspace substrate: errors in pointers,
 *        saturating sizes, one-time accesses, lock ownership, RCU.
 *
 * Misuse tests expect SIGABRT: the port must stop loudly where the kernel's
 * lockdep or RCU checks would splat.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "kern/compiler.h"
#include "kern/err.h"
#include "kern/overflow.h"
#include "kern/rcupdate.h"
#include "kern/spinlock.h"

/* ------------------------------------------------------------ errors */

START_TEST(err_ptr_round_trip)
{
	for (long e = 1; e <= MAX_ERRNO; e++) {
		void *p = ERR_PTR(-e);

		ck_assert_msg(IS_ERR(p), "ERR_PTR(-%ld) not recognised", e);
		ck_assert_int_eq(PTR_ERR(p), -e);
		ck_assert(IS_ERR_OR_NULL(p));
	}
}
END_TEST

START_TEST(err_ptr_real_pointers_are_not_errors)
{
	int x = 0;

	ck_assert(!IS_ERR(&x));
	ck_assert(!IS_ERR(NULL));
	ck_assert(IS_ERR_OR_NULL(NULL));
	/* one past the error range is an ordinary (if odd) address */
	ck_assert(!IS_ERR(ERR_PTR(-MAX_ERRNO - 1)));
}
END_TEST

START_TEST(enotsupp_is_524_not_eopnotsupp)
{
	ck_assert_int_eq(ENOTSUPP, 524);
	ck_assert_int_ne(ENOTSUPP, EOPNOTSUPP);
}
END_TEST

/* ------------------------------------------------------------ sizes */

struct flex {
	uint64_t header[3];
	void *slot[];
};

START_TEST(struct_size_exact)
{
	struct flex *f;

	ck_assert_uint_eq(struct_size(f, slot, 0), sizeof(*f));
	ck_assert_uint_eq(struct_size(f, slot, 4), sizeof(*f) + 4 * sizeof(void *));
	ck_assert_uint_eq(struct_size(f, slot, 0xffffffffULL),
			  sizeof(*f) + 0xffffffffULL * sizeof(void *));
}
END_TEST

START_TEST(struct_size_saturates)
{
	struct flex *f;

	/* the product overflows: saturate, never wrap to a small size */
	ck_assert_uint_eq(struct_size(f, slot, SIZE_MAX), SIZE_MAX);
	ck_assert_uint_eq(struct_size(f, slot, SIZE_MAX / sizeof(void *) + 1), SIZE_MAX);
	/* the product fits but the header pushes it over */
	ck_assert_uint_eq(struct_size(f, slot, SIZE_MAX / sizeof(void *)), SIZE_MAX);
	ck_assert_uint_eq(size_add(SIZE_MAX, 1), SIZE_MAX);
	ck_assert_uint_eq(size_mul(SIZE_MAX, 2), SIZE_MAX);
	/* a saturated size is refused by the allocator, as in the kernel */
	{
		/* volatile: the compiler must not see (and warn about) the size */
		volatile size_t huge = struct_size(f, slot, SIZE_MAX);

		ck_assert_ptr_null(malloc(huge));
	}
}
END_TEST

struct outer {
	int a;
	long b;
	char inner;
};

START_TEST(container_of_finds_the_outer_struct)
{
	struct outer o;

	ck_assert_ptr_eq(container_of(&o.inner, struct outer, inner), &o);
	ck_assert_ptr_eq(container_of(&o.b, struct outer, b), &o);
}
END_TEST

START_TEST(read_write_once)
{
	long v = 1;

	WRITE_ONCE(v, 42);
	ck_assert_int_eq(READ_ONCE(v), 42);
}
END_TEST

/* ------------------------------------------------------------ locks */

static DEFINE_SPINLOCK(test_lock);

START_TEST(lockdep_is_held_tracks_the_owner)
{
	rwlock_t rw;

	rwlock_init(&rw);
	ck_assert(!lockdep_is_held(&test_lock));
	spin_lock_bh(&test_lock);
	ck_assert(lockdep_is_held(&test_lock));
	ck_assert(in_softirq());
	write_lock_bh(&rw);
	ck_assert(lockdep_is_held(&rw));
	ck_assert_int_eq(lockdep_depth(), 2);
	write_unlock_bh(&rw);
	spin_unlock_bh(&test_lock);
	ck_assert(!lockdep_is_held(&test_lock));
	ck_assert(!in_softirq());
	read_lock(&rw);
	read_lock(&rw);		/* readers may nest, as kernel rwlock readers do */
	ck_assert(lockdep_is_held(&rw));
	read_unlock(&rw);
	read_unlock(&rw);
	ck_assert(!lockdep_is_held(&rw));
	rwlock_destroy(&rw);
}
END_TEST

static void *hold_and_report(void *arg)
{
	(void)arg;
	/* held by the main thread, not by this one */
	return (void *)(uintptr_t)lockdep_is_held(&test_lock);
}

START_TEST(lockdep_is_held_is_per_thread)
{
	pthread_t t;
	void *res;

	spin_lock(&test_lock);
	pthread_create(&t, NULL, hold_and_report, NULL);
	pthread_join(t, &res);
	spin_unlock(&test_lock);
	ck_assert_ptr_null(res);
}
END_TEST

START_TEST(recursive_spin_lock_aborts)
{
	spin_lock(&test_lock);
	spin_lock(&test_lock);	/* a real spinlock would spin forever here */
}
END_TEST

START_TEST(unlock_of_unheld_lock_aborts)
{
	spin_unlock(&test_lock);
}
END_TEST

START_TEST(write_lock_while_reading_aborts)
{
	rwlock_t rw;

	rwlock_init(&rw);
	read_lock(&rw);
	write_lock(&rw);	/* self-deadlock in the kernel */
}
END_TEST

/* ------------------------------------------------------------ RCU */

struct cfg {
	int value;
	struct rcu_head rcu;
};

static struct cfg __rcu *current_cfg;
static int freed_value;

static void cfg_free(struct rcu_head *head)
{
	struct cfg *c = container_of(head, struct cfg, rcu);

	__atomic_store_n(&freed_value, c->value, __ATOMIC_RELAXED);
	free(c);
}

START_TEST(rcu_publish_read_and_free)
{
	struct cfg *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *seen;

	a->value = 1;
	rcu_assign_pointer(current_cfg, a);
	rcu_read_lock();
	seen = rcu_dereference(current_cfg);
	ck_assert_int_eq(seen->value, 1);
	rcu_read_unlock();

	b->value = 2;
	rcu_assign_pointer(current_cfg, b);
	synchronize_rcu();
	free(a);		/* no reader can still hold a */

	call_rcu(&b->rcu, cfg_free);
	RCU_INIT_POINTER(current_cfg, NULL);
	rcu_barrier();
	ck_assert_int_eq(__atomic_load_n(&freed_value, __ATOMIC_RELAXED), 2);
}
END_TEST

START_TEST(rcu_dereference_outside_read_lock_aborts)
{
	struct cfg *c;

	c = rcu_dereference(current_cfg);
	(void)c;
}
END_TEST

START_TEST(rcu_dereference_protected_without_lock_aborts)
{
	struct cfg *c;

	c = rcu_dereference_protected(current_cfg, lockdep_is_held(&test_lock));
	(void)c;
}
END_TEST

START_TEST(rcu_dereference_protected_with_lock)
{
	struct cfg *c;

	spin_lock(&test_lock);
	c = rcu_dereference_protected(current_cfg, lockdep_is_held(&test_lock));
	spin_unlock(&test_lock);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(synchronize_rcu_inside_read_lock_aborts)
{
	rcu_read_lock();
	synchronize_rcu();	/* would wait for itself */
}
END_TEST

static void *reader_thread(void *arg)
{
	int *spins = arg;
	struct cfg *c;

	rcu_read_lock();
	c = rcu_dereference(current_cfg);
	/* keep the section open a while: the writer must wait for it */
	for (int i = 0; c && i < 200; i++) {
		ck_assert_int_eq(READ_ONCE(c->value), 7);
		usleep(100);
		__atomic_fetch_add(spins, 1, __ATOMIC_RELAXED);
	}
	rcu_read_unlock();
	return NULL;
}

START_TEST(synchronize_rcu_waits_for_a_reader)
{
	struct cfg *c = malloc(sizeof(*c));
	pthread_t t;
	int spins = 0;

	c->value = 7;
	rcu_assign_pointer(current_cfg, c);
	pthread_create(&t, NULL, reader_thread, &spins);
	usleep(2000);
	RCU_INIT_POINTER(current_cfg, NULL);
	synchronize_rcu();
	/* the reader either finished its section or never entered it */
	ck_assert(__atomic_load_n(&spins, __ATOMIC_RELAXED) == 0 ||
		  __atomic_load_n(&spins, __ATOMIC_RELAXED) == 200);
	c->value = -1;
	free(c);
	pthread_join(t, NULL);
}
END_TEST

static Suite *substrate_suite(void)
{
	Suite *s = suite_create("substrate");
	TCase *tc;

	tc = tcase_create("errors");
	tcase_add_test(tc, err_ptr_round_trip);
	tcase_add_test(tc, err_ptr_real_pointers_are_not_errors);
	tcase_add_test(tc, enotsupp_is_524_not_eopnotsupp);
	suite_add_tcase(s, tc);

	tc = tcase_create("sizes");
	tcase_add_test(tc, struct_size_exact);
	tcase_add_test(tc, struct_size_saturates);
	tcase_add_test(tc, container_of_finds_the_outer_struct);
	tcase_add_test(tc, read_write_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("locks");
	tcase_add_test(tc, lockdep_is_held_tracks_the_owner);
	tcase_add_test(tc, lockdep_is_held_is_per_thread);
	tcase_add_test_raise_signal(tc, recursive_spin_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, unlock_of_unheld_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, write_lock_while_reading_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcu");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, rcu_publish_read_and_free);
	tcase_add_test(tc, rcu_dereference_protected_with_lock);
	tcase_add_test(tc, synchronize_rcu_waits_for_a_reader);
	tcase_add_test_raise_signal(tc, rcu_dereference_outside_read_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, rcu_dereference_protected_without_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, synchronize_rcu_inside_read_lock_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(substrate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
