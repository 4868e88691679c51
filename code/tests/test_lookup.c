/**
 * @file test_lookup.c
 * @brief Chapter "Lookup: two doors": the map's two lookups.
 *
 * The tests tagged "exercise" grade exercises/lookup.  They go through the
 * system call (sys_bpf(), BPF_MAP_LOOKUP_ELEM), which ends in
 * bpf_fd_reuseport_array_lookup_elem(): the cookie of the socket in a slot,
 * ENOENT for an empty slot or an index out of range, ENOSPC for a map whose
 * values are 4 bytes.  The generated stub answers -ENOSYS to everything, so
 * each of them fails against it; and each test that expects an error first
 * makes a real lookup succeed, so that "always ENOENT" fails too.
 *
 * The other tests look at the door a BPF program uses,
 * reuseport_array_lookup_elem() through map->ops and through the helper
 * bpf_sk_select_reuseport(): a socket pointer, no reference taken, and only
 * inside an RCU read-side critical section.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"
#include "port_helpers.h"

/* A value no lookup can produce: the port's cookies count up from 1. */
#define UNTOUCHED	0xfeedfacecafebeefULL

/* BPF_MAP_LOOKUP_ELEM of @key into a buffer that starts as UNTOUCHED. */
static int lookup_into(int map, u32 key, u64 *value)
{
	*value = UNTOUCHED;
	return elem_cmd(BPF_MAP_LOOKUP_ELEM, map, &key, value, 0);
}

/* Assert that slot @idx answers the cookie of @fd, as SO_COOKIE gives it. */
static void expect_cookie(int map, u32 idx, int fd)
{
	u64 c;

	ck_assert_ret(lookup_into(map, idx, &c), 0);
	ck_assert_msg(c == cookie_of(fd),
		      "slot %u: lookup gave %llu, SO_COOKIE %llu", idx,
		      (unsigned long long)c, (unsigned long long)cookie_of(fd));
}

/* ------------------------------------------------- the exercise's tests */

/* [book:test_cookie] */
/* Catches a lookup that returns anything but the socket's own cookie. */
START_TEST(lookup_returns_the_sockets_cookie)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u64 c;

	ck_assert_ret(ins(map, 2, s, BPF_ANY), 0);
	ck_assert_ret(lookup_into(map, 2, &c), 0);
	ck_assert_uint_ne(c, 0);
	ck_assert_uint_eq(c, cookie_of(s));
	/* asked again, the same number: a cookie never changes */
	expect_cookie(map, 2, s);
	xclose(s);
	xclose(map);
}
END_TEST
/* [/book:test_cookie] */

/*
 * Catches a lookup that reads sk_cookie instead of calling
 * __sock_gen_cookie(): a socket nobody asked about yet has no cookie, and
 * the lookup is what gives it one.
 */
START_TEST(lookup_gives_a_socket_its_first_cookie)
{
	int map = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	struct socket *sock = spec_backend->is_kernel ? NULL : socket_of(l);
	u64 c;

	ck_assert_ret(ins(map, 0, l, BPF_ANY), 0);
	if (sock)	/* on the live kernel the struct sock is out of sight */
		ck_assert_uint_eq(__atomic_load_n(&sock->sk->sk_cookie,
						  __ATOMIC_RELAXED), 0);
	ck_assert_ret(lookup_into(map, 0, &c), 0);
	ck_assert_uint_ne(c, 0);
	/* SO_COOKIE, asked only now, reports the number the lookup made */
	ck_assert_uint_eq(cookie_of(l), c);
	if (sock)
		sockfd_put(sock);
	xclose(l);
	xclose(map);
}
END_TEST

/* Catches a lookup that ignores the key, or answers one cookie for all. */
START_TEST(lookup_tells_the_slots_apart)
{
	int map = map_create_ok(8, 4, 0);
	int a = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int b = tcp_listener(AF_INET, "127.0.0.1", port_of(a), 1);
	u64 ca, cb;

	ck_assert_ret(ins(map, 1, a, BPF_ANY), 0);
	ck_assert_ret(ins(map, 3, b, BPF_ANY), 0);
	ck_assert_ret(lookup_into(map, 1, &ca), 0);
	ck_assert_ret(lookup_into(map, 3, &cb), 0);
	ck_assert_uint_ne(ca, cb);
	ck_assert_uint_eq(ca, cookie_of(a));
	ck_assert_uint_eq(cb, cookie_of(b));
	/* move b into slot 1 in place of a: slot 1 now answers b */
	ck_assert_ret(del(map, 3), 0);
	ck_assert_ret(ins(map, 1, b, BPF_EXIST), 0);
	expect_cookie(map, 1, b);
	xclose(a);
	xclose(b);
	xclose(map);
}
END_TEST

/* Catches a lookup that answers 0 and a stale value for an empty slot. */
START_TEST(empty_slot_is_enoent_and_nothing_is_copied)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET6, "::1", 0, 1);
	u64 c;

	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	expect_cookie(map, 0, s);		/* the door works... */
	ck_assert_ret(lookup_into(map, 1, &c), -ENOENT);	/* ...slot 1 is empty */
	ck_assert_uint_eq(c, UNTOUCHED);
	ck_assert_ret(lookup_into(map, 3, &c), -ENOENT);
	ck_assert_uint_eq(c, UNTOUCHED);
	xclose(s);
	xclose(map);
}
END_TEST

/*
 * Catches a lookup that forgets the bounds check (reading past the array),
 * or answers E2BIG for it as delete and update do.
 */
START_TEST(index_out_of_range_is_enoent)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u64 c;

	ck_assert_ret(ins(map, 3, s, BPF_ANY), 0);
	expect_cookie(map, 3, s);		/* the last slot is in range */
	ck_assert_ret(lookup_into(map, 4, &c), -ENOENT);
	ck_assert_uint_eq(c, UNTOUCHED);
	ck_assert_ret(lookup_into(map, 0xffffffffu, &c), -ENOENT);
	ck_assert_uint_eq(c, UNTOUCHED);
	/* the same key is E2BIG for delete: the lookup says "not there" */
	ck_assert_ret(del(map, 4), -E2BIG);
	xclose(s);
	xclose(map);
}
END_TEST

/*
 * Catches a lookup that writes 8 bytes into a 4-byte value, and one that
 * checks the size only when a socket is found: ENOSPC comes first, for
 * occupied, empty and out-of-range keys alike.
 */
START_TEST(four_byte_values_are_enospc)
{
	int map = map_create_ok(4, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u64 c;

	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);	/* a 32-bit fd goes in */
	ck_assert_ret(lookup_into(map, 0, &c), -ENOSPC);
	ck_assert_uint_eq(c, UNTOUCHED);
	ck_assert_ret(lookup_into(map, 1, &c), -ENOSPC);
	ck_assert_ret(lookup_into(map, 4, &c), -ENOSPC);
	/* the slot really holds the socket: NOEXIST collides */
	ck_assert_ret(ins(map, 0, s, BPF_NOEXIST), -EEXIST);
	xclose(s);
	xclose(map);
}
END_TEST

/*
 * Catches a lookup that caches an answer: close() empties the slot through
 * the back-pointer, and the next lookup must see it.
 */
START_TEST(lookup_after_close_is_enoent)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	u64 c;

	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	ck_assert_ret(ins(map, 1, l, BPF_ANY), 0);
	expect_cookie(map, 0, s);
	expect_cookie(map, 1, l);
	xclose(s);
	ck_assert_ret(lookup_into(map, 0, &c), -ENOENT);
	ck_assert_uint_eq(c, UNTOUCHED);
	expect_cookie(map, 1, l);		/* the other slot is untouched */
	xclose(l);
	ck_assert_ret(lookup_into(map, 1, &c), -ENOENT);
	xclose(map);
}
END_TEST

/*
 * Catches a lookup that creates a new cookie each time: after delete and
 * a new insertion the socket answers the number it had before.
 */
START_TEST(cookie_survives_delete_and_reinsertion)
{
	int map = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u64 before, after;

	ck_assert_ret(ins(map, 0, s, BPF_ANY), 0);
	ck_assert_ret(lookup_into(map, 0, &before), 0);
	ck_assert_ret(del(map, 0), 0);
	ck_assert_ret(lookup_into(map, 0, &after), -ENOENT);
	ck_assert_ret(ins(map, 2, s, BPF_ANY), 0);
	ck_assert_ret(lookup_into(map, 2, &after), 0);
	ck_assert_uint_eq(before, after);
	xclose(s);
	xclose(map);
}
END_TEST

/* ------------------------------------------- the BPF program's door */

/* [book:test_bpf_side] */
/*
 * Catches a program-side lookup that returns anything but the very struct
 * sock in the slot, or that takes a reference on it.
 */
START_TEST(program_lookup_returns_the_socket_itself)
{
	int map_fd = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct socket *sock = socket_of(s);
	struct bpf_map *map = bpf_map_get(map_fd);
	unsigned int refs;
	struct sock *sk;
	u32 key = 1;

	ck_assert(!IS_ERR(map));
	ck_assert_ret(ins(map_fd, 1, s, BPF_ANY), 0);
	refs = refcount_read(&sock->sk->sk_refcnt);

	rcu_read_lock();
	sk = map->ops->map_lookup_elem(map, &key);
	ck_assert_ptr_eq(sk, sock->sk);
	rcu_read_unlock();
	/* no reference: RCU, not a count, keeps the socket alive */
	ck_assert_uint_eq(refcount_read(&sock->sk->sk_refcnt), refs);

	bpf_map_put(map);
	sockfd_put(sock);
	xclose(s);
	xclose(map_fd);
}
END_TEST
/* [/book:test_bpf_side] */

/* Catches a program-side lookup that reads past the slots or a stale slot. */
START_TEST(program_lookup_of_empty_or_out_of_range_is_null)
{
	int map_fd = map_create_ok(8, 4, 0);
	int s = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	struct bpf_map *map = bpf_map_get(map_fd);
	u32 key;

	ck_assert(!IS_ERR(map));
	ck_assert_ret(ins(map_fd, 0, s, BPF_ANY), 0);
	rcu_read_lock();
	key = 0;
	ck_assert_ptr_nonnull(map->ops->map_lookup_elem(map, &key));
	key = 1;
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	key = 4;
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	key = 0xffffffffu;
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	rcu_read_unlock();

	xclose(s);
	rcu_read_lock();
	key = 0;
	ck_assert_ptr_null(map->ops->map_lookup_elem(map, &key));
	rcu_read_unlock();

	bpf_map_put(map);
	xclose(map_fd);
}
END_TEST

/*
 * Catches a helper that steers to a socket it did not find: the program's
 * lookup feeds bpf_sk_select_reuseport(), which selects the slot's socket,
 * and answers -ENOENT once the slot is empty.
 */
START_TEST(helper_selects_the_slots_socket)
{
	int map_fd = map_create_ok(8, 4, 0);
	int a = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int b = udp_bound(AF_INET, "127.0.0.1", port_of(a), 1);
	struct socket *sa = socket_of(a), *sb = socket_of(b);
	struct bpf_map *map = bpf_map_get(map_fd);
	struct sk_reuseport_kern ctx = { 0 };
	struct sock_reuseport *reuse;
	u32 key = 2;

	ck_assert(!IS_ERR(map));
	ck_assert_ret(ins(map_fd, 2, b, BPF_ANY), 0);

	rcu_read_lock();
	reuse = rcu_dereference(sa->sk->sk_reuseport_cb);
	ck_assert_ptr_nonnull(reuse);
	ctx.sk = sa->sk;			/* the packet reached a... */
	ctx.reuseport_id = reuse->reuseport_id;
	ck_assert_int_eq(bpf_sk_select_reuseport(&ctx, map, &key, 0), 0);
	ck_assert_ptr_eq(ctx.selected_sk, sb->sk);	/* ...the program chose b */
	rcu_read_unlock();

	ck_assert_ret(del(map_fd, 2), 0);
	ctx.selected_sk = NULL;
	rcu_read_lock();
	ck_assert_int_eq(bpf_sk_select_reuseport(&ctx, map, &key, 0), -ENOENT);
	ck_assert_ptr_null(ctx.selected_sk);
	rcu_read_unlock();

	bpf_map_put(map);
	sockfd_put(sa);
	sockfd_put(sb);
	xclose(a);
	xclose(b);
	xclose(map_fd);
}
END_TEST

/*
 * Ends in abort() (SIGABRT): the program's lookup outside an RCU read-side
 * section.  Catches a port whose rcu_dereference() stopped checking, which
 * would let a caller use a socket that may be freed under it.
 */
START_TEST(program_lookup_outside_rcu_aborts)
{
	int map_fd = map_create_ok(8, 4, 0);
	struct bpf_map *map = bpf_map_get(map_fd);
	u32 key = 0;

	ck_assert(!IS_ERR(map));
	(void)map->ops->map_lookup_elem(map, &key);
	ck_abort_msg("map_lookup_elem() ran outside rcu_read_lock()");
}
END_TEST

/* @kernel: only the system-call tests, which then run on the live kernel. */
static Suite *lookup_suite(bool kernel)
{
	Suite *s = suite_create("lookup");
	TCase *fd = tcase_create("fd_lookup");
	TCase *prog = tcase_create("bpf_side");

	tcase_set_tags(fd, "exercise");
	tcase_set_timeout(fd, 20);
	tcase_add_test(fd, lookup_returns_the_sockets_cookie);
	tcase_add_test(fd, lookup_gives_a_socket_its_first_cookie);
	tcase_add_test(fd, lookup_tells_the_slots_apart);
	tcase_add_test(fd, empty_slot_is_enoent_and_nothing_is_copied);
	tcase_add_test(fd, index_out_of_range_is_enoent);
	tcase_add_test(fd, four_byte_values_are_enospc);
	tcase_add_test(fd, lookup_after_close_is_enoent);
	tcase_add_test(fd, cookie_survives_delete_and_reinsertion);
	suite_add_tcase(s, fd);
	if (kernel)
		return s;

	tcase_add_test(prog, program_lookup_returns_the_socket_itself);
	tcase_add_test(prog, program_lookup_of_empty_or_out_of_range_is_null);
	tcase_add_test(prog, helper_selects_the_slots_socket);
#ifndef NDEBUG
	/* rcu_dereference() checks for a read-side section only without NDEBUG */
	tcase_add_test_raise_signal(prog, program_lookup_outside_rcu_aborts, SIGABRT);
#endif
	suite_add_tcase(s, prog);
	return s;
}

/*
 * `test_lookup kernel` runs the exercise's tests against the running
 * kernel's bpf(2) (as root), to show that they describe Linux 6.18.
 */
int main(int argc, char **argv)
{
	bool kernel = argc > 1 && !strcmp(argv[1], "kernel");
	SRunner *sr;
	int failed;

	if (kernel)
		spec_backend = &spec_kernel_backend;
	sr = srunner_create(lookup_suite(kernel));

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
