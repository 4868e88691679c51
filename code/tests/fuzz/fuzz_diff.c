// SPDX-License-Identifier: GPL-2.0
/*
 * The differential fuzzer: seeded random sequences of socket and map
 * operations, valid and invalid, run step by step on the port and on the
 * live kernel in the same process (backend.h), every result compared.  On
 * a mismatch the sequence is shrunk to a short reproducer and printed as a
 * list of calls with both backends' answers.
 *
 *	fuzz_diff [--seed N] [--sequences N] [--seconds N] [--steps N]
 *		  [--verbose] [--replay SEED:INDEX] [--plant]
 *
 * --plant puts a known bug into the port's side (BPF_NOEXIST read as
 * BPF_ANY), to see a mismatch found and shrunk; exit status 1 then means
 * the fuzzer works.
 *
 * Results are compared as the map's users see them: success or the exact
 * errno; descriptors and port numbers by what they refer to, not their
 * values; cookies by identity (which of the sequence's sockets the cookie
 * belongs to).  After every step the content of every map is compared too.
 *
 * Three things the port deliberately does not model are kept out of the
 * sequences by the executor, identically on both sides, and each is
 * counted in the summary (see the chapter "Checking the port against
 * Linux"):
 *  - the peer of a TCP connection: Linux sends a FIN or RST to the other
 *    end, the port does not.  When one end of a connection is closed or
 *    disconnected (or a listener drops its queue), the executor first
 *    closes the other end on both sides ("implied" steps in a trace);
 *  - TIME_WAIT: on the kernel side TCP sockets are closed with SO_LINGER 0
 *    so that no port lingers after the sequence;
 *  - which member of a reuseport group gets a connection: Linux hashes with
 *    a secret, so a TCP connect() to a port with two listeners is skipped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "spec/backend.h"

#ifndef BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY 20
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define NSOCK		6	/* socket handles S0..S5 */
#define NMAP		3	/* map handles M0..M2 */
#define NPORT		3	/* fixed ports P1..P3 (P0 is "port 0") */
#define MAX_STEPS	64
#define FD_NOT_OPEN	9999
#define MAX_CONNS	64

/* ------------------------------------------------------------ operations */

enum op_kind {
	OP_SOCKET, OP_REUSEPORT, OP_BIND, OP_LISTEN, OP_CONNECT, OP_DISCONNECT,
	OP_ACCEPT, OP_SHUTDOWN, OP_CLOSE, OP_DUP,
	OP_MAP_CREATE, OP_MAP_CLOSE, OP_UPDATE, OP_LOOKUP, OP_DELETE,
	OP_NEXT_KEY,
	OP__COUNT
};

static const char *const op_names[] = {
	"socket", "setsockopt(SO_REUSEPORT)", "bind", "listen", "connect",
	"connect(AF_UNSPEC)", "accept", "shutdown", "close", "dup",
	"BPF_MAP_CREATE", "close(map)", "BPF_MAP_UPDATE_ELEM",
	"BPF_MAP_LOOKUP_ELEM", "BPF_MAP_DELETE_ELEM", "BPF_MAP_GET_NEXT_KEY",
};

/* Socket kinds a SOCKET step may create. */
static const struct {
	const char *name;
	int family, type, protocol;
} kinds[] = {
	{ "tcp4", AF_INET, SOCK_STREAM, 0 },
	{ "tcp6", AF_INET6, SOCK_STREAM, 0 },
	{ "udp4", AF_INET, SOCK_DGRAM, 0 },
	{ "udp6", AF_INET6, SOCK_DGRAM, 0 },
	{ "unix-stream", AF_UNIX, SOCK_STREAM, 0 },
	{ "unix-dgram", AF_UNIX, SOCK_DGRAM, 0 },
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

/*
 * One step.  h is the socket or map handle; NSOCK (or NMAP) stands for an
 * open /dev/null, NSOCK+1 (NMAP+1) for a descriptor that is not open.
 */
struct op {
	unsigned char kind;
	unsigned char h;
	unsigned char a;	/* per kind: socket kind, on/off, address, target, how, dst, value kind */
	unsigned char b;	/* per kind: port slot, value handle, max_entries */
	__u32 key;
	__u64 val;		/* UPDATE: a raw value; MAP_CREATE: value size */
	__u64 flags;
};

struct seq {
	int n;
	struct op op[MAX_STEPS];
};

/* ---------------------------------------------------------------- worlds */

struct world {
	const struct spec_backend *be;
	int sock[NSOCK];
	int map[NMAP];
	__u32 map_vs[NMAP];
	__u32 map_max[NMAP];
	int fam[NSOCK];		/* each socket's family, for its addresses */
	int devnull;
	int scratch;		/* an 8-byte map for release probes */
	__u64 stored[NMAP][4];	/* cookie of the socket each update stored */
};

/*
 * What both sides agree on so far, kept once: which handles hold which
 * socket, what each socket is, and the TCP connections between them.
 */
struct model {
	int id[NSOCK];			/* socket identity, -1 if the handle is closed */
	int next_id;
	int kind[64];			/* per identity: index into kinds[] */
	int port[64];			/* per identity: 0 none, 1..NPORT fixed, or: */
#define PORT_BY_BIND	-1		/* an ephemeral port from bind(0) or listen() */
#define PORT_BY_CONNECT	-2		/* an ephemeral port from connect() */
	bool listening[64];
	struct conn {
		int client, listener, child;	/* identities; child -1 while queued */
		bool dead;
	} conn[MAX_CONNS];
	int nconn;
};

static uint16_t fixed_port[NPORT + 1];
static bool verbose;

/*
 * --plant: a deliberate bug in the port's side, to show (and test) that the
 * fuzzer finds a difference and shrinks it.  The port wrongly treats an
 * update's BPF_NOEXIST as BPF_ANY.
 */
static int planted_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	if (cmd == BPF_MAP_UPDATE_ELEM && attr->flags == BPF_NOEXIST)
		attr->flags = BPF_ANY;
	return spec_port_backend.bpf(cmd, attr, size);
}

static struct spec_backend planted_port_backend;
static const struct spec_backend *port_side = &spec_port_backend;

struct counters {
	unsigned long sequences, steps, implied, skipped_group_connect;
	unsigned long skipped_no_port;
	unsigned long per_result[OP__COUNT][2];	/* [kind][0 ok / 1 error] */
};
static struct counters cnt;

/* ------------------------------------------------------------ randomness */

static __u64 rng_state;

static __u64 rnd(void)
{
	/* splitmix64: small, seedable, good enough to choose operations. */
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* -------------------------------------------------------------- results */

/* A result as a short string; equal strings mean equal behaviour. */
struct res {
	char s[96];
};

static const char *ename(int e)
{
	static char buf[24];

	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EBADFD: return "EBADFD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENOTCONN: return "ENOTCONN";
	case EISCONN: return "EISCONN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EINPROGRESS: return "EINPROGRESS";
	case EALREADY: return "EALREADY";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ENOTSUPP: return "ENOTSUPP(524)";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void set_ret(struct res *r, int ret, int err)
{
	if (ret >= 0)
		snprintf(r->s, sizeof(r->s), "OK");
	else
		snprintf(r->s, sizeof(r->s), "%s", ename(err));
}

/* ------------------------------------------------------------- helpers */

static int sock_fd(const struct world *w, int h)
{
	if (h < NSOCK)
		return w->sock[h];
	return h == NSOCK ? w->devnull : FD_NOT_OPEN;
}

static int map_fd(const struct world *w, int h)
{
	if (h < NMAP)
		return w->map[h];
	return h == NMAP ? w->devnull : FD_NOT_OPEN;
}

/* The family addresses for handle @h use: its socket's, else IPv4. */
static int sock_family(const struct world *w, int h)
{
	if (h < NSOCK && w->sock[h] >= 0 && w->fam[h] == AF_INET6)
		return AF_INET6;
	return AF_INET;
}

static int fd_or_closed(int fd)
{
	return fd >= 0 ? fd : FD_NOT_OPEN;
}

static uint16_t port_of(const struct world *w, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (w->be->getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static socklen_t make_addr(struct sockaddr_storage *ss, int family, int any,
			   uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = any ? in6addr_any : in6addr_loopback;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
	return sizeof(*s4);
}

static __u64 cookie_of(const struct world *w, int fd)
{
	__u64 c = 0;
	socklen_t len = sizeof(c);

	if (fd < 0 || w->be->getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) < 0)
		return 0;
	return c;
}

/*
 * Close a socket handle's descriptor and forget it; on the kernel, TCP ends
 * abort so that no port lingers.  Returns close()'s result.
 */
static int quiet_close(struct world *w, int *fd)
{
	int ret;

	if (*fd < 0)
		return 0;
	if (w->be->is_kernel) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	ret = w->be->close(*fd);
	*fd = -1;
	return ret;
}

static void world_init(struct world *w, const struct spec_backend *be)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->be = be;
	for (i = 0; i < NSOCK; i++)
		w->sock[i] = -1;
	for (i = 0; i < NMAP; i++)
		w->map[i] = -1;
	w->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	w->scratch = -1;
}

static void world_fini(struct world *w)
{
	int i;

	for (i = 0; i < NSOCK; i++)
		quiet_close(w, &w->sock[i]);
	for (i = 0; i < NMAP; i++)
		if (w->map[i] >= 0) {
			w->be->close(w->map[i]);
			w->map[i] = -1;
		}
	if (w->devnull >= 0)
		close(w->devnull);
	w->devnull = -1;
	if (w->scratch >= 0)
		w->be->close(w->scratch);
	w->scratch = -1;
}

/*
 * Freeing a map is asynchronous on both sides (Linux queues it on a
 * workqueue, the port after an RCU grace period), so right after a map's
 * last descriptor is closed its sockets may or may not be free to join
 * another map yet: a race in Linux itself, not a difference.  The executor
 * waits until the free has released every socket that was in the map, on
 * each side, probing as the conformance case s50 does: an update into a
 * scratch map answers EBUSY until the socket is released, and is undone
 * at once.
 */
/* [book:wait_released] */
static bool wait_released(struct world *w, const bool *was_in)
{
	union bpf_attr attr;
	bool any = false;

	for (int i = 0; i < NSOCK; i++)
		any |= was_in[i] && w->sock[i] >= 0;
	if (!any)
		return true;
	if (w->scratch < 0) {
		memset(&attr, 0, sizeof(attr));
		attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
		attr.key_size = 4;
		attr.value_size = 8;
		attr.max_entries = 1;
		w->scratch = w->be->bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
		if (w->scratch < 0)
			return false;
	}
	for (int i = 0; i < NSOCK; i++) {
		__u64 v = (__u64)w->sock[i];
		__u32 key = 0;
		int tries = 0, ret;

		if (!was_in[i] || w->sock[i] < 0)
			continue;
		for (;;) {
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = (__u32)w->scratch;
			attr.key = (__u64)(unsigned long)&key;
			attr.value = (__u64)(unsigned long)&v;
			ret = w->be->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
			if (ret == 0 || errno != EBUSY)
				break;
			if (++tries > 20000)
				return false;	/* not released within 2 s */
			usleep(100);
		}
		if (ret == 0) {
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = (__u32)w->scratch;
			attr.key = (__u64)(unsigned long)&key;
			w->be->bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr));
		}
	}
	return true;
}
/* [/book:wait_released] */

/*
 * Which socket handles may occupy map handle @h: those whose socket an
 * update stored there and no delete removed (a close or an unhash may have
 * removed it since; the probe then answers at once).  A 4-byte map cannot
 * be read back, so the executor remembers instead of looking.
 */
static void sockets_in(struct world *w, int h, bool *in)
{
	memset(in, 0, sizeof(bool) * NSOCK);
	if (h >= NMAP || w->map[h] < 0)
		return;
	for (int k = 0; k < 4; k++) {
		if (!w->stored[h][k])
			continue;
		for (int i = 0; i < NSOCK; i++)
			if (w->sock[i] >= 0 && cookie_of(w, w->sock[i]) == w->stored[h][k])
				in[i] = true;
		w->stored[h][k] = 0;
	}
}

/*
 * Fixed ports for one run: below the ephemeral range, so neither side's
 * bind(port 0) can take them, and free on the live kernel right now for
 * TCP and UDP on both families.
 */
static void pick_ports(void)
{
	int i, k;

	for (i = 1; i <= NPORT; i++) {
		for (;;) {
			uint16_t p = (uint16_t)(20000 + below(12000));
			bool ok = true;

			for (k = 0; k < i; k++)
				if (fixed_port[k] == p)
					ok = false;
			for (k = 0; ok && k < 4; k++) {
				struct sockaddr_storage ss;
				int fam = k & 1 ? AF_INET6 : AF_INET;
				int s = socket(fam, k & 2 ? SOCK_DGRAM : SOCK_STREAM, 0);
				socklen_t len = make_addr(&ss, fam, 1, p);

				if (s < 0 || bind(s, (struct sockaddr *)&ss, len) < 0)
					ok = false;
				if (s >= 0)
					close(s);
			}
			if (ok) {
				fixed_port[i] = p;
				break;
			}
		}
	}
}

/* ------------------------------------------------------------- the model */

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < NSOCK; i++)
		m->id[i] = -1;
}

static int handles_of(const struct model *m, int id)
{
	int n = 0;

	for (int i = 0; i < NSOCK; i++)
		n += m->id[i] == id;
	return n;
}

static bool is_tcp(const struct model *m, int id)
{
	return id >= 0 && kinds[m->kind[id]].type == SOCK_STREAM &&
	       kinds[m->kind[id]].family != AF_UNIX;
}

/* Number of listeners the model knows on port slot @slot (1..NPORT). */
static int listeners_on(const struct model *m, int slot)
{
	int n = 0;

	for (int id = 0; id < m->next_id; id++)
		n += m->listening[id] && m->port[id] == slot &&
		     handles_of(m, id) > 0;
	return n;
}

/* Close every handle of @id on both sides, as an implied step. */
static void implied_close_id(struct model *m, struct world *w, int id)
{
	for (int i = 0; i < NSOCK; i++) {
		if (m->id[i] != id)
			continue;
		quiet_close(&w[0], &w[0].sock[i]);
		quiet_close(&w[1], &w[1].sock[i]);
		m->id[i] = -1;
		cnt.implied++;
		if (verbose)
			printf("      (implied: close S%d, the other end of a "
			       "connection being torn down)\n", i);
	}
}

/*
 * Before @id loses its connection state (closed for good, disconnected,
 * or a listener shut down), close what Linux would have reset: the other
 * end of each of its connections, and the clients queued on a listener.
 */
/* [book:tear_down] */
static void tear_down(struct model *m, struct world *w, int id)
{
	for (int c = 0; c < m->nconn; c++) {
		struct conn *cn = &m->conn[c];

		if (cn->dead)
			continue;
		if (cn->client == id) {
			cn->dead = true;
			if (cn->child >= 0)
				implied_close_id(m, w, cn->child);
		} else if (cn->child == id) {
			cn->dead = true;
			implied_close_id(m, w, cn->client);
		} else if (cn->listener == id && cn->child < 0) {
			cn->dead = true;
			implied_close_id(m, w, cn->client);
		}
	}
}

/* [/book:tear_down] */
/* ------------------------------------------------------------ one step */

static void do_update(struct world *w, const struct op *op, struct res *r)
{
	union bpf_attr attr;
	int mfd = map_fd(w, op->h);
	__u64 v64;
	__s32 v32;
	int ret;

	switch (op->a) {
	case 0:	/* a socket handle */
		v64 = (__u64)(__s64)fd_or_closed(sock_fd(w, op->b));
		break;
	case 1:
		v64 = (__u64)w->devnull;
		break;
	case 2:
		v64 = FD_NOT_OPEN;
		break;
	case 3:	/* a map's descriptor as the value */
		v64 = (__u64)(__s64)fd_or_closed(map_fd(w, op->b));
		break;
	default: /* a raw value: the socket fd with high bits, or garbage */
		v64 = op->val | (__u64)fd_or_closed(sock_fd(w, op->b));
		break;
	}
	v32 = (__s32)v64;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd_or_closed(mfd);
	attr.key = (__u64)(unsigned long)&op->key;
	attr.value = (__u64)(unsigned long)(op->h < NMAP && w->map_vs[op->h] == 4 ?
					    (void *)&v32 : (void *)&v64);
	attr.flags = op->flags;
	errno = 0;
	ret = w->be->bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
	set_ret(r, ret, errno);
	if (ret == 0 && op->h < NMAP && op->key < 4)
		w->stored[op->h][op->key] = cookie_of(w, sock_fd(w, op->b));
}

/* The identity behind a cookie: "S<i>" of the lowest handle, or "?". */
static void cookie_name(const struct world *w, __u64 c, char *out, size_t n)
{
	for (int i = 0; i < NSOCK; i++)
		if (w->sock[i] >= 0 && cookie_of(w, w->sock[i]) == c) {
			snprintf(out, n, "S%d", i);
			return;
		}
	snprintf(out, n, "an unknown socket");
}

static void do_lookup(struct world *w, int h, __u32 key, struct res *r)
{
	union bpf_attr attr;
	__u64 v = 0;
	char who[24];
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd_or_closed(map_fd(w, h));
	attr.key = (__u64)(unsigned long)&key;
	attr.value = (__u64)(unsigned long)&v;
	errno = 0;
	ret = w->be->bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
	if (ret < 0) {
		set_ret(r, ret, errno);
		return;
	}
	cookie_name(w, v, who, sizeof(who));
	snprintf(r->s, sizeof(r->s), "OK, the cookie of %s", who);
}

static void step(struct world *w, const struct op *op, struct res *r)
{
	struct sockaddr_storage ss;
	union bpf_attr attr;
	socklen_t len;
	int fd = op->h <= NSOCK + 1 ? fd_or_closed(sock_fd(w, op->h)) : FD_NOT_OPEN;
	int ret = -1, fam;
	__u32 next = 0;

	errno = 0;
	switch (op->kind) {
	case OP_SOCKET:
		quiet_close(w, &w->sock[op->h]);
		ret = w->be->socket(kinds[op->a].family, kinds[op->a].type,
				    kinds[op->a].protocol);
		if (ret >= 0) {
			w->sock[op->h] = ret;
			w->fam[op->h] = kinds[op->a].family;
		}
		break;
	case OP_REUSEPORT: {
		int on = op->a;

		ret = w->be->setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
		break;
	}
	case OP_BIND:
		/* op->a: 0 loopback, 1 wildcard, +2 the other family. */
		fam = sock_family(w, op->h);
		if (op->a >= 2)
			fam = fam == AF_INET ? AF_INET6 : AF_INET;
		len = make_addr(&ss, fam, op->a & 1, op->b ? fixed_port[op->b] : 0);
		ret = w->be->bind(fd, (struct sockaddr *)&ss, len);
		break;
	case OP_LISTEN:
		ret = w->be->listen(fd, 8);
		break;
	case OP_CONNECT: {
		uint16_t port = op->b ? fixed_port[op->b] :
			(op->a < NSOCK && w->sock[op->a] >= 0 ?
			 port_of(w, w->sock[op->a]) : 0);

		fam = sock_family(w, op->h);
		len = make_addr(&ss, fam, 0, port);
		ret = w->be->connect(fd, (struct sockaddr *)&ss, len);
		break;
	}
	case OP_DISCONNECT:
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_UNSPEC;
		ret = w->be->connect(fd, (struct sockaddr *)&ss,
				     sizeof(struct sockaddr_in6));
		break;
	case OP_ACCEPT:
		/* "S2 = accept(S4)": S2's old socket is closed first. */
		quiet_close(w, &w->sock[op->a]);
		fd = fd_or_closed(sock_fd(w, op->h));
		ret = w->be->accept(fd, NULL, NULL);
		if (ret >= 0) {
			w->sock[op->a] = ret;
			w->fam[op->a] = sock_family(w, op->h);
		}
		break;
	case OP_SHUTDOWN:
		ret = w->be->shutdown(fd, op->a);
		break;
	case OP_CLOSE:
		if (op->h < NSOCK && w->sock[op->h] >= 0) {
			ret = quiet_close(w, &w->sock[op->h]);
		} else {
			ret = w->be->close(FD_NOT_OPEN);
		}
		break;
	case OP_DUP:
		quiet_close(w, &w->sock[op->a]);
		fd = fd_or_closed(sock_fd(w, op->h));
		ret = w->be->dup(fd);
		if (ret >= 0) {
			w->sock[op->a] = ret;
			w->fam[op->a] = sock_family(w, op->h);
		}
		break;
	case OP_MAP_CREATE:
		if (w->map[op->h] >= 0) {
			w->be->close(w->map[op->h]);
			w->map[op->h] = -1;
		}
		memset(&attr, 0, sizeof(attr));
		attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
		attr.key_size = 4;
		attr.value_size = (__u32)op->val;
		attr.max_entries = op->b;
		attr.map_flags = (__u32)op->flags;
		ret = w->be->bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
		if (ret >= 0) {
			w->map[op->h] = ret;
			w->map_vs[op->h] = attr.value_size;
			w->map_max[op->h] = attr.max_entries;
		}
		break;
	case OP_MAP_CLOSE:
		if (op->h < NMAP && w->map[op->h] >= 0) {
			ret = w->be->close(w->map[op->h]);
			w->map[op->h] = -1;
		} else {
			ret = w->be->close(FD_NOT_OPEN);
		}
		break;
	case OP_UPDATE:
		do_update(w, op, r);
		return;
	case OP_LOOKUP:
		do_lookup(w, op->h, op->key, r);
		return;
	case OP_DELETE:
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = (__u32)fd_or_closed(map_fd(w, op->h));
		attr.key = (__u64)(unsigned long)&op->key;
		ret = w->be->bpf(BPF_MAP_DELETE_ELEM, &attr, sizeof(attr));
		if (ret == 0 && op->h < NMAP && op->key < 4)
			w->stored[op->h][op->key] = 0;
		break;
	case OP_NEXT_KEY:
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = (__u32)fd_or_closed(map_fd(w, op->h));
		attr.key = op->a ? (__u64)(unsigned long)&op->key : 0;
		attr.next_key = (__u64)(unsigned long)&next;
		ret = w->be->bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr));
		if (ret >= 0) {
			snprintf(r->s, sizeof(r->s), "OK, next key %u", next);
			return;
		}
		break;
	}
	set_ret(r, ret, errno);
}

/* Every slot of every map, as a string: compared after every step. */
static void digest(struct world *w, char *out, size_t n)
{
	size_t off = 0;

	out[0] = '\0';
	for (int h = 0; h < NMAP; h++) {
		if (w->map[h] < 0 || w->map_vs[h] != 8)
			continue;
		for (__u32 k = 0; k < w->map_max[h] && off < n; k++) {
			struct res r;

			do_lookup(w, h, k, &r);
			if (strcmp(r.s, "ENOENT"))
				off += (size_t)snprintf(out + off, n - off,
							"M%d[%u]=%s; ", h, k, r.s);
		}
	}
}

/* ------------------------------------------------------- model updates */

/*
 * Before a step: apply the rules that keep unmodelled behaviour out.
 * Returns false if the step is skipped on both sides.
 */
static bool before_step(struct model *m, struct world *w, const struct op *op)
{
	int id = op->h < NSOCK ? m->id[op->h] : -1;

	switch (op->kind) {
	case OP_CLOSE:
		if (id >= 0 && handles_of(m, id) == 1)
			tear_down(m, w, id);
		break;
	case OP_DISCONNECT:
		if (id >= 0)
			tear_down(m, w, id);
		break;
	case OP_SHUTDOWN:
		if (id >= 0 && m->listening[id] && op->a != SHUT_WR)
			tear_down(m, w, id);
		break;
	case OP_SOCKET:
	case OP_ACCEPT:
	case OP_DUP: {
		/* The handle written is closed first. */
		int dst = op->kind == OP_SOCKET ? op->h : op->a;
		int old = m->id[dst];

		if (old >= 0 && handles_of(m, old) == 1)
			tear_down(m, w, old);
		break;
	}
	case OP_CONNECT: {
		int t = op->a < NSOCK ? m->id[op->a] : -1;
		int slot = op->b ? op->b : (t >= 0 && m->port[t] > 0 ? m->port[t] : 0);

		/*
		 * "The port of S<a>" only where bind() or listen() gave S<a>
		 * its port.  Otherwise getsockname() may report a port the
		 * socket no longer holds (Linux keeps inet_sport after a
		 * refused connect) or one that connect() shares, and Linux's
		 * random choice of a source port can then make the caller
		 * connect to itself: chance, not behaviour to compare.  And
		 * only a port of the same protocol: a UDP socket's number means
		 * nothing to TCP, where either side's random automatic ports
		 * may land on it.
		 */
		if (!op->b && (t < 0 || m->port[t] == 0 || m->port[t] == PORT_BY_CONNECT ||
			       (id >= 0 && kinds[m->kind[t]].type != kinds[m->kind[id]].type))) {
			cnt.skipped_no_port++;
			return false;
		}

		/*
		 * A TCP socket connecting to its own port connects to itself
		 * (simultaneous open).  The conformance suite checks that case
		 * (m07); here, after a history of other calls, Linux sometimes
		 * aborts it (ECONNABORTED) and sometimes not, so it is skipped.
		 */
		if (id >= 0 && is_tcp(m, id) && (t == id || (slot && m->port[id] == slot))) {
			cnt.skipped_no_port++;
			return false;
		}
		if (id >= 0 && is_tcp(m, id) && slot &&
		    listeners_on(m, slot) > 1) {
			cnt.skipped_group_connect++;
			return false;
		}
		break;
	}
	}
	return true;
}

static int listener_on(const struct model *m, int slot, int own_id)
{
	for (int id = 0; id < m->next_id; id++)
		if (m->listening[id] && handles_of(m, id) > 0 &&
		    (slot ? m->port[id] == slot : id == own_id))
			return id;
	return -1;
}

/* After a step both sides agreed on: learn what it did. */
static void after_step(struct model *m, struct world *w, const struct op *op,
		       bool ok)
{
	int id = op->h < NSOCK ? m->id[op->h] : -1;

	switch (op->kind) {
	case OP_SOCKET:
		m->id[op->h] = -1;
		if (ok && m->next_id < 64) {
			m->id[op->h] = m->next_id;
			m->kind[m->next_id] = op->a;
			m->port[m->next_id] = 0;
			m->listening[m->next_id] = false;
			m->next_id++;
		}
		break;
	case OP_BIND:
		if (ok && id >= 0)
			m->port[id] = op->b ? op->b : PORT_BY_BIND;
		break;
	case OP_LISTEN:
		if (ok && id >= 0) {
			m->listening[id] = true;
			if (m->port[id] <= 0)
				m->port[id] = PORT_BY_BIND;
		}
		break;
	case OP_DISCONNECT:
		if (ok && id >= 0) {
			m->listening[id] = false;
			if (m->port[id] < 0)
				m->port[id] = 0;	/* an automatic port is released */
		}
		break;
	case OP_SHUTDOWN:
		if (ok && id >= 0 && op->a != SHUT_WR)
			m->listening[id] = false;
		break;
	case OP_CONNECT:
		if (ok && id >= 0 && is_tcp(m, id) && m->nconn < MAX_CONNS) {
			int target = op->b ? -1 : (op->a < NSOCK ? m->id[op->a] : -1);
			int slot = op->b ? op->b :
				(target >= 0 && m->port[target] > 0 ? m->port[target] : 0);
			int l = listener_on(m, slot, target);

			if (l >= 0) {
				m->conn[m->nconn++] = (struct conn){
					.client = id, .listener = l, .child = -1,
				};
			}
			if (!m->port[id])
				m->port[id] = PORT_BY_CONNECT;
		}
		break;
	case OP_ACCEPT:
		if (ok && id >= 0) {
			int child = -1;

			m->id[op->a] = -1;
			if (m->next_id < 64) {
				child = m->next_id++;
				m->id[op->a] = child;
				m->kind[child] = m->kind[id];
				m->port[child] = m->port[id];
				m->listening[child] = false;
			}
			for (int c = 0; c < m->nconn; c++) {
				struct conn *cn = &m->conn[c];

				if (cn->listener != id || cn->child >= 0)
					continue;
				cn->child = child;
				/* Its client is gone: Linux reset this end. */
				if (cn->dead && child >= 0)
					implied_close_id(m, w, child);
				break;
			}
		}
		break;
	case OP_CLOSE:
		if (op->h < NSOCK)
			m->id[op->h] = -1;
		break;
	case OP_DUP:
		m->id[op->a] = ok ? id : -1;
		break;
	}
}

/* -------------------------------------------------------------- printing */

static void print_op(FILE *f, const struct op *op)
{
	char h[16], map[16];

	if (op->h < NSOCK)
		snprintf(h, sizeof(h), "S%d", op->h);
	else
		snprintf(h, sizeof(h), "%s", op->h == NSOCK ? "/dev/null" : "fd 9999");
	if (op->h < NMAP)
		snprintf(map, sizeof(map), "M%d", op->h);
	else
		snprintf(map, sizeof(map), "%s", op->h == NMAP ? "/dev/null" : "fd 9999");

	switch (op->kind) {
	case OP_SOCKET:
		fprintf(f, "S%d = socket(%s)", op->h, kinds[op->a].name);
		break;
	case OP_REUSEPORT:
		fprintf(f, "setsockopt(%s, SO_REUSEPORT, %d)", h, op->a);
		break;
	case OP_BIND:
		fprintf(f, "bind(%s, %s%s address, port %s)", h,
			op->a & 1 ? "wildcard" : "loopback",
			op->a >= 2 ? " of the other family's" : "",
			op->b ? (op->b == 1 ? "P1" : op->b == 2 ? "P2" : "P3") : "0");
		break;
	case OP_LISTEN:
		fprintf(f, "listen(%s, 8)", h);
		break;
	case OP_CONNECT:
		if (op->b)
			fprintf(f, "connect(%s, loopback, port P%d)", h, op->b);
		else
			fprintf(f, "connect(%s, loopback, the port of S%d)", h, op->a);
		break;
	case OP_DISCONNECT:
		fprintf(f, "connect(%s, AF_UNSPEC)", h);
		break;
	case OP_ACCEPT:
		fprintf(f, "S%d = accept(%s)", op->a, h);
		break;
	case OP_SHUTDOWN:
		fprintf(f, "shutdown(%s, %s)", h,
			op->a == SHUT_RD ? "SHUT_RD" : op->a == SHUT_WR ? "SHUT_WR" : "SHUT_RDWR");
		break;
	case OP_CLOSE:
		fprintf(f, "close(%s)", h);
		break;
	case OP_DUP:
		fprintf(f, "S%d = dup(%s)", op->a, h);
		break;
	case OP_MAP_CREATE:
		fprintf(f, "M%d = BPF_MAP_CREATE(value_size %llu, max_entries %u, flags %#llx)",
			op->h, (unsigned long long)op->val, op->b,
			(unsigned long long)op->flags);
		break;
	case OP_MAP_CLOSE:
		fprintf(f, "close(%s)", map);
		break;
	case OP_UPDATE: {
		char v[48];

		switch (op->a) {
		case 0: snprintf(v, sizeof(v), "fd of S%d", op->b); break;
		case 1: snprintf(v, sizeof(v), "fd of /dev/null"); break;
		case 2: snprintf(v, sizeof(v), "fd 9999 (not open)"); break;
		case 3: snprintf(v, sizeof(v), "fd of M%d", op->b); break;
		default:
			snprintf(v, sizeof(v), "%#llx | fd of S%d",
				 (unsigned long long)op->val, op->b);
		}
		fprintf(f, "BPF_MAP_UPDATE_ELEM(%s, key %u, %s, %s)", map, op->key, v,
			op->flags == BPF_ANY ? "BPF_ANY" :
			op->flags == BPF_NOEXIST ? "BPF_NOEXIST" :
			op->flags == BPF_EXIST ? "BPF_EXIST" :
			op->flags == BPF_F_LOCK ? "BPF_F_LOCK" : "flags 3");
		break;
	}
	case OP_LOOKUP:
		fprintf(f, "BPF_MAP_LOOKUP_ELEM(%s, key %u)", map, op->key);
		break;
	case OP_DELETE:
		fprintf(f, "BPF_MAP_DELETE_ELEM(%s, key %u)", map, op->key);
		break;
	case OP_NEXT_KEY:
		if (op->a)
			fprintf(f, "BPF_MAP_GET_NEXT_KEY(%s, key %u)", map, op->key);
		else
			fprintf(f, "BPF_MAP_GET_NEXT_KEY(%s, NULL)", map);
		break;
	}
}

/* ------------------------------------------------------------ generation */

static __u32 gen_key(void)
{
	switch (below(10)) {
	case 0: return 0xffffffffu;
	case 1: return 4 + below(3);
	default: return below(4);
	}
}

/* One random operation, valid or not, on random handles. */
static void gen_one(struct op *op)
{
	unsigned int w = below(100);

	memset(op, 0, sizeof(*op));
	op->h = (unsigned char)(below(20) ? below(NSOCK) : NSOCK + below(2));
	if (w < 10) {
		op->kind = OP_SOCKET;
		op->h = (unsigned char)below(NSOCK);
		op->a = (unsigned char)(below(6) ? below(4) : 4 + below(2));
	} else if (w < 17) {
		op->kind = OP_REUSEPORT;
		op->a = below(6) != 0;
	} else if (w < 25) {
		op->kind = OP_BIND;
		op->a = (unsigned char)(below(8) ? below(2) : 2 + below(2));
		op->b = (unsigned char)below(NPORT + 1);
	} else if (w < 31) {
		op->kind = OP_LISTEN;
	} else if (w < 36) {
		op->kind = OP_CONNECT;
		op->a = (unsigned char)below(NSOCK);
		op->b = (unsigned char)(below(2) ? below(NPORT + 1) : 0);
	} else if (w < 39) {
		op->kind = OP_DISCONNECT;
	} else if (w < 43) {
		op->kind = OP_ACCEPT;
		op->a = (unsigned char)below(NSOCK);
	} else if (w < 46) {
		op->kind = OP_SHUTDOWN;
		op->a = (unsigned char)below(3);
	} else if (w < 51) {
		op->kind = OP_CLOSE;
	} else if (w < 54) {
		op->kind = OP_DUP;
		op->a = (unsigned char)below(NSOCK);
	} else if (w < 58) {
		static const __u64 vs[] = { 8, 8, 4, 4, 3 };
		static const __u64 mf[] = { 0, 0, 0, 0, BPF_F_RDONLY, BPF_F_WRONLY,
					    BPF_F_RDONLY_PROG, BPF_F_MMAPABLE };

		op->kind = OP_MAP_CREATE;
		op->h = (unsigned char)below(NMAP);
		op->val = vs[below(5)];
		op->b = (unsigned char)(below(10) ? 1 + below(4) : 0);
		op->flags = mf[below(8)];
	} else if (w < 60) {
		op->kind = OP_MAP_CLOSE;
		op->h = (unsigned char)(below(10) ? below(NMAP) : NMAP + below(2));
	} else {
		static const __u64 uf[] = { BPF_ANY, BPF_ANY, BPF_NOEXIST,
					    BPF_EXIST, BPF_F_LOCK, 3 };

		op->h = (unsigned char)(below(15) ? below(NMAP) : NMAP + below(2));
		op->key = gen_key();
		if (w < 82) {
			op->kind = OP_UPDATE;
			op->a = (unsigned char)(below(8) ? 0 : 1 + below(4));
			op->b = (unsigned char)below(op->a == 3 ? NMAP : NSOCK);
			op->flags = uf[below(6)];
			op->val = below(2) ? 0x100000000ULL : 0xffffffff00000000ULL;
		} else if (w < 90) {
			op->kind = OP_LOOKUP;
		} else if (w < 95) {
			op->kind = OP_DELETE;
		} else {
			op->kind = OP_NEXT_KEY;
			op->a = below(3) != 0;
		}
	}
}

static struct op *emit(struct seq *s, int max, enum op_kind kind, int h)
{
	struct op *op;

	if (s->n >= max)
		return NULL;
	op = &s->op[s->n++];
	memset(op, 0, sizeof(*op));
	op->kind = (unsigned char)kind;
	op->h = (unsigned char)h;
	return op;
}

/*
 * A sequence mixes single random operations with short recipes that reach
 * the interesting states (a reuseport listener or UDP socket, a queued or
 * accepted connection, a valid map, a socket stored in it); the single
 * operations then disturb those states at random.
 */
/* A handle, usually one a recipe of this sequence has filled. */
static int pick(const bool *made, int n)
{
	int any = 0, i, k;

	for (i = 0; i < n; i++)
		any += made[i];
	if (!any || below(5) == 0)
		return (int)below((unsigned int)n);
	k = (int)below((unsigned int)any);
	for (i = 0; i < n; i++)
		if (made[i] && k-- == 0)
			return i;
	return 0;
}

static void gen(struct seq *s, int max_steps)
{
	int max = 4 + (int)below((unsigned int)max_steps - 3);
	bool made_sock[NSOCK] = { false }, made_map[NMAP] = { false };
	struct op *op;

	s->n = 0;
	while (s->n < max) {
		int h = pick(made_sock, NSOCK), r = (int)below(100);

		if (r < 45) {
			gen_one(&s->op[s->n++]);
		} else if (r < 65) {
			/* A reuseport socket: TCP listener or bound UDP. */
			bool tcp = below(2);

			if ((op = emit(s, max, OP_SOCKET, h)))
				op->a = (unsigned char)((tcp ? 0 : 2) + below(2));
			if ((op = emit(s, max, OP_REUSEPORT, h)))
				op->a = below(8) != 0;
			if ((op = emit(s, max, OP_BIND, h))) {
				op->a = (unsigned char)(below(4) == 0);
				op->b = (unsigned char)below(NPORT + 1);
			}
			if (tcp)
				emit(s, max, OP_LISTEN, h);
			made_sock[h] = true;
		} else if (r < 75) {
			/* A map with sane attributes. */
			int m = (int)below(NMAP);

			if ((op = emit(s, max, OP_MAP_CREATE, m))) {
				op->val = below(4) ? 8 : 4;
				op->b = (unsigned char)(1 + below(4));
				made_map[m] = true;
			}
		} else if (r < 92) {
			/* Store a socket, then maybe look at the slot. */
			int m = pick(made_map, NMAP);
			__u32 key = below(10) ? below(4) : gen_key();

			if ((op = emit(s, max, OP_UPDATE, m))) {
				op->key = key;
				op->b = (unsigned char)h;
				op->flags = below(3) ? BPF_ANY : BPF_NOEXIST + below(2);
			}
			if (below(2) && (op = emit(s, max, OP_LOOKUP, m)))
				op->key = key;
			switch (below(6)) {
			case 0:	/* take it out again */
				if ((op = emit(s, max, OP_DELETE, m)))
					op->key = key;
				break;
			case 1:	/* the socket goes away under the map */
				emit(s, max, below(2) ? OP_CLOSE : OP_DISCONNECT, h);
				break;
			case 2:	/* the map goes away under the socket */
				emit(s, max, OP_MAP_CLOSE, m);
				break;
			}
		} else {
			/* A connection to a socket of the sequence, accepted or not. */
			int l = pick(made_sock, NSOCK);

			h = (int)below(NSOCK);
			if ((op = emit(s, max, OP_SOCKET, h)))
				op->a = (unsigned char)below(2);
			if ((op = emit(s, max, OP_CONNECT, h)))
				op->a = (unsigned char)l;
			if (below(2) && (op = emit(s, max, OP_ACCEPT, l)))
				op->a = (unsigned char)below(NSOCK);
		}
	}
}

/* ------------------------------------------------------------- execution */

struct outcome {
	int failed_step;	/* -1: both sides agreed on every step */
	struct res got[2];
	char dig[2][512];
};

/*
 * Run @s on fresh worlds.  With @trace, print each step and both results.
 * Returns the index of the first step where the two sides differ, or -1.
 */
static int execute(const struct seq *s, bool trace, struct outcome *o)
{
	struct world w[2];
	struct model m;
	bool was_verbose = verbose;
	int i, bad = -1;

	verbose = trace;	/* tear_down() reports implied steps */
	pick_ports();	/* fresh ports for every run, shrinking trials too */
	world_init(&w[0], port_side);
	world_init(&w[1], &spec_kernel_backend);
	model_init(&m);
	for (i = 0; i < s->n; i++) {
		const struct op *op = &s->op[i];
		struct res r[2];
		char d[2][512];
		bool same;

		if (!before_step(&m, w, op)) {
			if (trace) {
				printf("  %2d. ", i + 1);
				print_op(stdout, op);
				printf("\n      skipped on both sides (see before_step())\n");
			}
			continue;
		}
		bool in[2][NSOCK];
		bool closes_map = (op->kind == OP_MAP_CLOSE || op->kind == OP_MAP_CREATE) &&
				  op->h < NMAP;

		if (closes_map) {
			sockets_in(&w[0], op->h, in[0]);
			sockets_in(&w[1], op->h, in[1]);
		}
/* [book:compare] */
		step(&w[0], op, &r[0]);
		step(&w[1], op, &r[1]);
		if (closes_map) {
			bool ok0 = wait_released(&w[0], in[0]);
			bool ok1 = wait_released(&w[1], in[1]);

			if (!ok0 || !ok1) {
				struct res t[2] = { r[0], r[1] };

				snprintf(r[0].s, sizeof(r[0].s), "%.60s (sockets %s)", t[0].s,
					 ok0 ? "released" : "never released");
				snprintf(r[1].s, sizeof(r[1].s), "%.60s (sockets %s)", t[1].s,
					 ok1 ? "released" : "never released");
			}
		}
		digest(&w[0], d[0], sizeof(d[0]));
		digest(&w[1], d[1], sizeof(d[1]));
		same = !strcmp(r[0].s, r[1].s) && !strcmp(d[0], d[1]);
/* [/book:compare] */
		cnt.steps++;
		cnt.per_result[op->kind][strncmp(r[1].s, "OK", 2) != 0]++;
		if (trace) {
			printf("  %2d. ", i + 1);
			print_op(stdout, op);
			if (!strcmp(r[0].s, r[1].s))
				printf("\n      both: %s\n", r[0].s);
			else
				printf("\n      port: %s\n      kernel: %s   <-- differs\n",
				       r[0].s, r[1].s);
			if (strcmp(d[0], d[1]))
				printf("      maps, port: %s\n      maps, kernel: %s   <-- differ\n",
				       d[0][0] ? d[0] : "all empty",
				       d[1][0] ? d[1] : "all empty");
		}
		if (!same) {
			bad = i;
			if (o) {
				o->got[0] = r[0];
				o->got[1] = r[1];
				memcpy(o->dig, d, sizeof(d));
			}
			break;
		}
		after_step(&m, w, op, !strncmp(r[0].s, "OK", 2));
	}
	verbose = was_verbose;
	world_fini(&w[0]);
	world_fini(&w[1]);
	if (o)
		o->failed_step = bad;
	return bad;
}

/*
 * Shrink a failing sequence: drop chunks of steps, then single steps, as
 * long as the two sides still differ somewhere (ddmin in its simplest
 * form).  The result is usually a handful of steps.
 */
/* [book:shrink] */
static void shrink(struct seq *s)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (int chunk = s->n / 2; chunk >= 1; chunk /= 2) {
			for (int start = 0; start + chunk <= s->n; ) {
				struct seq t;

				t.n = 0;
				for (int i = 0; i < s->n; i++)
					if (i < start || i >= start + chunk)
						t.op[t.n++] = s->op[i];
				if (t.n > 0 && execute(&t, false, NULL) >= 0) {
					*s = t;
					progress = true;
				} else {
					start += chunk;
				}
			}
		}
	}
}

/* [/book:shrink] */
static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--sequences N] [--seconds N] [--steps N]\n"
		"          [--verbose] [--replay SEED:INDEX] [--plant]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1, sequences = 2000, replay_index = 0;
	unsigned long seconds = 60;
	int max_steps = 40;
	bool replay = false;
	const char *why = NULL;
	struct timespec t0, t1;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seed") && v) {
			seed = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--sequences") && v) {
			sequences = strtoull(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--seconds") && v) {
			seconds = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--steps") && v) {
			max_steps = atoi(v);
			i++;
		} else if (!strcmp(a, "--plant")) {
			planted_port_backend = spec_port_backend;
			planted_port_backend.bpf = planted_bpf;
			port_side = &planted_port_backend;
		} else if (!strcmp(a, "--verbose")) {
			verbose = true;
		} else if (!strcmp(a, "--replay") && v &&
			   sscanf(v, "%llu:%llu", &seed, &replay_index) == 2) {
			replay = true;
			i++;
		} else {
			usage(argv[0]);
		}
	}
	if (max_steps < 4 || max_steps > MAX_STEPS || !sequences)
		usage(argv[0]);

	if (spec_kernel_usable(&why) < 0) {
		printf("SKIP: the differential fuzzer needs the live kernel: %s\n", why);
		return 77;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long n = replay ? replay_index : 0;
	     n < (replay ? replay_index + 1 : sequences); n++) {
		struct seq s, orig;
		struct outcome o;

		/* Each sequence has its own seed: SEED:INDEX replays it alone. */
		rng_state = seed * 0x100000001b3ULL + n;
		pick_ports();
		gen(&s, max_steps);
		cnt.sequences++;
		if (execute(&s, replay || verbose, &o) < 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (!replay && (unsigned long)(t1.tv_sec - t0.tv_sec) >= seconds)
				break;
			continue;
		}
		orig = s;
		printf("MISMATCH in sequence %llu:%llu (%d steps), at step %d: ",
		       seed, n, orig.n, o.failed_step + 1);
		print_op(stdout, &orig.op[o.failed_step]);
		printf("\n  port: %s\n  kernel: %s\n", o.got[0].s, o.got[1].s);
		shrink(&s);
		printf("\nShrunk to %d steps (P1..P3 are fixed ports, S* sockets, M* maps):\n", s.n);
		execute(&s, true, NULL);
		printf("\nReplay the whole sequence with: fuzz_diff --replay %llu:%llu%s\n",
		       seed, n, port_side == &spec_port_backend ? "" : " --plant");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz_diff: %lu sequences, %lu steps compared, seed %llu, %.1f s: "
	       "port and kernel agreed on every step\n",
	       cnt.sequences, cnt.steps, seed,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("  implied closes (connection peers, not modelled): %lu; "
	       "connects skipped: %lu (two listeners on a port), "
	       "%lu (target holds no port of its own, or is the caller)\n",
	       cnt.implied, cnt.skipped_group_connect, cnt.skipped_no_port);
	printf("  results per operation (ok / error):\n");
	for (i = 0; i < OP__COUNT; i++)
		printf("    %-26s %6lu / %lu\n", op_names[i], cnt.per_result[i][0],
		       cnt.per_result[i][1]);
	if (!replay && cnt.sequences < sequences) {
		printf("fuzz_diff: only %lu of %llu sequences ran within %lu s\n",
		       cnt.sequences, sequences, seconds);
		return 1;
	}
	return 0;
}
