/*
 * fill_map: put a reuseport group of TCP listeners into a
 * BPF_MAP_TYPE_REUSEPORT_SOCKARRAY and read the map back.
 *
 * The book's first chapter runs this program at build time and shows what
 * it prints.  It uses only the system-call surface, so one source builds
 * twice: against the port (sockarray/syscalls.h), and with -DSOCKARRAY_LIVE
 * against the running kernel (live_syscalls.h; creating the map needs
 * CAP_BPF).
 *
 * Exit status: 0 if every check held, 1 if one failed, 77 if the kernel
 * would not let this process create the map (the CTest "skipped" code).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#ifdef SOCKARRAY_LIVE
#include "live_syscalls.h"
#else
#include "sockarray/syscalls.h"
#endif

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define NR_LISTENERS 4

/* errno as its name; 524 (the kernel's ENOTSUPP) has none in libc. */
static const char *errname(int err)
{
	const char *name = err == 524 ? "ENOTSUPP" : strerrorname_np(err);

	return name ? name : "unknown errno";
}

/* [book:fill_map_listener] */
/* A TCP listener on 127.0.0.1:port with SO_REUSEPORT (port 0: pick one). */
static int reuseport_listener(in_port_t port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd, err;

	fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;

	if (sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    sys_listen(fd, 16)) {
		err = -errno;
		sys_close(fd);
		return err;
	}
	return fd;
}
/* [/book:fill_map_listener] */

static in_port_t local_port(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	if (sys_getsockname(fd, (struct sockaddr *)&addr, &len))
		return 0;
	return ntohs(addr.sin_port);
}

/* [book:fill_map_create] */
/* A map of max_entries slots: u32 index -> socket (fd in, cookie out). */
static int reuseport_array_create(__u32 max_entries)
{
	union bpf_attr attr;

	/* bpf(2) rejects non-zero bytes in fields the command does not use */
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = max_entries;

	return sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}
/* [/book:fill_map_create] */

/* [book:fill_map_elem] */
/* Store the socket behind sock_fd in slot index: 0 or -errno. */
static int slot_store(int map_fd, __u32 index, int sock_fd, __u64 flags)
{
	__u64 value = (__u64)sock_fd;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (__u64)(uintptr_t)&index;
	attr.value = (__u64)(uintptr_t)&value;
	attr.flags = flags;

	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}

/* The cookie of the socket in slot index: 0 or -errno. */
static int slot_cookie(int map_fd, __u32 index, __u64 *cookie)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (__u64)(uintptr_t)&index;
	attr.value = (__u64)(uintptr_t)cookie;

	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}
/* [/book:fill_map_elem] */

static int so_cookie(int fd, __u64 *cookie)
{
	socklen_t len = sizeof(*cookie);

	return sys_getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len) ? -errno : 0;
}

static void print_system(void)
{
#ifdef SOCKARRAY_LIVE
	struct utsname u;

	if (uname(&u) == 0)
		printf("system: the running kernel, Linux %s\n", u.release);
	else
		printf("system: the running kernel\n");
#else
	printf("system: the userspace port (Linux 6.18 semantics)\n");
#endif
}

int main(void)
{
	int fds[NR_LISTENERS], map_fd = -1, failures = 0, status = 1, err, i;
	__u64 from_map, from_sock;
	in_port_t port = 0;

	for (i = 0; i < NR_LISTENERS; i++)
		fds[i] = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_system();

	for (i = 0; i < NR_LISTENERS; i++) {
		fds[i] = reuseport_listener(port);
		if (fds[i] < 0) {
			printf("listener %d: %s\n", i, errname(-fds[i]));
			goto out;
		}
		if (i == 0)
			port = local_port(fds[0]);
	}
	printf("group:  %d TCP listeners on 127.0.0.1:%u, SO_REUSEPORT\n",
	       NR_LISTENERS, (unsigned int)port);

	map_fd = reuseport_array_create(NR_LISTENERS);
	if (map_fd < 0) {
		err = errno;
		printf("map:    BPF_MAP_CREATE: %s\n", errname(err));
		if (err == EPERM)
			status = 77;	/* not allowed here: skip, not fail */
		goto out;
	}
	printf("map:    REUSEPORT_SOCKARRAY, key 4 B, value 8 B, %d slots\n\n",
	       NR_LISTENERS);

	/* [book:fill_map_fill] */
	/* Listener i goes to slot NR_LISTENERS-1-i: the order is ours. */
	for (i = 0; i < NR_LISTENERS; i++) {
		err = slot_store(map_fd, NR_LISTENERS - 1 - i, fds[i], BPF_NOEXIST);
		printf("store   listener %d -> slot %d: %s\n", i,
		       NR_LISTENERS - 1 - i, err ? errname(-err) : "OK");
		failures += err != 0;
	}

	/* Read every slot back and compare with the socket's own cookie. */
	printf("\nslot  listener  cookie from map  SO_COOKIE  same\n");
	for (i = 0; i < NR_LISTENERS; i++) {
		int owner = NR_LISTENERS - 1 - i;

		err = slot_cookie(map_fd, i, &from_map);
		if (!err)
			err = so_cookie(fds[owner], &from_sock);
		if (err) {
			printf("%4d  %8d  %s\n", i, owner, errname(-err));
			failures++;
			continue;
		}
		printf("%4d  %8d  %15llu  %9llu  %s\n", i, owner,
		       (unsigned long long)from_map,
		       (unsigned long long)from_sock,
		       from_map == from_sock ? "yes" : "NO");
		failures += from_map != from_sock;
	}
	/* [/book:fill_map_fill] */

	/* [book:fill_map_after] */
	/* A socket fills at most one slot: it records which one it is in. */
	err = slot_store(map_fd, 0, fds[0], BPF_ANY);
	printf("\nstore   listener 0 -> slot 0 as well: %s\n",
	       err ? errname(-err) : "OK");
	failures += err != -EBUSY;

	/* Closing a listener empties its slot; nobody touches the map. */
	sys_close(fds[1]);
	fds[1] = -1;
	err = slot_cookie(map_fd, NR_LISTENERS - 2, &from_map);
	printf("close   listener 1, then look up slot %d: %s\n",
	       NR_LISTENERS - 2, err ? errname(-err) : "still there");
	failures += err != -ENOENT;
	/* [/book:fill_map_after] */

	printf("\n%s\n", failures ? "result: FAILED" : "result: every check held");
	status = failures ? 1 : 0;
out:
	if (map_fd >= 0)
		sys_close(map_fd);
	for (i = 0; i < NR_LISTENERS; i++)
		if (fds[i] >= 0)
			sys_close(fds[i]);
	return status;
}
