/**
 * @file test_backpointers.c
 * @brief Chapter "Back-pointers and tagged pointers": the socket's
 *        sk_user_data pointer back at its slot, and the tag bits in it.
 *
 * Two groups of tests.  The "helpers" case drives the sk_user_data helpers
 * of code/net/core/sock.c directly, on a bare struct sock: tagging,
 * untagging, testing flags, foreign owners, misaligned values and the debug
 * checks.  The "map" case does the same through the map: update, delete,
 * close, accept and the detach hook.
 *
 * Every test of both cases is tagged "exercise" and grades
 * exercises/sk_user_data: each asserts at least one thing the stub (which
 * returns NULL, 0 and does not check) cannot give, so all of them fail
 * against it.  The "layout" case is not an exercise: it checks a property
 * of the types, not code anyone writes.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "spec/spec.h"
#include "port_helpers.h"

#define TAGS	(SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF | SK_USER_DATA_PSOCK)

/* A bare socket for the helper tests: no descriptor, no group, no protocol. */
static struct sock *bare_sock(void)
{
	struct sock *sk = sk_alloc(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, sizeof(*sk));

	ck_assert_ptr_nonnull(sk);
	return sk;
}

/* Store a raw value the way an owner does: under the callback lock. */
static void set_user_data(struct sock *sk, uintptr_t v)
{
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_user_data, (void *)v);
	write_unlock_bh(&sk->sk_callback_lock);
}

/* The two readers, each under the protection it requires. */
static void *locked_read(struct sock *sk, uintptr_t flags)
{
	void *p;

	read_lock_bh(&sk->sk_callback_lock);
	p = __locked_read_sk_user_data_with_flags(sk, flags);
	read_unlock_bh(&sk->sk_callback_lock);
	return p;
}

static void *rcu_read(struct sock *sk, uintptr_t flags)
{
	void *p;

	rcu_read_lock();
	p = __rcu_dereference_sk_user_data_with_flags(sk, flags);
	rcu_read_unlock();
	return p;
}

/* Check both readers at once: they must agree on every value. */
#define ck_read(sk, flags, want) do {						\
	void *_w = (void *)(want);						\
	ck_assert_msg(locked_read(sk, flags) == _w,				\
		      "__locked_read_sk_user_data_with_flags(sk, %s) on %#lx: "	\
		      "got %p, want %p", #flags,				\
		      (unsigned long)(uintptr_t)(sk)->sk_user_data,		\
		      locked_read(sk, flags), _w);				\
	ck_assert_msg(rcu_read(sk, flags) == _w,				\
		      "__rcu_dereference_sk_user_data_with_flags(sk, %s) on %#lx: " \
		      "got %p, want %p", #flags,				\
		      (unsigned long)(uintptr_t)(sk)->sk_user_data,		\
		      rcu_read(sk, flags), _w);					\
} while (0)

/* Something 8-byte aligned to point at, like a slot or a psock. */
static _Alignas(8) struct sock *some_slot[2];

/* [book:test_helpers] */
START_TEST(readers_untag_when_every_flag_is_present)
{
	struct sock *sk = bare_sock();
	uintptr_t slot = (uintptr_t)&some_slot[1];

	/* what the map stores: a slot address, NOCOPY and BPF */
	set_user_data(sk, slot | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF);
	ck_read(sk, SK_USER_DATA_BPF, slot);
	ck_read(sk, SK_USER_DATA_NOCOPY, slot);
	ck_read(sk, SK_USER_DATA_BPF | SK_USER_DATA_NOCOPY, slot);
	ck_read(sk, 0, slot);			/* no flag asked: any owner */

	/* one missing flag is enough to get NULL */
	ck_read(sk, SK_USER_DATA_PSOCK, NULL);
	ck_read(sk, SK_USER_DATA_BPF | SK_USER_DATA_PSOCK, NULL);
	ck_read(sk, TAGS, NULL);
	sock_put(sk);
}
END_TEST

START_TEST(foreign_values_are_not_bpf_slots)
{
	struct sock *sk = bare_sock();
	uintptr_t psock = (uintptr_t)&some_slot[0];

	/* sockmap's psock: NOCOPY | PSOCK, never BPF */
	set_user_data(sk, psock | SK_USER_DATA_NOCOPY | SK_USER_DATA_PSOCK);
	ck_read(sk, SK_USER_DATA_BPF, NULL);
	ck_read(sk, SK_USER_DATA_PSOCK, psock);
	ck_read(sk, 0, psock);

	/* an untagged owner (a tunnel, a kernel user): no flag matches */
	set_user_data(sk, psock);
	ck_read(sk, SK_USER_DATA_BPF, NULL);
	ck_read(sk, SK_USER_DATA_NOCOPY, NULL);
	ck_read(sk, 0, psock);

	/* no owner at all */
	set_user_data(sk, 0);
	ck_read(sk, 0, NULL);
	ck_read(sk, SK_USER_DATA_BPF, NULL);
	sock_put(sk);
}
END_TEST
/* [/book:test_helpers] */

START_TEST(is_nocopy_tests_bit_0_only)
{
	struct sock *sk = bare_sock();
	uintptr_t p = (uintptr_t)&some_slot[0];

	set_user_data(sk, p | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF);
	ck_assert_msg(sk_user_data_is_nocopy(sk), "a reuseport back-pointer is NOCOPY");
	set_user_data(sk, p | SK_USER_DATA_NOCOPY | SK_USER_DATA_PSOCK);
	ck_assert_msg(sk_user_data_is_nocopy(sk), "a psock is NOCOPY");
	set_user_data(sk, p | SK_USER_DATA_BPF);
	ck_assert_msg(!sk_user_data_is_nocopy(sk), "BPF alone is not NOCOPY");
	set_user_data(sk, p);
	ck_assert_msg(!sk_user_data_is_nocopy(sk), "an untagged pointer is copied");
	set_user_data(sk, 0);
	ck_assert_msg(!sk_user_data_is_nocopy(sk), "NULL is not NOCOPY");
	sock_put(sk);
}
END_TEST

/* [book:test_misaligned] */
START_TEST(misaligned_values_are_read_as_tags)
{
	static _Alignas(8) char buf[16];
	struct sock *sk = bare_sock();

	/*
	 * A pointer with low bits set breaks the helpers' contract.  They
	 * cannot tell, and the port, like the kernel, does not try: the low
	 * bits read as tags and the pointer comes back rounded down.  buf + 3
	 * even passes for a reuseport back-pointer (NOCOPY | BPF).
	 */
	set_user_data(sk, (uintptr_t)(buf + 3));
	ck_read(sk, 0, buf);
	ck_read(sk, SK_USER_DATA_BPF, buf);
	ck_read(sk, SK_USER_DATA_PSOCK, NULL);
	ck_assert(sk_user_data_is_nocopy(sk));

	/* buf + 4 is PSOCK's bit: a char pointer would pass for a psock */
	set_user_data(sk, (uintptr_t)(buf + 4));
	ck_read(sk, SK_USER_DATA_PSOCK, buf);
	ck_read(sk, SK_USER_DATA_BPF, NULL);
	ck_assert(!sk_user_data_is_nocopy(sk));
	sock_put(sk);
}
END_TEST
/* [/book:test_misaligned] */

START_TEST(flags_with_pointer_bits_abort)
{
	struct sock *sk = bare_sock();

	/* the caller confused a pointer with a flag: a debug build stops */
	set_user_data(sk, (uintptr_t)&some_slot[0] | SK_USER_DATA_BPF);
	rcu_read_lock();
	__rcu_dereference_sk_user_data_with_flags(sk, 8);
	rcu_read_unlock();
}
END_TEST

START_TEST(locked_read_without_the_lock_aborts)
{
	struct sock *sk = bare_sock();

	set_user_data(sk, (uintptr_t)&some_slot[0] | SK_USER_DATA_BPF);
	/* neither sk_callback_lock nor rcu_read_lock(): lockdep's complaint */
	__locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_BPF);
}
END_TEST

START_TEST(rcu_read_outside_rcu_aborts)
{
	struct sock *sk = bare_sock();

	set_user_data(sk, (uintptr_t)&some_slot[0] | SK_USER_DATA_BPF);
	/* the callback lock is not enough for the RCU reader */
	read_lock_bh(&sk->sk_callback_lock);
	__rcu_dereference_sk_user_data_with_flags(sk, SK_USER_DATA_BPF);
	read_unlock_bh(&sk->sk_callback_lock);
}
END_TEST

/* ---------------------------------------------------------------- the map */

/* Slot @i's address: right after the header (see the struct chapter). */
static struct sock __rcu **slot_of(struct bpf_map *map, u32 i)
{
	return (struct sock __rcu **)((char *)map + sizeof(struct bpf_map)) + i;
}

/* [book:test_map] */
START_TEST(slot_and_socket_point_at_each_other)
{
	int fd = map_create_ok(8, 4, 0);
	struct bpf_map *map = map_of(fd);
	int s0 = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int s1 = udp_bound(AF_INET, "127.0.0.1", port_of(s0), 1);
	struct sock *sk0 = sk_of(s0), *sk1 = sk_of(s1);

	ck_assert_ret(ins(fd, 1, s0, BPF_ANY), 0);
	ck_assert_ret(ins(fd, 3, s1, BPF_ANY), 0);

	/* the raw value: slot address | NOCOPY | BPF */
	ck_assert_ptr_eq(READ_ONCE(sk0->sk_user_data),
			 (void *)((uintptr_t)slot_of(map, 1) | SK_USER_DATA_NOCOPY |
				  SK_USER_DATA_BPF));
	/* through the readers: the slot, which holds the socket */
	ck_read(sk0, SK_USER_DATA_BPF, slot_of(map, 1));
	ck_read(sk1, SK_USER_DATA_BPF, slot_of(map, 3));
	ck_read(sk1, SK_USER_DATA_PSOCK, NULL);
	rcu_read_lock();
	ck_assert_ptr_eq(rcu_dereference(*(struct sock __rcu **)
					 rcu_read(sk1, SK_USER_DATA_BPF)), sk1);
	rcu_read_unlock();
	ck_assert(sk_user_data_is_nocopy(sk0));

	/* a socket is in one slot only: the back-pointer has room for one */
	ck_assert_ret(ins(fd, 2, s0, BPF_ANY), -EBUSY);

	xclose(s0);
	xclose(s1);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST

START_TEST(delete_and_close_clear_the_back_pointer)
{
	int fd = map_create_ok(8, 4, 0);
	struct bpf_map *map = map_of(fd);
	int s0 = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int s1 = udp_bound(AF_INET, "127.0.0.1", port_of(s0), 1);
	struct sock *sk0 = sk_of(s0);

	/* delete: the slot empties and the socket is free to go elsewhere */
	ck_assert_ret(ins(fd, 0, s0, BPF_ANY), 0);
	ck_read(sk0, SK_USER_DATA_BPF, slot_of(map, 0));
	ck_assert_ret(del(fd, 0), 0);
	ck_assert_ptr_null(READ_ONCE(sk0->sk_user_data));
	ck_read(sk0, 0, NULL);
	ck_assert_ret(ins(fd, 2, s0, BPF_ANY), 0);
	ck_read(sk0, SK_USER_DATA_BPF, slot_of(map, 2));

	/* close: the group's detach hook follows the back-pointer */
	ck_assert_ret(ins(fd, 3, s1, BPF_ANY), 0);
	xclose(s1);
	ck_assert_ret(lookup(fd, 3, NULL), -ENOENT);
	ck_assert_ptr_null(rcu_access_pointer(*slot_of(map, 3)));
	/* the neighbour is untouched */
	ck_assert_ret(lookup(fd, 2, NULL), 0);

	xclose(s0);
	ck_assert_ret(lookup(fd, 2, NULL), -ENOENT);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST

START_TEST(accepted_child_does_not_inherit_the_back_pointer)
{
	int fd = map_create_ok(8, 2, 0);
	struct bpf_map *map = map_of(fd);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	__u64 lcookie = cookie_of(l), cookie;
	struct sock *child;
	int c, a;

	ck_assert_ret(ins(fd, 0, l, BPF_ANY), 0);
	c = tcp_client(AF_INET, "127.0.0.1", port_of(l), 0);
	a = accept_one(l);
	ck_assert_int_ge(a, 0);
	child = sk_of(a);

	/* the listener keeps its back-pointer, the child gets none */
	ck_read(sk_of(l), SK_USER_DATA_BPF, slot_of(map, 0));
	ck_assert_msg(READ_ONCE(child->sk_user_data) == NULL,
		      "the accepted child inherited sk_user_data %p: was NOCOPY tested?",
		      READ_ONCE(child->sk_user_data));

	/* so closing the child leaves the listener's slot alone */
	xclose(a);
	xclose(c);
	ck_assert_ret(lookup(fd, 0, &cookie), 0);
	ck_assert_uint_eq(cookie, lcookie);
	xclose(l);
	ck_assert_ret(lookup(fd, 0, NULL), -ENOENT);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST

START_TEST(detach_touches_only_bpf_tagged_values)
{
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct sock *sk = sk_of(s);
	static _Alignas(8) struct sock __rcu *fake_slot;
	uintptr_t psock = (uintptr_t)&some_slot[0];

	/* a foreign owner: the map refuses the socket and detach ignores it */
	set_user_data(sk, psock | SK_USER_DATA_NOCOPY | SK_USER_DATA_PSOCK);
	{
		int fd = map_create_ok(8, 1, 0);

		ck_assert_ret(ins(fd, 0, s, BPF_ANY), -EBUSY);
		xclose(fd);
	}
	spin_lock_bh(&reuseport_lock);
	bpf_sk_reuseport_detach(sk);
	spin_unlock_bh(&reuseport_lock);
	ck_assert_ptr_eq(READ_ONCE(sk->sk_user_data),
			 (void *)(psock | SK_USER_DATA_NOCOPY | SK_USER_DATA_PSOCK));

	/* a BPF-tagged one: detach empties the slot it points at */
	rcu_assign_pointer(fake_slot, sk);
	set_user_data(sk, (uintptr_t)&fake_slot | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF);
	spin_lock_bh(&reuseport_lock);
	bpf_sk_reuseport_detach(sk);
	spin_unlock_bh(&reuseport_lock);
	ck_assert_msg(rcu_access_pointer(fake_slot) == NULL,
		      "detach did not follow a BPF-tagged back-pointer");
	ck_assert_ptr_null(READ_ONCE(sk->sk_user_data));
	xclose(s);
}
END_TEST
/* [/book:test_map] */

/* ---------------------------------------------------------------- layout */

START_TEST(slot_addresses_leave_the_tag_bits_free)
{
	int fd = map_create_ok(8, 5, 0);
	struct bpf_map *map = map_of(fd);

	ck_assert_uint_ge(_Alignof(struct sock *), 8);
	for (u32 i = 0; i < 5; i++)
		ck_assert_uint_eq((uintptr_t)slot_of(map, i) & TAGS, 0);
	bpf_map_put(map);
	xclose(fd);
}
END_TEST

static Suite *backpointers_suite(void)
{
	Suite *s = suite_create("backpointers");
	TCase *tc;

	tc = tcase_create("helpers");
	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, readers_untag_when_every_flag_is_present);
	tcase_add_test(tc, foreign_values_are_not_bpf_slots);
	tcase_add_test(tc, is_nocopy_tests_bit_0_only);
	tcase_add_test(tc, misaligned_values_are_read_as_tags);
	tcase_add_test_raise_signal(tc, flags_with_pointer_bits_abort, SIGABRT);
	tcase_add_test_raise_signal(tc, locked_read_without_the_lock_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, rcu_read_outside_rcu_aborts, SIGABRT);
	suite_add_tcase(s, tc);

	tc = tcase_create("map");
	tcase_set_tags(tc, "exercise");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, slot_and_socket_point_at_each_other);
	tcase_add_test(tc, delete_and_close_clear_the_back_pointer);
	tcase_add_test(tc, accepted_child_does_not_inherit_the_back_pointer);
	tcase_add_test(tc, detach_touches_only_bpf_tagged_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_add_test(tc, slot_addresses_leave_the_tag_bits_free);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(backpointers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
