// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_MAP_UPDATE_ELEM (kernel-spec.md section 5 and its "which sockets are
 * accepted" table; scenarios 9-25, 27, 28, 31).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

static void built_close_aux(struct built *b)
{
	int i;

	for (i = 0; i < b->naux; i++)
		xclose(b->aux[i]);
}

static void built_close(struct built *b)
{
	xclose(b->fd);
	built_close_aux(b);
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
	TCP_LISTEN_DISCONNECTED, /* listener, then connect(AF_UNSPEC) */
	TCP_LISTEN_SHUT_RD,	/* listener, then shutdown(SHUT_RD) */
	TCP_LISTEN_SHUT_WR,	/* listener, then shutdown(SHUT_WR) */
	TCP_RELISTEN,		/* disconnected listener listening again */
	UDP_DISCONNECTED_AUTO,	/* bound to port 0, connected, disconnected */
	UDP_DISCONNECTED_FIXED,	/* chosen port, connected, disconnected: hashed, groupless */
	SK_CLOSED,		/* a listener whose descriptor is closed */
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
	case TCP_LISTEN_DISCONNECTED:
	case TCP_RELISTEN:
		b->fd = tcp_listener(family, lo(family), 0, 1);
		ck_assert_ret(connect_unspec(b->fd), 0);
		if (kind == TCP_RELISTEN)
			ck_assert_ret(res(t_listen(b->fd, 16)), 0);
		break;
	case TCP_LISTEN_SHUT_RD:
	case TCP_LISTEN_SHUT_WR:
		b->fd = tcp_listener(family, lo(family), 0, 1);
		ck_assert_ret(res(t_shutdown(b->fd, kind == TCP_LISTEN_SHUT_RD ?
					     SHUT_RD : SHUT_WR)), 0);
		break;
	case UDP_DISCONNECTED_AUTO:
	case UDP_DISCONNECTED_FIXED:
		l = udp_bound(family, lo(family), 0, 0);
		built_aux(b, l);
		b->fd = udp_bound(family, lo(family), 0, 1);
		if (kind == UDP_DISCONNECTED_FIXED) {
			/* Same port, chosen this time: bind() locks it. */
			built_aux(b, b->fd);
			b->fd = udp_bound(family, lo(family), port_of(b->fd), 1);
		}
		ck_assert_ret(connect_to(b->fd, family, lo(family), port_of(l)), 0);
		ck_assert_ret(connect_unspec(b->fd), 0);
		break;
	case SK_CLOSED:
		/* Built, then closed; try_kind() inserts the dead number. */
		b->fd = tcp_listener(family, lo(family), 0, 1);
		break;
	}
}

/*
 * Insert a freshly built socket into an empty slot of a fresh map whose
 * values are @value_size bytes.
 */
static int try_kind(int family, enum sk_kind kind, __u32 value_size,
		    __u64 flags)
{
	struct built b;
	int m = map_create_ok(value_size, 4, 0);
	int r;

	build(&b, family, kind);
	if (kind == SK_CLOSED) {
		xclose(b.fd);
		r = ins(m, 0, b.fd, flags);
		b.fd = -1;
		built_close_aux(&b);
	} else {
		r = ins(m, 0, b.fd, flags);
		built_close(&b);
	}
	xclose(m);
	return r;
}

/*
 * Updating index 4 of a 4-entry map with an invalid value gives E2BIG, but with
 * flags 3 gives EINVAL: flags are checked before the index.
 * Spec: LIVE R03, U06, U07.
 */
START_TEST(s09_index_beyond_max)
{
	int m = map_create_ok(8, 4, 0);

	ck_assert_ret(ins_val(m, 4, (__u64)-1, BPF_ANY), -E2BIG);
	ck_assert_ret(ins_val(m, 4, (__u64)-1, 3), -EINVAL);
	xclose(m);
}
END_TEST

/*
 * Update flags 3, BPF_F_LOCK and bit 40 each give EINVAL for a valid listener,
 * and the slot stays empty.
 * Spec: LIVE U01, U02, U03.
 */
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

/*
 * An 8-byte value is a 64-bit fd: all ones, 0x80000000 or a valid fd with bit
 * 32 set give EINVAL, and 0x7FFFFFFF (not open) gives EBADF; the slot stays
 * empty.
 * Spec: LIVE U08, U09, U10, U11, U52.
 */
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

/*
 * A 4-byte value is a signed 32-bit fd: minus one, 0x7FFFFFFF and INT_MIN all
 * give EBADF, not EINVAL.
 * Spec: LIVE U12, U13, U50.
 */
START_TEST(s12_s32_fd_decoding)
{
	int m = map_create_ok(4, 4, 0);

	ck_assert_ret(ins_val(m, 0, (__u64)(__s64)-1, BPF_ANY), -EBADF);
	ck_assert_ret(ins_val(m, 0, 0x7FFFFFFFULL, BPF_ANY), -EBADF);
	ck_assert_ret(ins_val(m, 0, (__u64)(__s64)INT_MIN, BPF_ANY), -EBADF);
	xclose(m);
}
END_TEST

/*
 * Inserting a descriptor that is not a socket (/dev/null, or the map's own fd)
 * gives ENOTSOCK, and a closed socket descriptor gives EBADF.
 * Spec: LIVE U14, U15, U16.
 */
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

/*
 * A TCP6 socket with SO_REUSEPORT is refused with EINVAL while unbound and
 * while bound but not listening, and accepted once it listens; the slot then
 * holds its cookie.
 * Spec: LIVE RT.0a, RT.0b, S10-S14.
 */
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

/*
 * A UDP6 socket with SO_REUSEPORT is refused with EINVAL while unbound and
 * accepted once bound to [::]; a UDP4 socket bound to 0.0.0.0 is accepted too,
 * and both slots hold their cookies.
 * Spec: LIVE RU.0a, S16-S19, S26.
 */
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

/*
 * SO_REUSEPORT must be set before bind: a TCP listener or UDP socket without
 * it, and a UDP socket that set it after bind, give EINVAL, but a TCP socket
 * setting it after bind and before listen is accepted.
 * Spec: LIVE S04, S17, S41, S42.
 */
START_TEST(s16_reuseport_required_before_bind)
{
	ck_assert_ret(try_kind(AF_INET, TCP_LISTEN_NORP, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_BOUND_NORP, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_RP_AFTER_BIND, 8, BPF_ANY), -EINVAL);
	/* TCP only forms its group at listen(), so late SO_REUSEPORT works. */
	ck_assert_ret(try_kind(AF_INET, TCP_RP_AFTER_BIND, 8, BPF_ANY), 0);
}
END_TEST

/*
 * TCP sockets that are not listeners are refused with EINVAL: an established
 * client with SO_REUSEPORT, an accepted child and a socket in SYN_SENT.
 * Spec: LIVE S08, S09, S43.
 */
START_TEST(s17_tcp_not_listening)
{
	ck_assert_ret(try_kind(AF_INET, TCP_ESTABLISHED, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, TCP_CHILD, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, TCP_SYN_SENT, 8, BPF_ANY), -EINVAL);
}
END_TEST

/*
 * Connected UDP sockets are refused with EINVAL: IPv4 and IPv6 sockets bound
 * with SO_REUSEPORT and then connected, and one autobound by connect().
 * Spec: LIVE S20, S21, S27.
 */
START_TEST(s18_udp_connected)
{
	ck_assert_ret(try_kind(AF_INET, UDP_CONNECTED, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET6, UDP_CONNECTED, 8, BPF_ANY), -EINVAL);
	ck_assert_ret(try_kind(AF_INET, UDP_AUTOBOUND_CONNECT, 8, BPF_ANY),
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

/*
 * Sockets of the wrong kind give ENOTSUPP (524): Unix stream and datagram,
 * packet, netlink, raw IPv4 and IPv6, MPTCP and UDP-Lite, including a raw
 * socket offered with NOEXIST to an empty slot.
 * Spec: LIVE R07, S28-S37.
 */
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
		char what[64];

		snprintf(what, sizeof(what), "update(socket(%d, %d, %d))",
			 wrong_kinds[i].family, wrong_kinds[i].type,
			 wrong_kinds[i].protocol);
		spec_check_ret(what, r, -ENOTSUPP);
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

/*
 * The kernel selftest sequence on a TCP (run 0) and a UDP (run 1) group bound
 * to [::]: unready sockets give EINVAL, EXIST on an empty slot ENOENT, NOEXIST
 * on a full one EEXIST, a mapped socket EBUSY; replacement works and cookies
 * match.
 * Spec: LIVE RT01-RT11 (i == 0), RU01-RU11 (i == 1).
 */
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

/*
 * A socket already in a map gives EBUSY for another slot, another map (8 or
 * 4-byte values) or its own slot with BPF_ANY or BPF_EXIST, and EEXIST with
 * BPF_NOEXIST; its slot keeps it.
 * Spec: LIVE U22-U27.
 */
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

/*
 * With a Unix socket the slot state is checked before the socket kind: EXIST on
 * an empty slot gives ENOENT and NOEXIST on an occupied one EEXIST, while
 * BPF_ANY on an empty slot gives ENOTSUPP (524).
 * Spec: LIVE U18, S32, U21.
 */
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

/*
 * Checks on the new descriptor precede those on the slot: on an occupied slot,
 * /dev/null gives ENOTSOCK and 0x80000000 EINVAL with NOEXIST, an unbound TCP
 * socket gives EINVAL with EXIST, and the slot is unchanged.
 * Spec: LIVE U51, U52, U53.
 */
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

/*
 * BPF_EXIST replaces a listener in slot 1 with another of its group, and the
 * displaced listener can go into slot 2 with NOEXIST; it still accepts
 * connections, and closing the replacement empties only slot 1.
 * Spec: LIVE U54-U56, U28-U31.
 */
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

/*
 * Update checks run in order: a read-only map gives EPERM first, then
 * BPF_F_LOCK gives EINVAL even with a NULL key, then a NULL key or value gives
 * EFAULT even with the invalid flags 3.
 * Spec: LIVE U42-U46.
 */
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

/*
 * Updating index 4 or 0xFFFFFFFF of a 4-entry map gives E2BIG with BPF_ANY,
 * NOEXIST or EXIST, even with /dev/null as the value: the index is checked
 * before the fd is decoded.
 * Spec: LIVE U04, U05, U48, U49.
 */
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

/*
 * Update with a NULL key or a NULL value pointer gives EFAULT and leaves the
 * slot empty.
 * Spec: LIVE U35, U36.
 */
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

/*
 * A 4-byte-value map decodes and checks its value like an 8-byte one: /dev/null
 * gives ENOTSOCK, EXIST on an empty slot ENOENT, NOEXIST inserts, index 4 gives
 * E2BIG and a second slot EBUSY.
 * Spec: section 5 step 3-4.
 */
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
	{ "tcp4 listener disconnected", AF_INET, TCP_LISTEN_DISCONNECTED, -EINVAL },
	{ "tcp6 listener disconnected", AF_INET6, TCP_LISTEN_DISCONNECTED, -EINVAL },
	{ "tcp4 listener shut down (SHUT_RD)", AF_INET, TCP_LISTEN_SHUT_RD, -EINVAL },
	{ "tcp6 listener shut down (SHUT_RD)", AF_INET6, TCP_LISTEN_SHUT_RD, -EINVAL },
	{ "tcp4 listener after SHUT_WR", AF_INET, TCP_LISTEN_SHUT_WR, 0 },
	{ "tcp6 listener after SHUT_WR", AF_INET6, TCP_LISTEN_SHUT_WR, 0 },
	{ "tcp4 disconnected, listening again", AF_INET, TCP_RELISTEN, 0 },
	{ "tcp6 disconnected, listening again", AF_INET6, TCP_RELISTEN, 0 },
	{ "udp4 disconnected, port 0", AF_INET, UDP_DISCONNECTED_AUTO, -EINVAL },
	{ "udp6 disconnected, port 0", AF_INET6, UDP_DISCONNECTED_AUTO, -EINVAL },
	{ "udp4 disconnected, chosen port", AF_INET, UDP_DISCONNECTED_FIXED, -EINVAL },
	{ "udp6 disconnected, chosen port", AF_INET6, UDP_DISCONNECTED_FIXED, -EINVAL },
	{ "tcp4 listener, descriptor closed", AF_INET, SK_CLOSED, -EBADF },
	{ "tcp6 listener, descriptor closed", AF_INET6, SK_CLOSED, -EBADF },
};

#define N_ACCEPT_TABLE ((int)(sizeof(accept_table) / sizeof(accept_table[0])))

/*
 * Each run inserts one of 50 TCP and UDP socket states (IPv4 and IPv6) into a
 * fresh 8-byte or 4-byte-value map: listeners and bound, unconnected UDP
 * reuseport sockets are accepted, others give EINVAL, a closed fd EBADF.
 * Spec: LIVE S01-S27, S41-S43, X25.
 */
START_TEST(x_accepted_sockets_table)
{
	int row = _i % N_ACCEPT_TABLE;
	__u32 vs = _i < N_ACCEPT_TABLE ? 8 : 4;
	char what[96];
	int r;

	r = try_kind(accept_table[row].family, accept_table[row].kind, vs,
		     BPF_ANY);
	snprintf(what, sizeof(what), "update(%s), %u-byte value",
		 accept_table[row].name, vs);
	spec_check_ret(what, r, accept_table[row].want);
}
END_TEST

/*
 * A UDP socket displaced from its slot by BPF_ANY is free at once: it can join
 * another map, return with BPF_EXIST once deleted there, and closing the socket
 * it displaces leaves it in place.
 * Spec: LIVE U32, U33, R*05.
 */
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

/*
 * A socket in a SOCKMAP cannot enter a sockarray (EBUSY) and vice versa, for
 * TCP and UDP; once deleted from one map it can enter the other. Kernel only:
 * the port has no SOCKMAP.
 * Spec: LIVE K01-K04, K09, K10, K12, K13.
 */
START_TEST(s27_sockmap_exclusion)
{
	SPEC_KERNEL_ONLY("the port has no BPF_MAP_TYPE_SOCKMAP");

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

/*
 * An accepted child of a mapped listener can enter a SOCKMAP, as it has no
 * back-pointer, but gets EINVAL (checked before EBUSY) from the sockarray;
 * closing it keeps the listener's slot. Kernel only: the port has no SOCKMAP.
 * Spec: LIVE K05-K08.
 */
START_TEST(s28_sockmap_accepted_child)
{
	SPEC_KERNEL_ONLY("the port has no BPF_MAP_TYPE_SOCKMAP");

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

/*
 * A UDP socket moves twice between a 4-byte-value sockarray and a SOCKMAP: each
 * map gives EBUSY while the other holds it, and accepts it after the delete.
 * Kernel only: the port has no SOCKMAP.
 * Spec: LIVE K09-K11.
 */
START_TEST(x_sockmap_back_and_forth)
{
	SPEC_KERNEL_ONLY("the port has no BPF_MAP_TYPE_SOCKMAP");

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
	tcase_add_test(tc, s27_sockmap_exclusion);
	tcase_add_test(tc, s28_sockmap_accepted_child);
	tcase_add_test(tc, x_sockmap_back_and_forth);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tt, 10);
	tcase_add_loop_test(tt, x_accepted_sockets_table, 0, 2 * N_ACCEPT_TABLE);
	suite_add_tcase(s, tt);
	return s;
}
