/**
 * @file test_delete.c
 * @brief Chapter "Delete, detach and close": the three ways a socket leaves
 *        a slot, and what each must leave behind.
 *
 * A slot is emptied by BPF_MAP_DELETE_ELEM (reuseport_array_delete_elem()),
 * by the socket leaving its reuseport group (close, disconnect, UDP
 * connect: bpf_sk_reuseport_detach() under reuseport_lock), or by the map's
 * free.  The first two are this chapter's; the free is the lifecycle
 * chapter's.
 *
 * The "delete" case is tagged "exercise" and grades exercises/delete, whose
 * stub detaches nothing and answers -ENOSYS to every delete.  Every test
 * there either deletes (and so sees -ENOSYS) or closes a socket and then
 * expects its slot to be empty (and so finds the socket still there), so
 * all of them fail against the stub.  Each says in a comment which wrong
 * version it also catches.
 *
 * Most scenarios are written with the spec helpers only, so the "kernel"
 * case runs the same steps on the live kernel (when this process may create
 * the map): the port's answers are the kernel's.  The port runs add checks
 * of what only the port lets a test see: sk_user_data, the group, the
 * program's view of a slot, and reads of a socket after its last close.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "kern/spinlock.h"
#include "spec/backend.h"
#include "spec/spec.h"
#include "port_helpers.h"

/* ----------------------------------------------------- port-only probes */

/* What a program's bpf_sk_select_reuseport() would find in slot @key. */
static struct sock *prog_lookup(int fd, u32 key)
{
	struct bpf_map *map = map_of(fd);
	struct sock *sk;

	rcu_read_lock();
	sk = map->ops->map_lookup_elem(map, &key);
	rcu_read_unlock();
	bpf_map_put(map);
	return sk;	/* compared, never dereferenced, by the callers */
}

/* Is @sk still a member of a reuseport group?  Asked under reuseport_lock. */
static bool in_group(struct sock *sk)
{
	struct sock_reuseport *reuse;
	bool ret;

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));
	ret = reuse && reuseport_group_contains(reuse, sk);
	spin_unlock_bh(&reuseport_lock);
	return ret;
}

static void expect_no_back_pointer(struct sock *sk, const char *after)
{
	ck_assert_msg(READ_ONCE(sk->sk_user_data) == NULL,
		      "after %s, sk_user_data is still %p: the socket stays "
		      "claimed (EBUSY for every map)", after,
		      READ_ONCE(sk->sk_user_data));
}

/*
 * Run a scenario on the live kernel.  The kernel case is only added when
 * the map can be created (see main()), so this cannot fail for lack of
 * privileges.
 */
static void use_kernel(void)
{
	spec_backend = &spec_kernel_backend;
}

/* ---------------------------------------------------------- scenarios */

/*
 * The errnos of a delete, in the kernel's order: the index first (E2BIG,
 * not the lookup's ENOENT), then the lock-free peek (ENOENT), then the
 * locked delete (0); a second delete of the same slot is ENOENT again.
 * Catches the stub (ENOSYS), a delete that answers ENOENT out of range or
 * 0 for an empty slot.
 */
static void scenario_errnos(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int map4 = map_create_ok(4, 2, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int s2 = udp_bound(AF_INET, "127.0.0.1", port_of(s), 1);

	ck_assert_ret(del(map, 4), -E2BIG);
	ck_assert_ret(del(map, 0xFFFFFFFF), -E2BIG);
	ck_assert_ret(lookup(map, 4, NULL), -ENOENT);	/* lookup differs */
	ck_assert_ret(del(map, 3), -ENOENT);

	ck_assert_ret(ins(map, 3, s, BPF_ANY), 0);
	ck_assert_ret(del(map, 3), 0);
	ck_assert_ret(del(map, 3), -ENOENT);
	expect_empty(map, 3);

	/* value_size 4 changes the lookup (ENOSPC), not the delete */
	ck_assert_ret(ins(map4, 1, s2, BPF_ANY), 0);
	ck_assert_ret(del(map4, 2), -E2BIG);
	ck_assert_ret(del(map4, 0), -ENOENT);
	ck_assert_ret(del(map4, 1), 0);
	ck_assert_ret(del(map4, 1), -ENOENT);
	if (port)
		ck_assert_ptr_null(prog_lookup(map4, 1));

	xclose(s);
	xclose(s2);
	xclose(map4);
	xclose(map);
}

/*
 * A delete empties its slot for every reader and releases the socket,
 * which stays in its group and may go into another slot or another map.
 * Catches a delete that clears the slot but forgets sk_user_data (the
 * re-insertions answer EBUSY), one that clears sk_user_data but not the
 * slot (the lookup still finds the socket), one that empties the wrong
 * slot, and one that also takes the socket out of its group.
 */
static void scenario_delete_releases(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int other = map_create_ok(8, 1, 0);
	int s0 = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int s1 = udp_bound(AF_INET, "127.0.0.1", port_of(s0), 1);

	ck_assert_ret(ins(map, 0, s0, BPF_ANY), 0);
	ck_assert_ret(ins(map, 1, s1, BPF_ANY), 0);
	ck_assert_ret(del(map, 0), 0);
	expect_empty(map, 0);
	expect_slot(map, 1, s1);		/* the neighbour stays */
	if (port) {
		struct sock *sk0 = sk_of(s0);

		ck_assert_ptr_null(prog_lookup(map, 0));
		ck_assert_ptr_eq(prog_lookup(map, 1), sk_of(s1));
		expect_no_back_pointer(sk0, "a delete");
		ck_assert_msg(in_group(sk0), "a delete took the socket out of its group");
	}

	/* free to go elsewhere: another slot, then another map */
	ck_assert_ret(ins(map, 2, s0, BPF_NOEXIST), 0);
	expect_slot(map, 2, s0);
	ck_assert_ret(del(map, 2), 0);
	ck_assert_ret(ins(other, 0, s0, BPF_NOEXIST), 0);
	expect_slot(other, 0, s0);
	expect_empty(map, 2);

	xclose(s0);
	expect_empty(other, 0);
	xclose(s1);
	expect_empty(map, 1);
	xclose(other);
	xclose(map);
}

/*
 * Closing the last descriptor of a socket empties its slot before close()
 * returns, and only its slot: a UDP socket, and a TCP listener whose group
 * keeps another listener in the map.  Catches the stub's detach, which
 * leaves the slot pointing at the closed socket, and a detach that empties
 * some other slot.
 */
static void scenario_close_empties(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int l = tcp_listener(AF_INET6, "::1", 0, 1);
	int l2 = tcp_listener(AF_INET6, "::1", port_of(l), 1);

	ck_assert_ret(ins(map, 0, u, BPF_ANY), 0);
	ck_assert_ret(ins(map, 1, l, BPF_ANY), 0);
	ck_assert_ret(ins(map, 2, l2, BPF_ANY), 0);

	xclose(u);
	expect_empty(map, 0);
	expect_slot(map, 1, l);
	xclose(l);
	expect_empty(map, 1);
	expect_slot(map, 2, l2);
	if (port) {
		ck_assert_ptr_null(prog_lookup(map, 0));
		ck_assert_ptr_null(prog_lookup(map, 1));
		/*
		 * Wait until every socket queued for freeing is gone: a slot
		 * still pointing at one would now be a use-after-free, which
		 * this exercise's AddressSanitizer build reports.
		 */
		rcu_barrier();
		expect_empty(map, 0);
		expect_empty(map, 1);
	}
	xclose(l2);
	expect_empty(map, 2);
	xclose(map);
}

/*
 * Leaving the group without closing: a TCP listener's connect(AF_UNSPEC)
 * and a UDP socket's connect().  The socket survives, so what the detach
 * leaves behind can be seen: the slot empty, and the socket unclaimed, so
 * that once it listens again it can be stored again (it is not put back
 * by itself).  Catches the stub, and a detach that empties the slot but
 * leaves sk_user_data set (the re-insertion answers EBUSY).
 */
static void scenario_disconnect(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int peer = udp_bound(AF_INET, "127.0.0.1", 0, 0);

	ck_assert_ret(ins(map, 0, l, BPF_ANY), 0);
	ck_assert_ret(connect_unspec(l), 0);
	expect_empty(map, 0);
	if (port)
		expect_no_back_pointer(sk_of(l), "connect(AF_UNSPEC)");
	ck_assert_ret(ins(map, 0, l, BPF_ANY), -EINVAL);	/* unhashed */
	ck_assert_ret(res(t_listen(l, 16)), 0);
	expect_empty(map, 0);			/* not re-added by listen() */
	ck_assert_ret(ins(map, 0, l, BPF_ANY), 0);
	expect_slot(map, 0, l);

	ck_assert_ret(ins(map, 1, u, BPF_ANY), 0);
	ck_assert_ret(connect_to(u, AF_INET, "127.0.0.1", port_of(peer)), 0);
	expect_empty(map, 1);
	if (port)
		expect_no_back_pointer(sk_of(u), "a UDP connect()");
	expect_slot(map, 0, l);

	/* the listener leaves a second time: the detach runs again, correctly */
	xclose(l);
	expect_empty(map, 0);
	xclose(u);
	xclose(peer);
	xclose(map);
}

/*
 * Delete, then close: the close still calls the detach, which must find
 * no back-pointer and touch nothing.  Then the socket goes into another
 * slot and is closed again: the detach follows the new back-pointer, not
 * the old one.  Catches the stub (ENOSYS, then a slot left behind) and a
 * detach that empties a slot it does not own.
 */
static void scenario_delete_then_close(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int s2 = udp_bound(AF_INET, "127.0.0.1", port_of(s), 1);
	int t = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	ck_assert_ret(ins(map, 1, s2, BPF_ANY), 0);
	ck_assert_ret(del(map, 0), 0);
	ck_assert_ret(ins(map, 3, s, BPF_ANY), 0);
	xclose(s);
	expect_empty(map, 3);
	expect_empty(map, 0);
	expect_slot(map, 1, s2);

	/* a listener deleted and then closed leaves nothing behind */
	ck_assert_ret(ins(map, 2, t, BPF_ANY), 0);
	ck_assert_ret(del(map, 2), 0);
	xclose(t);
	expect_empty(map, 2);
	expect_slot(map, 1, s2);
	if (port) {
		rcu_barrier();
		ck_assert_ptr_eq(prog_lookup(map, 1), sk_of(s2));
	}
	xclose(s2);
	expect_empty(map, 1);
	xclose(map);
}

/*
 * Close, then delete: the slot was emptied by the close, so the delete
 * answers ENOENT, every time.  On the port the delete runs after every
 * closed socket has been freed: a version whose close left the slot
 * pointing at the socket would make the delete lock freed memory, which
 * AddressSanitizer reports.  Catches the stub and a delete that returns 0
 * for a slot it found empty under the lock.
 */
static void scenario_close_then_delete(bool port)
{
	int map = map_create_ok(8, 4, 0);
	int u = udp_bound(AF_INET6, "::1", 0, 1);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(map, 2, u, BPF_ANY), 0);
	ck_assert_ret(ins(map, 3, l, BPF_ANY), 0);
	xclose(u);
	xclose(l);
	if (port)
		rcu_barrier();
	ck_assert_ret(del(map, 2), -ENOENT);
	ck_assert_ret(del(map, 3), -ENOENT);
	ck_assert_ret(del(map, 2), -ENOENT);
	expect_empty(map, 2);
	expect_empty(map, 3);
	xclose(map);
}

/* ------------------------------------------------ the exercise's tests */

START_TEST(delete_answers_e2big_enoent_then_zero)
{
	scenario_errnos(true);
}
END_TEST

START_TEST(delete_empties_the_slot_and_releases_the_socket)
{
	scenario_delete_releases(true);
}
END_TEST

START_TEST(close_empties_the_slot)
{
	scenario_close_empties(true);
}
END_TEST

START_TEST(disconnect_empties_the_slot_and_releases_the_socket)
{
	scenario_disconnect(true);
}
END_TEST

START_TEST(delete_then_close_touches_nothing_more)
{
	scenario_delete_then_close(true);
}
END_TEST

START_TEST(close_then_delete_answers_enoent)
{
	scenario_close_then_delete(true);
}
END_TEST

/* [book:test_rcu_reader] */
/*
 * A reader inside rcu_read_lock() that found a socket before the delete
 * may go on using it after the delete, and even after the last close:
 * the socket is freed only after the reader's grace period.  New readers
 * see the empty slot at once.  Catches the stub (ENOSYS); in the
 * AddressSanitizer build it would also catch a socket freed without
 * waiting for readers (a heap-use-after-free on the cookie read).
 */
START_TEST(readers_may_still_use_a_deleted_socket)
{
	int fd = map_create_ok(8, 2, 0);
	struct bpf_map *map = map_of(fd);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct sock *sk = sk_of(s), *seen;
	u64 cookie = cookie_of(s);
	u32 key = 0;

	ck_assert_ret(ins(fd, 0, s, BPF_ANY), 0);

	rcu_read_lock();
	seen = map->ops->map_lookup_elem(map, &key);	/* the program's read */
	ck_assert_ptr_eq(seen, sk);
	ck_assert_ret(del(fd, 0), 0);
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	xclose(s);				/* the last reference goes */
	ck_assert_uint_eq(__sock_gen_cookie(seen), cookie);
	ck_assert_int_eq(seen->sk_family, AF_INET);
	rcu_read_unlock();

	rcu_barrier();				/* now it is freed */
	expect_empty(fd, 0);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST
/* [/book:test_rcu_reader] */

/* ------------------------------------------- the same on the live kernel */

START_TEST(kernel_delete_errnos)
{
	use_kernel();
	scenario_errnos(false);
}
END_TEST

START_TEST(kernel_delete_releases)
{
	use_kernel();
	scenario_delete_releases(false);
}
END_TEST

START_TEST(kernel_close_empties)
{
	use_kernel();
	scenario_close_empties(false);
}
END_TEST

START_TEST(kernel_disconnect)
{
	use_kernel();
	scenario_disconnect(false);
}
END_TEST

START_TEST(kernel_delete_then_close)
{
	use_kernel();
	scenario_delete_then_close(false);
}
END_TEST

START_TEST(kernel_close_then_delete)
{
	use_kernel();
	scenario_close_then_delete(false);
}
END_TEST

static Suite *delete_suite(void)
{
	Suite *s = suite_create("delete");
	TCase *tc = tcase_create("delete");
	const char *why = NULL;

	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, delete_answers_e2big_enoent_then_zero);
	tcase_add_test(tc, delete_empties_the_slot_and_releases_the_socket);
	tcase_add_test(tc, close_empties_the_slot);
	tcase_add_test(tc, disconnect_empties_the_slot_and_releases_the_socket);
	tcase_add_test(tc, delete_then_close_touches_nothing_more);
	tcase_add_test(tc, close_then_delete_answers_enoent);
	tcase_add_test(tc, readers_may_still_use_a_deleted_socket);
	suite_add_tcase(s, tc);

	if (spec_kernel_usable(&why)) {
		printf("delete: live-kernel case skipped: %s\n", why ? why : "?");
		return s;
	}
	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, kernel_delete_errnos);
	tcase_add_test(tc, kernel_delete_releases);
	tcase_add_test(tc, kernel_close_empties);
	tcase_add_test(tc, kernel_disconnect);
	tcase_add_test(tc, kernel_delete_then_close);
	tcase_add_test(tc, kernel_close_then_delete);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(delete_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
