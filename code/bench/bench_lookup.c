/*
 * bench_lookup: reader throughput of the map's data path under four
 * synchronisation disciplines, with and without a concurrent writer.
 *
 * Each reader does what bpf_sk_select_reuseport() does for every packet
 * that reaches a reuseport group with an SK_REUSEPORT program: look a slot
 * up through map->ops->map_lookup_elem() of a real REUSEPORT_SOCKARRAY map
 * and use the socket it finds (its group and its id).  It calls the port's
 * helper itself.  What changes between disciplines is only what surrounds
 * that call:
 *
 *   rcu     rcu_read_lock() / rcu_read_unlock(): the port's real path
 *           (liburcu, memb flavour, behind the kernel's names)
 *   rwlock  pthread_rwlock_rdlock() / pthread_rwlock_unlock()
 *   mutex   pthread_mutex_lock() / pthread_mutex_unlock()
 *   raw     nothing: the floor, measured without a writer only
 *
 * The writer, when there is one, deletes and re-inserts one slot in a loop
 * through the port's bpf(2) (reuseport_lock, the socket's callback lock,
 * rcu_assign_pointer()); under rwlock and mutex it also takes the write
 * side of the readers' lock around each call.
 *
 * Output: CSV on stdout or -o FILE, one row per point, preceded by '#'
 * lines describing the machine and the run.  Every point runs -r times
 * (default 3) for -d seconds (default 0.5) after a warm-up; the row holds
 * the median run's operations per second per reader.  At the end, stderr
 * gets the ratios the run measured (RCU against each other discipline).
 * With -s FILE it also
 * times synchronize_rcu() while 0, 1 and 2 RCU readers run (-n: only that).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kern/bpf.h"
#include "kern/err.h"
#include "kern/filter.h"
#include "kern/net.h"
#include "kern/rcupdate.h"
#include "kern/sock.h"
#include "kern/sock_reuseport.h"
#include "sockarray/syscalls.h"

#ifndef BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY 20
#endif

#define SLOTS		16	/* a power of two: the key walk is a mask */
#define WRITER_SLOT	(SLOTS - 1)
#define MAX_READERS	2
#define BATCH		64	/* lookups between two looks at the stop flag */
#define CACHELINE	64

enum discipline { D_RCU, D_RWLOCK, D_MUTEX, D_RAW, D_COUNT };

static const char *const discipline_name[D_COUNT] = {
	[D_RCU] = "rcu", [D_RWLOCK] = "rwlock", [D_MUTEX] = "mutex", [D_RAW] = "raw",
};

/* One reader's counter, alone on its cache line so that counting is free. */
struct counter {
	_Alignas(CACHELINE) atomic_ulong ops;
};

struct bench {
	/* read-mostly part */
	struct bpf_map *map;
	int map_fd;
	int sock_fd[SLOTS];
	struct sk_reuseport_kern ctx;	/* the receiving socket and its group */
	enum discipline disc;
	int pin;
	/* the readers' lock words, each on its own line, as a real map's would be */
	_Alignas(CACHELINE) pthread_rwlock_t rwlock;
	_Alignas(CACHELINE) pthread_mutex_t mutex;
	_Alignas(CACHELINE) atomic_int stop;
	_Alignas(CACHELINE) atomic_int go;
	struct counter readers[MAX_READERS];
	struct counter writes;
	atomic_int failed;		/* a lookup went wrong: the run is void */
};

struct thread_arg {
	struct bench *b;
	int id;
};

static void die(const char *what)
{
	fprintf(stderr, "bench_lookup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pin_to(int cpu)
{
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(cpu % (ncpu > 0 ? ncpu : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* One lookup as the helper does it; 1 if the slot held a socket of the group. */
static inline int select_one(struct bench *b, struct sk_reuseport_kern *ctx, u32 key)
{
	return bpf_sk_select_reuseport(ctx, b->map, &key, 0) == 0;
}

/* [book:bench_readers] */
static unsigned long run_rcu(struct bench *b, struct sk_reuseport_kern *ctx, u32 *key)
{
	unsigned long hits = 0;

	for (int i = 0; i < BATCH; i++) {
		rcu_read_lock();
		hits += select_one(b, ctx, *key);
		rcu_read_unlock();
		*key = (*key + 1) & (SLOTS - 1);
	}
	return hits;
}

static unsigned long run_rwlock(struct bench *b, struct sk_reuseport_kern *ctx, u32 *key)
{
	unsigned long hits = 0;

	for (int i = 0; i < BATCH; i++) {
		pthread_rwlock_rdlock(&b->rwlock);
		hits += select_one(b, ctx, *key);
		pthread_rwlock_unlock(&b->rwlock);
		*key = (*key + 1) & (SLOTS - 1);
	}
	return hits;
}

static unsigned long run_mutex(struct bench *b, struct sk_reuseport_kern *ctx, u32 *key)
{
	unsigned long hits = 0;

	for (int i = 0; i < BATCH; i++) {
		pthread_mutex_lock(&b->mutex);
		hits += select_one(b, ctx, *key);
		pthread_mutex_unlock(&b->mutex);
		*key = (*key + 1) & (SLOTS - 1);
	}
	return hits;
}

/* The floor: no protection at all, so never run against a writer. */
static unsigned long run_raw(struct bench *b, struct sk_reuseport_kern *ctx, u32 *key)
{
	unsigned long hits = 0;

	for (int i = 0; i < BATCH; i++) {
		hits += select_one(b, ctx, *key);
		*key = (*key + 1) & (SLOTS - 1);
	}
	return hits;
}
/* [/book:bench_readers] */

static void *reader(void *p)
{
	struct thread_arg *a = p;
	struct bench *b = a->b;
	struct sk_reuseport_kern ctx = b->ctx;	/* private: the helper writes it */
	unsigned long n = 0, hits = 0;
	u32 key = (u32)a->id * (SLOTS / MAX_READERS);

	if (b->pin)
		pin_to(a->id);
	/* [book:bench_register] */
	/*
	 * The port registers a thread with liburcu on its first RCU call
	 * (rcu_ensure_registered(), code/kernel/rcu/update.c).  Make that
	 * call now, before the clock starts, so that the measured loop is
	 * the steady state: urcu_memb_read_lock() on a registered thread.
	 */
	if (b->disc == D_RCU) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	/* [/book:bench_register] */
	while (!atomic_load(&b->go))
		;
	while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
		switch (b->disc) {
		case D_RCU:
			hits += run_rcu(b, &ctx, &key);
			break;
		case D_RWLOCK:
			hits += run_rwlock(b, &ctx, &key);
			break;
		case D_MUTEX:
			hits += run_mutex(b, &ctx, &key);
			break;
		default:
			hits += run_raw(b, &ctx, &key);
			break;
		}
		n += BATCH;
		atomic_store_explicit(&b->readers[a->id].ops, n, memory_order_relaxed);
	}
	/* every slot but the writer's is always full: most lookups must hit */
	if (hits < n / 2)
		atomic_store(&b->failed, 1);
	return NULL;
}

static int map_elem(int cmd, int map_fd, u32 key, int sock_fd)
{
	union bpf_attr attr;
	__u64 value = (__u64)sock_fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (__u64)(uintptr_t)&key;
	/* bpf(2) wants every field after the command's last one zero */
	if (cmd == BPF_MAP_UPDATE_ELEM) {
		attr.value = (__u64)(uintptr_t)&value;
		attr.flags = BPF_ANY;
	}
	return sys_bpf(cmd, &attr, sizeof(attr));
}

/* [book:bench_writer] */
static void writer_lock(struct bench *b)
{
	if (b->disc == D_RWLOCK)
		pthread_rwlock_wrlock(&b->rwlock);
	else if (b->disc == D_MUTEX)
		pthread_mutex_lock(&b->mutex);
}

static void writer_unlock(struct bench *b)
{
	if (b->disc == D_RWLOCK)
		pthread_rwlock_unlock(&b->rwlock);
	else if (b->disc == D_MUTEX)
		pthread_mutex_unlock(&b->mutex);
}

/* Empty one slot and fill it again, through the port's bpf(2), forever. */
static void *writer(void *p)
{
	struct thread_arg *a = p;
	struct bench *b = a->b;
	unsigned long n = 0;

	if (b->pin)
		pin_to(a->id);
	while (!atomic_load(&b->go))
		;
	while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
		writer_lock(b);
		if (map_elem(BPF_MAP_DELETE_ELEM, b->map_fd, WRITER_SLOT, -1))
			atomic_store(&b->failed, 1);
		writer_unlock(b);
		writer_lock(b);
		if (map_elem(BPF_MAP_UPDATE_ELEM, b->map_fd, WRITER_SLOT,
			     b->sock_fd[WRITER_SLOT]))
			atomic_store(&b->failed, 1);
		writer_unlock(b);
		n += 2;
		atomic_store_explicit(&b->writes.ops, n, memory_order_relaxed);
	}
	return NULL;
}
/* [/book:bench_writer] */

static void setup(struct bench *b)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	union bpf_attr attr;
	struct socket *sock;
	int one = 1, err;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < SLOTS; i++) {
		int fd = sys_socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0 || sys_setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
		    sys_bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
			die("socket/bind");
		if (i == 0 && sys_getsockname(fd, (struct sockaddr *)&addr, &len))
			die("getsockname");
		b->sock_fd[i] = fd;
	}

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_REUSEPORT_SOCKARRAY;
	attr.key_size = sizeof(u32);
	attr.value_size = sizeof(u64);
	attr.max_entries = SLOTS;
	b->map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (b->map_fd < 0)
		die("BPF_MAP_CREATE");
	for (u32 i = 0; i < SLOTS; i++)
		if (map_elem(BPF_MAP_UPDATE_ELEM, b->map_fd, i, b->sock_fd[i]))
			die("BPF_MAP_UPDATE_ELEM");
	b->map = bpf_map_get(b->map_fd);
	if (IS_ERR_OR_NULL(b->map))
		die("bpf_map_get");

	/* the packet "arrived" at socket 0: the helper checks the group id */
	sock = sockfd_lookup(b->sock_fd[0], &err);
	if (!sock)
		die("sockfd_lookup");
	b->ctx.sk = sock->sk;
	rcu_read_lock();
	b->ctx.reuseport_id = rcu_dereference(sock->sk->sk_reuseport_cb)->reuseport_id;
	rcu_read_unlock();
	sockfd_put(sock);	/* the descriptor keeps the socket alive */

	pthread_rwlock_init(&b->rwlock, NULL);
	pthread_mutex_init(&b->mutex, NULL);
}

static void teardown(struct bench *b)
{
	bpf_map_put(b->map);
	sys_close(b->map_fd);
	for (int i = 0; i < SLOTS; i++)
		sys_close(b->sock_fd[i]);
	pthread_rwlock_destroy(&b->rwlock);
	pthread_mutex_destroy(&b->mutex);
}

struct result {
	double reader_ops;	/* per reader per second */
	double writer_ops;	/* map operations per second */
	double cpu_share;	/* of the wall time, how much a reader was on a CPU */
};

static double thread_cpu_s(pthread_t t)
{
	struct timespec ts;
	clockid_t cid;

	if (pthread_getcpuclockid(t, &cid) || clock_gettime(cid, &ts))
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int all_progressed(struct bench *b, int nreaders, const unsigned long *r0,
			  int with_writer, unsigned long w0)
{
	for (int i = 0; i < nreaders; i++)
		if (atomic_load(&b->readers[i].ops) == r0[i])
			return 0;
	return !with_writer || atomic_load(&b->writes.ops) != w0;
}

/* One timed run: warm up, then count for at least @duration seconds. */
static struct result run_once(struct bench *b, int with_writer, int nreaders,
			      double warmup, double duration)
{
	struct thread_arg args[MAX_READERS + 1];
	pthread_t t[MAX_READERS + 1];
	unsigned long r0[MAX_READERS], r1[MAX_READERS], w0, w1;
	double t0, t1, sum = 0, c0[MAX_READERS], c1[MAX_READERS], cpu = 0;
	struct result res;
	int nt = 0;

	atomic_store(&b->stop, 0);
	atomic_store(&b->go, 0);
	for (int i = 0; i < MAX_READERS; i++)
		atomic_store(&b->readers[i].ops, 0);
	atomic_store(&b->writes.ops, 0);

	for (int i = 0; i < nreaders; i++, nt++) {
		args[nt] = (struct thread_arg){ .b = b, .id = i };
		if (pthread_create(&t[nt], NULL, reader, &args[nt]))
			die("pthread_create");
	}
	if (with_writer) {
		args[nt] = (struct thread_arg){ .b = b, .id = nreaders };
		if (pthread_create(&t[nt], NULL, writer, &args[nt]))
			die("pthread_create");
		nt++;
	}
	atomic_store(&b->go, 1);
	sleep_s(warmup);

	w0 = atomic_load(&b->writes.ops);
	for (int i = 0; i < nreaders; i++) {
		r0[i] = atomic_load(&b->readers[i].ops);
		c0[i] = thread_cpu_s(t[i]);
	}
	t0 = now_s();
	sleep_s(duration);
	/*
	 * On a loaded machine a thread may not have run at all in a short
	 * window.  Stretch the window until every thread has, within a bound:
	 * the rates stay counts divided by the real elapsed time.
	 */
	while (!all_progressed(b, nreaders, r0, with_writer, w0) &&
	       now_s() - t0 < duration * 20 + 1)
		sleep_s(0.001);
	t1 = now_s();
	w1 = atomic_load(&b->writes.ops);
	for (int i = 0; i < nreaders; i++) {
		r1[i] = atomic_load(&b->readers[i].ops);
		c1[i] = thread_cpu_s(t[i]);
	}

	atomic_store(&b->stop, 1);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	for (int i = 0; i < nreaders; i++) {
		sum += (double)(r1[i] - r0[i]);
		cpu += c1[i] - c0[i];
	}
	res.cpu_share = cpu / nreaders / (t1 - t0);
	res.reader_ops = sum / nreaders / (t1 - t0);
	res.writer_ops = (double)(w1 - w0) / (t1 - t0);
	return res;
}

static int cmp_result(const void *x, const void *y)
{
	double a = ((const struct result *)x)->reader_ops;
	double b = ((const struct result *)y)->reader_ops;

	return (a > b) - (a < b);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static void loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l1 = 0, l5 = 0, l15 = 0;

	if (!f || fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) != 3)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%.2f %.2f %.2f", l1, l5, l15);
	if (f)
		fclose(f);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* [book:bench_sync] */
/*
 * The writer's side: how long synchronize_rcu() takes on the port while 0,
 * 1 or 2 RCU readers run the lookup loop flat out.  The main thread (a
 * registered RCU thread, outside any read-side section) waits for grace
 * periods back to back for @duration seconds.
 */
static void measure_sync(struct bench *b, double warmup, double duration,
			 const char *path)
{
	FILE *f = fopen(path, "w");
	size_t cap = 1 << 20;
	double *lat = malloc(cap * sizeof(*lat));

	if (!f || !lat)
		die(path);
	fprintf(f, "RCU readers running,Grace periods timed,Median (us),"
		"Fastest (us),Slowest (us)\n");
	b->disc = D_RCU;
	for (int nr = 0; nr <= MAX_READERS; nr++) {
		struct thread_arg args[MAX_READERS];
		pthread_t t[MAX_READERS];
		size_t n = 0;
		double end;

		atomic_store(&b->stop, 0);
		atomic_store(&b->go, 0);
		for (int i = 0; i < nr; i++) {
			args[i] = (struct thread_arg){ .b = b, .id = i };
			if (pthread_create(&t[i], NULL, reader, &args[i]))
				die("pthread_create");
		}
		atomic_store(&b->go, 1);
		sleep_s(warmup);
		end = now_s() + duration;
		while (n < cap && (now_s() < end || n < 3)) {
			double t0 = now_s();

			synchronize_rcu();
			lat[n++] = (now_s() - t0) * 1e6;
		}
		atomic_store(&b->stop, 1);
		for (int i = 0; i < nr; i++)
			pthread_join(t[i], NULL);
		qsort(lat, n, sizeof(*lat), cmp_double);
		fprintf(f, "%d,%zu,%.1f,%.1f,%.1f\n", nr, n, lat[n / 2], lat[0], lat[n - 1]);
		fprintf(stderr, "synchronize_rcu() with %d readers: median %.1f us over %zu\n",
			nr, lat[n / 2], n);
	}
	free(lat);
	if (fclose(f))
		die(path);
}
/* [/book:bench_sync] */

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-d seconds] [-r repeats] [-w warmup_seconds] [-p] [-o file.csv]\n"
		"       [-s sync.csv [-n]]\n"
		"  -d  timed duration of each run (default 0.5)\n"
		"  -r  runs per point; the median is reported (default 3)\n"
		"  -w  warm-up before each timed run (default 0.1)\n"
		"  -p  pin reader i to CPU i and the writer to the next CPU\n"
		"  -o  write the CSV there instead of standard output\n"
		"  -s  also time synchronize_rcu() with 0, 1 and 2 RCU readers running,\n"
		"      and write that CSV there\n"
		"  -n  with -s: only that, not the readers' throughput\n", prog);
	exit(2);
}

/*
 * The ratios this run measured, on stderr (stdout may be the CSV): RCU's
 * reader throughput divided by each lock's at the same point, and by the
 * unprotected floor (which runs without a writer only).
 */
static void print_ratios(const struct result *res, int (*key)[3], int rows)
{
	double ops[D_COUNT][2][MAX_READERS + 1] = { { { 0 } } };

	for (int i = 0; i < rows; i++)
		ops[key[i][0]][key[i][1]][key[i][2]] = res[i].reader_ops;

	fprintf(stderr, "\nRCU's lookups per second per reader, divided by:\n");
	fprintf(stderr, "%-22s %12s %12s %12s %12s\n", "", "no writer,1", "no writer,2",
		"writer,1", "writer,2");
	for (int d = 0; d < D_COUNT; d++) {
		if (d == D_RCU)
			continue;
		fprintf(stderr, "%-22s", d == D_RAW ? "raw (no writer)" : discipline_name[d]);
		for (int w = 0; w <= 1; w++) {
			for (int nr = 1; nr <= MAX_READERS; nr++) {
				double other = ops[d][d == D_RAW ? 0 : w][nr];

				if (other > 0 && ops[D_RCU][w][nr] > 0)
					fprintf(stderr, " %12.2f", ops[D_RCU][w][nr] / other);
				else
					fprintf(stderr, " %12s", "-");
			}
		}
		fprintf(stderr, "\n");
	}
}

int main(int argc, char **argv)
{
	static struct bench bench;
	double duration = 0.5, warmup = 0.1;
	int repeats = 3, opt, rows = 0, sync_only = 0;
	const char *out_path = NULL, *sync_path = NULL;
	char cpu[128], load_start[64], load_end[64], when[64];
	struct result rows_res[D_COUNT * 2 * MAX_READERS];
	double rows_min[D_COUNT * 2 * MAX_READERS], rows_max[D_COUNT * 2 * MAX_READERS];
	int rows_key[D_COUNT * 2 * MAX_READERS][3];
	struct utsname uts;
	time_t t = time(NULL);
	FILE *out = stdout;

	while ((opt = getopt(argc, argv, "d:r:w:po:s:nh")) != -1) {
		switch (opt) {
		case 'd':
			duration = atof(optarg);
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'p':
			bench.pin = 1;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 's':
			sync_path = optarg;
			break;
		case 'n':
			sync_only = 1;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (duration <= 0 || warmup < 0 || repeats < 1 || repeats > 99 ||
	    (sync_only && !sync_path))
		usage(argv[0]);

	cpu_model(cpu, sizeof(cpu));
	loadavg(load_start, sizeof(load_start));
	uname(&uts);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	setup(&bench);

	for (int d = 0; d < D_COUNT && !sync_only; d++) {
		for (int w = 0; w <= 1; w++) {
			/* the floor has no protection: a writer would make it a bug */
			if (d == D_RAW && w)
				continue;
			for (int nr = 1; nr <= MAX_READERS; nr++) {
				struct result runs[99];

				bench.disc = d;
				for (int r = 0; r < repeats; r++)
					runs[r] = run_once(&bench, w, nr, warmup, duration);
				qsort(runs, repeats, sizeof(runs[0]), cmp_result);
				rows_res[rows] = runs[repeats / 2];
				rows_min[rows] = runs[0].reader_ops;
				rows_max[rows] = runs[repeats - 1].reader_ops;
				rows_key[rows][0] = d;
				rows_key[rows][1] = w;
				rows_key[rows][2] = nr;
				rows++;
				fprintf(stderr, "%-6s writer=%d readers=%d  %12.0f ops/s/reader\n",
					discipline_name[d], w, nr, runs[repeats / 2].reader_ops);
			}
		}
	}
	if (sync_path)
		measure_sync(&bench, warmup, duration, sync_path);
	loadavg(load_end, sizeof(load_end));
	if (atomic_load(&bench.failed)) {
		fprintf(stderr, "bench_lookup: a lookup or a map update failed; no results\n");
		return 1;
	}

	if (sync_only) {
		teardown(&bench);
		return 0;
	}
	if (out_path && !(out = fopen(out_path, "w")))
		die(out_path);
	fprintf(out, "# bench_lookup: reader throughput of bpf_sk_select_reuseport() on the port\n");
	fprintf(out, "# machine: %s, %ld CPUs online, Linux %s %s\n", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), uts.release, uts.machine);
	fprintf(out, "# date: %s\n", when);
	fprintf(out, "# run: %.2f s per run, %d runs per point (median), %.2f s warm-up, "
		"%s, %d slots, writer on slot %d\n", duration, repeats, warmup,
		bench.pin ? "threads pinned" : "threads not pinned", SLOTS, WRITER_SLOT);
	fprintf(out, "# load average: %s at start, %s at end\n", load_start, load_end);
	fprintf(out, "# compiler: %s %s, port built -O2 -DNDEBUG, liburcu memb flavour\n",
#ifdef __clang__
		"clang",
#else
		"gcc",
#endif
		__VERSION__);
	fprintf(out, "# columns: ops_per_sec and ns_per_op per reader (wall clock); "
		"writer_ops_per_sec = map updates + deletes; reader_cpu_share = "
		"fraction of the time a reader was on a CPU; min and max of ops_per_sec "
		"over the runs\n");
	fprintf(out, "discipline,writer,readers,ops_per_sec,ns_per_op,writer_ops_per_sec,"
		"reader_cpu_share,ops_per_sec_min,ops_per_sec_max\n");
	for (int i = 0; i < rows; i++)
		fprintf(out, "%s,%s,%d,%.0f,%.2f,%.0f,%.2f,%.0f,%.0f\n",
			discipline_name[rows_key[i][0]], rows_key[i][1] ? "yes" : "no",
			rows_key[i][2], rows_res[i].reader_ops, 1e9 / rows_res[i].reader_ops,
			rows_res[i].writer_ops, rows_res[i].cpu_share, rows_min[i], rows_max[i]);
	if (out != stdout && fclose(out))
		die(out_path);
	print_ratios(rows_res, rows_key, rows);

	teardown(&bench);
	return 0;
}
