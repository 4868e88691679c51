// SPDX-License-Identifier: GPL-2.0
/*
 * One steering scenario, run twice: on the live kernel with the compiled
 * SK_REUSEPORT program (code/bpf/steer.bpf.c, loaded with libbpf) and on
 * the port with its C copy (code/bpf/steer_port.c, loaded with
 * sockarray_prog_load()).  Each datagram's receiver and the helper's
 * return value are tabled and compared, row by row, with each other and
 * with what the scenario was built to produce.
 *
 *   side_by_side [--object steer.bpf.o]   both halves; exit 0 if they agree
 *   side_by_side --port-only              the port against the expectation
 *
 * Exit status: 0 agreement, 1 a mismatch ("MISMATCH" is printed), 77 the
 * live kernel half could not run (no bpf(2) permission, no libbpf or clang
 * at build time) and the port, compared with the expectation, was right.
 *
 * What it catches: a port helper returning another errno than the kernel
 * (the group-id checks), a verdict handled differently (SK_DROP delivered,
 * a failed selection not falling back to the hash), a slot not emptied by
 * close(), a program copy that drifted from the BPF original (the CTest
 * steering_side_by_side_planted_bug builds such a copy and passes only if
 * this program reports MISMATCH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "steer.h"
#include "spec/backend.h"

#ifdef STEER_HAVE_PORT
#include <sockarray/syscalls.h>
#include "steer_port.h"
#endif
#ifdef STEER_HAVE_KERNEL
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#ifndef STEER_NO_KERNEL_REASON
#define STEER_NO_KERNEL_REASON "clang or libbpf missing when this program was built"
#endif
#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52
#endif

#define NR_MEMBERS	4	/* m0..m3, the reuseport group being steered */
#define RX_HASH		-1	/* expected: some live member, chosen by the hash */
#define RX_NONE		-2	/* delivered nowhere (expected for SK_DROP) */
#define RX_MANY		-3	/* seen twice: never right */

/* What each slot of the map holds. */
enum slot_kind { SLOT_MEMBER, SLOT_EMPTY, SLOT_OTHER_PORT, SLOT_TCP, SLOT_UDP6 };

static const enum slot_kind slot_kinds[STEER_SLOTS] = {
	SLOT_MEMBER, SLOT_MEMBER, SLOT_MEMBER, SLOT_MEMBER,
	SLOT_EMPTY, SLOT_OTHER_PORT, SLOT_TCP, SLOT_UDP6,
};

/* [book:steer_cases] */
/* One datagram: its key byte and what the scenario is built to produce. */
struct steer_case {
	int phase;		/* 0: all members open; 1: after close(m2) */
	unsigned char key;	/* payload byte 0 */
	const char *slot;	/* what the slot key % 8 holds */
	long ret;		/* helper's return, or STEER_NOT_RUN */
	int rx;			/* member index, RX_HASH or RX_NONE */
};

static const struct steer_case cases[] = {
	{ 0, 0x00, "m0",                  0,             0 },
	{ 0, 0x01, "m1",                  0,             1 },
	{ 0, 0x02, "m2",                  0,             2 },
	{ 0, 0x03, "m3",                  0,             3 },
	{ 0, 0x04, "nothing",             -ENOENT,       RX_HASH },
	{ 0, 0x05, "UDP, another port",   -EBADFD,       RX_HASH },
	{ 0, 0x06, "TCP listener",        -EPROTOTYPE,   RX_HASH },
	{ 0, 0x07, "UDP on ::1",          -EAFNOSUPPORT, RX_HASH },
	{ 0, 0x09, "m1 (9 % 8 = 1)",      0,             1 },
	{ 0, 0xff, "(SK_DROP first)",     STEER_NOT_RUN, RX_NONE },
	{ 1, 0x02, "m2, closed",          -ENOENT,       RX_HASH },
	{ 1, 0x03, "m3",                  0,             3 },
};
/* [/book:steer_cases] */

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* What one half observed. */
struct outcome {
	long ret[NR_CASES];
	int rx[NR_CASES];
};

struct side;

/* The sockets and descriptors of one run. */
struct run {
	const struct side *side;
	int map_fd, prog_fd;
	int member[NR_MEMBERS];
	int other, tcp, udp6, sender;
	unsigned short port;		/* the group's port, host order */
	void *priv;			/* the half's own state (libbpf object) */
};

/*
 * One half: the calls the scenario makes, each with the libc convention,
 * and how the program is loaded and its log read back.
 */
struct side {
	const char *name;
	/* the system calls the conformance suite uses (code/tests/spec/backend.h) */
	const struct spec_backend *sys;
	ssize_t (*sendto)(int fd, const void *buf, size_t len, int flags,
			  const struct sockaddr *addr, socklen_t alen);
	/* never blocks: nothing queued is -1/EAGAIN */
	ssize_t (*recv)(int fd, void *buf, size_t len);
	/* create the map, load the program: 0, -EPERM (not allowed), or -1 with a message */
	int (*load)(struct run *run);
	void (*read_log)(struct run *run, long *log);
	void (*unload)(struct run *run);
	/* wait up to ms for one of fds to become readable; NULL: delivery is synchronous */
	bool (*wait)(const int *fds, int n, int ms);
};

/* ------------------------------------------------------------ the scenario */

static struct sockaddr_in loopback4(unsigned short port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return sin;
}

/* A socket with SO_REUSEPORT bound to port (0: any), so it has a group. */
static int reuseport_socket(struct run *run, int family, int type, unsigned short port)
{
	const struct side *s = run->side;
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = loopback4(port);
	int one = 1, fd;

	fd = s->sys->socket(family, type, 0);
	if (fd < 0)
		return -1;
	if (s->sys->setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (family == AF_INET6) {
		if (s->sys->bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			goto fail;
	} else if (s->sys->bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		goto fail;
	}
	if (type == SOCK_STREAM && s->sys->listen(fd, 8) < 0)
		goto fail;
	return fd;
fail:
	s->sys->close(fd);
	return -1;
}

static int map_store(struct run *run, __u32 slot, int fd)
{
	union bpf_attr attr;
	__u64 value = fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = run->map_fd;
	attr.key = (__u64)(unsigned long)&slot;
	attr.value = (__u64)(unsigned long)&value;
	attr.flags = BPF_ANY;
	return run->side->sys->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

/* Read every queued datagram; note which member got which sequence. */
static void drain(struct run *run, struct outcome *out)
{
	const struct side *s = run->side;
	int fds[NR_MEMBERS], n = 0;

	for (;;) {
		n = 0;
		for (int i = 0; i < NR_MEMBERS; i++) {
			unsigned char buf[16];
			ssize_t len;

			if (run->member[i] < 0)
				continue;
			fds[n++] = run->member[i];
			while ((len = s->recv(run->member[i], buf, sizeof(buf))) >= 2) {
				unsigned int seq = buf[1];

				if (seq >= NR_CASES)
					continue;
				out->rx[seq] = out->rx[seq] == RX_NONE ? i : RX_MANY;
			}
		}
		/* loopback delivery on Linux may lag the send by a softirq */
		if (!s->wait || !s->wait(fds, n, 200))
			return;
	}
}

static int send_phase(struct run *run, int phase)
{
	struct sockaddr_in dst = loopback4(run->port);

	for (unsigned int i = 0; i < NR_CASES; i++) {
		unsigned char payload[2] = { cases[i].key, (unsigned char)i };

		if (cases[i].phase != phase)
			continue;
		if (run->side->sendto(run->sender, payload, sizeof(payload), 0,
				      (struct sockaddr *)&dst, sizeof(dst)) != sizeof(payload)) {
			fprintf(stderr, "%s: sendto: %s\n", run->side->name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

#define CHECK(call, what)						\
	do {								\
		if ((call) < 0) {					\
			fprintf(stderr, "%s: %s: %s\n", s->name, what,	\
				strerror(errno));			\
			goto out;					\
		}							\
	} while (0)

/* [book:steer_scenario] */
static int run_scenario(const struct side *s, struct outcome *out)
{
	struct run run = { .side = s, .map_fd = -1, .prog_fd = -1,
			   .other = -1, .tcp = -1, .udp6 = -1, .sender = -1 };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	long log[STEER_LOG_SLOTS];
	int err;

	for (int i = 0; i < NR_MEMBERS; i++)
		run.member[i] = -1;
	for (unsigned int i = 0; i < NR_CASES; i++)
		out->rx[i] = RX_NONE;
	err = s->load(&run);
	if (err < 0)
		return err;
	err = -1;

	/* the group: m0 takes a free port, m1..m3 join it */
	CHECK(run.member[0] = reuseport_socket(&run, AF_INET, SOCK_DGRAM, 0), "m0");
	CHECK(s->sys->getsockname(run.member[0], (struct sockaddr *)&sin, &len), "getsockname");
	run.port = ntohs(sin.sin_port);
	for (int i = 1; i < NR_MEMBERS; i++)
		CHECK(run.member[i] = reuseport_socket(&run, AF_INET, SOCK_DGRAM, run.port), "member");
	/* three sockets of other groups, one for each errno of the group check */
	CHECK(run.other = reuseport_socket(&run, AF_INET, SOCK_DGRAM, 0), "other port");
	CHECK(run.tcp = reuseport_socket(&run, AF_INET, SOCK_STREAM, 0), "tcp listener");
	CHECK(run.udp6 = reuseport_socket(&run, AF_INET6, SOCK_DGRAM, run.port), "udp6");

	for (__u32 slot = 0; slot < STEER_SLOTS; slot++) {
		int fd = slot_kinds[slot] == SLOT_MEMBER ? run.member[slot] :
			 slot_kinds[slot] == SLOT_OTHER_PORT ? run.other :
			 slot_kinds[slot] == SLOT_TCP ? run.tcp :
			 slot_kinds[slot] == SLOT_UDP6 ? run.udp6 : -1;

		if (fd >= 0)
			CHECK(map_store(&run, slot, fd), "map update");
	}
	/* attaching through one member attaches to the whole group */
	CHECK(s->sys->setsockopt(run.member[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF,
			    &run.prog_fd, sizeof(run.prog_fd)), "attach");
	CHECK(run.sender = s->sys->socket(AF_INET, SOCK_DGRAM, 0), "sender");

	CHECK(send_phase(&run, 0), "phase 0");
	drain(&run, out);
	/* closing m2 empties slot 2 of the map by itself */
	s->sys->close(run.member[2]);
	run.member[2] = -1;
	CHECK(send_phase(&run, 1), "phase 1");
	drain(&run, out);

	s->read_log(&run, log);
	for (unsigned int i = 0; i < NR_CASES; i++)
		out->ret[i] = log[i];
	err = 0;
	/* [/book:steer_scenario] */
out:
	for (int i = 0; i < NR_MEMBERS; i++)
		if (run.member[i] >= 0)
			s->sys->close(run.member[i]);
	if (run.other >= 0)
		s->sys->close(run.other);
	if (run.tcp >= 0)
		s->sys->close(run.tcp);
	if (run.udp6 >= 0)
		s->sys->close(run.udp6);
	if (run.sender >= 0)
		s->sys->close(run.sender);
	s->unload(&run);
	return err;
}

/* ------------------------------------------------------------ the live kernel */

#ifdef STEER_HAVE_KERNEL
static const char *bpf_object_path = STEER_BPF_OBJECT;
static char libbpf_log[8192];
static size_t libbpf_log_len;

/* Keep libbpf's chatter; it is shown only if loading fails for real. */
static int keep_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || libbpf_log_len >= sizeof(libbpf_log) - 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n;
	if (libbpf_log_len >= sizeof(libbpf_log))
		libbpf_log_len = sizeof(libbpf_log) - 1;
	return 0;
}

static ssize_t k_recv(int fd, void *buf, size_t len)
{
	return recv(fd, buf, len, MSG_DONTWAIT);
}

static bool k_wait(const int *fds, int n, int ms)
{
	struct pollfd pfd[NR_MEMBERS];

	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	return poll(pfd, n, ms) > 0;
}

/* [book:steer_kernel_load] */
static int k_load(struct run *run)
{
	struct bpf_object *obj;
	struct bpf_program *prog;

	obj = bpf_object__open_file(bpf_object_path, NULL);
	if (!obj) {
		fprintf(stderr, "kernel: cannot open %s: %s\n", bpf_object_path, strerror(errno));
		return -1;
	}
	/* creates steer_socks and the .data array, then verifies and loads */
	if (bpf_object__load(obj)) {
		fprintf(stderr, "kernel: loading %s failed:\n%s", bpf_object_path, libbpf_log);
		bpf_object__close(obj);
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, "steer");
	run->prog_fd = prog ? bpf_program__fd(prog) : -1;
	run->map_fd = bpf_object__find_map_fd_by_name(obj, "steer_socks");
	run->priv = obj;
	if (run->prog_fd < 0 || run->map_fd < 0) {
		fprintf(stderr, "kernel: %s lacks the program or its map\n", bpf_object_path);
		return -1;
	}
	return 0;
}
/* [/book:steer_kernel_load] */

/* steer_ret lives in the object's ".data" map: one element, the whole section. */
static void k_read_log(struct run *run, long *log)
{
	struct bpf_map *map;
	__s64 data[STEER_LOG_SLOTS];
	__u32 zero = 0;

	for (int i = 0; i < STEER_LOG_SLOTS; i++)
		log[i] = STEER_NOT_RUN;
	bpf_object__for_each_map(map, (struct bpf_object *)run->priv) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (!bpf_map__is_internal(map) || len < 5 || strcmp(name + len - 5, ".data"))
			continue;
		if (bpf_map__value_size(map) != sizeof(data) ||
		    bpf_map__lookup_elem(map, &zero, sizeof(zero), data, sizeof(data), 0)) {
			fprintf(stderr, "kernel: cannot read %s\n", name);
			return;
		}
		for (int i = 0; i < STEER_LOG_SLOTS; i++)
			log[i] = data[i];
	}
}

static void k_unload(struct run *run)
{
	if (run->priv)
		bpf_object__close(run->priv);
	run->priv = NULL;
}

static const struct side kernel_side = {
	.name = "kernel",
	.sys = &spec_kernel_backend,
	.sendto = sendto,
	.recv = k_recv,
	.load = k_load,
	.read_log = k_read_log,
	.unload = k_unload,
	.wait = k_wait,
};

/* NULL if this process may run the kernel half; else why not. */
static const char *kernel_unusable(void)
{
	const char *why = "";

	if (access(bpf_object_path, R_OK))
		return "the compiled program (steer.bpf.o) is missing";
	if (spec_kernel_usable(&why))
		return why;
	return NULL;
}
#endif /* STEER_HAVE_KERNEL */

/* ------------------------------------------------------------ the port */

#ifdef STEER_HAVE_PORT
static ssize_t p_recv(int fd, void *buf, size_t len)
{
	return sys_recvfrom(fd, buf, len, 0, NULL, NULL);
}

/* [book:steer_port_load] */
static int p_load(struct run *run)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = STEER_SLOTS;
	run->map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (run->map_fd < 0) {
		/* the port checks CAP_BPF as Linux does: not a failure of the port */
		if (errno == EPERM)
			return -EPERM;
		fprintf(stderr, "port: map create: %s\n", strerror(errno));
		return -1;
	}
	/* maps[STEER_MAP_SOCKS] of the program is this map */
	run->prog_fd = sockarray_prog_load(steer_port, &run->map_fd, 1);
	if (run->prog_fd < 0) {
		fprintf(stderr, "port: program load: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
/* [/book:steer_port_load] */

static void p_read_log(struct run *run, long *log)
{
	for (int i = 0; i < STEER_LOG_SLOTS; i++)
		log[i] = steer_ret[i];
}

static void p_unload(struct run *run)
{
	if (run->prog_fd >= 0)
		sys_close(run->prog_fd);
	if (run->map_fd >= 0)
		sys_close(run->map_fd);
}

static const struct side port_side = {
	.name = "port",
	.sys = &spec_port_backend,
	.sendto = sys_sendto,
	.recv = p_recv,
	.load = p_load,
	.read_log = p_read_log,
	.unload = p_unload,
	.wait = NULL,
};
#endif /* STEER_HAVE_PORT */

/* ------------------------------------------------------------ the table */

static const char *ret_name(long ret)
{
	static char buf[16];

	switch (ret) {
	case STEER_NOT_RUN:	return "not called";
	case 0:			return "0";
	case -ENOENT:		return "-ENOENT";
	case -EBADFD:		return "-EBADFD";
	case -EPROTOTYPE:	return "-EPROTOTYPE";
	case -EAFNOSUPPORT:	return "-EAFNOSUPPORT";
	case -EINVAL:		return "-EINVAL";
	}
	snprintf(buf, sizeof(buf), "%ld", ret);
	return buf;
}

static const char *rx_name(int rx, bool hash, char *buf, size_t size)
{
	if (rx == RX_NONE)
		return "dropped";
	if (rx == RX_MANY)
		return "twice!";
	if (rx == RX_HASH)
		return "hash";
	snprintf(buf, size, "m%d%s", rx, hash ? " (hash)" : "");
	return buf;
}

/* A receiver that the hash could have chosen in this case's phase. */
static bool live_member(const struct steer_case *c, int rx)
{
	return rx >= 0 && rx < NR_MEMBERS && !(c->phase == 1 && rx == 2);
}

/* Does an observed outcome match the scenario's expectation? */
static bool as_expected(const struct steer_case *c, long ret, int rx)
{
	if (ret != c->ret)
		return false;
	if (c->rx == RX_HASH)
		return live_member(c, rx);
	return rx == c->rx;
}

/* Do two observed outcomes agree?  The hash may pick different members. */
static bool agree(const struct steer_case *c, long ret_a, int rx_a, long ret_b, int rx_b)
{
	if (ret_a != ret_b)
		return false;
	if (c->rx == RX_HASH && ret_a != 0)
		return live_member(c, rx_a) && live_member(c, rx_b);
	return rx_a == rx_b;
}

/*
 * Print the table.  @a is the kernel's outcome, or NULL for the expected
 * one; @b is the port's, or NULL when the port half did not run.  With
 * @name_a NULL only the expected outcome is printed (neither half ran).
 * Returns the number of rows that disagree.
 */
static int print_table(const char *name_a, const struct outcome *a,
		       const char *name_b, const struct outcome *b)
{
	int bad = 0, phase = 0;

	if (name_a)
		printf("%-4s %-5s %-19s %-14s %-10s %-14s %-10s\n", "seq", "key",
		       "slot key % 8 holds", name_a, "receiver", name_b, "receiver");
	else
		printf("%-4s %-5s %-19s %-14s %s\n", "seq", "key", "slot key % 8 holds",
		       name_b, "receiver");
	for (unsigned int i = 0; i < NR_CASES; i++) {
		const struct steer_case *c = &cases[i];
		long ra = a ? a->ret[i] : c->ret, rb = b ? b->ret[i] : c->ret;
		int xa = a ? a->rx[i] : c->rx, xb = b ? b->rx[i] : c->rx;
		bool hash = c->rx == RX_HASH;
		char ba[16], bb[16];
		const char *verdict;
		bool ok_a, ok_b, same;

		if (c->phase != phase) {
			printf("-- close(m2): slot 2 empties itself\n");
			phase = c->phase;
		}
		/* the expectation itself (a or b NULL) is always as expected */
		ok_a = !a || as_expected(c, ra, xa);
		ok_b = !b || as_expected(c, rb, xb);
		same = a && b ? agree(c, ra, xa, rb, xb) : ok_a && ok_b;
		if (!same)
			verdict = "MISMATCH";
		else if (!ok_a || !ok_b)
			verdict = "UNEXPECTED";	/* both halves differ from the book */
		else
			verdict = "agree";
		if (strcmp(verdict, "agree"))
			bad++;
		if (!name_a) {
			printf("%4u 0x%02x  %-19s %-14s %s\n", i, c->key, c->slot,
			       ret_name(rb), rx_name(xb, hash, bb, sizeof(bb)));
			continue;
		}
		printf("%4u 0x%02x  %-19s %-14s %-10s %-14s %-10s %s\n", i, c->key, c->slot,
		       ret_name(ra), rx_name(xa, hash, ba, sizeof(ba)),
		       ret_name(rb), rx_name(xb, hash, bb, sizeof(bb)), verdict);
	}
	return bad;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--port-only] [--object steer.bpf.o]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *skip = NULL;
	bool port_only = false;
#ifdef STEER_HAVE_KERNEL
	struct outcome kernel_out;
#endif
	struct outcome port_out;
	const struct outcome *a = NULL, *b = NULL;
	const char *name_a = "expected", *name_b = "expected";
	int bad;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port-only")) {
			port_only = true;
		} else if (!strcmp(argv[i], "--object") && i + 1 < argc) {
#ifdef STEER_HAVE_KERNEL
			bpf_object_path = argv[i + 1];
#endif
			i++;
		} else {
			usage(argv[0]);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("One SK_REUSEPORT program, two kernels: steer.bpf.c on Linux, steer_port() on the port.\n"
	       "Group m0..m3: four UDP sockets with SO_REUSEPORT on 127.0.0.1, the program attached.\n"
	       "Each datagram carries [key, seq]; the program selects slot key %% %d, drops key 0x%02x.\n\n",
	       STEER_SLOTS, STEER_KEY_DROP);

#ifdef STEER_HAVE_KERNEL
	skip = kernel_unusable();
	if (port_only && !skip)
		skip = "--port-only was given";
	if (!skip) {
		libbpf_set_print(keep_libbpf_log);
		if (run_scenario(&kernel_side, &kernel_out) < 0) {
			printf("MISMATCH: the live kernel half failed to run\n");
			return 1;
		}
		a = &kernel_out;
		name_a = "kernel";
	}
#else
	skip = STEER_NO_KERNEL_REASON;
#endif
	if (skip)
		printf("live kernel half skipped: %s; the port is compared with the expected outcome.\n\n",
		       skip);

#ifdef STEER_HAVE_PORT
	switch (run_scenario(&port_side, &port_out)) {
	case 0:
		b = &port_out;
		name_b = "port";
		break;
	case -EPERM:
		printf("port half skipped: the port, like Linux, needs CAP_BPF (or root) to create the map.\n"
		       "The table shows the outcome the scenario expects.\n\n");
		break;
	default:
		printf("MISMATCH: the port half failed to run\n");
		return 1;
	}
#else
	(void)port_out;
	printf("port half skipped: this port has no sockarray_prog_load()\n\n");
	if (!a)
		return 77;
#endif

	if (!a && !b)
		name_a = NULL;	/* neither half ran: one pair of columns */
	bad = print_table(name_a, a, name_b, b);
	if (bad) {
		printf("\nMISMATCH: %d of %zu datagrams differ\n", bad, NR_CASES);
		return 1;
	}
	if (!a && !b)
		return 77;
	printf("\n%s and %s agree on all %zu datagrams.\n", a ? name_a : "expected", name_b, NR_CASES);
	if (!a || !b)
		return port_only && b ? 0 : 77;
	return 0;
}
