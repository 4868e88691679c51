/**
 * @file test_steering.c
 * @brief Steering with a reuseport array: SK_REUSEPORT programs loaded
 *        with sockarray_prog_load(), attached with SO_ATTACH_REUSEPORT_EBPF,
 *        choosing among UDP and TCP reuseport groups through
 *        bpf_sk_select_reuseport(); and a rolling restart that loses no
 *        datagram.
 *
 * Every errno expectation here was checked on the live Linux 6.18 kernel
 * with a real BPF program (kernel-spec.md §12, and a raw-bpf(2) probe for
 * the SK_DROP cases: blocking connect ECONNREFUSED, non-blocking
 * EINPROGRESS then SO_ERROR ECONNREFUSED, connected UDP sender
 * ECONNREFUSED on its next call).  Each test says what it would catch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/inet_sock.h"
#include "kern/rcupdate.h"
#include "kern/sock_reuseport.h"
#include "sockarray/syscalls.h"
#include "port_helpers.h"
#include "spec/spec.h"
#include "ck_errno.h"

#define ENOTSUPP_KERN	524

/* ------------------------------------------------------------ helpers */

static struct sockaddr_in sin4(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((u16)port) };

	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6 sin6(const char *addr, int port)
{
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons((u16)port) };

	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin.sin6_addr), 1);
	return sin;
}

/* A socket with SO_REUSEPORT bound to addr:port (v4 or v6 by the address);
 * a TCP one listens. */
static int member(int type, const char *addr, int port)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (type == SOCK_STREAM)
		return tcp_listener(family, addr, (uint16_t)port, 1);
	return udp_bound(family, addr, (uint16_t)port, 1);
}

static void attach(int sock_fd, int prog_fd)
{
	ck_ok(sys_setsockopt(sock_fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd, 4));
}

static void send_byte(int from, int port, unsigned char b)
{
	struct sockaddr_in to = sin4("127.0.0.1", port);

	ck_assert_int_eq(sys_sendto(from, &b, 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
}

/* The first byte of the next datagram on @fd, or -1 if there is none. */
static int recv_byte(int fd)
{
	unsigned char b;
	ssize_t n = sys_recvfrom(fd, &b, 1, 0, NULL, NULL);

	if (n < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		return -1;
	}
	ck_assert_int_eq(n, 1);
	return b;
}

/* How many datagrams wait on @fd (drains it). */
static int drain(int fd)
{
	int n = 0;

	while (recv_byte(fd) >= 0)
		n++;
	return n;
}

/* ------------------------------------------------------------ programs */

/* What the programs below saw and did; the tests run one per process. */
static struct {
	int verdict_on_error;		/* SK_PASS or SK_DROP when the helper fails */
	long last_ret;			/* the helper's last return value */
	unsigned int runs;
	struct sk_reuseport_md md;	/* copy of the last context */
	unsigned char data[64];		/* and of its packet bytes */
} seen;

/* Key = the first payload byte (after the 8-byte UDP header). */
static int prog_by_first_byte(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	unsigned char *data = ctx->data, *end = ctx->data_end;
	u32 key;

	__atomic_fetch_add(&seen.runs, 1, __ATOMIC_RELAXED);
	if (data + 9 > end)
		return SK_DROP;
	key = data[8];
	seen.last_ret = sockarray_sk_select_reuseport(ctx, maps[0], &key, 0);
	if (seen.last_ret)
		return seen.verdict_on_error;
	return SK_PASS;
}

/* Records its context, selects nothing. */
static int prog_record(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	size_t n = (size_t)((char *)ctx->data_end - (char *)ctx->data);

	(void)maps;
	seen.runs++;
	seen.md = *ctx;
	memcpy(seen.data, ctx->data, n < sizeof(seen.data) ? n : sizeof(seen.data));
	return SK_PASS;
}

static int prog_drop(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	(void)ctx;
	(void)maps;
	seen.runs++;
	return SK_DROP;
}

/* TCP: key = the SYN's source port modulo 4. */
static int prog_by_sport(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	unsigned char *th = ctx->data;
	u32 key;

	if (th + 20 > (unsigned char *)ctx->data_end)
		return SK_DROP;
	key = (u32)((th[0] << 8 | th[1]) % 4);
	seen.last_ret = sockarray_sk_select_reuseport(ctx, maps[0], &key, 0);
	return seen.last_ret ? seen.verdict_on_error : SK_PASS;
}

/* ------------------------------------------------------------ loading, attaching */

/*
 * Catches: a load that accepts a descriptor that is not a map (EBADF for a
 * closed one, EINVAL for a file or a socket), no program, too many maps;
 * an attach that takes a map or a plain file for a program, or a program
 * on a socket that has no reuseport group kind (ENOTSUPP, 524).
 */
START_TEST(load_and_attach_errors)
{
	int map = map_create_ok(8, 4, 0), fds[MAX_USED_MAPS + 1], null, prog, u, x, closed, i;

	null = open("/dev/null", O_RDONLY);
	u = member(SOCK_DGRAM, "127.0.0.1", 0);
	closed = dup(null);	/* a number no descriptor has (until the next open) */
	close(closed);

	ck_errno(sockarray_prog_load(NULL, &map, 1), EINVAL);
	ck_errno(sockarray_prog_load(prog_drop, NULL, 1), EINVAL);
	ck_errno(sockarray_prog_load(prog_drop, &closed, 1), EBADF);
	ck_errno(sockarray_prog_load(prog_drop, &null, 1), EINVAL);
	ck_errno(sockarray_prog_load(prog_drop, &u, 1), EINVAL);
	for (i = 0; i < MAX_USED_MAPS + 1; i++)
		fds[i] = map;
	ck_errno(sockarray_prog_load(prog_drop, fds, MAX_USED_MAPS + 1), E2BIG);
	prog = (int)ck_ok(sockarray_prog_load(prog_drop, fds, MAX_USED_MAPS));
	ck_ok(sys_close(prog));

	ck_errno(sys_setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &closed, 4), EBADF);
	prog = (int)ck_ok(sockarray_prog_load(prog_drop, NULL, 0));
	ck_errno(sys_setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &map, 4), EINVAL);
	ck_errno(sys_setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &null, 4), EINVAL);
	ck_errno(sys_setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, 8), EINVAL);
	x = (int)ck_ok(sys_socket(AF_UNIX, SOCK_DGRAM, 0));
	ck_errno(sys_setsockopt(x, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, 4), ENOTSUPP_KERN);
	ck_ok(sys_close(x));
	x = (int)ck_ok(sys_socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
	ck_errno(sys_setsockopt(x, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, 4), ENOTSUPP_KERN);
	ck_ok(sys_close(x));
	attach(u, prog);

	ck_ok(sys_close(prog));
	ck_ok(sys_close(u));
	ck_ok(sys_close(map));
	close(null);
}
END_TEST

/* ------------------------------------------------------------ the context */

/*
 * Catches a context that differs from the kernel's (kernel-spec §12, LIVE
 * M02-M13): data not starting at the UDP header, len without the header,
 * eth_protocol in host order, ip_protocol of the wrong side, bind_inany
 * not following the group's address.
 */
START_TEST(context_udp)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a);
	int b = member(SOCK_DGRAM, "127.0.0.1", p), s, prog;
	struct sockaddr_in to = sin4("127.0.0.1", p);
	unsigned char *d = seen.data;

	prog = (int)ck_ok(sockarray_prog_load(prog_record, NULL, 0));
	attach(a, prog);
	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	ck_assert_int_eq(sys_sendto(s, "ABCD", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
	ck_assert_uint_eq(seen.runs, 1);
	ck_assert_uint_eq(seen.md.len, 12);
	ck_assert_int_eq((int)(seen.md.data_end - seen.md.data), 12);
	ck_assert_int_eq(memcmp(d + 8, "ABCD", 4), 0);
	ck_assert_int_eq(d[0] << 8 | d[1], port_of(s));		/* source port */
	ck_assert_int_eq(d[2] << 8 | d[3], p);			/* destination port */
	ck_assert_int_eq(d[4] << 8 | d[5], 12);			/* UDP length */
	ck_assert_uint_eq(seen.md.eth_protocol, htons(ETH_P_IP));
	ck_assert_uint_eq(seen.md.ip_protocol, IPPROTO_UDP);
	ck_assert_uint_eq(seen.md.bind_inany, 0);
	ck_assert_ptr_null((void *)seen.md.sk);
	ck_assert_uint_eq(drain(a) + drain(b), 1);
	ck_ok(sys_close(a));
	ck_ok(sys_close(b));

	/* a group on the wildcard address, reached over IPv6 */
	a = member(SOCK_DGRAM, "::", 0);
	p = port_of(a);
	attach(a, prog);
	{
		struct sockaddr_in6 to6 = sin6("::1", p);
		int s6 = (int)ck_ok(sys_socket(AF_INET6, SOCK_DGRAM, 0));

		ck_assert_int_eq(sys_sendto(s6, "", 0, 0, (struct sockaddr *)&to6, sizeof(to6)), 0);
		ck_assert_uint_eq(seen.md.len, 8);
		ck_assert_uint_eq(seen.md.eth_protocol, htons(ETH_P_IPV6));
		ck_assert_uint_eq(seen.md.bind_inany, 1);
		ck_ok(sys_close(s6));
	}
	ck_ok(sys_close(a));
	ck_ok(sys_close(s));
	ck_ok(sys_close(prog));
}
END_TEST

/* Catches a TCP context without the SYN's ports, or of the wrong protocol. */
START_TEST(context_tcp)
{
	int l = member(SOCK_STREAM, "127.0.0.1", 0), p = port_of(l), c, prog;
	struct sockaddr_in to = sin4("127.0.0.1", p);

	prog = (int)ck_ok(sockarray_prog_load(prog_record, NULL, 0));
	attach(l, prog);
	c = (int)ck_ok(sys_socket(AF_INET, SOCK_STREAM, 0));
	ck_ok(sys_connect(c, (struct sockaddr *)&to, sizeof(to)));
	ck_assert_uint_eq(seen.runs, 1);
	ck_assert_uint_ge(seen.md.len, 20);
	ck_assert_int_eq(seen.data[0] << 8 | seen.data[1], port_of(c));
	ck_assert_int_eq(seen.data[2] << 8 | seen.data[3], p);
	ck_assert_uint_eq(seen.md.ip_protocol, IPPROTO_TCP);
	ck_assert_uint_eq(seen.md.eth_protocol, htons(ETH_P_IP));
	ck_ok(sys_close(c));
	ck_ok(sys_close(l));
	ck_ok(sys_close(prog));
}
END_TEST

/* ------------------------------------------------------------ the helper */

/*
 * Catches a helper whose errors are not the kernel's, in the kernel's
 * order (protocol before family before "another group"), and a fallback
 * that is not the hash: each failed selection with SK_PASS must still
 * deliver the datagram to exactly one member of the receiving group.
 */
START_TEST(helper_errnos)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a);
	int b = member(SOCK_DGRAM, "127.0.0.1", p);
	int tcp = member(SOCK_STREAM, "127.0.0.1", 0);
	int u6 = member(SOCK_DGRAM, "::1", 0);
	int other = member(SOCK_DGRAM, "127.0.0.1", 0);
	int tcp6 = member(SOCK_STREAM, "::1", 0);
	int map = map_create_ok(8, 8, 0), prog, s;
	static const struct {
		unsigned char key;
		long want;
	} cases[] = {
		{ 0, 0 }, { 1, -ENOENT }, { 2, -EPROTOTYPE }, { 3, -EAFNOSUPPORT },
		{ 4, -EBADFD }, { 5, -EPROTOTYPE } /* protocol is checked first */,
		{ 200, -ENOENT },
	};

	ck_assert_ret(ins(map, 0, a, BPF_ANY), 0);
	ck_assert_ret(ins(map, 2, tcp, BPF_ANY), 0);
	ck_assert_ret(ins(map, 3, u6, BPF_ANY), 0);
	ck_assert_ret(ins(map, 4, other, BPF_ANY), 0);
	ck_assert_ret(ins(map, 5, tcp6, BPF_ANY), 0);
	prog = (int)ck_ok(sockarray_prog_load(prog_by_first_byte, &map, 1));
	attach(b, prog);
	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));

	seen.verdict_on_error = SK_PASS;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		send_byte(s, p, cases[i].key);
		ck_assert_msg(seen.last_ret == cases[i].want, "key %u: helper %ld, want %ld",
			      cases[i].key, seen.last_ret, cases[i].want);
		if (!cases[i].want) {
			ck_assert_int_eq(recv_byte(a), cases[i].key);
			ck_assert_int_eq(recv_byte(b), -1);
		} else {
			ck_assert_int_eq(drain(a) + drain(b), 1);
		}
		ck_assert_int_eq(drain(other), 0);
		ck_assert_int_eq(drain(u6), 0);
	}

	/* the same failures with SK_DROP lose the datagram */
	seen.verdict_on_error = SK_DROP;
	for (size_t i = 1; i < sizeof(cases) / sizeof(cases[0]); i++) {
		send_byte(s, p, cases[i].key);
		ck_assert_int_eq(drain(a) + drain(b), 0);
	}
	ck_assert_uint_eq(seen.runs, 13);

	ck_ok(sys_close(tcp6));
	ck_ok(sys_close(s));
	ck_ok(sys_close(prog));
	ck_ok(sys_close(map));
	ck_ok(sys_close(a));
	ck_ok(sys_close(b));
	ck_ok(sys_close(tcp));
	ck_ok(sys_close(u6));
	ck_ok(sys_close(other));
}
END_TEST

/* Catches a helper that trusts a context it did not make. */
START_TEST(helper_needs_real_context)
{
	struct sk_reuseport_md fake;
	int map = map_create_ok(8, 2, 0);
	struct bpf_map *m = bpf_map_get(map);
	u32 key = 0;

	memset(&fake, 0, sizeof(fake));
	ck_assert(!IS_ERR(m));
	ck_assert_int_eq(sockarray_sk_select_reuseport(&fake, m, &key, 0), -EINVAL);
	ck_assert_int_eq(sockarray_sk_select_reuseport(NULL, m, &key, 0), -EINVAL);
	bpf_map_put(m);
	ck_ok(sys_close(map));
}
END_TEST

/* ------------------------------------------------------------ verdicts */

/*
 * Catches a selection that is not obeyed, or obeyed only for some slots:
 * each datagram goes to the socket in the slot its first byte names.
 */
START_TEST(pass_with_selection_delivers)
{
	int fds[4], p, map = map_create_ok(8, 4, 0), prog, s, i, k;

	fds[0] = member(SOCK_DGRAM, "127.0.0.1", 0);
	p = port_of(fds[0]);
	for (i = 1; i < 4; i++)
		fds[i] = member(SOCK_DGRAM, "127.0.0.1", p);
	for (i = 0; i < 4; i++)
		ck_assert_ret(ins(map, (u32)i, fds[3 - i], BPF_ANY), 0);
	prog = (int)ck_ok(sockarray_prog_load(prog_by_first_byte, &map, 1));
	attach(fds[0], prog);
	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	for (k = 0; k < 40; k++)
		send_byte(s, p, (unsigned char)(k % 4));
	for (i = 0; i < 4; i++) {
		for (k = 0; k < 10; k++)
			ck_assert_int_eq(recv_byte(fds[3 - i]), i);
		ck_assert_int_eq(recv_byte(fds[3 - i]), -1);
	}
	ck_ok(sys_close(s));
	ck_ok(sys_close(prog));
	ck_ok(sys_close(map));
	for (i = 0; i < 4; i++)
		ck_ok(sys_close(fds[i]));
}
END_TEST

/*
 * Catches SK_PASS without a selection doing anything but the group's own
 * hash choice: the member chosen is the one chosen without a program, and
 * different flows spread over the members.
 */
START_TEST(pass_without_selection_hashes)
{
	int fds[4], got_prog[4] = { 0 }, got_none[4] = { 0 }, p, prog, i, k, s;

	fds[0] = member(SOCK_DGRAM, "127.0.0.1", 0);
	p = port_of(fds[0]);
	for (i = 1; i < 4; i++)
		fds[i] = member(SOCK_DGRAM, "127.0.0.1", p);
	prog = (int)ck_ok(sockarray_prog_load(prog_record, NULL, 0));
	for (k = 0; k < 16; k++) {
		s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
		send_byte(s, p, 1);
		for (i = 0; i < 4; i++)
			got_none[i] += drain(fds[i]);
		attach(fds[0], prog);
		send_byte(s, p, 1);
		for (i = 0; i < 4; i++) {
			int n = drain(fds[i]);

			got_prog[i] += n;
			if (n)
				ck_assert_int_eq(got_prog[i], got_none[i]);
		}
		ck_ok(sys_setsockopt(fds[0], SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &k, 4));
		ck_ok(sys_close(s));
	}
	ck_assert_uint_eq(seen.runs, 16);
	k = 0;
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(got_prog[i], got_none[i]);
		k += got_prog[i] > 0;
	}
	/* 16 flows all hashed to one member: (1/4)^15 by chance, certain if the choice ignores the hash */
	ck_assert_int_ge(k, 2);
	ck_ok(sys_close(prog));
	for (i = 0; i < 4; i++)
		ck_ok(sys_close(fds[i]));
}
END_TEST

/*
 * Catches SK_DROP delivering anyway, sendto() reporting the drop to an
 * unconnected sender, or a connected sender never hearing of it (live:
 * its next call fails with ECONNREFUSED, the one after succeeds).
 */
START_TEST(drop_udp)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a), prog, s, c;
	struct sockaddr_in to = sin4("127.0.0.1", p);

	prog = (int)ck_ok(sockarray_prog_load(prog_drop, NULL, 0));
	attach(a, prog);
	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	send_byte(s, p, 7);
	send_byte(s, p, 7);
	ck_assert_int_eq(recv_byte(a), -1);
	ck_assert_uint_eq(seen.runs, 2);

	c = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	ck_ok(sys_connect(c, (struct sockaddr *)&to, sizeof(to)));
	ck_assert_int_eq(sys_sendto(c, "x", 1, 0, NULL, 0), 1);
	ck_errno(sys_sendto(c, "x", 1, 0, NULL, 0), ECONNREFUSED);
	ck_assert_int_eq(sys_sendto(c, "x", 1, 0, NULL, 0), 1);
	ck_errno(sys_recvfrom(c, &to, 1, 0, NULL, NULL), ECONNREFUSED);
	ck_errno(sys_recvfrom(c, &to, 1, 0, NULL, NULL), EAGAIN);
	ck_assert_int_eq(recv_byte(a), -1);
	ck_ok(sys_close(c));
	ck_ok(sys_close(s));
	ck_ok(sys_close(a));
	ck_ok(sys_close(prog));
}
END_TEST

/*
 * Catches SK_DROP on a SYN doing anything but refusing the connection
 * (live: blocking ECONNREFUSED; non-blocking EINPROGRESS, then SO_ERROR
 * ECONNREFUSED, then ECONNABORTED from a second connect()), and a TCP
 * selection that is not obeyed.
 */
START_TEST(drop_and_select_tcp)
{
	int l[4], p, map = map_create_ok(8, 4, 0), prog, c, i, e;
	socklen_t elen = sizeof(e);
	struct sockaddr_in to;

	l[0] = member(SOCK_STREAM, "127.0.0.1", 0);
	p = port_of(l[0]);
	to = sin4("127.0.0.1", p);
	for (i = 1; i < 4; i++)
		l[i] = member(SOCK_STREAM, "127.0.0.1", p);
	for (i = 0; i < 4; i++)
		ck_assert_ret(ins(map, (u32)i, l[i], BPF_ANY), 0);
	prog = (int)ck_ok(sockarray_prog_load(prog_drop, NULL, 0));
	attach(l[2], prog);
	ck_ok(sys_close(prog));	/* the group keeps it */

	c = (int)ck_ok(sys_socket(AF_INET, SOCK_STREAM, 0));
	ck_errno(sys_connect(c, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
	ck_ok(sys_close(c));
	c = (int)ck_ok(sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	ck_errno(sys_connect(c, (struct sockaddr *)&to, sizeof(to)), EINPROGRESS);
	ck_ok(sys_getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &elen));
	ck_assert_int_eq(e, ECONNREFUSED);
	/* the error is spent: what is left is an aborted attempt (live: ECONNABORTED) */
	ck_errno(sys_connect(c, (struct sockaddr *)&to, sizeof(to)), ECONNABORTED);
	ck_ok(sys_close(c));
	ck_assert_uint_eq(seen.runs, 2);

	prog = (int)ck_ok(sockarray_prog_load(prog_by_sport, &map, 1));
	attach(l[0], prog);	/* replaces the dropping program */
	for (i = 0; i < 12; i++) {
		int a, want;

		c = (int)ck_ok(sys_socket(AF_INET, SOCK_STREAM, 0));
		ck_ok(sys_connect(c, (struct sockaddr *)&to, sizeof(to)));
		ck_assert_int_eq(seen.last_ret, 0);
		want = port_of(c) % 4;
		a = (int)ck_ok(sys_accept(l[want], NULL, NULL));
		ck_ok(sys_close(a));
		ck_ok(sys_close(c));
	}
	for (i = 0; i < 4; i++)
		ck_errno(sys_accept(l[i], NULL, NULL), EAGAIN);
	ck_ok(sys_close(prog));
	ck_ok(sys_close(map));
	for (i = 0; i < 4; i++)
		ck_ok(sys_close(l[i]));
}
END_TEST

/* ------------------------------------------------------------ lifetimes */

/*
 * Catches a program that does not hold its maps (the map freed while the
 * program can still run: a use-after-free ASan reports), or that never
 * lets them go (the reference count stays up after the program is gone).
 */
START_TEST(program_keeps_maps_alive)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a);
	int b = member(SOCK_DGRAM, "127.0.0.1", p);
	int map = map_create_ok(8, 2, 0), prog, s, k;
	struct bpf_map *m = bpf_map_get(map);

	ck_assert(!IS_ERR(m));
	ck_assert_int_eq(refcount_read(&m->refcnt), 2);	/* descriptor + ours */
	ck_assert_ret(ins(map, 1, b, BPF_ANY), 0);
	prog = (int)ck_ok(sockarray_prog_load(prog_by_first_byte, &map, 1));
	ck_assert_int_eq(refcount_read(&m->refcnt), 3);
	attach(a, prog);
	ck_ok(sys_close(prog));
	ck_ok(sys_close(map));		/* only the program holds the map now */

	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	for (k = 0; k < 5; k++) {
		send_byte(s, p, 1);
		ck_assert_int_eq(seen.last_ret, 0);
		ck_assert_int_eq(recv_byte(b), 1);
	}
	ck_assert_int_eq(recv_byte(a), -1);
	ck_ok(sys_close(s));
	/* the last member's close frees the group, then its program, which puts the map */
	ck_ok(sys_close(a));
	ck_ok(sys_close(b));
	rcu_barrier();		/* the group's free, which puts the program */
	rcu_barrier();		/* the program's free */
	ck_assert_int_eq(refcount_read(&m->refcnt), 1);	/* only ours is left */
	bpf_map_put(m);
}
END_TEST

/*
 * Catches a detach that leaves the program running, or that says 0 when
 * nothing was attached (live: ENOENT).
 */
START_TEST(detach)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a), prog, s, zero = 0;

	prog = (int)ck_ok(sockarray_prog_load(prog_drop, NULL, 0));
	ck_errno(sys_setsockopt(a, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &zero, 4), ENOENT);
	attach(a, prog);
	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	send_byte(s, p, 3);
	ck_assert_int_eq(recv_byte(a), -1);
	ck_ok(sys_setsockopt(a, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &zero, 4));
	ck_errno(sys_setsockopt(a, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &zero, 4), ENOENT);
	send_byte(s, p, 3);
	ck_assert_int_eq(recv_byte(a), 3);
	ck_assert_uint_eq(seen.runs, 1);
	ck_ok(sys_close(s));
	ck_ok(sys_close(a));
	ck_ok(sys_close(prog));
}
END_TEST

/* ------------------------------------------------------------ sendto / recvfrom */

/*
 * Catches the datagram calls departing from Linux: the checks before
 * anything is sent, EAGAIN on an empty queue, MSG_PEEK and MSG_TRUNC, the
 * sender's address, no sending on TCP (not modelled), and a receive queue
 * that never fills (a real one drops once over sk_rcvbuf).
 */
START_TEST(datagram_calls)
{
	int a = member(SOCK_DGRAM, "127.0.0.1", 0), p = port_of(a), s, t, sent, got;
	struct sockaddr_in to = sin4("127.0.0.1", p), from, far = sin4("10.0.0.1", p);
	struct sockaddr_in6 to6 = sin6("::1", p);
	socklen_t flen = sizeof(from);
	char buf[16];
	static char big[65508];

	s = (int)ck_ok(sys_socket(AF_INET, SOCK_DGRAM, 0));
	ck_errno(sys_sendto(s, "x", 1, 0, NULL, 0), EDESTADDRREQ);
	ck_errno(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to) - 1), EINVAL);
	ck_errno(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&to6, sizeof(to6)), EAFNOSUPPORT);
	ck_errno(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&far, sizeof(far)), ENETUNREACH);
	ck_errno(sys_sendto(s, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)), EMSGSIZE);
	to.sin_port = 0;
	ck_errno(sys_sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), EINVAL);
	to.sin_port = htons((u16)p);
	ck_errno(sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL), EAGAIN);

	ck_assert_int_eq(sys_sendto(s, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)), 5);
	ck_assert_int_eq(sys_recvfrom(a, buf, 2, MSG_PEEK, NULL, NULL), 2);
	ck_assert_int_eq(sys_recvfrom(a, buf, 2, MSG_PEEK | MSG_TRUNC, NULL, NULL), 5);
	ck_assert_int_eq(sys_recvfrom(a, buf, 3, 0, (struct sockaddr *)&from, &flen), 3);
	ck_assert_int_eq(memcmp(buf, "hel", 3), 0);
	ck_assert_int_eq(flen, sizeof(from));
	ck_assert_int_eq(from.sin_family, AF_INET);
	ck_assert_int_eq(ntohs(from.sin_port), port_of(s));	/* autobound */
	ck_assert_uint_eq(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	ck_errno(sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL), EAGAIN);	/* rest lost */

	t = member(SOCK_STREAM, "127.0.0.1", 0);
	ck_errno(sys_sendto(t, "x", 1, 0, NULL, 0), EOPNOTSUPP);
	ck_errno(sys_recvfrom(t, buf, 1, 0, NULL, NULL), EOPNOTSUPP);
	ck_ok(sys_close(t));
	ck_errno(sys_sendto(open("/dev/null", O_RDONLY), "x", 1, 0, NULL, 0), ENOTSOCK);

	/* a bounded queue: sends keep succeeding, the surplus is dropped */
	for (sent = 0; sent < 2000; sent++)
		ck_assert_int_eq(sys_sendto(s, buf, 8, 0, (struct sockaddr *)&to, sizeof(to)), 8);
	got = 0;
	while (sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL) == 8)
		got++;
	ck_assert_int_gt(got, 16);
	ck_assert_int_lt(got, sent);
	ck_assert_uint_eq(inet_sk(sk_of(a))->sk_drops, (unsigned int)(sent - got));

	/* datagrams still queued are freed with the socket (ASan: no leak) */
	send_byte(s, p, 1);
	ck_ok(sys_close(a));
	ck_ok(sys_close(s));
}
END_TEST

/* ------------------------------------------------------------ rolling restart */

#define RR_WORKERS	4
#define RR_GENERATIONS	3
#define RR_DATAGRAMS	6000
#define RR_WINDOW	64	/* datagrams the sender may have in flight */

struct rr_state {
	int port;
	unsigned int sent;		/* written by the sender */
	unsigned int received;		/* written by the main thread */
	unsigned char count[RR_DATAGRAMS];
};

/* Payload: the slot, then the sequence number. */
static void *rr_sender(void *arg)
{
	struct rr_state *st = arg;
	struct sockaddr_in to = sin4("127.0.0.1", st->port);
	int s = sys_socket(AF_INET, SOCK_DGRAM, 0);
	unsigned char msg[5];
	u32 seq;

	if (s < 0)
		return "socket";
	for (seq = 0; seq < RR_DATAGRAMS; seq++) {
		while (seq - __atomic_load_n(&st->received, __ATOMIC_ACQUIRE) >= RR_WINDOW)
			sched_yield();
		msg[0] = (unsigned char)(seq % RR_WORKERS);
		memcpy(&msg[1], &seq, sizeof(seq));
		if (sys_sendto(s, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) != 5)
			return "sendto";
		__atomic_store_n(&st->sent, seq + 1, __ATOMIC_RELEASE);
	}
	sys_close(s);
	return NULL;
}

static void rr_drain(struct rr_state *st, int fd)
{
	unsigned char msg[8];
	u32 seq;

	while (sys_recvfrom(fd, msg, sizeof(msg), 0, NULL, NULL) == 5) {
		memcpy(&seq, &msg[1], sizeof(seq));
		ck_assert_uint_lt(seq, RR_DATAGRAMS);
		st->count[seq]++;
		__atomic_store_n(&st->received, st->received + 1, __ATOMIC_RELEASE);
	}
}

static void rr_drain_all(struct rr_state *st, const int *fds)
{
	for (int i = 0; i < RR_WORKERS; i++)
		rr_drain(st, fds[i]);
}

/*
 * Catches any lost or duplicated datagram while every worker is replaced,
 * slot by slot, under a sender that never stops: a map update that is not
 * atomic (a moment with the slot empty: the program drops), a socket
 * closed while a datagram steered to it is still on its way (the update is
 * followed by synchronize_rcu(), the userspace stand-in for the kernel's
 * receive path finishing), or a queue that drops (the window keeps it far
 * below sk_rcvbuf).
 */
START_TEST(rolling_restart)
{
	static struct rr_state st;
	int fds[RR_WORKERS], map = map_create_ok(8, RR_WORKERS, 0), prog, gen, i;
	pthread_t sender;
	void *ret;

	fds[0] = member(SOCK_DGRAM, "127.0.0.1", 0);
	st.port = port_of(fds[0]);
	for (i = 1; i < RR_WORKERS; i++)
		fds[i] = member(SOCK_DGRAM, "127.0.0.1", st.port);
	for (i = 0; i < RR_WORKERS; i++)
		ck_assert_ret(ins(map, (u32)i, fds[i], BPF_ANY), 0);
	seen.verdict_on_error = SK_DROP;	/* a failed selection is a lost datagram */
	prog = (int)ck_ok(sockarray_prog_load(prog_by_first_byte, &map, 1));
	attach(fds[0], prog);
	ck_ok(sys_close(prog));

	ck_assert_int_eq(pthread_create(&sender, NULL, rr_sender, &st), 0);
	for (gen = 1; gen < RR_GENERATIONS; gen++) {
		for (i = 0; i < RR_WORKERS; i++) {
			int old = fds[i];
			unsigned int until = __atomic_load_n(&st.sent, __ATOMIC_ACQUIRE) + RR_WINDOW;

			/* let the stream run a while on the current workers */
			while (__atomic_load_n(&st.sent, __ATOMIC_ACQUIRE) < until &&
			       __atomic_load_n(&st.sent, __ATOMIC_ACQUIRE) < RR_DATAGRAMS)
				rr_drain_all(&st, fds);
			fds[i] = member(SOCK_DGRAM, "127.0.0.1", st.port);
			ck_assert_ret(ins(map, (u32)i, fds[i], BPF_EXIST), 0);
			synchronize_rcu();
			rr_drain(&st, old);
			ck_ok(sys_close(old));
		}
	}
	while (__atomic_load_n(&st.received, __ATOMIC_ACQUIRE) < RR_DATAGRAMS)
		rr_drain_all(&st, fds);
	ck_assert_int_eq(pthread_join(sender, &ret), 0);
	ck_assert_msg(ret == NULL, "sender failed: %s", (char *)ret);

	for (i = 0; i < RR_DATAGRAMS; i++)
		ck_assert_msg(st.count[i] == 1, "datagram %d received %d times", i, st.count[i]);
	for (i = 0; i < RR_WORKERS; i++) {
		ck_errno(sys_recvfrom(fds[i], &gen, 1, 0, NULL, NULL), EAGAIN);
		ck_ok(sys_close(fds[i]));
	}
	ck_ok(sys_close(map));
}
END_TEST

static Suite *steering_suite(void)
{
	Suite *s = suite_create("steering");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, load_and_attach_errors);
	tcase_add_test(tc, context_udp);
	tcase_add_test(tc, context_tcp);
	tcase_add_test(tc, helper_errnos);
	tcase_add_test(tc, helper_needs_real_context);
	tcase_add_test(tc, detach);
	tcase_add_test(tc, program_keeps_maps_alive);
	suite_add_tcase(s, tc);

	tc = tcase_create("delivery");
	tcase_add_test(tc, pass_with_selection_delivers);
	tcase_add_test(tc, pass_without_selection_hashes);
	tcase_add_test(tc, drop_udp);
	tcase_add_test(tc, drop_and_select_tcp);
	tcase_add_test(tc, datagram_calls);
	suite_add_tcase(s, tc);

	tc = tcase_create("rolling_restart");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rolling_restart);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(steering_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
