/**
 * @file stress.c
 * @brief Stress tests that really race: RCU readers against writers that
 *        update, replace, delete and close, and maps freed while their
 *        sockets close.  Meant for the ThreadSanitizer and AddressSanitizer
 *        builds, where a missing lock or grace period becomes a report.
 *
 * The invariant checker runs concurrently with everything else.  Under
 * reuseport_lock (which stops updates, deletes and detaches) and each
 * socket's sk_callback_lock (which stops reuseport_array_free() at that
 * socket), it checks both directions of the back-pointer:
 *  - every occupied slot's socket has sk_user_data = that slot | NOCOPY | BPF;
 *  - every socket whose sk_user_data carries the BPF tag is in the slot it
 *    points to.
 * Run time per test: STRESS_MS milliseconds (default 1500).
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kern/workqueue.h"
#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/net.h"
#include "kern/sock_reuseport.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"

#define SLOTS		16
#define POOL		48
#define MAX_THREADS	8

struct stress {
	atomic_int stop;
	int map_fd;			/* the long-lived map */
	atomic_int map2_fd;		/* a map that keeps being replaced */
	atomic_int pool[POOL];		/* socket descriptors, -1 = free */
	uint16_t port;			/* the group's port */
	/* counters, to prove the races happened */
	atomic_long lookups_hit, inserts_ok, deletes_ok, closes, checks,
		    selects_ok, maps_freed, busy;
};

static long stress_ms(void)
{
	const char *s = getenv("STRESS_MS");

	return s ? atol(s) : 1500;
}

static unsigned int rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffffff;
}

/* A new UDP member of the group, SO_REUSEPORT set before bind. */
static int new_member(struct stress *st)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(st->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd = sys_socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    sys_bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		sys_close(fd);
		return -1;
	}
	return fd;
}

/* Slot i's address in a map, from the generic header alone. */
static struct sock __rcu **slot_addr(struct bpf_map *map, u32 i)
{
	u64 hdr = map->ops->map_mem_usage(map) - (u64)map->max_entries * sizeof(void *);

	return (struct sock __rcu **)((char *)map + hdr) + i;
}

/* [book:invariant] */
/* Direction 1: each occupied slot's socket points back at that slot. */
static void check_slots(struct bpf_map *map)
{
	for (u32 i = 0; i < map->max_entries; i++) {
		struct sock __rcu **slot = slot_addr(map, i);
		struct sock *sk = rcu_dereference_protected(*slot,
				lockdep_is_held(&reuseport_lock));
		uintptr_t ud;

		if (!sk)
			continue;
		read_lock_bh(&sk->sk_callback_lock);
		ud = (uintptr_t)READ_ONCE(sk->sk_user_data);
		read_unlock_bh(&sk->sk_callback_lock);
		ck_assert_msg(ud == ((uintptr_t)slot | SK_USER_DATA_NOCOPY | SK_USER_DATA_BPF),
			      "slot %u holds a socket whose sk_user_data is %#lx, not the slot",
			      i, (unsigned long)ud);
	}
}

/* Direction 2: a socket tagged BPF is in the slot it points to. */
static void check_socket(struct sock *sk)
{
	uintptr_t ud;

	read_lock_bh(&sk->sk_callback_lock);
	ud = (uintptr_t)READ_ONCE(sk->sk_user_data);
	if (ud & SK_USER_DATA_BPF) {
		struct sock **slot = (struct sock **)(ud & SK_USER_DATA_PTRMASK);

		ck_assert_msg(__atomic_load_n(slot, __ATOMIC_RELAXED) == sk,
			      "sk_user_data points at a slot that holds another socket");
	}
	read_unlock_bh(&sk->sk_callback_lock);
}
/* [/book:invariant] */

static void check_invariants(struct stress *st)
{
	struct bpf_map *map = bpf_map_get(st->map_fd);
	struct bpf_map *map2 = bpf_map_get(atomic_load(&st->map2_fd));
	struct socket *socks[POOL];
	int n = 0, err;

	/* take references first: sockfd_lookup() may sleep on the table lock */
	for (int i = 0; i < POOL; i++) {
		int fd = atomic_load(&st->pool[i]);

		if (fd >= 0 && (socks[n] = sockfd_lookup(fd, &err)) && socks[n]->sk)
			n++;
		else if (fd >= 0 && socks[n])
			sockfd_put(socks[n]);
	}

	spin_lock_bh(&reuseport_lock);
	if (!IS_ERR_OR_NULL(map))
		check_slots(map);
	if (!IS_ERR_OR_NULL(map2))
		check_slots(map2);
	for (int i = 0; i < n; i++)
		check_socket(socks[i]->sk);
	spin_unlock_bh(&reuseport_lock);

	for (int i = 0; i < n; i++)
		sockfd_put(socks[i]);
	if (!IS_ERR_OR_NULL(map))
		bpf_map_put(map);
	if (!IS_ERR_OR_NULL(map2))
		bpf_map_put(map2);
	atomic_fetch_add(&st->checks, 1);
}

/* A BPF program's view: helper lookups inside rcu_read_lock(). */
static void *reader(void *arg)
{
	struct stress *st = arg;
	struct bpf_map *map = bpf_map_get(st->map_fd);
	int fd = new_member(st);
	struct socket *me;
	int err;

	ck_assert(!IS_ERR_OR_NULL(map));
	ck_assert_int_ge(fd, 0);
	me = sockfd_lookup(fd, &err);
	ck_assert_ptr_nonnull(me);

	while (!atomic_load(&st->stop)) {
		for (u32 i = 0; i < SLOTS; i++) {
			struct sk_reuseport_kern ctx = { .sk = me->sk };
			struct sock_reuseport *reuse;
			struct sock *sk;

			rcu_read_lock();
			sk = map->ops->map_lookup_elem(map, &i);
			if (sk) {
				/* touch it: ASan reports if it was freed too early */
				ck_assert_int_eq(READ_ONCE(sk->sk_family), AF_INET);
				ck_assert_uint_ne(__sock_gen_cookie(sk), 0);
				atomic_fetch_add(&st->lookups_hit, 1);
			}
			reuse = rcu_dereference(me->sk->sk_reuseport_cb);
			if (reuse) {
				ctx.reuseport_id = reuse->reuseport_id;
				if (!bpf_sk_select_reuseport(&ctx, map, &i, 0)) {
					ck_assert_int_eq(READ_ONCE(ctx.selected_sk->sk_protocol),
							 IPPROTO_UDP);
					atomic_fetch_add(&st->selects_ok, 1);
				}
			}
			rcu_read_unlock();
		}
		/* and the system-call door */
		for (u32 i = 0; i < SLOTS; i++)
			lookup(st->map_fd, i, NULL);
	}
	sockfd_put(me);
	sys_close(fd);
	bpf_map_put(map);
	return NULL;
}

static void *writer(void *arg)
{
	struct stress *st = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	while (!atomic_load(&st->stop)) {
		unsigned int r = rnd(&seed), slot = r % POOL, key = (r >> 6) % SLOTS;
		int fd;

		switch ((r >> 12) % 6) {
		case 0:	/* fill an empty pool slot with a new member */
		case 1:
			fd = new_member(st);
			if (fd < 0)
				break;
			{
				int expect = -1;

				if (!atomic_compare_exchange_strong(&st->pool[slot], &expect, fd))
					sys_close(fd);
			}
			break;
		case 2:	/* insert some pooled socket, any flag */
			fd = atomic_load(&st->pool[slot]);
			if (fd >= 0) {
				int rc = ins(st->map_fd, key, fd, (r >> 20) % 3);

				if (!rc)
					atomic_fetch_add(&st->inserts_ok, 1);
				else if (rc == -EBUSY)
					atomic_fetch_add(&st->busy, 1);
			}
			break;
		case 3:
			if (!del(st->map_fd, key))
				atomic_fetch_add(&st->deletes_ok, 1);
			break;
		case 4:	/* close: the socket leaves its group and its slot */
			fd = atomic_exchange(&st->pool[slot], -1);
			if (fd >= 0) {
				sys_close(fd);
				atomic_fetch_add(&st->closes, 1);
			}
			break;
		case 5:	/* put a socket into the second map too (usually EBUSY) */
			fd = atomic_load(&st->pool[slot]);
			if (fd >= 0)
				ins(atomic_load(&st->map2_fd), key % 4, fd, BPF_ANY);
			break;
		}
	}
	return NULL;
}

/* Replace the second map again and again: reuseport_array_free() against
 * bpf_sk_reuseport_detach() from the writers' closes. */
static void *map_churner(void *arg)
{
	struct stress *st = arg;

	while (!atomic_load(&st->stop)) {
		int nfd = map_create(8, 4, 0), old;

		if (nfd < 0)
			continue;
		for (u32 k = 0; k < 4; k++) {
			int fd = atomic_load(&st->pool[(k * 7) % POOL]);

			if (fd >= 0)
				ins(nfd, k, fd, BPF_ANY);
		}
		old = atomic_exchange(&st->map2_fd, nfd);
		if (old >= 0) {
			sys_close(old);		/* last descriptor: freed after a grace period */
			atomic_fetch_add(&st->maps_freed, 1);
		}
		usleep(200);
	}
	return NULL;
}

static void *checker(void *arg)
{
	struct stress *st = arg;

	while (!atomic_load(&st->stop)) {
		check_invariants(st);
		usleep(100);
	}
	return NULL;
}

START_TEST(readers_writers_closers_and_freed_maps)
{
	struct stress *st = calloc(1, sizeof(*st));
	pthread_t t[MAX_THREADS];
	int nt = 0, probe;

	probe = udp_bound(AF_INET, "127.0.0.1", 0, 1);
	st->port = port_of(probe);
	st->map_fd = map_create_ok(8, SLOTS, 0);
	atomic_store(&st->map2_fd, -1);
	for (int i = 0; i < POOL; i++)
		atomic_store(&st->pool[i], i < POOL / 2 ? new_member(st) : -1);

	pthread_create(&t[nt++], NULL, reader, st);
	pthread_create(&t[nt++], NULL, reader, st);
	pthread_create(&t[nt++], NULL, writer, st);
	pthread_create(&t[nt++], NULL, writer, st);
	pthread_create(&t[nt++], NULL, map_churner, st);
	pthread_create(&t[nt++], NULL, checker, st);
	usleep(stress_ms() * 1000);
	atomic_store(&st->stop, 1);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	check_invariants(st);
	fprintf(stderr, "stress: %ld hits, %ld selects, %ld inserts, %ld EBUSY, %ld deletes, "
		"%ld closes, %ld maps freed, %ld invariant checks\n",
		atomic_load(&st->lookups_hit), atomic_load(&st->selects_ok),
		atomic_load(&st->inserts_ok), atomic_load(&st->busy),
		atomic_load(&st->deletes_ok), atomic_load(&st->closes),
		atomic_load(&st->maps_freed), atomic_load(&st->checks));
	/* the races must actually have happened */
	ck_assert_int_gt(atomic_load(&st->lookups_hit), 0);
	ck_assert_int_gt(atomic_load(&st->inserts_ok), 0);
	ck_assert_int_gt(atomic_load(&st->closes), 0);
	ck_assert_int_gt(atomic_load(&st->maps_freed), 0);
	ck_assert_int_gt(atomic_load(&st->checks), 0);

	for (int i = 0; i < POOL; i++) {
		int fd = atomic_load(&st->pool[i]);

		if (fd >= 0)
			sys_close(fd);
	}
	sys_close(atomic_load(&st->map2_fd));
	sys_close(st->map_fd);
	sys_close(probe);
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();		/* every deferred free has run: LeakSanitizer sees all */
	free(st);
}
END_TEST

/* [book:free_vs_detach] */
struct free_race {
	int map_fd;
	int socks[SLOTS];
	atomic_int go;
};

static void *close_map(void *arg)
{
	struct free_race *fr = arg;

	while (!atomic_load(&fr->go))
		;
	sys_close(fr->map_fd);
	return NULL;
}

static void *close_socks(void *arg)
{
	struct free_race *fr = arg;

	while (!atomic_load(&fr->go))
		;
	for (int i = 0; i < SLOTS; i += 2)
		sys_close(fr->socks[i]);
	return NULL;
}

/*
 * Many rounds of: a full map, then its last descriptor and half its sockets
 * closed at the same moment.  reuseport_array_free() (on liburcu's callback
 * thread) and bpf_sk_reuseport_detach() (from the closes) race for the same
 * slots; afterwards no surviving socket may still point into the freed array.
 */
START_TEST(map_free_races_socket_close)
{
	long deadline = now_ms() + stress_ms();
	int rounds = 0;

	while (now_ms() < deadline) {
		struct free_race fr = { .go = 0 };
		pthread_t a, b;

		fr.map_fd = map_create_ok(8, SLOTS, 0);
		fr.socks[0] = udp_bound(AF_INET, "127.0.0.1", 0, 1);
		for (int i = 1; i < SLOTS; i++)
			fr.socks[i] = udp_bound(AF_INET, "127.0.0.1", port_of(fr.socks[0]), 1);
		for (int i = 0; i < SLOTS; i++)
			ck_assert_ret(ins(fr.map_fd, i, fr.socks[i], BPF_NOEXIST), 0);

		pthread_create(&a, NULL, close_map, &fr);
		pthread_create(&b, NULL, close_socks, &fr);
		atomic_store(&fr.go, 1);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		flush_workqueue(system_unbound_wq);	/* deferred map frees */
		rcu_barrier();	/* the deferred free has run */

		/* survivors are free again: a new map takes them */
		fr.map_fd = map_create_ok(8, SLOTS, 0);
		for (int i = 1; i < SLOTS; i += 2)
			ck_assert_ret(ins(fr.map_fd, i, fr.socks[i], BPF_NOEXIST), 0);
		for (int i = 1; i < SLOTS; i += 2)
			sys_close(fr.socks[i]);
		sys_close(fr.map_fd);
		rounds++;
	}
	flush_workqueue(system_unbound_wq);	/* deferred map frees */
	rcu_barrier();
	ck_assert_int_gt(rounds, 0);
}
END_TEST
/* [/book:free_vs_detach] */

static Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("races");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, readers_writers_closers_and_freed_maps);
	tcase_add_test(tc, map_free_races_socket_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stress_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
