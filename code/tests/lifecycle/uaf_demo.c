/*
 * The lifecycle chapter's demonstration: a map is freed while sockets are
 * still in it, then the sockets close.  Built twice with AddressSanitizer
 * (cmake/Lifecycle.cmake): against the real port, where it must run clean,
 * and against a port whose reuseport_array_free() frees the array before
 * clearing the sockets' back-pointers, where ASan must report a
 * heap-use-after-free in bpf_sk_reuseport_detach().
 *
 * Only the port's system calls are used, as a program would use bpf(2).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kern/rcupdate.h"
#include "kern/workqueue.h"
#include "sockarray/syscalls.h"

#define NSOCKS 2

static void die(const char *what)
{
	fprintf(stderr, "uaf_demo: %s failed\n", what);
	exit(2);
}

/* A UDP socket in the reuseport group of 127.0.0.1:@port (0: a new port). */
static int udp_member(uint16_t *port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(*port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(a);
	int one = 1, fd = sys_socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 ||
	    sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    sys_getsockname(fd, (struct sockaddr *)&a, &len))
		die("socket setup");
	*port = ntohs(a.sin_port);
	return fd;
}

/* [book:uaf_demo] */
int main(void)
{
	union bpf_attr attr;
	uint16_t port = 0;
	int map, socks[NSOCKS];

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 4;
	map = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (map < 0)
		die("BPF_MAP_CREATE");

	for (uint32_t i = 0; i < NSOCKS; i++) {
		uint64_t fd;

		socks[i] = udp_member(&port);
		fd = socks[i];
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map;
		attr.key = (uintptr_t)&i;
		attr.value = (uintptr_t)&fd;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)))
			die("BPF_MAP_UPDATE_ELEM");
	}

	sys_close(map);				/* the last map reference */
	flush_workqueue(system_unbound_wq);	/* reuseport_array_free() ran */

	for (int i = 0; i < NSOCKS; i++)
		sys_close(socks[i]);		/* bpf_sk_reuseport_detach() */
	rcu_barrier();				/* the sockets are freed */

	printf("map freed, then %d sockets closed: no use-after-free\n", NSOCKS);
	return 0;
}
/* [/book:uaf_demo] */
