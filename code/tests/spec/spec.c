// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers for the REUSEPORT_SOCKARRAY acceptance suites: the backend
 * wrappers (port or real kernel) and small map/socket helpers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "spec.h"

const struct spec_backend *spec_backend = &spec_port_backend;

const struct spec_backend *spec_backend_by_name(const char *name)
{
	if (!strcmp(name, spec_port_backend.name))
		return &spec_port_backend;
	if (!strcmp(name, spec_kernel_backend.name))
		return &spec_kernel_backend;
	return NULL;
}

int t_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return spec_backend->bpf(cmd, attr, size);
}

int t_socket(int domain, int type, int protocol)
{
	return spec_backend->socket(domain, type, protocol);
}

int t_setsockopt(int fd, int level, int optname, const void *optval,
		 socklen_t optlen)
{
	return spec_backend->setsockopt(fd, level, optname, optval, optlen);
}

int t_getsockopt(int fd, int level, int optname, void *optval,
		 socklen_t *optlen)
{
	return spec_backend->getsockopt(fd, level, optname, optval, optlen);
}

int t_bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	return spec_backend->bind(fd, addr, addrlen);
}

int t_getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return spec_backend->getsockname(fd, addr, addrlen);
}

int t_listen(int fd, int backlog)
{
	return spec_backend->listen(fd, backlog);
}

int t_connect(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	return spec_backend->connect(fd, addr, addrlen);
}

int t_accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return spec_backend->accept(fd, addr, addrlen);
}

int t_shutdown(int fd, int how)
{
	return spec_backend->shutdown(fd, how);
}

int t_dup(int fd)
{
	return spec_backend->dup(fd);
}

int t_close(int fd)
{
	return spec_backend->close(fd);
}

/*
 * The case log.  With SPEC_LOG=FILE in the environment every checked
 * result is appended to FILE as one tab-separated line:
 *   backend, test, what was called, the result wanted, the result got
 * tools/spec-table.py turns the logs of both backends into the book's
 * table of cases.  Check runs each test in a child process, so lines are
 * written with O_APPEND in one write() each and never interleave.
 */
void spec_record(const char *what, const char *want, const char *got)
{
	const char *path = getenv("SPEC_LOG");
	char line[1024];
	int fd, n;

	if (!path || !*path)
		return;
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\t%s\n",
		     spec_backend->name, tcase_name() ? tcase_name() : "?",
		     what, want, got);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "spec: could not append to %s\n", path);
	close(fd);
}

/* [book:check_ret] */
void spec_check_ret(const char *what, int got, int want)
{
	char w[32], g[32];

	snprintf(w, sizeof(w), "%s", errname(want));
	snprintf(g, sizeof(g), "%s", errname(got));
	spec_record(what, w, g);
	ck_assert_msg(got == want, "%s: got %s (%d), want %s (%d)", what, g,
		      got, w, want);
}

/* [/book:check_ret] */
void spec_check_either(const char *what, int got, int want1, int want2)
{
	char w[64], g[32];

	snprintf(w, sizeof(w), "%s or %s", errname(want1), errname(want2));
	snprintf(g, sizeof(g), "%s", errname(got));
	spec_record(what, w, g);
	ck_assert_msg(got == want1 || got == want2, "%s: got %s (%d), want %s",
		      what, g, got, w);
}

void spec_kernel_only(const char *reason)
{
	char what[512];

	snprintf(what, sizeof(what), "kernel only: %s", reason);
	spec_record(what, "DIFFERENCE", "DIFFERENCE");
	printf("DIFFERENCE %s: %s\n", tcase_name() ? tcase_name() : "?", reason);
}

const char *errname(int e)
{
	static char buf[32];

	if (e >= 0)
		return "OK";
	switch (-e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EBADFD: return "EBADFD";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case EAGAIN: return "EAGAIN";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOTCONN: return "ENOTCONN";
	case EINPROGRESS: return "EINPROGRESS";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EADDRINUSE: return "EADDRINUSE";
	case ENOTSUPP: return "ENOTSUPP(524)";
	}
	snprintf(buf, sizeof(buf), "errno %d", -e);
	return buf;
}

int res(int ret)
{
	int e = errno;

	if (ret >= 0)
		return ret;
	/* The surface promises exactly -1 on failure, with errno set. */
	ck_assert_msg(ret == -1, "call returned %d, not -1", ret);
	ck_assert_msg(e > 0, "call returned -1 but errno is %d", e);
	return -e;
}

int bpf_raw(int cmd, void *attr, unsigned int size)
{
	errno = 0;
	return res(t_bpf(cmd, attr, size));
}

void attr_put_u32(union attr_buf *b, unsigned int off, __u32 v)
{
	memcpy(b->raw + off, &v, sizeof(v));
}

void attr_put_u64(union attr_buf *b, unsigned int off, __u64 v)
{
	memcpy(b->raw + off, &v, sizeof(v));
}

/*
 * Value size per map descriptor, so ins() can write the socket fd in the
 * width the map expects.  Descriptors not created here default to 8.
 */
#define MAP_TRACK_MAX 4096
static unsigned char map_vs[MAP_TRACK_MAX];

void map_track(int map_fd, __u32 value_size)
{
	if (map_fd >= 0 && map_fd < MAP_TRACK_MAX)
		__atomic_store_n(&map_vs[map_fd], (unsigned char)value_size, __ATOMIC_RELAXED);
}

static __u32 map_value_size(int map_fd)
{
	if (map_fd >= 0 && map_fd < MAP_TRACK_MAX &&
	    __atomic_load_n(&map_vs[map_fd], __ATOMIC_RELAXED) == 4)
		return 4;
	return 8;
}

void map_attr_init(union attr_buf *b, __u32 value_size, __u32 max_entries,
		   __u32 flags)
{
	memset(b, 0, sizeof(*b));
	b->attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	b->attr.key_size = 4;
	b->attr.value_size = value_size;
	b->attr.max_entries = max_entries;
	b->attr.map_flags = flags;
}

int map_create_attr(union attr_buf *b, unsigned int size)
{
	int fd = bpf_raw(BPF_MAP_CREATE, b, size);

	if (fd >= 0)
		map_track(fd, b->attr.value_size);
	return fd;
}

int map_create(__u32 value_size, __u32 max_entries, __u32 flags)
{
	union attr_buf b;

	map_attr_init(&b, value_size, max_entries, flags);
	return map_create_attr(&b, ATTR_SIZE);
}

int map_create_ok(__u32 value_size, __u32 max_entries, __u32 flags)
{
	int fd = map_create(value_size, max_entries, flags);

	ck_assert_msg(fd >= 0, "BPF_MAP_CREATE(value %u, max %u, flags %#x): %s",
		      value_size, max_entries, flags, errname(fd));
	return fd;
}

int map_info(int map_fd, struct bpf_map_info *info)
{
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	memset(info, 0, sizeof(*info));
	b.attr.info.bpf_fd = map_fd;
	b.attr.info.info_len = sizeof(*info);
	b.attr.info.info = (__u64)(unsigned long)info;
	return bpf_raw(BPF_OBJ_GET_INFO_BY_FD, &b, ATTR_SIZE);
}

int elem_cmd(int cmd, int map_fd, const void *key, void *value, __u64 flags)
{
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	b.attr.key = (__u64)(unsigned long)key;
	b.attr.value = (__u64)(unsigned long)value;
	b.attr.flags = flags;
	return bpf_raw(cmd, &b, ATTR_SIZE);
}

int ins_val(int map_fd, __u32 idx, __u64 value, __u64 flags)
{
	__s32 v32 = (__s32)value;

	if (map_value_size(map_fd) == 4)
		return elem_cmd(BPF_MAP_UPDATE_ELEM, map_fd, &idx, &v32, flags);
	return elem_cmd(BPF_MAP_UPDATE_ELEM, map_fd, &idx, &value, flags);
}

int ins(int map_fd, __u32 idx, int sock_fd, __u64 flags)
{
	return ins_val(map_fd, idx, (__u64)sock_fd, flags);
}

int lookup(int map_fd, __u32 idx, __u64 *cookie)
{
	__u64 v = 0;
	int r = elem_cmd(BPF_MAP_LOOKUP_ELEM, map_fd, &idx, &v, 0);

	if (cookie)
		*cookie = v;
	return r;
}

int del(int map_fd, __u32 idx)
{
	union attr_buf b;

	/* DELETE's last field is key: value and flags must stay zero. */
	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	b.attr.key = (__u64)(unsigned long)&idx;
	return bpf_raw(BPF_MAP_DELETE_ELEM, &b, ATTR_SIZE);
}

int next_key(int map_fd, const __u32 *key, __u32 *next)
{
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	b.attr.key = (__u64)(unsigned long)key;
	b.attr.next_key = (__u64)(unsigned long)next;
	return bpf_raw(BPF_MAP_GET_NEXT_KEY, &b, ATTR_SIZE);
}

int map_freeze(int map_fd)
{
	union attr_buf b;

	memset(&b, 0, sizeof(b));
	b.attr.map_fd = map_fd;
	return bpf_raw(BPF_MAP_FREEZE, &b, ATTR_SIZE);
}

void expect_slot(int map_fd, __u32 idx, int sock_fd)
{
	char what[64];
	__u64 c = 0;
	int r = lookup(map_fd, idx, &c);

	snprintf(what, sizeof(what), "lookup(%u) is SO_COOKIE of the socket", idx);
	spec_record(what, "OK", r ? errname(r) : c == cookie_of(sock_fd) ?
		    "OK" : "another cookie");
	ck_assert_msg(r == 0, "lookup(%u): %s, want the socket's cookie",
		      idx, errname(r));
	ck_assert_msg(c == cookie_of(sock_fd),
		      "lookup(%u) = %llu, want cookie %llu", idx,
		      (unsigned long long)c,
		      (unsigned long long)cookie_of(sock_fd));
}

void expect_empty(int map_fd, __u32 idx)
{
	char what[32];
	int r = lookup(map_fd, idx, NULL);

	snprintf(what, sizeof(what), "lookup(%u)", idx);
	spec_check_ret(what, r, -ENOENT);
}

socklen_t make_addr(struct sockaddr_storage *ss, int family, const char *addr,
		    uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	ck_assert_int_eq(family, AF_INET6);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	return sizeof(*sin6);
}

int new_socket(int family, int type, int protocol)
{
	int fd = res(t_socket(family, type, protocol));

	ck_assert_msg(fd >= 0, "socket(%d, %#x, %d): %s", family, type,
		      protocol, errname(fd));
	return fd;
}

void set_reuseport(int fd, int on)
{
	int r = res(t_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
				 sizeof(on)));

	ck_assert_msg(r == 0, "setsockopt(SO_REUSEPORT=%d): %s", on,
		      errname(r));
}

void bind_to(int fd, int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, family, addr, port);
	int r = res(t_bind(fd, (struct sockaddr *)&ss, len));

	ck_assert_msg(r == 0, "bind(%s:%u): %s", addr, port, errname(r));
}

int bind_ret(int fd, int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, family, addr, port);

	errno = 0;
	return res(t_bind(fd, (struct sockaddr *)&ss, len));
}

uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = res(t_getsockname(fd, (struct sockaddr *)&ss, &len));

	ck_assert_msg(r == 0, "getsockname: %s", errname(r));
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int tcp_listener(int family, const char *addr, uint16_t port, int reuseport)
{
	int fd = new_socket(family, SOCK_STREAM, 0);
	int r;

	if (reuseport)
		set_reuseport(fd, 1);
	bind_to(fd, family, addr, port);
	r = res(t_listen(fd, 16));
	ck_assert_msg(r == 0, "listen: %s", errname(r));
	return fd;
}

int udp_bound(int family, const char *addr, uint16_t port, int reuseport)
{
	int fd = new_socket(family, SOCK_DGRAM, 0);

	if (reuseport)
		set_reuseport(fd, 1);
	bind_to(fd, family, addr, port);
	return fd;
}

int connect_to(int fd, int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, family, addr, port);

	errno = 0;
	return res(t_connect(fd, (struct sockaddr *)&ss, len));
}

int connect_unspec(int fd)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	errno = 0;
	return res(t_connect(fd, (struct sockaddr *)&ss,
			     sizeof(struct sockaddr_in6)));
}

int tcp_client(int family, const char *addr, uint16_t port, int reuseport)
{
	int fd = new_socket(family, SOCK_STREAM, 0);
	int r;

	if (reuseport)
		set_reuseport(fd, 1);
	r = connect_to(fd, family, addr, port);
	ck_assert_msg(r == 0, "connect(%s:%u): %s", addr, port, errname(r));
	return fd;
}

int accept_one(int listen_fd)
{
	long deadline = now_ms() + 2000;
	int fd;

	/* The port's accept() never blocks: retry briefly on EAGAIN. */
	for (;;) {
		errno = 0;
		fd = res(t_accept(listen_fd, NULL, NULL));
		if (fd != -EAGAIN || now_ms() > deadline)
			break;
		sleep_ms(1);
	}
	ck_assert_msg(fd >= 0, "accept: %s", errname(fd));
	return fd;
}

__u64 cookie_of(int fd)
{
	__u64 c = 0;
	socklen_t len = sizeof(c);
	int r = res(t_getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len));

	ck_assert_msg(r == 0, "getsockopt(SO_COOKIE): %s", errname(r));
	ck_assert_int_eq(len, sizeof(c));
	ck_assert_msg(c != 0, "SO_COOKIE returned 0");
	return c;
}

void xclose(int fd)
{
	int r;

	errno = 0;
	r = res(t_close(fd));
	ck_assert_msg(r == 0, "close(%d): %s", fd, errname(r));
	if (fd >= 0 && fd < MAP_TRACK_MAX)
		__atomic_store_n(&map_vs[fd], 0, __ATOMIC_RELAXED);
}

int open_devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open(/dev/null): errno %d", errno);
	return fd;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int sysctl_get(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;

	ck_assert_msg(f, "open %s: errno %d", path, errno);
	ck_assert_msg(fscanf(f, "%d", &v) == 1, "read %s", path);
	fclose(f);
	return v;
}

void sysctl_set(const char *path, int value)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "open %s for writing: errno %d", path, errno);
	ck_assert_msg(fprintf(f, "%d\n", value) > 0, "write %s", path);
	ck_assert_msg(fclose(f) == 0, "write %s: errno %d", path, errno);
}
