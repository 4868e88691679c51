// SPDX-License-Identifier: GPL-2.0
/*
 * Automatic removal and map lifetime (kernel-spec.md section 10; scenarios
 * 42-50 and the race-only paths of scenario 60).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"

#define MIGRATE_REQ "/proc/sys/net/ipv4/tcp_migrate_req"

/* Bound on waiting for the asynchronous map free (scenario 50). */
#define FREE_WAIT_MS 200

/*
 * Insert @fd into @m at @idx, retrying EBUSY until the old map's deferred
 * free has released the socket.  Returns the first and the final result.
 */
static int ins_until_released(int m, __u32 idx, int fd, int *first)
{
	long deadline = now_ms() + FREE_WAIT_MS;
	int r = ins(m, idx, fd, BPF_ANY);

	*first = r;
	while (r == -EBUSY && now_ms() < deadline) {
		sleep_ms(1);
		r = ins(m, idx, fd, BPF_ANY);
	}
	return r;
}

/*
 * Closing a mapped TCP listener empties its slot and leaves a UDP socket's slot
 * intact; closing the UDP socket empties its slot too.
 * Spec: LIVE X01, X02.
 */
START_TEST(s42_close_empties_slot)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 2, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, u, BPF_ANY), 0);
	xclose(l);
	expect_empty(m, 2);
	expect_slot(m, 0, u);
	xclose(u);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * Closing the mapped descriptor while a dup remains keeps the entry (same
 * cookie, EBUSY for another slot); closing the dup empties the slot.
 * Spec: LIVE X03-X05.
 */
START_TEST(s43_dup_keeps_entry)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	__u64 cookie = cookie_of(l);
	__u64 c;
	int d = res(t_dup(l));

	ck_assert_msg(d >= 0, "dup: %s", errname(d));
	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	xclose(l);
	ck_assert_ret(lookup(m, 0, &c), 0);
	ck_assert_uint_eq(c, cookie);
	ck_assert_ret(ins(m, 1, d, BPF_ANY), -EBUSY);
	xclose(d);
	expect_empty(m, 0);
	expect_empty(m, 1);
	xclose(m);
}
END_TEST

/*
 * connect(AF_UNSPEC) on a mapped listener empties its slot and makes it
 * uninsertable (EINVAL); listen() again does not restore the entry, but the
 * socket can then be inserted again, and close empties it.
 * Spec: LIVE X06-X11.
 */
START_TEST(s44_listener_disconnect)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(connect_unspec(l), 0);
	expect_empty(m, 0);
	/* Unhashed now: not insertable. */
	ck_assert_ret(ins(m, 0, l, BPF_ANY), -EINVAL);
	/* listen() rejoins a group but does not bring the entry back. */
	ck_assert_ret(res(t_listen(l, 16)), 0);
	expect_empty(m, 0);
	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	expect_slot(m, 0, l);
	xclose(l);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * shutdown(SHUT_WR) leaves a mapped listener's slot in place, but SHUT_RD or
 * SHUT_RDWR empties it; calling listen() again on a listening socket keeps its
 * slot.
 * Spec: LIVE X12-X16, X35, X36.
 */
START_TEST(s45_listener_shutdown)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET6, "::1", 0, 1);
	int l3 = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(res(t_shutdown(l, SHUT_WR)), 0);
	expect_slot(m, 0, l);
	ck_assert_ret(res(t_shutdown(l, SHUT_RD)), 0);
	expect_empty(m, 0);

	ck_assert_ret(ins(m, 1, l2, BPF_ANY), 0);
	ck_assert_ret(res(t_shutdown(l2, SHUT_RDWR)), 0);
	expect_empty(m, 1);

	ck_assert_ret(ins(m, 2, l3, BPF_ANY), 0);
	ck_assert_ret(res(t_listen(l3, 64)), 0);
	expect_slot(m, 2, l3);

	xclose(l);
	xclose(l2);
	xclose(l3);
	expect_empty(m, 2);
	xclose(m);
}
END_TEST

/*
 * shutdown on an unconnected mapped UDP socket gives ENOTCONN and keeps its
 * slot; connect() empties the slot, whether bound to 127.0.0.1 or 0.0.0.0, and
 * after connect(AF_UNSPEC) the socket gives EINVAL.
 * Spec: LIVE X17-X24.
 */
START_TEST(s46_udp_shutdown_and_connect)
{
	int m = map_create_ok(8, 4, 0);
	int peer = udp_bound(AF_INET, "127.0.0.1", 0, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	int w = udp_bound(AF_INET, "0.0.0.0", 0, 1);

	ck_assert_ret(ins(m, 0, u, BPF_ANY), 0);
	ck_assert_ret(res(t_shutdown(u, SHUT_RDWR)), -ENOTCONN);
	expect_slot(m, 0, u);
	ck_assert_ret(connect_to(u, AF_INET, "127.0.0.1", port_of(peer)), 0);
	expect_empty(m, 0);
	ck_assert_ret(connect_unspec(u), 0);
	expect_empty(m, 0);
	ck_assert_ret(ins(m, 0, u, BPF_ANY), -EINVAL);

	ck_assert_ret(ins(m, 1, w, BPF_ANY), 0);
	ck_assert_ret(connect_to(w, AF_INET, "127.0.0.1", port_of(peer)), 0);
	expect_empty(m, 1);

	xclose(w);
	xclose(u);
	xclose(peer);
	xclose(m);
}
END_TEST

/*
 * Closing one of three mapped UDP group members empties only its slot, and
 * turning SO_REUSEPORT off on a mapped socket changes nothing, as the group
 * formed at bind time.
 * Spec: LIVE X30, X27.
 */
START_TEST(s47_group_member_close_and_reuseport_off)
{
	int m = map_create_ok(8, 4, 0);
	int u[3];
	int i;

	u[0] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	u[1] = udp_bound(AF_INET, "127.0.0.1", port_of(u[0]), 1);
	u[2] = udp_bound(AF_INET, "127.0.0.1", port_of(u[0]), 1);
	for (i = 0; i < 3; i++)
		ck_assert_ret(ins(m, i, u[i], BPF_NOEXIST), 0);
	xclose(u[1]);
	expect_slot(m, 0, u[0]);
	expect_empty(m, 1);
	expect_slot(m, 2, u[2]);

	/* The group was formed at bind time; the option alone changes nothing. */
	set_reuseport(u[0], 0);
	expect_slot(m, 0, u[0]);
	xclose(u[0]);
	xclose(u[2]);
	expect_empty(m, 0);
	expect_empty(m, 2);
	xclose(m);
}
END_TEST

static int migrate_saved = -1;

/* Runs in the runner process: puts the sysctl back even if a test died. */
static void migrate_save(void)
{
	migrate_saved = sysctl_get(MIGRATE_REQ);
}

static void migrate_restore(void)
{
	if (migrate_saved >= 0 && sysctl_get(MIGRATE_REQ) != migrate_saved)
		sysctl_set(MIGRATE_REQ, migrate_saved);
}

/*
 * With net.ipv4.tcp_migrate_req set to 1, close or shutdown(SHUT_RD) of a
 * mapped listener still empties only its own slot, its group peer keeps its
 * slot, and the listener can be reinserted after listening again.
 * Spec: LIVE X28, X29, X41-X43.
 */
START_TEST(s48_migrate_req)
{
	int saved = sysctl_get(MIGRATE_REQ);
	int m = map_create_ok(8, 4, 0);
	int l, l2;

	sysctl_set(MIGRATE_REQ, 1);

	l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);
	ck_assert_ret(ins(m, 2, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 3, l2, BPF_ANY), 0);
	xclose(l);
	expect_empty(m, 2);
	expect_slot(m, 3, l2);
	xclose(l2);
	expect_empty(m, 3);

	l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);
	ck_assert_ret(ins(m, 2, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 3, l2, BPF_ANY), 0);
	ck_assert_ret(res(t_shutdown(l, SHUT_RD)), 0);
	expect_empty(m, 2);
	expect_slot(m, 3, l2);
	ck_assert_ret(res(t_listen(l, 16)), 0);
	ck_assert_ret(ins(m, 2, l, BPF_ANY), 0);
	expect_slot(m, 2, l);
	xclose(l);
	xclose(l2);
	xclose(m);

	sysctl_set(MIGRATE_REQ, saved);
}
END_TEST

/*
 * A UDP socket a child process inserts and never closes leaves the map when the
 * child exits. Kernel only: the port models one process, so no second process
 * can exit.
 * Spec: LIVE X37, X38.
 */
START_TEST(s49_process_exit)
{
	SPEC_KERNEL_ONLY("the port models one process: no second process can exit");

	int m = map_create_ok(8, 4, 0);
	int pfd[2];
	int status, r = 1;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};
		union attr_buf b;
		__u32 key = 1;
		__u64 val;
		int one = 1;
		int s;

		close(pfd[0]);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0 ||
		    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
		    bind(s, (struct sockaddr *)&sin, sizeof(sin)))
			_exit(1);
		val = (__u64)s;
		memset(&b, 0, sizeof(b));
		b.attr.map_fd = m;
		b.attr.key = (__u64)(unsigned long)&key;
		b.attr.value = (__u64)(unsigned long)&val;
		r = t_bpf(BPF_MAP_UPDATE_ELEM, &b.attr, ATTR_SIZE) ? errno : 0;
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		/* Exit without closing anything. */
		_exit(0);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &r, sizeof(r)), sizeof(r));
	close(pfd[0]);
	ck_assert_msg(r == 0, "child's insert: errno %d", r);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_empty(m, 1);
	xclose(m);
}
END_TEST

/*
 * A forked child's copy of a mapped listener's descriptor keeps the entry after
 * the parent closes its own; the slot empties once the child exits. Kernel
 * only: the port models one process, so fork() copies no descriptors.
 * Spec: LIVE X03-X05 (fork copy).
 */
START_TEST(x_fork_copy_keeps_entry)
{
	SPEC_KERNEL_ONLY("the port models one process: fork() does not copy its descriptors");

	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int go[2];
	int status;
	char ch = 0;
	pid_t pid;

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Hold the inherited copy of l until the parent says so. */
		close(go[1]);
		if (read(go[0], &ch, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	xclose(l);
	ck_assert_ret(lookup(m, 0, NULL), 0);
	close(go[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * Freeing a map is asynchronous: once its only fd closes, its socket can join
 * another map within 200 ms (after EBUSY at first, perhaps), while a dup of the
 * map fd keeps the map and its claim (EBUSY) until closed.
 * Spec: LIVE X31-X34 (the program and outer-map holders need BPF objects).
 */
START_TEST(s50_map_free_is_asynchronous)
{
	int m = map_create_ok(8, 4, 0);
	int m2 = map_create_ok(8, 4, 0);
	int u = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	uint16_t port = port_of(u);
	int first, r, d;

	/* Only descriptor closed: freed later, and only then is u released. */
	ck_assert_ret(ins(m, 0, u, BPF_ANY), 0);
	xclose(m);
	ck_assert_uint_eq(port_of(u), port);
	r = ins_until_released(m2, 0, u, &first);
	ck_assert_msg(first == 0 || first == -EBUSY,
		      "first insert after map close: %s", errname(first));
	ck_assert_msg(r == 0, "insert %d ms after map close: %s", FREE_WAIT_MS,
		      errname(r));
	expect_slot(m2, 0, u);

	/* A dup'ed descriptor keeps the map, its entries and the claim. */
	d = res(t_dup(m2));
	ck_assert_msg(d >= 0, "dup: %s", errname(d));
	m = map_create_ok(8, 4, 0);
	xclose(m2);
	expect_slot(d, 0, u);
	ck_assert_ret(ins(m, 0, u, BPF_ANY), -EBUSY);
	sleep_ms(20);
	ck_assert_ret(ins(m, 0, u, BPF_ANY), -EBUSY);
	expect_slot(d, 0, u);
	xclose(d);
	r = ins_until_released(m, 0, u, &first);
	ck_assert_msg(r == 0, "insert %d ms after last map fd closed: %s",
		      FREE_WAIT_MS, errname(r));
	expect_slot(m, 0, u);
	xclose(u);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * Closing a map that holds TCP and UDP sockets of both families releases them
 * all: each can join another map within 200 ms, and closing each empties its
 * new slot.
 * Spec: LIVE X32, X33.
 */
START_TEST(x_map_free_releases_all)
{
	int m = map_create_ok(4, 8, 0);
	int m2 = map_create_ok(8, 8, 0);
	int s[4];
	int i, first;

	s[0] = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	s[1] = tcp_listener(AF_INET6, "::1", 0, 1);
	s[2] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	s[3] = udp_bound(AF_INET6, "::1", 0, 1);
	for (i = 0; i < 4; i++)
		ck_assert_ret(ins(m, 2 * i, s[i], BPF_ANY), 0);
	xclose(m);
	for (i = 0; i < 4; i++)
		ck_assert_ret(ins_until_released(m2, i, s[i], &first), 0);
	for (i = 0; i < 4; i++) {
		expect_slot(m2, i, s[i]);
		xclose(s[i]);
		expect_empty(m2, i);
	}
	xclose(m2);
}
END_TEST

/*
 * Closing a mapped UDP6 socket empties its slot and leaves a TCP6 listener's
 * slot intact; closing the listener empties that slot too.
 * Spec: R*11.
 */
START_TEST(x_close_v6)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET6, "::1", 0, 1);
	int u = udp_bound(AF_INET6, "::1", 0, 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 1, u, BPF_ANY), 0);
	xclose(u);
	expect_empty(m, 1);
	expect_slot(m, 0, l);
	xclose(l);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * An accepted child has its own cookie and is refused with EINVAL; closing it
 * and its client leaves the listener's slot, which empties only when the
 * listener closes.
 * Spec: LIVE K06, K08 (section 9).
 */
START_TEST(x_child_close_keeps_listener)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int cl, c;

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	cl = tcp_client(AF_INET, "127.0.0.1", port_of(l), 0);
	c = accept_one(l);
	ck_assert_uint_ne(cookie_of(c), cookie_of(l));
	ck_assert_ret(ins(m, 1, c, BPF_ANY), -EINVAL);
	xclose(c);
	xclose(cl);
	expect_slot(m, 0, l);
	xclose(l);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * Closing a listener that was replaced in its slot leaves the slot holding the
 * replacement; after a delete, closing the replacement leaves the slot empty.
 * Spec: Section 10.
 */
START_TEST(x_displaced_socket_survives_map_events)
{
	int m = map_create_ok(8, 4, 0);
	int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
	int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);

	ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
	ck_assert_ret(ins(m, 0, l2, BPF_ANY), 0);
	/* Closing the displaced socket must not touch the slot. */
	xclose(l);
	expect_slot(m, 0, l2);
	ck_assert_ret(del(m, 0), 0);
	xclose(l2);
	expect_empty(m, 0);
	xclose(m);
}
END_TEST

/*
 * Scenario 60 (SOURCE-ONLY in the spec): each race is run many times; the
 * interleaving differs from run to run, so each side may see either of the
 * outcomes the kernel allows, and the final state is always the same.
 */
struct race {
	atomic_int ready;
	atomic_int go;
	int fd;
	int op;		/* 0: close, 1: connect(AF_UNSPEC) */
	int result;
};

static void *race_thread(void *arg)
{
	struct race *r = arg;

	atomic_store(&r->ready, 1);
	while (!atomic_load(&r->go))
		;
	if (r->op == 0) {
		errno = 0;
		r->result = t_close(r->fd) ? -errno : 0;
	} else {
		struct sockaddr_storage ss;

		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_UNSPEC;
		r->result = t_connect(r->fd, (struct sockaddr *)&ss,
				      sizeof(struct sockaddr_in6)) ? -errno : 0;
	}
	return NULL;
}

/* Start the other side and release it once both are at the line. */
static void race_start(struct race *r, pthread_t *t, int fd, int op)
{
	atomic_store(&r->ready, 0);
	atomic_store(&r->go, 0);
	r->fd = fd;
	r->op = op;
	r->result = 1;
	ck_assert_int_eq(pthread_create(t, NULL, race_thread, r), 0);
	while (!atomic_load(&r->ready))
		;
	atomic_store(&r->go, 1);
}

#define RACE_ROUNDS 100

/*
 * Delete racing with close of the mapped listener, 100 rounds: the delete gives
 * 0 or ENOENT, and the slot always ends up empty.
 * Spec: SRC.
 */
START_TEST(s60_race_delete_vs_close)
{
	int m = map_create_ok(8, 4, 0);
	struct race r;
	pthread_t t;
	int i, d;

	for (i = 0; i < RACE_ROUNDS; i++) {
		int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

		ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
		race_start(&r, &t, l, 0);
		d = del(m, 0);
		pthread_join(t, NULL);
		ck_assert_ret(r.result, 0);
		spec_check_either("delete (racing)", d, 0, -ENOENT);
		expect_empty(m, 0);
	}
	xclose(m);
}
END_TEST

/*
 * A BPF_EXIST update racing with the occupant's close, 100 rounds: the update
 * gives 0 (the new socket holds the slot) or ENOENT (slot empty), and closing
 * the new socket empties it.
 * Spec: SRC.
 */
START_TEST(s60_race_update_exist_vs_close)
{
	int m = map_create_ok(8, 4, 0);
	struct race r;
	pthread_t t;
	int i, u;

	for (i = 0; i < RACE_ROUNDS; i++) {
		int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);
		int l2 = tcp_listener(AF_INET, "127.0.0.1", port_of(l), 1);

		ck_assert_ret(ins(m, 0, l, BPF_ANY), 0);
		race_start(&r, &t, l, 0);
		u = ins(m, 0, l2, BPF_EXIST);
		pthread_join(t, NULL);
		ck_assert_ret(r.result, 0);
		spec_check_either("update (racing)", u, 0, -ENOENT);
		if (u == 0)
			expect_slot(m, 0, l2);
		else
			expect_empty(m, 0);
		xclose(l2);
		expect_empty(m, 0);
	}
	xclose(m);
}
END_TEST

/*
 * Update racing with connect(AF_UNSPEC) on the listener being inserted, 100
 * rounds: the update gives 0 or EINVAL, and the slot ends up empty either way.
 * Spec: SRC.
 */
START_TEST(s60_race_update_vs_disconnect)
{
	int m = map_create_ok(8, 4, 0);
	struct race r;
	pthread_t t;
	int i, u;

	for (i = 0; i < RACE_ROUNDS; i++) {
		int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

		race_start(&r, &t, l, 1);
		u = ins(m, 0, l, BPF_ANY);
		pthread_join(t, NULL);
		ck_assert_ret(r.result, 0);
		spec_check_either("update (racing)", u, 0, -EINVAL);
		expect_empty(m, 0);
		xclose(l);
	}
	xclose(m);
}
END_TEST

/*
 * Update racing with close of the listener being inserted, 100 rounds: the
 * update gives 0 or EBADF, and the slot ends up empty either way.
 * Spec: SRC.
 */
START_TEST(s60_race_update_vs_close)
{
	int m = map_create_ok(8, 4, 0);
	struct race r;
	pthread_t t;
	int i, u;

	for (i = 0; i < RACE_ROUNDS; i++) {
		int l = tcp_listener(AF_INET, "127.0.0.1", 0, 1);

		race_start(&r, &t, l, 0);
		u = ins(m, 0, l, BPF_ANY);
		pthread_join(t, NULL);
		ck_assert_ret(r.result, 0);
		spec_check_either("update (racing)", u, 0, -EBADF);
		expect_empty(m, 0);
	}
	xclose(m);
}
END_TEST

Suite *socket_events_suite(void)
{
	Suite *s = suite_create("socket_events");
	TCase *tc = tcase_create("events");
	TCase *tm = tcase_create("migrate");
	TCase *tr = tcase_create("races");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, s42_close_empties_slot);
	tcase_add_test(tc, s43_dup_keeps_entry);
	tcase_add_test(tc, s44_listener_disconnect);
	tcase_add_test(tc, s45_listener_shutdown);
	tcase_add_test(tc, s46_udp_shutdown_and_connect);
	tcase_add_test(tc, s47_group_member_close_and_reuseport_off);
	tcase_add_test(tc, s49_process_exit);
	tcase_add_test(tc, x_fork_copy_keeps_entry);
	tcase_add_test(tc, s50_map_free_is_asynchronous);
	tcase_add_test(tc, x_map_free_releases_all);
	tcase_add_test(tc, x_close_v6);
	tcase_add_test(tc, x_child_close_keeps_listener);
	tcase_add_test(tc, x_displaced_socket_survives_map_events);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tm, 10);
	tcase_add_unchecked_fixture(tm, migrate_save, migrate_restore);
	tcase_add_test(tm, s48_migrate_req);
	suite_add_tcase(s, tm);

	tcase_set_timeout(tr, 10);
	tcase_add_test(tr, s60_race_delete_vs_close);
	tcase_add_test(tr, s60_race_update_exist_vs_close);
	tcase_add_test(tr, s60_race_update_vs_disconnect);
	tcase_add_test(tr, s60_race_update_vs_close);
	suite_add_tcase(s, tr);
	return s;
}
