/**
 * @file toy.c
 * @brief A toy RCU: per-thread grace-period snapshots and a global counter.
 *
 * The book's RCU chapter builds it to watch a grace period happen; the
 * port itself uses liburcu (update.c).  The design is liburcu's in
 * miniature: a registry of reader threads, each announcing in its own word
 * when its critical section began, and an updater that polls those words.
 * What the toy leaves out (and liburcu does) is in the chapter.
 *
 * Memory ordering, in C11 terms:
 *  - a reader's announcement and the updater's look at it are both
 *    read-modify-writes of the reader's word, so whichever comes second
 *    "sees" the first: either the updater sees the reader inside, or the
 *    reader's later loads see everything the updater did before looking
 *    (the unpublished pointer included).  The kernel and liburcu put a
 *    full barrier (smp_mb()) on each side instead; ThreadSanitizer does not
 *    model fences, but it does model this;
 *  - toy_rcu_read_unlock() is a release store, and the updater's look is
 *    also an acquire: what the reader did inside happens-before whatever
 *    the updater does once it has seen the word change.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "kern/compiler.h"
#include "kern/rcupdate.h"
#include "kern/toy_rcu.h"

/* Grace-period number; starts at 1 so that a snapshot is never 0. */
static unsigned long toy_rcu_gp_seq = 1;
/* Serializes updaters, and guards the registry. */
static pthread_mutex_t toy_rcu_gp_lock = PTHREAD_MUTEX_INITIALIZER;
/* Every registered reader. */
static struct toy_rcu_reader *toy_rcu_registry;

static __thread struct toy_rcu_reader toy_rcu_self;
static __thread int toy_rcu_registered;
static __thread int toy_rcu_nesting;

int toy_rcu_register_thread(void)
{
	if (toy_rcu_registered)
		return -EBUSY;
	pthread_mutex_lock(&toy_rcu_gp_lock);
	toy_rcu_self.ctr = 0;
	toy_rcu_self.next = toy_rcu_registry;
	toy_rcu_registry = &toy_rcu_self;
	pthread_mutex_unlock(&toy_rcu_gp_lock);
	toy_rcu_registered = 1;
	return 0;
}

int toy_rcu_unregister_thread(void)
{
	struct toy_rcu_reader **pp;

	if (!toy_rcu_registered)
		return -EINVAL;
	if (toy_rcu_nesting)
		return -EBUSY;
	pthread_mutex_lock(&toy_rcu_gp_lock);
	for (pp = &toy_rcu_registry; *pp != &toy_rcu_self; pp = &(*pp)->next)
		;
	*pp = toy_rcu_self.next;
	pthread_mutex_unlock(&toy_rcu_gp_lock);
	toy_rcu_registered = 0;
	return 0;
}

/* [book:toy_read_side] */
void toy_rcu_read_lock(void)
{
	unsigned long snap;

	RCU_LOCKDEP_CHECK(toy_rcu_registered,
			  "toy_rcu_read_lock() in an unregistered thread");
	if (toy_rcu_nesting++)
		return;		/* nested: the outermost section counts */
	snap = __atomic_load_n(&toy_rcu_gp_seq, __ATOMIC_ACQUIRE);
	/* Announce, then read: the exchange orders the two (file comment). */
	__atomic_exchange_n(&toy_rcu_self.ctr, snap, __ATOMIC_SEQ_CST);
}

void toy_rcu_read_unlock(void)
{
	RCU_LOCKDEP_CHECK(toy_rcu_nesting > 0,
			  "toy_rcu_read_unlock() without toy_rcu_read_lock()");
	if (--toy_rcu_nesting)
		return;
	/* Everything read inside happens-before an updater seeing the 0. */
	__atomic_store_n(&toy_rcu_self.ctr, 0, __ATOMIC_RELEASE);
}
/* [/book:toy_read_side] */

bool toy_rcu_read_lock_held(void)
{
	return toy_rcu_nesting > 0;
}

unsigned long toy_rcu_gp_started(void)
{
	return __atomic_load_n(&toy_rcu_gp_seq, __ATOMIC_ACQUIRE);
}

/* [book:toy_helpers] */
/*
 * Where reader @r is: 0 outside a critical section, else the grace period
 * its section began in.  A read-modify-write that changes nothing (adding
 * 0) rather than a load: it pairs with the reader's exchange.
 */
static inline unsigned long toy_rcu_reader_state(struct toy_rcu_reader *r)
{
	return __atomic_fetch_add(&r->ctr, 0, __ATOMIC_SEQ_CST);
}

/* Let a reader run for a moment; liburcu sleeps on a futex instead. */
static inline void toy_rcu_pause(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 };

	nanosleep(&ts, NULL);
}
/* [/book:toy_helpers] */

/* [exercise:toy_rcu] */
/* [book:toy_synchronize] */
/*
 * Wait for a grace period.  The toy's synchronize_rcu().
 *
 * Starts grace period number N by incrementing toy_rcu_gp_seq (a reader
 * that locks from now on announces N or more), then waits for each
 * registered reader until its word is 0 (outside) or at least N (a
 * section that began after the increment).  A reader that announced less
 * than N was inside before the call began: that is whom we wait for.
 */
void toy_synchronize_rcu(void)
{
	struct toy_rcu_reader *r;
	unsigned long gp, state;

	RCU_LOCKDEP_CHECK(!toy_rcu_nesting,
			  "toy_synchronize_rcu() inside toy_rcu_read_lock()");
	pthread_mutex_lock(&toy_rcu_gp_lock);
	gp = __atomic_add_fetch(&toy_rcu_gp_seq, 1, __ATOMIC_SEQ_CST);
	for (r = toy_rcu_registry; r; r = r->next) {
		for (;;) {
			state = toy_rcu_reader_state(r);
			if (state == 0 || state >= gp)
				break;
			toy_rcu_pause();
		}
	}
	pthread_mutex_unlock(&toy_rcu_gp_lock);
}
/* [/book:toy_synchronize] */
/* [/exercise:toy_rcu] */
