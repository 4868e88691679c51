/*
 * rolling_restart: replace every worker of a UDP service, and then every
 * listener of a TCP service, one at a time, while datagrams and
 * connections keep arriving, and lose none of them.
 *
 * Four workers share 127.0.0.1:port through SO_REUSEPORT.  A reuseport
 * array maps slot i to worker i, and an SK_REUSEPORT program sends each
 * datagram to the slot named by its first byte.  To restart worker i, a
 * new worker joins the group, BPF_MAP_UPDATE_ELEM swaps it into slot i in
 * one step, the old worker reads what is already queued for it, and
 * closes.  No datagram can fall between the two: the slot is never empty,
 * and the old socket takes nothing new once the update returns.
 *
 * The TCP half does the same with four listeners and a program that steers
 * each connection by its client's port: the old listener accepts every
 * connection already in its accept queue before it closes (closing it with
 * connections queued would reset them), and each connection must be
 * accepted exactly once.
 *
 * The book's steering chapter shows what this prints.  It runs on the
 * port only (sockarray/syscalls.h): its "program" is a C function, loaded
 * with sockarray_prog_load().  Everything happens in one thread, so the
 * output is the same on every run.
 *
 * Exit status: 0 if every datagram was received and every connection
 * accepted exactly once, 1 if not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockarray/syscalls.h"

#define SLOTS		4
#define GENERATIONS	3
#define BURST		24	/* datagrams sent between two restarts */
#define MAX_DATAGRAMS	(BURST * (SLOTS * (GENERATIONS - 1) + 1))

struct worker {
	int fd;
	int generation;
};

static struct worker workers[SLOTS];
static unsigned int served[GENERATIONS][SLOTS];	/* datagrams per generation and slot */
static unsigned char times_received[MAX_DATAGRAMS];
static uint32_t next_seq;

/* The TCP half: listeners, and the clients of the connections in flight. */
#define CLIENT_PORT_BASE 20000	/* the port's port space is the process's own */
static struct worker listeners[SLOTS];
static unsigned int accepted[GENERATIONS][SLOTS];	/* connections per generation and slot */
static unsigned char times_accepted[MAX_DATAGRAMS];
static int client_fd[MAX_DATAGRAMS];
static uint32_t next_conn;

/* [book:rolling_prog] */
/* The SK_REUSEPORT program: slot = first payload byte; no socket, no delivery. */
static int steer_by_first_byte(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	unsigned char *data = ctx->data;
	__u32 key;

	if (data + 8 + 1 > (unsigned char *)ctx->data_end)
		return SK_DROP;
	key = data[8];		/* after the 8-byte UDP header */
	if (sockarray_sk_select_reuseport(ctx, maps[0], &key, 0))
		return SK_DROP;
	return SK_PASS;
}
/* [/book:rolling_prog] */

/* [book:rolling_tcp_prog] */
/* The TCP half's program: slot = the client's port, from the SYN's TCP header. */
static int steer_by_client_port(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	unsigned char *data = ctx->data;
	__u32 key;

	if (data + 2 > (unsigned char *)ctx->data_end)
		return SK_DROP;
	key = ((__u32)data[0] << 8 | data[1]) % SLOTS;	/* source port, network order */
	if (sockarray_sk_select_reuseport(ctx, maps[0], &key, 0))
		return SK_DROP;
	return SK_PASS;
}
/* [/book:rolling_tcp_prog] */

static void die(const char *what)
{
	fprintf(stderr, "rolling_restart: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static struct sockaddr_in loopback(in_port_t port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return addr;
}

/* A UDP socket with SO_REUSEPORT on 127.0.0.1:port (0: pick a port). */
static int start_worker(in_port_t port)
{
	struct sockaddr_in addr = loopback(port);
	int one = 1, fd;

	fd = sys_socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("worker socket");
	return fd;
}

static int map_update(int map_fd, __u32 slot, int sock_fd, __u64 flags)
{
	__u64 value = (__u64)sock_fd;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)map_fd;
	attr.key = (__u64)(uintptr_t)&slot;
	attr.value = (__u64)(uintptr_t)&value;
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

/* Everything queued on worker @slot, counted for the worker's generation. */
static unsigned int drain(int slot)
{
	unsigned char msg[8];
	unsigned int n = 0;
	uint32_t seq;

	while (sys_recvfrom(workers[slot].fd, msg, sizeof(msg), 0, NULL, NULL) == 5) {
		memcpy(&seq, &msg[1], sizeof(seq));
		if (seq < MAX_DATAGRAMS)
			times_received[seq]++;
		served[workers[slot].generation][slot]++;
		n++;
	}
	if (errno != EAGAIN)
		die("recvfrom");
	return n;
}

static void drain_all(void)
{
	for (int slot = 0; slot < SLOTS; slot++)
		drain(slot);
}

/* A burst of datagrams, slots round-robin; they wait in the workers' queues. */
static void send_burst(int client, in_port_t port)
{
	struct sockaddr_in to = loopback(port);
	unsigned char msg[5];

	for (int i = 0; i < BURST; i++, next_seq++) {
		msg[0] = (unsigned char)(next_seq % SLOTS);
		memcpy(&msg[1], &next_seq, sizeof(next_seq));
		if (sys_sendto(client, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) != 5)
			die("sendto");
	}
}

/*
 * Print who handled how many (@counts, per generation and slot), and check
 * that each of the @n items arrived exactly once (@times: how often each
 * did).  @sent and @got name the two sides ("sent", "received").  Returns
 * the number of faults: 0 when nothing was lost or doubled.
 */
static unsigned int report(const char *by, const char *sent, const char *got,
			   unsigned int counts[GENERATIONS][SLOTS],
			   const unsigned char *times, uint32_t n)
{
	unsigned int lost = 0, twice = 0, total = 0;

	printf("\n%-12s", by);
	for (int slot = 0; slot < SLOTS; slot++)
		printf("  slot %d", slot);
	printf("   total\n");
	for (int gen = 0; gen < GENERATIONS; gen++) {
		unsigned int sum = 0;

		printf("generation %d", gen);
		for (int slot = 0; slot < SLOTS; slot++) {
			printf("  %6u", counts[gen][slot]);
			sum += counts[gen][slot];
		}
		printf("  %6u\n", sum);
		total += sum;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (times[i] == 0)
			lost++;
		else if (times[i] > 1)
			twice++;
	}
	printf("\n%s %u, %s %u, lost %u, %s twice %u\n", sent, n, got, total, lost, got, twice);
	return lost + twice + (total != n);
}

/* A TCP listener with SO_REUSEPORT on 127.0.0.1:port (0: pick a port). */
static int start_listener(in_port_t port)
{
	struct sockaddr_in addr = loopback(port);
	int one = 1, fd;

	fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 ||
	    sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    sys_listen(fd, 2 * BURST))
		die("listener socket");
	return fd;
}

static in_port_t port_of(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	if (sys_getsockname(fd, (struct sockaddr *)&addr, &len))
		die("getsockname");
	return ntohs(addr.sin_port);
}

/* Every connection queued on listener @slot, accepted and counted. */
static unsigned int accept_all(int slot)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	unsigned int n = 0;
	int child;

	while ((child = sys_accept(listeners[slot].fd, (struct sockaddr *)&peer, &len)) >= 0) {
		uint32_t conn = ntohs(peer.sin_port) - CLIENT_PORT_BASE;

		if (conn < next_conn && client_fd[conn] >= 0) {
			times_accepted[conn]++;
			sys_close(client_fd[conn]);
			client_fd[conn] = -1;
		}
		accepted[listeners[slot].generation][slot]++;
		sys_close(child);
		n++;
		len = sizeof(peer);
	}
	if (errno != EAGAIN)
		die("accept");
	return n;
}

static void accept_everywhere(void)
{
	for (int slot = 0; slot < SLOTS; slot++)
		accept_all(slot);
}

/* A burst of connections from clients on ports CLIENT_PORT_BASE + n. */
static void connect_burst(in_port_t port)
{
	struct sockaddr_in to = loopback(port);

	for (int i = 0; i < BURST; i++, next_conn++) {
		struct sockaddr_in from = loopback((in_port_t)(CLIENT_PORT_BASE + next_conn));
		int fd = sys_socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || sys_bind(fd, (struct sockaddr *)&from, sizeof(from)))
			die("client socket");
		/* a connection the program drops is refused: the demo then fails */
		if (sys_connect(fd, (struct sockaddr *)&to, sizeof(to)))
			die("connect");
		client_fd[next_conn] = fd;
	}
}

/* The TCP half; returns how many connections went wrong. */
static unsigned int tcp_restart(int map_fd)
{
	unsigned int bad;
	int prog_fd, slot, gen;
	in_port_t port;

	listeners[0].fd = start_listener(0);
	port = port_of(listeners[0].fd);
	for (slot = 1; slot < SLOTS; slot++)
		listeners[slot].fd = start_listener(port);
	for (slot = 0; slot < SLOTS; slot++)
		if (map_update(map_fd, (__u32)slot, listeners[slot].fd, BPF_NOEXIST))
			die("BPF_MAP_UPDATE_ELEM");
	prog_fd = sockarray_prog_load(steer_by_client_port, &map_fd, 1);
	if (prog_fd < 0 ||
	    sys_setsockopt(listeners[0].fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF,
			   &prog_fd, sizeof(prog_fd)))
		die("load and attach the TCP program");

	printf("\nrolling restart of %d TCP listeners on 127.0.0.1; %d connections made before each step\n\n",
	       SLOTS, BURST);
	printf("%-30s %10s %16s\n", "step", "connected", "old one accepted");
	for (gen = 1; gen < GENERATIONS; gen++) {
		for (slot = 0; slot < SLOTS; slot++) {
			unsigned int leftover;
			char step[64];
			int new_fd;

			connect_burst(port);
			new_fd = start_listener(port);
			if (map_update(map_fd, (__u32)slot, new_fd, BPF_EXIST))
				die("BPF_MAP_UPDATE_ELEM (replace)");
			/* the old listener accepts its queue, then goes */
			leftover = accept_all(slot);
			if (sys_close(listeners[slot].fd))
				die("close");
			listeners[slot].fd = new_fd;
			listeners[slot].generation = gen;
			accept_everywhere();

			snprintf(step, sizeof(step), "slot %d: generation %d -> %d", slot, gen - 1, gen);
			printf("%-30s %10u %16u\n", step, next_conn, leftover);
		}
	}
	connect_burst(port);
	accept_everywhere();
	printf("%-30s %10u\n", "all on the last generation", next_conn);

	bad = report("accepted by", "connected", "accepted", accepted, times_accepted, next_conn);

	for (slot = 0; slot < SLOTS; slot++)
		sys_close(listeners[slot].fd);
	sys_close(prog_fd);
	return bad;
}

int main(void)
{
	union bpf_attr attr;
	int map_fd, prog_fd, client, slot, gen;
	unsigned int bad;
	in_port_t port;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = SLOTS;
	map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (map_fd < 0)
		die("BPF_MAP_CREATE");

	/* generation 0: SLOTS workers, one group, one slot each */
	workers[0].fd = start_worker(0);
	{
		struct sockaddr_in addr;
		socklen_t len = sizeof(addr);

		if (sys_getsockname(workers[0].fd, (struct sockaddr *)&addr, &len))
			die("getsockname");
		port = ntohs(addr.sin_port);
	}
	for (slot = 1; slot < SLOTS; slot++)
		workers[slot].fd = start_worker(port);
	for (slot = 0; slot < SLOTS; slot++)
		if (map_update(map_fd, (__u32)slot, workers[slot].fd, BPF_NOEXIST))
			die("BPF_MAP_UPDATE_ELEM");

	prog_fd = sockarray_prog_load(steer_by_first_byte, &map_fd, 1);
	if (prog_fd < 0 ||
	    sys_setsockopt(workers[0].fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF,
			   &prog_fd, sizeof(prog_fd)))
		die("load and attach the program");

	client = sys_socket(AF_INET, SOCK_DGRAM, 0);
	if (client < 0)
		die("client socket");

	printf("rolling restart of %d UDP workers on 127.0.0.1; %d datagrams sent before each step\n\n",
	       SLOTS, BURST);
	printf("%-30s %10s %16s\n", "step", "sent", "old worker read");

	/* [book:rolling_step] */
	for (gen = 1; gen < GENERATIONS; gen++) {
		for (slot = 0; slot < SLOTS; slot++) {
			unsigned int leftover;
			char step[64];
			int new_fd;

			send_burst(client, port);
			/* 1. the new worker joins the group: same address, SO_REUSEPORT */
			new_fd = start_worker(port);
			/* 2. one update moves the slot: the old worker gets nothing new */
			if (map_update(map_fd, (__u32)slot, new_fd, BPF_EXIST))
				die("BPF_MAP_UPDATE_ELEM (replace)");
			/* 3. the old worker reads what it already has, then goes */
			leftover = drain(slot);
			if (sys_close(workers[slot].fd))
				die("close");
			workers[slot].fd = new_fd;
			workers[slot].generation = gen;
			drain_all();

			snprintf(step, sizeof(step), "slot %d: generation %d -> %d", slot, gen - 1, gen);
			printf("%-30s %10u %16u\n", step, next_seq, leftover);
		}
	}
	/* [/book:rolling_step] */
	send_burst(client, port);
	drain_all();
	printf("%-30s %10u\n", "all on the last generation", next_seq);

	bad = report("served by", "sent", "received", served, times_received, next_seq);

	for (slot = 0; slot < SLOTS; slot++)
		sys_close(workers[slot].fd);
	sys_close(client);
	sys_close(prog_fd);
	sys_close(map_fd);

	/* the TCP half, with a map of its own */
	map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (map_fd < 0)
		die("BPF_MAP_CREATE");
	bad += tcp_restart(map_fd);
	sys_close(map_fd);
	return bad != 0;
}
