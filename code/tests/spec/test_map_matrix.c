// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-checks that walk a whole dimension of the map's behaviour: every
 * update flag against every state of the slot, cookies compared by
 * identity, one socket offered to several maps, and a socket's life from
 * creation to close as the map sees it.  Expected results were observed on
 * Linux 6.18 (the kernel backend runs the same cases).
 */
#include <stdio.h>

#include "spec.h"

#ifndef BPF_F_LOCK
#define BPF_F_LOCK 4
#endif

enum slot_state {
	SLOT_EMPTY,		/* nothing in the slot */
	SLOT_OTHER,		/* another socket of the group is in the slot */
	SLOT_SELF,		/* the socket being inserted is in the slot */
	SLOT_ELSEWHERE,		/* empty, but the socket sits in another slot */
};

static const char *const slot_names[] = {
	[SLOT_EMPTY] = "empty slot",
	[SLOT_OTHER] = "slot holding another socket",
	[SLOT_SELF] = "slot holding this socket",
	[SLOT_ELSEWHERE] = "empty slot, socket in slot 1",
};

static const struct {
	__u64 flags;
	const char *name;
} flag_rows[] = {
	{ BPF_ANY, "BPF_ANY" },
	{ BPF_NOEXIST, "BPF_NOEXIST" },
	{ BPF_EXIST, "BPF_EXIST" },
	{ BPF_F_LOCK, "BPF_F_LOCK" },
	{ 3, "flags 3" },
	{ 1ULL << 32, "flags 1<<32" },
};

#define N_FLAGS ((int)(sizeof(flag_rows) / sizeof(flag_rows[0])))

/* want[slot state][flag row], as Linux 6.18 answers. */
static const int flag_want[][N_FLAGS] = {
	[SLOT_EMPTY] = { 0, 0, -ENOENT, -EINVAL, -EINVAL, -EINVAL },
	[SLOT_OTHER] = { 0, -EEXIST, 0, -EINVAL, -EINVAL, -EINVAL },
	[SLOT_SELF] = { -EBUSY, -EEXIST, -EBUSY, -EINVAL, -EINVAL, -EINVAL },
	[SLOT_ELSEWHERE] = { -EBUSY, -EBUSY, -ENOENT, -EINVAL, -EINVAL, -EINVAL },
};

/*
 * Each update flag (ANY, NOEXIST, EXIST, F_LOCK, 3, bit 32) against each state
 * of slot 0 (empty, another socket, this socket, socket in slot 1) gives Linux
 * 6.18's result, and the slot then holds what it should.
 * Spec: none.
 */
START_TEST(m01_update_flags_by_slot_state)
{
	enum slot_state st = _i / N_FLAGS;
	int row = _i % N_FLAGS;
	int m = map_create_ok(8, 4, 0);
	int a = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int b = udp_bound(AF_INET, "127.0.0.1", port_of(a), 1);
	int want = flag_want[st][row];
	char what[128];
	int r;

	if (st == SLOT_OTHER)
		ck_assert_ret(ins(m, 0, b, BPF_ANY), 0);
	else if (st == SLOT_SELF)
		ck_assert_ret(ins(m, 0, a, BPF_ANY), 0);
	else if (st == SLOT_ELSEWHERE)
		ck_assert_ret(ins(m, 1, a, BPF_ANY), 0);

	r = ins(m, 0, a, flag_rows[row].flags);
	snprintf(what, sizeof(what), "update(%s, %s)", slot_names[st],
		 flag_rows[row].name);
	spec_check_ret(what, r, want);

	/* What the slot holds now. */
	if (r == 0 || st == SLOT_SELF)
		expect_slot(m, 0, a);
	else if (st == SLOT_OTHER)
		expect_slot(m, 0, b);
	else
		expect_empty(m, 0);
	xclose(a);
	xclose(b);
	xclose(m);
}
END_TEST

/*
 * Cookies compare by identity: a socket and its dup share one cookie, two
 * sockets differ, slots report their sockets' cookies in any map, and a slot
 * empties only when the last descriptor closes.
 * Spec: none.
 */
/* [book:cookie_identity] */
START_TEST(m02_cookie_identity)
{
	int m = map_create_ok(8, 4, 0);
	int m2 = map_create_ok(8, 2, 0);
	int a = tcp_listener(AF_INET6, "::1", 0, 1);
	int b = tcp_listener(AF_INET6, "::1", port_of(a), 1);
	int a2;
	__u64 ca, cb, c0, c1, again;

	a2 = res(t_dup(a));
	ck_assert_int_ge(a2, 0);
	ca = cookie_of(a);
	cb = cookie_of(b);
	ck_assert_msg(ca != cb, "two sockets share cookie %llu",
		      (unsigned long long)ca);
	ck_assert_msg(cookie_of(a2) == ca, "a dup has another cookie");

	ck_assert_ret(ins(m, 0, a, BPF_ANY), 0);
	ck_assert_ret(ins(m, 3, b, BPF_ANY), 0);
	ck_assert_ret(lookup(m, 0, &c0), 0);
	ck_assert_ret(lookup(m, 3, &c1), 0);
	ck_assert_ret(lookup(m, 0, &again), 0);
	ck_assert_msg(c0 == ca && c1 == cb && again == c0,
		      "slots do not give their sockets' cookies");

	/* Move a to slot 1 of another map: same cookie there. */
	ck_assert_ret(del(m, 0), 0);
	ck_assert_ret(ins(m2, 1, a2, BPF_ANY), 0);
	expect_slot(m2, 1, a);

	/* Closing one descriptor of two keeps the socket, and its slot. */
	xclose(a2);
	expect_slot(m2, 1, a);
	xclose(a);
	expect_empty(m2, 1);
	xclose(b);
	expect_empty(m, 3);
	xclose(m2);
	xclose(m);
}
END_TEST
/* [/book:cookie_identity] */

/*
 * A UDP socket may sit in one slot of one map at a time, whatever the value
 * size: another slot or map gives EBUSY until it is deleted, and closing a map
 * that no longer holds it changes nothing.
 * Spec: none.
 */
START_TEST(m03_one_socket_many_maps)
{
	int m8 = map_create_ok(8, 2, 0);
	int m4 = map_create_ok(4, 2, 0);
	int u = udp_bound(AF_INET6, "::1", 0, 1);

	ck_assert_ret(ins(m8, 0, u, BPF_ANY), 0);
	ck_assert_ret(ins(m4, 0, u, BPF_ANY), -EBUSY);
	ck_assert_ret(ins(m8, 1, u, BPF_ANY), -EBUSY);
	ck_assert_ret(ins(m4, 1, u, BPF_NOEXIST), -EBUSY);
	ck_assert_ret(del(m8, 0), 0);
	ck_assert_ret(ins(m4, 1, u, BPF_NOEXIST), 0);
	ck_assert_ret(lookup(m4, 1, NULL), -ENOSPC);
	ck_assert_ret(ins(m8, 0, u, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m4, 1), 0);
	ck_assert_ret(del(m4, 1), -ENOENT);
	ck_assert_ret(ins(m8, 1, u, BPF_ANY), 0);
	expect_slot(m8, 1, u);
	xclose(m4);
	expect_slot(m8, 1, u);
	xclose(u);
	expect_empty(m8, 1);
	xclose(m8);
}
END_TEST

/*
 * A TCP socket's life as the map sees it: EINVAL until it listens with
 * SO_REUSEPORT, accepted while listening, removed and refused after
 * connect(AF_UNSPEC), accepted after listening again, removed on close, then
 * EBADF.
 * Spec: none.
 */
START_TEST(m04_listener_life)
{
	int m = map_create_ok(8, 2, 0);
	int s = new_socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	set_reuseport(s, 1);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	bind_to(s, AF_INET, "127.0.0.1", 0);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	ck_assert_ret(res(t_listen(s, 8)), 0);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), 0);
	expect_slot(m, 0, s);
	ck_assert_ret(connect_unspec(s), 0);
	expect_empty(m, 0);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	ck_assert_ret(res(t_listen(s, 8)), 0);
	ck_assert_ret(ins(m, 1, s, BPF_ANY), 0);
	expect_slot(m, 1, s);
	xclose(s);
	expect_empty(m, 1);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EBADF);
	xclose(m);
}
END_TEST

/* A UDP port free right now: taken by bind(port 0), then given back. */
static uint16_t free_udp_port(void)
{
	int u = udp_bound(AF_INET6, "::", 0, 0);
	uint16_t port = port_of(u);

	xclose(u);
	return port;
}

/*
 * Every UDP owner whose address overlaps is asked, whatever the order of the
 * port's chain: a compatible SO_REUSEPORT owner met first does not let a
 * socket past a conflicting one.  (An earlier kernel on this machine let the
 * first overlapping owner decide; the live 6.18.44 kernel refuses.)
 * Spec: none (found by the differential fuzzer, re-checked on the live kernel).
 */
START_TEST(m05_udp_every_overlapping_owner_is_asked)
{
	uint16_t p = free_udp_port();
	int a, b, c, s;

	/* 127.0.0.1 without, then 127.0.0.2 with: the former still refuses. */
	a = udp_bound(AF_INET, "127.0.0.1", p, 0);
	b = udp_bound(AF_INET, "127.0.0.2", p, 1);
	s = new_socket(AF_INET6, SOCK_DGRAM, 0);
	set_reuseport(s, 1);
	ck_assert_ret(bind_ret(s, AF_INET6, "::", p), -EADDRINUSE);
	xclose(s);
	xclose(a);

	/* With the conflicting owner gone, the compatible one lets it in. */
	s = new_socket(AF_INET6, SOCK_DGRAM, 0);
	set_reuseport(s, 1);
	ck_assert_ret(bind_ret(s, AF_INET6, "::", p), 0);
	xclose(s);
	xclose(b);

	/* An IPv6 SO_REUSEPORT owner goes last: the IPv4 one refuses. */
	p = free_udp_port();
	a = udp_bound(AF_INET, "0.0.0.0", p, 0);
	c = udp_bound(AF_INET6, "::1", p, 1);
	s = new_socket(AF_INET6, SOCK_DGRAM, 0);
	set_reuseport(s, 1);
	ck_assert_ret(bind_ret(s, AF_INET6, "::", p), -EADDRINUSE);
	xclose(s);
	xclose(c);
	xclose(a);
}
END_TEST

/* A TCP port free right now: taken by bind(port 0), then given back. */
static uint16_t free_tcp_port(void)
{
	int t = new_socket(AF_INET6, SOCK_STREAM, 0);
	uint16_t port;

	bind_to(t, AF_INET6, "::", 0);
	port = port_of(t);
	xclose(t);
	return port;
}

static const struct {
	int family1;
	const char *addr1;	/* the first owner: SO_REUSEPORT, then cleared */
	int family2;
	const char *addr2;	/* the newcomer, with SO_REUSEPORT */
	int want;
} fast_rows[] = {
	{ AF_INET, "127.0.0.1", AF_INET, "127.0.0.1", 0 },
	{ AF_INET, "127.0.0.1", AF_INET, "0.0.0.0", -EADDRINUSE },
	{ AF_INET, "0.0.0.0", AF_INET, "127.0.0.1", 0 },
	{ AF_INET, "0.0.0.0", AF_INET, "0.0.0.0", 0 },
	{ AF_INET, "127.0.0.1", AF_INET, "127.0.0.2", 0 },
	{ AF_INET, "127.0.0.1", AF_INET6, "::", -EADDRINUSE },
	{ AF_INET6, "::1", AF_INET6, "::", -EADDRINUSE },
	{ AF_INET6, "::1", AF_INET6, "::1", 0 },
	{ AF_INET6, "::", AF_INET, "127.0.0.1", 0 },
};

/*
 * TCP's bind fast path: a port remembers what its owners had in common when
 * they bound, and a newcomer whose SO_REUSEPORT and address fall within that
 * summary is let in without asking each owner, even after the only owner
 * turned SO_REUSEPORT off (OK); a newcomer outside it is checked owner by
 * owner (EADDRINUSE where the owner now refuses).  One run per row.
 * Spec: none (found by the differential fuzzer).
 */
START_TEST(m06_tcp_bind_fast_path)
{
	uint16_t p = free_tcp_port();
	char what[96];
	int a, b;

	a = new_socket(fast_rows[_i].family1, SOCK_STREAM, 0);
	set_reuseport(a, 1);
	bind_to(a, fast_rows[_i].family1, fast_rows[_i].addr1, p);
	set_reuseport(a, 0);
	b = new_socket(fast_rows[_i].family2, SOCK_STREAM, 0);
	set_reuseport(b, 1);
	snprintf(what, sizeof(what), "bind(%s) after %s dropped SO_REUSEPORT",
		 fast_rows[_i].addr2, fast_rows[_i].addr1);
	spec_check_ret(what, bind_ret(b, fast_rows[_i].family2,
				      fast_rows[_i].addr2, p), fast_rows[_i].want);
	xclose(b);
	xclose(a);
}
END_TEST

/*
 * A TCP socket bound to a port and connected to that same port on the
 * loopback address connects to itself (simultaneous open): connect()
 * succeeds (OK) without any listener, for IPv4 and IPv6, bound to the
 * loopback address or the wildcard.  One run per family and address.
 * Spec: none (found by the differential fuzzer).
 */
START_TEST(m07_tcp_connects_to_itself)
{
	int family = _i & 1 ? AF_INET6 : AF_INET;
	const char *bound = _i & 2 ? (family == AF_INET ? "0.0.0.0" : "::") :
				     (family == AF_INET ? "127.0.0.1" : "::1");
	uint16_t p = free_tcp_port();
	int s = new_socket(family, SOCK_STREAM, 0);
	char what[64];

	bind_to(s, family, bound, p);
	snprintf(what, sizeof(what), "connect() to its own port, bound to %s", bound);
	spec_check_ret(what, connect_to(s, family, family == AF_INET ? "127.0.0.1" : "::1", p), 0);
	xclose(s);
}
END_TEST

/*
 * A TCP socket keeps the role it first played: once it has been one end of
 * a connection (here: a refused connect()), listen() answers EINVAL, even
 * after connect(AF_UNSPEC), and keeps the port the failed listen() gave it
 * (bind() is EINVAL); once it has listened, connect() answers EINVAL
 * after connect(AF_UNSPEC) closed it.  Fresh sockets do either.  One run
 * per family.  Spec: none (found by the differential fuzzer on the live
 * 6.18.44 kernel; not visible in the 6.18 source as read).
 */
START_TEST(m08_tcp_socket_keeps_its_role)
{
	int family = _i ? AF_INET6 : AF_INET;
	const char *lo = family == AF_INET ? "127.0.0.1" : "::1";
	uint16_t p = free_tcp_port();
	struct sockaddr_storage ss = { .ss_family = AF_UNSPEC };
	int s = new_socket(family, SOCK_STREAM, 0);

	spec_check_ret("connect() to a port nobody listens on",
		       connect_to(s, family, lo, p), -ECONNREFUSED);
	spec_check_ret("listen() after the refused connect()",
		       res(t_listen(s, 8)), -EINVAL);
	spec_check_ret("connect(AF_UNSPEC)",
		       res(t_connect(s, (struct sockaddr *)&ss, sizeof(ss))), 0);
	spec_check_ret("listen() after connect(AF_UNSPEC)",
		       res(t_listen(s, 8)), -EINVAL);
	/* the failed listen() kept the port it was given */
	spec_check_ret("bind() after the failed listen()",
		       bind_ret(s, family, lo, 0), -EINVAL);
	xclose(s);

	s = new_socket(family, SOCK_STREAM, 0);
	spec_check_ret("listen() of a fresh socket", res(t_listen(s, 8)), 0);
	spec_check_ret("connect(AF_UNSPEC) of the listener",
		       res(t_connect(s, (struct sockaddr *)&ss, sizeof(ss))), 0);
	spec_check_ret("connect() of the former listener",
		       connect_to(s, family, lo, p), -EINVAL);
	spec_check_ret("listen() again", res(t_listen(s, 8)), 0);
	xclose(s);
}
END_TEST

Suite *map_matrix_suite(void)
{
	Suite *s = suite_create("map_matrix");
	TCase *tc = tcase_create("matrix");

	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, m01_update_flags_by_slot_state, 0,
			    (int)(sizeof(flag_want) / sizeof(flag_want[0])) * N_FLAGS);
	tcase_add_test(tc, m02_cookie_identity);
	tcase_add_test(tc, m03_one_socket_many_maps);
	tcase_add_test(tc, m04_listener_life);
	tcase_add_test(tc, m05_udp_every_overlapping_owner_is_asked);
	tcase_add_loop_test(tc, m06_tcp_bind_fast_path, 0,
			    (int)(sizeof(fast_rows) / sizeof(fast_rows[0])));
	tcase_add_loop_test(tc, m07_tcp_connects_to_itself, 0, 4);
	tcase_add_loop_test(tc, m08_tcp_socket_keeps_its_role, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
