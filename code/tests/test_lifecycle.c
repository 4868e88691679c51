/**
 * @file test_lifecycle.c
 * @brief Chapter "Lifecycle": the map is freed while its sockets live on,
 *        and close concurrently.
 *
 * The tests tagged "exercise" grade exercises/free (reuseport_array_free()).
 * Each one closes the last descriptor of a map that still holds sockets:
 * bpf_map_put() queues bpf_map_free_deferred() on system_unbound_wq, and
 * flush_workqueue() waits for it.  After that every socket that was in the
 * map must have lost its back-pointer (sk_user_data NULL) and must be able
 * to join a new map, which refuses a socket whose sk_user_data is taken
 * (EBUSY).  The generated stub does nothing, so every socket stays claimed
 * and every tagged test fails on that check.
 *
 * The exercise's builds run under AddressSanitizer and ThreadSanitizer.
 * ASan catches a free that releases the array before the last socket stops
 * pointing into it (heap-use-after-free when the socket closes later), and
 * its LeakSanitizer, called explicitly at the end of each test, a free that
 * forgets the array.  TSan catches a free that clears sk_user_data without
 * the socket's sk_callback_lock, in the race with a closing socket.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/compiler.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/workqueue.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"
#include "port_helpers.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* The socket's sk_user_data, read as the update's lock-free pre-check does. */
static void *user_data_of(int fd)
{
	return READ_ONCE(sk_of(fd)->sk_user_data);
}

/*
 * Wait for every deferred free: the map's work item, then the RCU callbacks
 * that free closed sockets (SOCK_RCU_FREE).
 */
static void settle(void)
{
	flush_workqueue(system_unbound_wq);
	rcu_barrier();
}

/*
 * Under ASan, nothing the port allocated may be unreachable now: a free
 * that forgets bpf_map_area_free() leaves the array behind.  Catches a
 * leaking reuseport_array_free() (the stub's, or one that only clears).
 */
static void expect_no_leak(void)
{
	settle();
#if defined(__SANITIZE_ADDRESS__)
	ck_assert_msg(__lsan_do_recoverable_leak_check() == 0,
		      "LeakSanitizer found memory nobody points to (above): "
		      "was the array freed?");
#endif
}

/*
 * @fd was in a map that has been freed: it must be unclaimed and able to
 * join @map at @slot.  Catches a free that leaves sk_user_data behind.
 */
static void expect_released(int fd, int map, u32 slot)
{
	ck_assert_msg(user_data_of(fd) == NULL,
		      "after the map's free ran, socket %d still has sk_user_data "
		      "%p, a pointer into the map's array", fd, user_data_of(fd));
	ck_assert_ret(ins(map, slot, fd, BPF_NOEXIST), 0);
	expect_slot(map, slot, fd);
}

/* ---------------------------------------------------- the exercise's tests */

/* [book:test_free_clears] */
START_TEST(free_clears_every_back_pointer)
{
	int map = map_create_ok(8, 8, 0);
	int s[4], again;

	s[0] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	for (int i = 1; i < 4; i++)
		s[i] = udp_bound(AF_INET, "127.0.0.1", port_of(s[0]), 1);
	for (int i = 0; i < 4; i++)
		ck_assert_ret(ins(map, 2 * i + 1, s[i], BPF_NOEXIST), 0);

	xclose(map);		/* last reference: the free is queued */
	settle();		/* ... and has run */

	again = map_create_ok(8, 8, 0);
	for (int i = 0; i < 4; i++)
		expect_released(s[i], again, i);
	for (int i = 0; i < 4; i++)
		xclose(s[i]);	/* each detach empties a slot of "again" */
	for (u32 i = 0; i < 4; i++)
		expect_empty(again, i);
	xclose(again);
	expect_no_leak();
}
END_TEST
/* [/book:test_free_clears] */

/*
 * The sockets close after their map is gone: the detach must find no
 * back-pointer.  If the array went first and sk_user_data still pointed
 * into it, the detach's store of NULL into the slot is a heap-use-after-free
 * (ASan).  Some slots were emptied before the free by a close, a delete and
 * a replacement, so the free meets full and empty slots, TCP and UDP.
 */
START_TEST(sockets_close_after_the_map_is_freed)
{
	int map = map_create_ok(8, 6, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);
	int u = udp_bound(AF_INET6, "::1", 0, 1);
	int u2 = udp_bound(AF_INET6, "::1", port_of(u), 1);
	int gone = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int old = udp_bound(AF_INET, "127.0.0.1", port_of(gone), 1);
	int again;

	ck_assert_ret(ins(map, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(map, 1, l2, BPF_ANY), 0);
	ck_assert_ret(ins(map, 2, u, BPF_ANY), 0);
	ck_assert_ret(ins(map, 3, gone, BPF_ANY), 0);
	ck_assert_ret(ins(map, 4, old, BPF_ANY), 0);
	ck_assert_ret(ins(map, 5, u2, BPF_ANY), 0);
	xclose(gone);				/* slot 3 emptied by a close */
	ck_assert_ret(del(map, 5), 0);		/* slot 5 by a delete */
	ck_assert_ret(ins(map, 4, u2, BPF_EXIST), 0);	/* old replaced by u2 */

	xclose(map);
	settle();

	again = map_create_ok(8, 4, 0);
	expect_released(l, again, 0);
	expect_released(l2, again, 1);
	expect_released(u, again, 2);
	expect_released(u2, again, 3);
	ck_assert_ptr_null(user_data_of(old));
	ck_assert_ret(del(again, 0), 0);
	ck_assert_ret(del(again, 2), 0);
	/* sockets in no map, and sockets in "again", close after the free */
	xclose(l);
	xclose(l2);
	xclose(u);
	xclose(u2);
	xclose(old);
	for (u32 i = 0; i < 4; i++)
		expect_empty(again, i);
	xclose(again);
	expect_no_leak();
}
END_TEST

/*
 * Closing one of two descriptors drops one reference: the map stays, with
 * its sockets claimed.  Only the last close frees it.  Catches a free that
 * runs early and, with the stub, a free that never releases the sockets.
 */
START_TEST(only_the_last_reference_frees)
{
	int map = map_create_ok(8, 2, 0);
	int dup = t_dup(map);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int other;

	ck_assert_int_ge(dup, 0);
	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	xclose(map);
	settle();
	expect_slot(dup, 0, s);
	ck_assert_ptr_nonnull(user_data_of(s));
	other = map_create_ok(8, 2, 0);
	ck_assert_ret(ins(other, 0, s, BPF_ANY), -EBUSY);

	xclose(dup);		/* the last reference */
	settle();
	expect_released(s, other, 1);
	xclose(s);
	expect_empty(other, 1);
	xclose(other);
	expect_no_leak();
}
END_TEST

/* ------------------------------------------------------------- the race */

#define RACE_SLOTS 16
#define RACE_MS 300		/* per test; a round takes well under 1 ms */

struct free_race {
	int map;
	int socks[RACE_SLOTS];
	atomic_int go;
};

static void wait_for_go(struct free_race *fr)
{
	while (!atomic_load(&fr->go))
		;
}

/* Drop the map's last reference: the free runs on the workqueue's thread. */
static void *race_close_map(void *arg)
{
	struct free_race *fr = arg;

	wait_for_go(fr);
	sys_close(fr->map);
	return NULL;
}

/* Close every even socket: bpf_sk_reuseport_detach() on this thread. */
static void *race_close_socks(void *arg)
{
	struct free_race *fr = arg;

	wait_for_go(fr);
	for (int i = 0; i < RACE_SLOTS; i += 2)
		sys_close(fr->socks[i]);
	return NULL;
}

/*
 * Rounds of: a full map, then its last descriptor and half its sockets
 * closed at the same moment from two threads, while the workqueue's thread
 * runs the free.  The free and the detaches meet on each socket's
 * sk_callback_lock.  Afterwards each surviving socket must join a new map.
 * Catches, besides a missing clear: a free without the callback lock (TSan
 * data race on sk_user_data and on the slot) and a free of the array while
 * a detach can still reach it (ASan).
 */
START_TEST(map_free_races_socket_close)
{
	long deadline = now_ms() + RACE_MS;
	int rounds = 0;

	do {
		struct free_race fr = { .go = 0 };
		pthread_t a, b;
		int again;

		fr.map = map_create_ok(8, RACE_SLOTS, 0);
		fr.socks[0] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
		for (int i = 1; i < RACE_SLOTS; i++)
			fr.socks[i] = udp_bound(AF_INET, "127.0.0.1",
						port_of(fr.socks[0]), 1);
		for (int i = 0; i < RACE_SLOTS; i++)
			ck_assert_ret(ins(fr.map, i, fr.socks[i], BPF_NOEXIST), 0);

		ck_assert_int_eq(pthread_create(&a, NULL, race_close_map, &fr), 0);
		ck_assert_int_eq(pthread_create(&b, NULL, race_close_socks, &fr), 0);
		atomic_store(&fr.go, 1);
		ck_assert_int_eq(pthread_join(a, NULL), 0);
		ck_assert_int_eq(pthread_join(b, NULL), 0);
		settle();

		again = map_create_ok(8, RACE_SLOTS, 0);
		for (int i = 1; i < RACE_SLOTS; i += 2)
			expect_released(fr.socks[i], again, i);
		for (int i = 1; i < RACE_SLOTS; i += 2)
			xclose(fr.socks[i]);
		xclose(again);
		rounds++;
	} while (now_ms() < deadline);
	ck_assert_int_gt(rounds, 0);
	expect_no_leak();
}
END_TEST

static Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("free");

	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, free_clears_every_back_pointer);
	tcase_add_test(tc, sockets_close_after_the_map_is_freed);
	tcase_add_test(tc, only_the_last_reference_frees);
	tcase_add_test(tc, map_free_races_socket_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lifecycle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
