// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_UPDATE_ELEM (kernel-spec.md section 5 and its "which sockets are
 * accepted" table; scenarios 9-25, 27, 28, 31).
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "spec.h"

/* A socket of one kind, plus the helper sockets it needed (closed later). */
struct built {
	int fd;
	int aux[3];
	int naux;
};

static void built_init(struct built *b)
{
	b->fd = -1;
	b->naux = 0;
}

static void built_aux(struct built *b, int fd)
{
	ck_assert_int_lt(b->naux, 3);
	b->aux[b->naux++] = fd;
}

static void built_close(struct built *b)
{
	int i;

	xclose(b->fd);
	for (i = 0; i < b->naux; i++)
		xclose(b->aux[i]);
}

static const char *lo(int family)
{
	return family == AF_INET ? "127.0.0.1" : "::1";
}

static const char *any(int family)
{
	return family == AF_INET ? "0.0.0.0" : "::";
}

enum sk_kind {
	TCP_UNBOUND,		/* SO_REUSEPORT, never bound */
	TCP_BOUND,		/* SO_REUSEPORT, bound, not listening */
	TCP_BOUND_NORP,		/* bound, not listening */
	TCP_LISTEN_NORP,	/* listening without SO_REUSEPORT */
	TCP_LISTEN_LO,
	TCP_LISTEN_ANY,
	TCP_LISTEN_AUTOBIND,	/* listen() without bind() */
	TCP_RP_AFTER_BIND,	/* SO_REUSEPORT set after bind, then listen */
	TCP_ESTABLISHED,	/* client with SO_REUSEPORT */
	TCP_CHILD,		/* accepted from a SO_REUSEPORT listener */
	TCP_SYN_SENT,
	UDP_UNBOUND,
	UDP_BOUND_NORP,
	UDP_RP_AFTER_BIND,
	UDP_BOUND_LO,
	UDP_BOUND_ANY,
	UDP_CONNECTED,		/* bound with SO_REUSEPORT, then connect() */
	UDP_AUTOBOUND_CONNECT,	/* SO_REUSEPORT, autobound by connect() */
};

/* A TCP socket left in SYN_SENT: its SYN hits a full accept queue. */
static void build_syn_sent(struct built *b, int family)
{
	int l = new_socket(family, SOCK_STREAM, 0);
	int r;

	bind_to(l, family, lo(family), 0);
	/* Backlog 0: one queued connection fills the accept queue. */
	ck_assert_ret(res(t_listen(l, 0)), 0);
	built_aux(b, l);
	built_aux(b, tcp_client(family, lo(family), port_of(l), 0));
	b->fd = new_socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	set_reuseport(b->fd, 1);
	r = connect_to(b->fd, family, lo(family), port_of(l));
	ck_assert_ret(r, -EINPROGRESS);
}

static void build(struct built *b, int family, enum sk_kind kind)
{
	int l;

	built_init(b);
	switch (kind) {
	case TCP_UNBOUND:
		b->fd = new_socket(family, SOCK_STREAM, 0);
		set_reuseport(b->fd, 1);
		break;
	case TCP_BOUND:
	case TCP_BOUND_NORP:
		b->fd = new_socket(family, SOCK_STREAM, 0);
		if (kind == TCP_BOUND)
			set_reuseport(b->fd, 1);
		bind_to(b->fd, family, lo(family), 0);
		break;
	case TCP_LISTEN_NORP:
		b->fd = tcp_listener(family, lo(family), 0, 0);
		break;
	case TCP_LISTEN_LO:
		b->fd = tcp_listener(family, lo(family), 0, 1);
		break;
	case TCP_LISTEN_ANY:
		b->fd = tcp_listener(family, any(family), 0, 1);
		break;
	case TCP_LISTEN_AUTOBIND:
		b->fd = new_socket(family, SOCK_STREAM, 0);
		set_reuseport(b->fd, 1);
		ck_assert_ret(res(t_listen(b->fd, 16)), 0);
		ck_assert_uint_ne(port_of(b->fd), 0);
		break;
	case TCP_RP_AFTER_BIND:
		b->fd = new_socket(family, SOCK_STREAM, 0);
		bind_to(b->fd, family, lo(family), 0);
		set_reuseport(b->fd, 1);
		ck_assert_ret(res(t_listen(b->fd, 16)), 0);
		break;
	case TCP_ESTABLISHED:
		l = tcp_listener(family, lo(family), 0, 1);
		built_aux(b, l);
		b->fd = tcp_client(family, lo(family), port_of(l), 1);
		built_aux(b, accept_one(l));
		break;
	case TCP_CHILD:
		l = tcp_listener(family, lo(family), 0, 1);
		built_aux(b, l);
		built_aux(b, tcp_client(family, lo(family), port_of(l), 1));
		b->fd = accept_one(l);
		break;
	case TCP_SYN_SENT:
		build_syn_sent(b, family);
		break;
	case UDP_UNBOUND:
		b->fd = new_socket(family, SOCK_DGRAM, 0);
		set_reuseport(b->fd, 1);
		break;
	case UDP_BOUND_NORP:
		b->fd = udp_bound(family, lo(family), 0, 0);
		break;
	case UDP_RP_AFTER_BIND:
		b->fd = udp_bound(family, lo(family), 0, 0);
		set_reuseport(b->fd, 1);
		break;
	case UDP_BOUND_LO:
		b->fd = udp_bound(family, lo(family), 0, 1);
		break;
	case UDP_BOUND_ANY:
		b->fd = udp_bound(family, any(family), 0, 1);
		break;
	case UDP_CONNECTED:
		l = udp_bound(family, lo(family), 0, 0);
		built_aux(b, l);
		b->fd = udp_bound(family, lo(family), 0, 1);
		ck_assert_ret(connect_to(b->fd, family, lo(family), port_of(l)), 0);
		break;
	case UDP_AUTOBOUND_CONNECT:
		l = udp_bound(family, lo(family), 0, 0);
		built_aux(b, l);
		b->fd = new_socket(family, SOCK_DGRAM, 0);
		set_reuseport(b->fd, 1);
		ck_assert_ret(connect_to(b->fd, family, lo(family), port_of(l)), 0);
		break;
	}
}

/* Insert a freshly built socket into an empty slot of a fresh map. */
static int try_kind(int family, enum sk_kind kind, __u64 flags)
{
	struct built b;
	int m = map_create_ok(8, 4, 0);
	int r;

	build(&b, family, kind);
	r = ins(m, 0, b.fd, flags);
	built_close(&b);
	xclose(m);
	return r;
}

/* LIVE R03, U06, U07 */
START_TEST(s09_index_beyond_max)
{
	int m = map_create_ok(8, 4, 0);

	ck_assert_ret(ins_val(m, 4, (__u64)-1, BPF_ANY), -E2BIG);
	ck_assert_ret(ins_val(m, 4, (__u64)-1, 3), -EINVAL);
	xclose(m);
}
END_TEST

/* LIVE U01, U02, U03 */
START_TEST(s10_bad_flags)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, l, 3), -EINVAL);
	ck_assert_ret(ins(m, 0, l, BPF_F_LOCK), -EINVAL);
	ck_assert_ret(ins(m, 0, l, 1ULL << 40), -EINVAL);
	expect_empty(m, 0);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U08, U09, U10, U11, U52 */
START_TEST(s11_u64_fd_decoding)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins_val(m, 0, ~0ULL, BPF_ANY), -EINVAL);
	ck_assert_ret(ins_val(m, 0, 0x80000000ULL, BPF_ANY), -EINVAL);
	ck_assert_ret(ins_val(m, 0, (1ULL << 32) | (__u64)l, BPF_ANY), -EINVAL);
	ck_assert_ret(ins_val(m, 0, 0x7FFFFFFFULL, BPF_ANY), -EBADF);
	expect_empty(m, 0);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U12, U13, U50 */
START_TEST(s12_s32_fd_decoding)
{
	int m = map_create_ok(4, 4, 0);

	ck_assert_ret(ins_val(m, 0, (__u64)(__s64)-1, BPF_ANY), -EBADF);
	ck_assert_ret(ins_val(m, 0, 0x7FFFFFFFULL, BPF_ANY), -EBADF);
	ck_assert_ret(ins_val(m, 0, (__u64)(__s64)INT_MIN, BPF_ANY), -EBADF);
	xclose(m);
}
END_TEST

/* LIVE U14, U15, U16 */
START_TEST(s13_not_a_socket)
{
	int m = map_create_ok(8, 4, 0);
	int dn = open_devnull();
	int s = new_socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_ret(ins(m, 0, dn, BPF_ANY), -ENOTSOCK);
	ck_assert_ret(ins(m, 0, m, BPF_ANY), -ENOTSOCK);
	xclose(s);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EBADF);
	close(dn);
	xclose(m);
}
END_TEST

/* LIVE RT.0a, RT.0b, S10-S14 */
START_TEST(s14_tcp6_lifecycle)
{
	int m = map_create_ok(8, 4, 0);
	int s = new_socket(AF_INET6, SOCK_STREAM, 0);

	set_reuseport(s, 1);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	bind_to(s, AF_INET6, "::", 0);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), -EINVAL);
	ck_assert_ret(res(t_listen(s, 0)), 0);
	ck_assert_ret(ins(m, 0, s, BPF_ANY), 0);
	expect_slot(m, 0, s);
	xclose(s);
	xclose(m);
}
END_TEST

/* LIVE RU.0a, S16-S19, S26 */
START_TEST(s15_udp_bound)
{
	int m = map_create_ok(8, 4, 0);
	int s6 = new_socket(AF_INET6, SOCK_DGRAM, 0);
	int s4;

	set_reuseport(s6, 1);
	ck_assert_ret(ins(m, 0, s6, BPF_ANY), -EINVAL);
	bind_to(s6, AF_INET6, "::", 0);
	ck_assert_ret(ins(m, 0, s6, BPF_ANY), 0);

	s4 = udp_bound(AF_INET, "0.0.0.0", 0, 1);
	ck_assert_ret(ins(m, 1, s4, BPF_ANY), 0);
	expect_slot(m, 0, s6);
	expect_slot(m, 1, s4);
	xclose(s6);
	xclose(s4);
	xclose(m);
}
END_TEST

/* LIVE S04, S17, S41, S42 */
START_TEST(s16_reuseport_required_before_bind)
{
	ck_assert_ret(try_kind(AF_INET, TCP_LISTEN_NORP, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_BOUND_NORP, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_RP_AFTER_BIND, BPF_ANY), -EINVAL);
	/* TCP only forms its group at listen(), so late SO_REUSEPORT works. */
	ck_assert_ret(try_kind(AF_INET, TCP_RP_AFTER_BIND, BPF_ANY), 0);
}
END_TEST

/* LIVE S08, S09, S43 */
START_TEST(s17_tcp_not_listening)
{
	ck_assert_ret(try_kind(AF_INET, TCP_ESTABLISHED, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, TCP_CHILD, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, TCP_SYN_SENT, BPF_ANY), -EINVAL);
}
END_TEST

/* LIVE S20, S21, S27 */
START_TEST(s18_udp_connected)
{
	ck_assert_ret(try_kind(AF_INET, UDP_CONNECTED, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET6, UDP_CONNECTED, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_AUTOBOUND_CONNECT, BPF_ANY),
		      -EINVAL);
}
END_TEST

static const struct {
	int family;
	int type;
	int protocol;
} wrong_kinds[] = {
	{ AF_UNIX, SOCK_STREAM, 0 },
	{ AF_UNIX, SOCK_DGRAM, 0 },
	{ AF_PACKET, SOCK_RAW, 0 },
	{ AF_NETLINK, SOCK_RAW, 0 },
	{ AF_INET, SOCK_RAW, IPPROTO_UDP },
	{ AF_INET, SOCK_RAW, IPPROTO_ICMP },
	{ AF_INET, SOCK_RAW, IPPROTO_TCP },
	{ AF_INET6, SOCK_RAW, IPPROTO_UDP },
	{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6 },
	{ AF_INET6, SOCK_RAW, IPPROTO_TCP },
	{ AF_INET, SOCK_STREAM, IPPROTO_MPTCP },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE },
	{ AF_INET6, SOCK_STREAM, IPPROTO_MPTCP },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE },
};

/* LIVE R07, S28-S37 */
START_TEST(s19_wrong_socket_kinds_enotsupp)
{
	int m = map_create_ok(8, 4, 0);
	int s = new_socket(AF_INET6, SOCK_RAW, IPPROTO_UDP);
	unsigned int i;

	ck_assert_ret(ins(m, 3, s, BPF_NOEXIST), -ENOTSUPP);
	xclose(s);
	for (i = 0; i < sizeof(wrong_kinds) / sizeof(wrong_kinds[0]); i++) {
		int r;

		s = new_socket(wrong_kinds[i].family, wrong_kinds[i].type,
			       wrong_kinds[i].protocol);
		r = ins(m, 0, s, BPF_ANY);
		ck_assert_msg(r == -ENOTSUPP, "socket(%d, %d, %d): %s, want ENOTSUPP",
			      wrong_kinds[i].family, wrong_kinds[i].type,
			      wrong_kinds[i].protocol, errname(r));
		xclose(s);
	}
	xclose(m);
}
END_TEST

/* One member of a group for the selftest sequence: bound to [::]:port. */
static int selftest_member(int type, int m, uint16_t port)
{
	int s = new_socket(AF_INET6, type, 0);

	set_reuseport(s, 1);
	ck_assert_ret(ins(m, 3, s, BPF_ANY), -EINVAL);
	bind_to(s, AF_INET6, "::", port);
	if (type == SOCK_STREAM) {
		ck_assert_ret(ins(m, 3, s, BPF_ANY), -EINVAL);
		ck_assert_ret(res(t_listen(s, 0)), 0);
	}
	return s;
}

/* LIVE RT01-RT11 (i == 0), RU01-RU11 (i == 1) */
START_TEST(s20_selftest_sequence)
{
	int type = _i == 0 ? SOCK_STREAM : SOCK_DGRAM;
	int m = map_create_ok(8, 4, 0);
	int a, b;
	__u64 cookie_a, c;

	a = selftest_member(type, m, 0);
	/* The cookie read right after bind is what the map reports later. */
	cookie_a = cookie_of(a);
	b = selftest_member(type, m, port_of(a));

	ck_assert_ret(ins(m, 3, a, BPF_EXIST), -ENOENT);
	ck_assert_ret(ins(m, 3, a, BPF_NOEXIST), 0);
	ck_assert_ret(ins(m, 3, b, BPF_EXIST), 0);
	ck_assert_ret(ins(m, 3, a, BPF_NOEXIST), -EEXIST);
	ck_assert_ret(ins(m, 3, a, BPF_ANY), 0);
	ck_assert_ret(ins(m, 3, a, BPF_ANY), -EBUSY);
	ck_assert_ret(ins(m, 0, a, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m, 3), 0);
	ck_assert_ret(ins(m, 3, a, BPF_NOEXIST), 0);
	ck_assert_ret(lookup(m, 3, &c), 0);
	ck_assert_uint_eq(c, cookie_a);
	xclose(a);
	xclose(b);
	expect_empty(m, 3);
	xclose(m);
}
END_TEST

/* LIVE U22-U27 */
START_TEST(s22_already_in_a_map)
{
	int m = map_create_ok(8, 4, 0);
	int m2 = map_create_ok(8, 4, 0);
	int m4 = map_create_ok(4, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, l, BPF_EXIST), -EBUSY);
	ck_assert_ret(ins(m, 0, l, BPF_NOEXIST), -EEXIST);
	ck_assert_ret(ins(m, 1, l, BPF_ANY), -EBUSY);
	ck_assert_ret(ins(m2, 0, l, BPF_ANY), -EBUSY);
	ck_assert_ret(ins(m4, 0, l, BPF_ANY), -EBUSY);
	expect_slot(m, 0, l);
	expect_empty(m, 1);
	expect_empty(m2, 0);
	xclose(l);
	xclose(m);
	xclose(m2);
	xclose(m4);
}
END_TEST

/* LIVE U18, S32, U21 */
START_TEST(s23_unix_socket_slot_checks_first)
{
	int m = map_create_ok(8, 4, 0);
	int u = new_socket(AF_UNIX, SOCK_STREAM, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, u, BPF_EXIST), -ENOENT);
	ck_assert_ret(ins(m, 0, u, BPF_ANY), -ENOTSUPP);
	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, u, BPF_NOEXIST), -EEXIST);
	xclose(u);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U51, U52, U53 */
START_TEST(s24_fd_checks_before_slot_checks)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int dn = open_devnull();
	int t = new_socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_ret(ins(m, 1, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 1, dn, BPF_NOEXIST), -ENOTSOCK);
	ck_assert_ret(ins_val(m, 1, 0x80000000ULL, BPF_NOEXIST), -EINVAL);
	ck_assert_ret(ins(m, 1, t, BPF_EXIST), -EINVAL);
	expect_slot(m, 1, l);
	close(dn);
	xclose(t);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U54-U56, U28-U31 */
START_TEST(s25_replacement)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);
	int c, a;

	ck_assert_ret(ins(m, 1, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 1, l2, BPF_EXIST), 0);
	ck_assert_ret(ins(m, 2, l, BPF_NOEXIST), 0);
	expect_slot(m, 1, l2);
	expect_slot(m, 2, l);

	/* The displaced listener is still a working member of its group. */
	xclose(l2);
	expect_empty(m, 1);
	c = tcp_client(AF_INET, "127.0.0.1", port_of(l), 0);
	a = accept_one(l);
	xclose(a);
	xclose(c);
	expect_slot(m, 2, l);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U42-U46 */
START_TEST(s31_update_check_order)
{
	__u32 key = 0;
	__u64 val;
	int m = map_create_ok(8, 4, 0);
	int ro = map_create_ok(8, 4, BPF_F_RDONLY);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	val = (__u64)l;
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, NULL, &val, 3), -EFAULT);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, &key, NULL, 3), -EFAULT);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, NULL, &val, BPF_F_LOCK),
		      -EINVAL);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, ro, &key, &val, 3), -EPERM);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, ro, &key, &val, BPF_F_LOCK),
		      -EPERM);
	xclose(l);
	xclose(ro);
	xclose(m);
}
END_TEST

/* LIVE U04, U05, U48, U49: E2BIG precedes fd decoding and flag semantics. */
START_TEST(x_update_index_checks)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int dn = open_devnull();

	ck_assert_ret(ins(m, 4, l, BPF_ANY), -E2BIG);
	ck_assert_ret(ins(m, 0xFFFFFFFF, l, BPF_ANY), -E2BIG);
	ck_assert_ret(ins(m, 4, l, BPF_NOEXIST), -E2BIG);
	ck_assert_ret(ins(m, 4, l, BPF_EXIST), -E2BIG);
	ck_assert_ret(ins(m, 4, dn, BPF_ANY), -E2BIG);
	close(dn);
	xclose(l);
	xclose(m);
}
END_TEST

/* LIVE U35, U36 */
START_TEST(x_update_null_pointers)
{
	__u32 key = 0;
	__u64 val;
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	val = (__u64)l;
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, NULL, &val, BPF_ANY),
		      -EFAULT);
	ck_assert_ret(elem_cmd(BPF_MAP_UPDATE_ELEM, m, &key, NULL, BPF_ANY),
		      -EFAULT);
	expect_empty(m, 0);
	xclose(l);
	xclose(m);
}
END_TEST

/* Value size 4: decoding of fds and of non-sockets (section 5 step 3-4). */
START_TEST(x_update_value_size4)
{
	int m = map_create_ok(4, 4, 0);
	int dn = open_devnull();
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, dn, BPF_ANY), -ENOTSOCK);
	ck_assert_ret(ins(m, 0, u, BPF_EXIST), -ENOENT);
	ck_assert_ret(ins(m, 0, u, BPF_NOEXIST), 0);
	ck_assert_ret(ins(m, 4, u, BPF_ANY), -E2BIG);
	ck_assert_ret(ins(m, 1, u, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m, 0), 0);
	close(dn);
	xclose(u);
	xclose(m);
}
END_TEST

static const struct {
	const char *name;
	int family;
	enum sk_kind kind;
	int want;
} accept_table[] = {
	{ "tcp4 unbound", AF_INET, TCP_UNBOUND, -EINVAL },
	{ "tcp6 unbound", AF_INET6, TCP_UNBOUND, -EINVAL },
	{ "tcp4 bound", AF_INET, TCP_BOUND, -EINVAL },
	{ "tcp4 bound no reuseport", AF_INET, TCP_BOUND_NORP, -EINVAL },
	{ "tcp6 bound", AF_INET6, TCP_BOUND, -EINVAL },
	{ "tcp6 bound no reuseport", AF_INET6, TCP_BOUND_NORP, -EINVAL },
	{ "tcp4 listen no reuseport", AF_INET, TCP_LISTEN_NORP, -EINVAL },
	{ "tcp6 listen no reuseport", AF_INET6, TCP_LISTEN_NORP, -EINVAL },
	{ "tcp4 listen 127.0.0.1", AF_INET, TCP_LISTEN_LO, 0 },
	{ "tcp4 listen 0.0.0.0", AF_INET, TCP_LISTEN_ANY, 0 },
	{ "tcp6 listen ::1", AF_INET6, TCP_LISTEN_LO, 0 },
	{ "tcp6 listen ::", AF_INET6, TCP_LISTEN_ANY, 0 },
	{ "tcp4 listen autobind", AF_INET, TCP_LISTEN_AUTOBIND, 0 },
	{ "tcp6 listen autobind", AF_INET6, TCP_LISTEN_AUTOBIND, 0 },
	{ "tcp4 reuseport after bind", AF_INET, TCP_RP_AFTER_BIND, 0 },
	{ "tcp6 reuseport after bind", AF_INET6, TCP_RP_AFTER_BIND, 0 },
	{ "tcp4 established", AF_INET, TCP_ESTABLISHED, -EINVAL },
	{ "tcp6 established", AF_INET6, TCP_ESTABLISHED, -EINVAL },
	{ "tcp4 accepted child", AF_INET, TCP_CHILD, -EINVAL },
	{ "tcp6 accepted child", AF_INET6, TCP_CHILD, -EINVAL },
	{ "tcp4 syn_sent", AF_INET, TCP_SYN_SENT, -EINVAL },
	{ "tcp6 syn_sent", AF_INET6, TCP_SYN_SENT, -EINVAL },
	{ "udp4 unbound", AF_INET, UDP_UNBOUND, -EINVAL },
	{ "udp6 unbound", AF_INET6, UDP_UNBOUND, -EINVAL },
	{ "udp4 no reuseport", AF_INET, UDP_BOUND_NORP, -EINVAL },
	{ "udp6 no reuseport", AF_INET6, UDP_BOUND_NORP, -EINVAL },
	{ "udp4 reuseport after bind", AF_INET, UDP_RP_AFTER_BIND, -EINVAL },
	{ "udp6 reuseport after bind", AF_INET6, UDP_RP_AFTER_BIND, -EINVAL },
	{ "udp4 bound 127.0.0.1", AF_INET, UDP_BOUND_LO, 0 },
	{ "udp4 bound 0.0.0.0", AF_INET, UDP_BOUND_ANY, 0 },
	{ "udp6 bound ::1", AF_INET6, UDP_BOUND_LO, 0 },
	{ "udp6 bound ::", AF_INET6, UDP_BOUND_ANY, 0 },
	{ "udp4 connected", AF_INET, UDP_CONNECTED, -EINVAL },
	{ "udp6 connected", AF_INET6, UDP_CONNECTED, -EINVAL },
	{ "udp4 autobound by connect", AF_INET, UDP_AUTOBOUND_CONNECT, -EINVAL },
	{ "udp6 autobound by connect", AF_INET6, UDP_AUTOBOUND_CONNECT, -EINVAL },
};

#define N_ACCEPT_TABLE ((int)(sizeof(accept_table) / sizeof(accept_table[0])))

/* LIVE S01-S27, S41-S43, X25: one row of "which sockets are accepted". */
START_TEST(x_accepted_sockets_table)
{
	int r = try_kind(accept_table[_i].family, accept_table[_i].kind,
			 BPF_ANY);

	ck_assert_msg(r == accept_table[_i].want, "%s: %s, want %s",
		      accept_table[_i].name, errname(r),
		      errname(accept_table[_i].want));
}
END_TEST

/* LIVE U32, U33, R*05: a displaced UDP socket is free for any map at once. */
START_TEST(x_replacement_udp_displaced_reusable)
{
	int m = map_create_ok(8, 4, 0);
	int m2 = map_create_ok(4, 4, 0);
	int u = udp_bound(AF_INET6, "::1", 0, 1);
	int u2 = udp_bound(AF_INET6, "::1", port_of(u), 1);

	ck_assert_ret(ins(m, 0, u, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, u2, BPF_ANY), 0);
	expect_slot(m, 0, u2);
	ck_assert_ret(ins(m2, 0, u, BPF_NOEXIST), 0);
	ck_assert_ret(ins(m, 0, u, BPF_EXIST), -EBUSY);
	ck_assert_ret(del(m2, 0), 0);
	ck_assert_ret(ins(m, 0, u, BPF_EXIST), 0);
	expect_slot(m, 0, u);
	/* u2 was displaced again: close it, u must stay. */
	xclose(u2);
	expect_slot(m, 0, u);
	xclose(u);
	expect_empty(m, 0);
	xclose(m);
	xclose(m2);
}
END_TEST

#ifdef SPEC_BACKEND_KERNEL
/* kernel only: the port has no SOCKMAP. */

static int sockmap_create(void)
{
	union attr_buf b;
	int fd;

	memset(&b, 0, sizeof(b));
	b.attr.map_type = BPF_MAP_TYPE_SOCKMAP;
	b.attr.key_size = 4;
	b.attr.value_size = 4;
	b.attr.max_entries = 4;
	fd = bpf_raw(BPF_MAP_CREATE, &b, ATTR_SIZE);
	ck_assert_msg(fd >= 0, "SOCKMAP create: %s", errname(fd));
	map_track(fd, 4);
	return fd;
}

/* kernel only: the port has no SOCKMAP.  LIVE K01-K04, K09, K10, K12, K13 */
START_TEST(s27_sockmap_exclusion)
{
	int m = map_create_ok(8, 4, 0);
	int sm = sockmap_create();
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(sm, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, l, BPF_ANY), -EBUSY);
	ck_assert_ret(del(sm, 0), 0);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(sm, 0, l, BPF_ANY), -EBUSY);
	ck_assert_ret(del(m, 0), 0);
	ck_assert_ret(ins(sm, 0, l, BPF_ANY), 0);

	ck_assert_ret(ins(sm, 1, u, BPF_ANY), 0);
	ck_assert_ret(ins(m, 1, u, BPF_ANY), -EBUSY);
	expect_empty(m, 1);
	xclose(u);
	xclose(l);
	xclose(sm);
	xclose(m);
}
END_TEST

/* kernel only: the port has no SOCKMAP.  LIVE K05-K08 */
START_TEST(s28_sockmap_accepted_child)
{
	int m = map_create_ok(8, 4, 0);
	int sm = sockmap_create();
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int cl, c;

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	cl = tcp_client(AF_INET, "127.0.0.1", port_of(l), 0);
	c = accept_one(l);
	/* The child did not inherit the listener's tagged back-pointer. */
	ck_assert_ret(ins(sm, 0, c, BPF_ANY), 0);
	/* Not hashed as a listener: EINVAL is checked before EBUSY. */
	ck_assert_ret(ins(m, 1, c, BPF_ANY), -EINVAL);
	xclose(c);
	expect_slot(m, 0, l);
	xclose(cl);
	xclose(l);
	xclose(sm);
	xclose(m);
}
END_TEST

/* kernel only: the port has no SOCKMAP.  LIVE K09-K11: back and forth. */
START_TEST(x_sockmap_back_and_forth)
{
	int m = map_create_ok(4, 4, 0);
	int sm = sockmap_create();
	int u = udp_bound(AF_INET6, "::1", 0, 1);
	int i;

	for (i = 0; i < 2; i++) {
		ck_assert_ret(ins(m, 2, u, BPF_NOEXIST), 0);
		ck_assert_ret(ins(sm, 2, u, BPF_ANY), -EBUSY);
		ck_assert_ret(del(m, 2), 0);
		ck_assert_ret(ins(sm, 2, u, BPF_ANY), 0);
		ck_assert_ret(ins(m, 2, u, BPF_ANY), -EBUSY);
		ck_assert_ret(del(sm, 2), 0);
	}
	xclose(u);
	xclose(sm);
	xclose(m);
}
END_TEST
#endif /* SPEC_BACKEND_KERNEL */

Suite *map_update_suite(void)
{
	Suite *s = suite_create("map_update");
	TCase *tc = tcase_create("update");
	TCase *tt = tcase_create("accepted_sockets");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s09_index_beyond_max);
	tcase_add_test(tc, s10_bad_flags);
	tcase_add_test(tc, s11_u64_fd_decoding);
	tcase_add_test(tc, s12_s32_fd_decoding);
	tcase_add_test(tc, s13_not_a_socket);
	tcase_add_test(tc, s14_tcp6_lifecycle);
	tcase_add_test(tc, s15_udp_bound);
	tcase_add_test(tc, s16_reuseport_required_before_bind);
	tcase_add_test(tc, s17_tcp_not_listening);
	tcase_add_test(tc, s18_udp_connected);
	tcase_add_test(tc, s19_wrong_socket_kinds_enotsupp);
	tcase_add_loop_test(tc, s20_selftest_sequence, 0, 2);
	tcase_add_test(tc, s22_already_in_a_map);
	tcase_add_test(tc, s23_unix_socket_slot_checks_first);
	tcase_add_test(tc, s24_fd_checks_before_slot_checks);
	tcase_add_test(tc, s25_replacement);
	tcase_add_test(tc, s31_update_check_order);
	tcase_add_test(tc, x_update_index_checks);
	tcase_add_test(tc, x_update_null_pointers);
	tcase_add_test(tc, x_update_value_size4);
	tcase_add_test(tc, x_replacement_udp_displaced_reusable);
#ifdef SPEC_BACKEND_KERNEL
	tcase_add_test(tc, s27_sockmap_exclusion);
	tcase_add_test(tc, s28_sockmap_accepted_child);
	tcase_add_test(tc, x_sockmap_back_and_forth);
#endif
	suite_add_tcase(s, tc);

	tcase_set_timeout(tt, 10);
	tcase_add_loop_test(tt, x_accepted_sockets_table, 0, N_ACCEPT_TABLE);
	suite_add_tcase(s, tt);
	return s;
}
