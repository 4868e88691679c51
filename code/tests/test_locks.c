/**
 * @file test_locks.c
 * @brief Chapter "Locks and their order": reuseport_lock, sk_callback_lock,
 *        the order between them, and the port's lockdep-style checks.
 *
 * The tests tagged "exercise" grade exercises/lock_order.  Each one stores
 * a socket in a map (the update takes reuseport_lock, then the socket's
 * sk_callback_lock) and then makes the socket leave its group, through
 * reuseport_detach_sock().  They check what any version must do: empty the
 * slot.  The lock order is checked by ThreadSanitizer, which builds this
 * exercise's variants: a close path that takes the two locks the other way
 * round makes TSan report a lock-order inversion, which ends the test (exit
 * code 66), although one thread runs the steps one after the other and
 * nothing ever deadlocks.
 *
 * The other tests check the rules the chapter relies on: lockdep_is_held()
 * and the _bh count, the aborts of the lock layer, rcu_dereference_protected()
 * refusing to run without its lock, and a real race between updates,
 * deletes and closes that must neither deadlock nor break the back-pointers.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "kern/spinlock.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"
#include "port_helpers.h"

/* ------------------------------------------------- the exercise's tests */

/* [book:test_order] */
START_TEST(udp_close_after_update_keeps_the_order)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	/* update: reuseport_lock, then s's sk_callback_lock */
	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	expect_slot(map, 0, s);
	/* close: reuseport_detach_sock() must take them in the same order */
	xclose(s);
	expect_empty(map, 0);
	xclose(map);
}
END_TEST
/* [/book:test_order] */

START_TEST(tcp_listener_close_after_update_keeps_the_order)
{
	int map = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);

	ck_assert_ret(ins(map, 1, l, BPF_ANY), 0);
	ck_assert_ret(ins(map, 2, l2, BPF_ANY), 0);
	/* inet_unhash() -> reuseport_stop_listen_sock() -> detach */
	xclose(l);
	expect_empty(map, 1);
	expect_slot(map, 2, l2);	/* the other member stays */
	xclose(l2);
	expect_empty(map, 2);
	xclose(map);
}
END_TEST

START_TEST(udp_connect_after_update_keeps_the_order)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int peer = udp_bound(AF_INET, "127.0.0.1", 0, 0);

	ck_assert_ret(ins(map, 3, s, BPF_ANY), 0);
	/* a connected UDP socket leaves its group, and so the map */
	ck_assert_ret(connect_to(s, AF_INET, "127.0.0.1", port_of(peer)), 0);
	expect_empty(map, 3);
	xclose(s);
	xclose(peer);
	xclose(map);
}
END_TEST

START_TEST(tcp_disconnect_after_update_keeps_the_order)
{
	int map = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(map, 0, l, BPF_ANY), 0);
	/* connect(AF_UNSPEC) on a listener: disconnect, unhash, detach */
	ck_assert_ret(connect_unspec(l), 0);
	expect_empty(map, 0);
	xclose(l);
	xclose(map);
}
END_TEST

START_TEST(close_after_delete_keeps_the_order)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct socket *sock;

	ck_assert_ret(ins(map, 2, s, BPF_ANY), 0);
	/* delete: reuseport_lock, then the socket's callback lock */
	ck_assert_ret(del(map, 2), 0);
	expect_empty(map, 2);
	sock = socket_of(s);
	ck_assert_ptr_null(READ_ONCE(sock->sk->sk_user_data));
	sockfd_put(sock);
	/* close: the detach finds no back-pointer, but still locks */
	xclose(s);
	expect_empty(map, 2);
	xclose(map);
}
END_TEST

/* ------------------------------------------------------ the lock rules */

START_TEST(reuseport_lock_is_held_and_bh_disabled)
{
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct socket *sock = socket_of(s);
	struct sock *sk = sock->sk;

	ck_assert(!lockdep_is_held(&reuseport_lock));
	ck_assert(!in_softirq());
	spin_lock_bh(&reuseport_lock);
	ck_assert(lockdep_is_held(&reuseport_lock));
	ck_assert(lock_is_held_write(&reuseport_lock));
	ck_assert(in_softirq());
	/* the condition the update and the close paths pass */
	ck_assert_ptr_nonnull(rcu_dereference_protected(sk->sk_reuseport_cb,
				lockdep_is_held(&reuseport_lock)));
	write_lock_bh(&sk->sk_callback_lock);
	ck_assert_int_eq(lockdep_depth(), 2);
	ck_assert(lock_is_held_write(&sk->sk_callback_lock));
	write_unlock_bh(&sk->sk_callback_lock);
	spin_unlock_bh(&reuseport_lock);
	ck_assert(!lockdep_is_held(&reuseport_lock));
	ck_assert(!in_softirq());
	ck_assert_int_eq(lockdep_depth(), 0);
	sockfd_put(sock);
	xclose(s);
}
END_TEST

/* Ends in abort() (SIGABRT): the lock that protects the pointer is not held. */
START_TEST(protected_dereference_without_the_lock_aborts)
{
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct socket *sock = socket_of(s);

	(void)rcu_dereference_protected(sock->sk->sk_reuseport_cb,
					lockdep_is_held(&reuseport_lock));
	ck_abort_msg("rcu_dereference_protected() ran without reuseport_lock");
}
END_TEST

/* Ends in abort(): a kernel spinlock taken twice by its holder spins forever. */
START_TEST(taking_a_held_lock_again_aborts)
{
	spin_lock_bh(&reuseport_lock);
	spin_lock_bh(&reuseport_lock);
	ck_abort_msg("recursive spin_lock_bh() was not caught");
}
END_TEST

/* Ends in abort(): the write side of an rwlock taken under its read side. */
START_TEST(write_locking_under_a_read_lock_aborts)
{
	rwlock_t rw;

	rwlock_init(&rw);
	read_lock_bh(&rw);
	write_lock_bh(&rw);
	ck_abort_msg("write_lock_bh() under read_lock_bh() was not caught");
}
END_TEST

/* Ends in abort(): releasing what the thread does not hold. */
START_TEST(releasing_an_unheld_lock_aborts)
{
	spin_unlock_bh(&reuseport_lock);
	ck_abort_msg("spin_unlock_bh() of an unheld lock was not caught");
}
END_TEST

/* ------------------------------------------------------------- a race */

#define RACE_SLOTS 4
#define RACE_MS 300

struct race {
	int map;
	uint16_t port;
	atomic_int stop;
	atomic_long inserted, deleted, closed;
};

/* A new UDP member of the race's group; -1 if the system said no. */
static int race_member(struct race *r)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(r->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd = sys_socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		sys_close(fd);
		return -1;
	}
	return fd;
}

/* Insert a fresh member, then close it: update, then detach. */
static void *race_insert_close(void *arg)
{
	struct race *r = arg;
	u32 slot = 0;

	while (!atomic_load(&r->stop)) {
		union bpf_attr attr = { 0 };
		u64 fd64;
		int fd = race_member(r);

		if (fd < 0)
			continue;
		fd64 = fd;
		slot = (slot + 1) % RACE_SLOTS;
		attr.map_fd = r->map;
		attr.key = (uintptr_t)&slot;
		attr.value = (uintptr_t)&fd64;
		attr.flags = BPF_ANY;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) == 0)
			atomic_fetch_add(&r->inserted, 1);
		sys_close(fd);
		atomic_fetch_add(&r->closed, 1);
	}
	return NULL;
}

/* Delete whatever the slots hold: reuseport_lock, then a callback lock. */
static void *race_delete(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		for (u32 slot = 0; slot < RACE_SLOTS; slot++) {
			union bpf_attr attr = { 0 };

			attr.map_fd = r->map;
			attr.key = (uintptr_t)&slot;
			if (sys_bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr)) == 0)
				atomic_fetch_add(&r->deleted, 1);
		}
	}
	return NULL;
}

/*
 * Two inserters and a deleter against one small map, for RACE_MS: the close
 * path and the update and delete paths meet on reuseport_lock and on the
 * sockets' callback locks.  With the locks in one order this cannot
 * deadlock (Check's timeout would end it) and, in the TSan build, gives no
 * report.  Every socket is closed by the end, so every slot must be empty.
 */
START_TEST(updates_deletes_and_closes_race_without_deadlock)
{
	struct race r = { 0 };
	int anchor = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	pthread_t t[3];
	long until;

	r.map = map_create_ok(8, RACE_SLOTS, 0);
	r.port = port_of(anchor);
	ck_assert_int_eq(pthread_create(&t[0], NULL, race_insert_close, &r), 0);
	ck_assert_int_eq(pthread_create(&t[1], NULL, race_insert_close, &r), 0);
	ck_assert_int_eq(pthread_create(&t[2], NULL, race_delete, &r), 0);
	until = now_ms() + RACE_MS;
	while (now_ms() < until && atomic_load(&r.inserted) < 200000)
		sleep_ms(10);
	atomic_store(&r.stop, 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);

	ck_assert_msg(atomic_load(&r.inserted) > 0 && atomic_load(&r.closed) > 0,
		      "the race never happened: %ld inserts, %ld closes",
		      atomic_load(&r.inserted), atomic_load(&r.closed));
	for (u32 i = 0; i < RACE_SLOTS; i++)
		expect_empty(r.map, i);
	xclose(anchor);
	xclose(r.map);
}
END_TEST

static Suite *locks_suite(void)
{
	Suite *s = suite_create("locks");
	TCase *order = tcase_create("order");
	TCase *rules = tcase_create("rules");
	TCase *race = tcase_create("race");

	tcase_set_tags(order, "exercise");
	tcase_set_timeout(order, 20);
	tcase_add_test(order, udp_close_after_update_keeps_the_order);
	tcase_add_test(order, tcp_listener_close_after_update_keeps_the_order);
	tcase_add_test(order, udp_connect_after_update_keeps_the_order);
	tcase_add_test(order, tcp_disconnect_after_update_keeps_the_order);
	tcase_add_test(order, close_after_delete_keeps_the_order);
	suite_add_tcase(s, order);

	tcase_add_test(rules, reuseport_lock_is_held_and_bh_disabled);
#ifndef NDEBUG
	/* rcu_dereference_protected() checks its condition only without NDEBUG */
	tcase_add_test_raise_signal(rules, protected_dereference_without_the_lock_aborts, SIGABRT);
#endif
	tcase_add_test_raise_signal(rules, taking_a_held_lock_again_aborts, SIGABRT);
	tcase_add_test_raise_signal(rules, write_locking_under_a_read_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(rules, releasing_an_unheld_lock_aborts, SIGABRT);
	suite_add_tcase(s, rules);

	tcase_set_timeout(race, 20);
	tcase_add_test(race, updates_deletes_and_closes_race_without_deadlock);
	suite_add_tcase(s, race);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(locks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
