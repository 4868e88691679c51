/**
 * @file test_rcu.c
 * @brief Chapter "RCU pointers": the toy RCU's grace period, and a slot's
 *        socket outliving its close() until the reader is done.
 *
 * The tests tagged "exercise" grade exercises/toy_rcu (toy_synchronize_rcu()
 * in code/kernel/rcu/toy.c): run against the stub, whose grace period
 * returns at once, every one of them must fail; against the solution every
 * one must pass.  Readers hold their critical sections open for several
 * milliseconds, so a grace period that does not wait is caught every time,
 * not once in a while.  The others check the toy's registration rules, its
 * debug checks, and the port's RCU (liburcu) on the map itself; the port's
 * RCU primitives have their own tests in test_substrate.c.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/toy_rcu.h"
#include "spec/spec.h"

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* Spin politely until @flag is set, or fail after @ms milliseconds. */
static void wait_for_flag(int *flag, long ms, const char *what)
{
	long end = now_ms() + ms;

	while (!LOAD(*flag)) {
		ck_assert_msg(now_ms() < end, "timed out waiting for %s", what);
		sleep_ms(1);
	}
}

/* ------------------------------------------------ readers that hold on */

/* A reader that stays inside for hold_ms; nest > 1 opens nested sections
 * and closes all but the outermost before announcing itself. */
struct holder {
	pthread_t thread;
	unsigned int hold_ms;
	int nest;
	int entered;	/* set once inside */
	int done;	/* set just before the outermost unlock */
	int err;	/* registration result */
};

static void *holder_main(void *arg)
{
	struct holder *h = arg;
	int i;

	h->err = toy_rcu_register_thread();
	if (h->err) {
		STORE(h->entered, 1);
		return NULL;
	}
	for (i = 0; i < h->nest; i++)
		toy_rcu_read_lock();
	for (i = 1; i < h->nest; i++)
		toy_rcu_read_unlock();
	STORE(h->entered, 1);
	sleep_ms(h->hold_ms);
	STORE(h->done, 1);
	toy_rcu_read_unlock();
	toy_rcu_unregister_thread();
	return NULL;
}

static void holder_start(struct holder *h, unsigned int hold_ms, int nest)
{
	*h = (struct holder){ .hold_ms = hold_ms, .nest = nest };
	ck_assert_int_eq(pthread_create(&h->thread, NULL, holder_main, h), 0);
	wait_for_flag(&h->entered, 5000, "a reader to enter");
	ck_assert_msg(h->err == 0, "toy_rcu_register_thread() failed: %s",
		      errname(h->err));
}

/* [book:test_toy_waits] */
START_TEST(grace_period_waits_for_a_reader_inside)
{
	struct holder h;
	long t0, waited;

	holder_start(&h, 50, 1);
	t0 = now_ms();
	toy_synchronize_rcu();
	waited = now_ms() - t0;
	ck_assert_msg(LOAD(h.done),
		      "toy_synchronize_rcu() returned after %ld ms, while a "
		      "reader that was inside when it began was still inside",
		      waited);
	pthread_join(h.thread, NULL);
}
END_TEST
/* [/book:test_toy_waits] */

START_TEST(grace_period_waits_for_every_reader)
{
	struct holder h[4];
	int i;

	for (i = 0; i < 4; i++)
		holder_start(&h[i], 20 + 20 * i, 1);
	toy_synchronize_rcu();
	for (i = 0; i < 4; i++)
		ck_assert_msg(LOAD(h[i].done),
			      "reader %d (inside for %u ms) was still inside "
			      "when toy_synchronize_rcu() returned", i,
			      h[i].hold_ms);
	for (i = 0; i < 4; i++)
		pthread_join(h[i].thread, NULL);
}
END_TEST

START_TEST(grace_period_waits_for_the_outermost_unlock)
{
	struct holder h;

	/* three nested sections, two already closed: still inside */
	holder_start(&h, 50, 3);
	toy_synchronize_rcu();
	ck_assert_msg(LOAD(h.done),
		      "toy_synchronize_rcu() returned while a reader was "
		      "still inside its outermost section (inner unlocks do "
		      "not end a critical section)");
	pthread_join(h.thread, NULL);
}
END_TEST

/* ------------------------------------------------ a reader that comes later */

/*
 * A reader that registers, waits until a grace period has started, then
 * enters and stays inside for up to 2 s.  The grace period must not wait
 * for it: it was not inside when the grace period began.
 */
struct latecomer {
	pthread_t thread;
	unsigned long gp_before;	/* toy_rcu_gp_started() before the test */
	int registered;
	int stop;
	int done;			/* set just before it unlocks */
	int err;
};

static void *latecomer_main(void *arg)
{
	struct latecomer *l = arg;
	long end;

	l->err = toy_rcu_register_thread();
	STORE(l->registered, 1);
	if (l->err)
		return NULL;
	end = now_ms() + 2000;
	while (toy_rcu_gp_started() == l->gp_before && !LOAD(l->stop) &&
	       now_ms() < end)
		sleep_ms(1);
	toy_rcu_read_lock();
	while (!LOAD(l->stop) && now_ms() < end)
		sleep_ms(1);
	STORE(l->done, 1);
	toy_rcu_read_unlock();
	toy_rcu_unregister_thread();
	return NULL;
}

START_TEST(grace_period_does_not_wait_for_later_readers)
{
	struct latecomer late = { .gp_before = toy_rcu_gp_started() };
	struct holder early;
	int early_done, late_done;
	long t0, waited;

	/* registered first, so an updater walking the registry meets it last */
	ck_assert_int_eq(pthread_create(&late.thread, NULL, latecomer_main, &late), 0);
	wait_for_flag(&late.registered, 5000, "the late reader to register");
	holder_start(&early, 300, 1);

	t0 = now_ms();
	toy_synchronize_rcu();
	waited = now_ms() - t0;
	early_done = LOAD(early.done);
	late_done = LOAD(late.done);
	STORE(late.stop, 1);
	pthread_join(late.thread, NULL);
	pthread_join(early.thread, NULL);

	ck_assert_msg(!late.err, "the late reader could not register");
	ck_assert_msg(early_done,
		      "toy_synchronize_rcu() returned after %ld ms, while a "
		      "reader that was inside when it began was still inside",
		      waited);
	ck_assert_msg(!late_done,
		      "toy_synchronize_rcu() took %ld ms: it waited for a reader "
		      "that entered after the grace period began (a steady "
		      "stream of such readers would starve it)", waited);
}
END_TEST

/* ------------------------------------ the race: publish, wait, poison */

#define CANARY	0x600dcafeUL
#define POISON	0xdeadbeefUL

struct obj {
	unsigned long canary;	/* CANARY while live, POISON once "freed" */
	struct obj *quarantine;	/* next "freed" object, freed for real at the end */
};

static struct obj __rcu *shared_obj;

struct race {
	int stop;
	int reads;
	int bad;	/* reads that found a poisoned object */
	int err;
};

/* [book:test_toy_race_reader] */
static void *race_reader(void *arg)
{
	struct race *rc = arg;
	struct obj *p;
	unsigned long first, second;

	rc->err = toy_rcu_register_thread();
	while (!rc->err && !LOAD(rc->stop)) {
		toy_rcu_read_lock();
		p = rcu_dereference_check(shared_obj, toy_rcu_read_lock_held());
		first = p->canary;
		sleep_ms(2);		/* a slow reader: the window is wide */
		second = p->canary;	/* must not have been poisoned meanwhile */
		toy_rcu_read_unlock();
		if (first != CANARY || second != CANARY)
			__atomic_fetch_add(&rc->bad, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&rc->reads, 1, __ATOMIC_RELAXED);
	}
	if (!rc->err)
		toy_rcu_unregister_thread();
	return NULL;
}
/* [/book:test_toy_race_reader] */

static struct obj *obj_new(void)
{
	struct obj *o = malloc(sizeof(*o));

	ck_assert_ptr_nonnull(o);
	o->canary = CANARY;
	o->quarantine = NULL;
	return o;
}

/* [book:test_toy_race_updater] */
START_TEST(no_reader_sees_a_poisoned_object)
{
	struct race rc[3] = { 0 };
	struct obj *old, *quarantine = NULL;
	pthread_t readers[3];
	int i, updates = 0, reads = 0, bad = 0;
	long end;

	RCU_INIT_POINTER(shared_obj, obj_new());	/* no reader yet */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL, race_reader, &rc[i]), 0);

	for (end = now_ms() + 150; now_ms() < end; updates++) {
		old = rcu_dereference_protected(shared_obj, 1 /* only updater */);
		rcu_assign_pointer(shared_obj, obj_new());
		toy_synchronize_rcu();
		/* "free" it: poison, and keep it where readers could still see it */
		old->canary = POISON;
		old->quarantine = quarantine;
		quarantine = old;
		sleep_ms(1);
	}
	/* [/book:test_toy_race_updater] */

	for (i = 0; i < 3; i++)
		STORE(rc[i].stop, 1);
	for (i = 0; i < 3; i++) {
		pthread_join(readers[i], NULL);
		ck_assert_msg(!rc[i].err, "a reader could not register");
		reads += rc[i].reads;
		bad += rc[i].bad;
	}
	free(rcu_dereference_protected(shared_obj, 1));
	RCU_INIT_POINTER(shared_obj, NULL);
	while (quarantine) {
		old = quarantine->quarantine;
		free(quarantine);
		quarantine = old;
	}

	ck_assert_msg(bad == 0,
		      "%d of %d reads found their object poisoned while still "
		      "inside toy_rcu_read_lock(): the grace period ended too soon",
		      bad, reads);
	ck_assert_msg(reads >= 10 && updates >= 10,
		      "too little happened to judge (%d reads, %d updates)",
		      reads, updates);
}
END_TEST

/* ------------------------------------------- rules and debug checks */

START_TEST(registration_rules)
{
	ck_assert_int_eq(toy_rcu_unregister_thread(), -EINVAL);
	ck_assert_int_eq(toy_rcu_register_thread(), 0);
	ck_assert_int_eq(toy_rcu_register_thread(), -EBUSY);
	toy_rcu_read_lock();
	ck_assert(toy_rcu_read_lock_held());
	ck_assert_int_eq(toy_rcu_unregister_thread(), -EBUSY);
	toy_rcu_read_unlock();
	ck_assert(!toy_rcu_read_lock_held());
	ck_assert_int_eq(toy_rcu_unregister_thread(), 0);
	ck_assert_int_eq(toy_rcu_unregister_thread(), -EINVAL);
}
END_TEST

START_TEST(grace_period_with_idle_readers_is_quick)
{
	long t0;

	ck_assert_int_eq(toy_rcu_register_thread(), 0);
	t0 = now_ms();
	for (int i = 0; i < 100; i++)
		toy_synchronize_rcu();	/* registered, but outside: no wait */
	ck_assert_msg(now_ms() - t0 < 1000, "100 idle grace periods took %ld ms",
		      now_ms() - t0);
	ck_assert_int_eq(toy_rcu_unregister_thread(), 0);
}
END_TEST

#ifndef NDEBUG
START_TEST(toy_synchronize_inside_read_lock_aborts)
{
	toy_rcu_register_thread();
	toy_rcu_read_lock();
	toy_synchronize_rcu();	/* would wait for itself */
}
END_TEST

START_TEST(toy_read_lock_unregistered_aborts)
{
	toy_rcu_read_lock();	/* no updater would ever see this reader */
}
END_TEST
#endif

/* ------------------------------------------ the port's RCU on the map */

struct closer {
	int fd;
	int ret;
};

static void *closer_main(void *arg)
{
	struct closer *c = arg;

	c->ret = t_close(c->fd);
	return NULL;
}

/* [book:test_sock_rcu_free] */
START_TEST(slot_socket_outlives_close_until_the_reader_is_done)
{
	int fd = map_create_ok(8, 4, 0);
	struct bpf_map *map = bpf_map_get(fd);
	struct closer c = { .fd = udp_bound(AF_INET, "127.0.0.1", 0, 1) };
	struct sock *sk;
	pthread_t t;
	u32 key = 0;

	ck_assert(!IS_ERR_OR_NULL(map));
	ck_assert_ret(ins(fd, key, c.fd, BPF_ANY), 0);

	rcu_read_lock();
	sk = map->ops->map_lookup_elem(map, &key);	/* what a program does */
	ck_assert_ptr_nonnull(sk);
	ck_assert(sock_flag(sk, SOCK_RCU_FREE));

	/* another thread closes the socket while we hold it */
	ck_assert_int_eq(pthread_create(&t, NULL, closer_main, &c), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.ret, 0);

	/* the slot is empty for new lookups ... */
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	/* ... but our socket is not freed before we unlock (ASan checks) */
	sleep_ms(20);
	ck_assert_uint_eq(sk->sk_family, AF_INET);
	rcu_read_unlock();

	rcu_barrier();		/* now it is gone */
	bpf_map_put(map);
	xclose(fd);
}
END_TEST
/* [/book:test_sock_rcu_free] */

static Suite *rcu_suite(void)
{
	Suite *s = suite_create("rcu");
	TCase *tc;

	tc = tcase_create("toy_grace_period");
	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, grace_period_waits_for_a_reader_inside);
	tcase_add_test(tc, grace_period_waits_for_every_reader);
	tcase_add_test(tc, grace_period_waits_for_the_outermost_unlock);
	tcase_add_test(tc, grace_period_does_not_wait_for_later_readers);
	tcase_add_test(tc, no_reader_sees_a_poisoned_object);
	suite_add_tcase(s, tc);

	tc = tcase_create("toy_rules");
	tcase_add_test(tc, registration_rules);
	tcase_add_test(tc, grace_period_with_idle_readers_is_quick);
#ifndef NDEBUG
	tcase_add_test_raise_signal(tc, toy_synchronize_inside_read_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, toy_read_lock_unregistered_aborts, SIGABRT);
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("map");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, slot_socket_outlives_close_until_the_reader_is_done);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rcu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
