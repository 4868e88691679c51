/**
 * @file test_why.c
 * @brief Chapter "Why an array of sockets?": the four ways into
 *        kernel/bpf/reuseport_array.c, one test each.
 *
 * The chapter's figure shows who calls the map: bpf(2) through the
 * operations table and through two functions called by name, an
 * SK_REUSEPORT program through bpf_sk_select_reuseport(), a closing socket
 * through reuseport_detach_sock(), and the last map reference through
 * map_free.  Each test walks one of those paths on the port and checks
 * that it arrives where the chapter says.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "kern/workqueue.h"
#include "spec/spec.h"
#include "port_helpers.h"

#define NR_SOCKS 3

/* NR_SOCKS listeners of one group on 127.0.0.1; returns the port. */
static uint16_t make_group(int *fds)
{
	fds[0] = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	for (int i = 1; i < NR_SOCKS; i++)
		fds[i] = tcp_listener(AF_INET, "127.0.0.1", port_of(fds[0]), 1);
	return port_of(fds[0]);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			xclose(fds[i]);
}

/* [book:test_syscall_paths] */
START_TEST(syscalls_reach_the_map_by_table_and_by_name)
{
	int fds[NR_SOCKS], fd = map_create_ok(8, NR_SOCKS, 0);
	struct bpf_map *map = map_of(fd);
	__u64 value, cookie;
	__u32 key = 1;

	/* no map_update_elem: programs cannot store, bpf(2) calls by name */
	ck_assert_ptr_null(map->ops->map_update_elem);
	ck_assert_ptr_nonnull(map->ops->map_lookup_elem);
	ck_assert_ptr_nonnull(map->ops->map_delete_elem);

	make_group(fds);
	ck_assert_ret(ins(fd, 0, fds[0], BPF_NOEXIST), 0);

	/* the by-name update stores exactly what bpf(2) would */
	value = (__u64)fds[1];
	ck_assert_int_eq(bpf_fd_reuseport_array_update_elem(map, &key, &value,
							    BPF_NOEXIST), 0);
	ck_assert_ret(lookup(fd, 1, &cookie), 0);
	ck_assert_uint_eq(cookie, cookie_of(fds[1]));

	/* and the by-name lookup reads what bpf(2) stored */
	key = 0;
	ck_assert_int_eq(bpf_fd_reuseport_array_lookup_elem(map, &key, &cookie), 0);
	ck_assert_uint_eq(cookie, cookie_of(fds[0]));

	/* delete goes through the table */
	ck_assert_ret(del(fd, 0), 0);
	ck_assert_ret(lookup(fd, 0, &cookie), -ENOENT);

	bpf_map_put(map);
	close_all(fds, NR_SOCKS);
	xclose(fd);
}
END_TEST
/* [/book:test_syscall_paths] */

/* What the test program is told to do, and what its helper call returned. */
struct steer {
	struct bpf_map *map;
	__u32 slot;
	long ret;
	unsigned int runs;
};

/* [book:test_prog] */
/* An SK_REUSEPORT program: "send this connection to slot ->slot". */
static enum sk_action steer_prog(struct sk_reuseport_kern *ctx, void *data)
{
	struct steer *st = data;

	st->runs++;
	st->ret = bpf_sk_select_reuseport(ctx, st->map, &st->slot, 0);
	return st->ret ? SK_DROP : SK_PASS;
}
/* [/book:test_prog] */

START_TEST(a_program_steers_to_the_socket_in_the_slot)
{
	int fds[NR_SOCKS], c, a, fd = map_create_ok(8, NR_SOCKS, 0);
	struct steer st = { .map = map_of(fd) };
	uint16_t port = make_group(fds);

	/* listener i in slot NR_SOCKS-1-i: slots need not follow the group */
	for (int i = 0; i < NR_SOCKS; i++)
		ck_assert_ret(ins(fd, NR_SOCKS - 1 - i, fds[i], BPF_ANY), 0);
	ck_assert_int_eq(reuseport_attach_prog(sk_of(fds[0]),
					       bpf_prog_new(steer_prog, &st)), 0);

	for (__u32 slot = 0; slot < NR_SOCKS; slot++) {
		int want = fds[NR_SOCKS - 1 - slot];

		st.slot = slot;
		c = tcp_client(AF_INET, "127.0.0.1", port, 0);
		ck_assert_int_eq(st.ret, 0);
		a = accept_one(want);
		for (int i = 0; i < NR_SOCKS; i++)
			if (fds[i] != want)
				ck_assert_ret(res(t_accept(fds[i], NULL, NULL)), -EAGAIN);
		xclose(a);
		xclose(c);
	}
	ck_assert_uint_eq(st.runs, NR_SOCKS);

	/* a slot past the end: the helper says ENOENT, the program drops */
	st.slot = NR_SOCKS;
	c = new_socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_ret(connect_to(c, AF_INET, "127.0.0.1", port), -ECONNREFUSED);
	ck_assert_int_eq(st.ret, -ENOENT);
	xclose(c);

	ck_assert_int_eq(reuseport_detach_prog(sk_of(fds[0])), 0);
	bpf_map_put(st.map);
	close_all(fds, NR_SOCKS);
	xclose(fd);
}
END_TEST

START_TEST(closing_a_socket_empties_its_slot)
{
	int fds[NR_SOCKS], c, fd = map_create_ok(8, NR_SOCKS, 0);
	struct steer st = { .map = map_of(fd) };
	uint16_t port = make_group(fds);
	__u64 cookie;

	for (int i = 0; i < NR_SOCKS; i++)
		ck_assert_ret(ins(fd, i, fds[i], BPF_ANY), 0);
	ck_assert_int_eq(reuseport_attach_prog(sk_of(fds[0]),
					       bpf_prog_new(steer_prog, &st)), 0);

	/* nobody touches the map: the close reaches it through detach */
	xclose(fds[1]);
	fds[1] = -1;
	ck_assert_ret(lookup(fd, 1, &cookie), -ENOENT);
	rcu_read_lock();
	ck_assert_ptr_null(st.map->ops->map_lookup_elem(st.map, &(__u32){ 1 }));
	rcu_read_unlock();

	/* a program that names the slot now finds it empty */
	st.slot = 1;
	c = new_socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_ret(connect_to(c, AF_INET, "127.0.0.1", port), -ECONNREFUSED);
	ck_assert_int_eq(st.ret, -ENOENT);
	xclose(c);

	/* the other slots are untouched */
	ck_assert_ret(lookup(fd, 0, &cookie), 0);
	ck_assert_uint_eq(cookie, cookie_of(fds[0]));
	ck_assert_ret(lookup(fd, 2, &cookie), 0);
	ck_assert_uint_eq(cookie, cookie_of(fds[2]));

	ck_assert_int_eq(reuseport_detach_prog(sk_of(fds[0])), 0);
	bpf_map_put(st.map);
	close_all(fds, NR_SOCKS);
	xclose(fd);
}
END_TEST

START_TEST(freeing_the_map_lets_go_of_its_sockets)
{
	int fds[NR_SOCKS], fd = map_create_ok(8, NR_SOCKS, 0), fd2;
	struct sock *sk;

	make_group(fds);
	ck_assert_ret(ins(fd, 2, fds[0], BPF_ANY), 0);
	sk = sk_of(fds[0]);
	ck_assert_ptr_nonnull(READ_ONCE(sk->sk_user_data));

	/* while the map lives, the socket is claimed: no second map */
	fd2 = map_create_ok(8, 1, 0);
	ck_assert_ret(ins(fd2, 0, fds[0], BPF_ANY), -EBUSY);

	/* the last reference goes; map_free runs later, from a work item */
	xclose(fd);
	flush_workqueue(system_unbound_wq);
	ck_assert_ptr_null(READ_ONCE(sk->sk_user_data));

	/* the socket still serves and may join another map */
	ck_assert_ret(ins(fd2, 0, fds[0], BPF_ANY), 0);
	xclose(fd2);
	close_all(fds, NR_SOCKS);
}
END_TEST

static Suite *why_suite(void)
{
	Suite *s = suite_create("why");
	TCase *tc = tcase_create("call_paths");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, syscalls_reach_the_map_by_table_and_by_name);
	tcase_add_test(tc, a_program_steers_to_the_socket_in_the_slot);
	tcase_add_test(tc, closing_a_socket_empties_its_slot);
	tcase_add_test(tc, freeing_the_map_lets_go_of_its_sockets);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(why_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
