/**
 * @file update.c
 * @brief RCU for the port: liburcu's "memb" flavour behind the kernel's
 *        names (the kernel's own lives in kernel/rcu/tree.c and update.c).
 *
 * Three things are added on top of liburcu:
 *  - automatic registration: a thread is registered on its first RCU call
 *    and unregistered when it exits, so the port's system calls work from
 *    any thread, as real system calls do;
 *  - lockdep-like checks: synchronize_rcu() or rcu_barrier() inside a
 *    read-side critical section aborts with a message (it would deadlock);
 *  - ThreadSanitizer annotations: liburcu 0.13 synchronises with inline
 *    assembly and futexes that TSan cannot see, so the grace period is
 *    declared to TSan by hand.  Every rcu_read_unlock() "releases" a token
 *    and every completed grace period "acquires" it: what a reader did
 *    before unlocking happens-before what the updater does after waiting.
 *    A missing grace period is therefore still reported.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <urcu/urcu-memb.h>

/* liburcu names its head struct rcu_head; keep it before ours takes the name. */
typedef struct rcu_head urcu_head_t;
/* liburcu's pointer macros; the port defines its own (kern/rcupdate.h) */
#undef rcu_dereference
#undef rcu_assign_pointer

#include "kern/rcupdate.h"

#if defined(__SANITIZE_THREAD__)
# define KERN_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define KERN_TSAN 1
# endif
#endif

#ifdef KERN_TSAN
# include <sanitizer/tsan_interface.h>
static char tsan_grace_period;	/* the token; only its address matters */
# define tsan_gp_release()	__tsan_release(&tsan_grace_period)
# define tsan_gp_acquire()	__tsan_acquire(&tsan_grace_period)
# define tsan_release(a)	__tsan_release((void *)(a))
# define tsan_acquire(a)	__tsan_acquire((void *)(a))
#else
# define tsan_gp_release()	do { } while (0)
# define tsan_gp_acquire()	do { } while (0)
# define tsan_release(a)	do { } while (0)
# define tsan_acquire(a)	do { } while (0)
#endif

_Static_assert(sizeof(urcu_head_t) <= sizeof(((struct callback_head *)0)->urcu_head),
	       "liburcu's rcu_head does not fit in callback_head");

static __thread int rcu_registered;	/* 1 once this thread is registered */
static __thread int rcu_nesting;	/* depth of rcu_read_lock() */
static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;

static void rcu_thread_exit(void *unused)
{
	(void)unused;
	if (rcu_registered) {
		urcu_memb_unregister_thread();
		rcu_registered = 0;
	}
}

static void rcu_make_key(void)
{
	if (pthread_key_create(&rcu_exit_key, rcu_thread_exit)) {
		fputs("rcu: pthread_key_create failed\n", stderr);
		abort();
	}
}

/* [book:urcu_register] */
/* Register the calling thread with liburcu the first time it uses RCU. */
static void rcu_ensure_registered(void)
{
	if (likely(rcu_registered))
		return;
	pthread_once(&rcu_key_once, rcu_make_key);
	urcu_memb_register_thread();
	rcu_registered = 1;
	/* any non-NULL value makes the destructor run at thread exit */
	pthread_setspecific(rcu_exit_key, &rcu_registered);
}
/* [/book:urcu_register] */

void kern_rcu_lockdep_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "RCU check failed: %s at %s:%d\n", what, file, line);
	abort();
}

/* [book:urcu_wrappers] */
/** Port of rcu_read_lock(): enter a read-side critical section. */
void kern_rcu_read_lock(void)
{
	rcu_ensure_registered();
	urcu_memb_read_lock();
	rcu_nesting++;
}

/** Port of rcu_read_unlock(). */
void kern_rcu_read_unlock(void)
{
	if (rcu_nesting <= 0)
		kern_rcu_lockdep_fail("rcu_read_unlock() without rcu_read_lock()",
				      __FILE__, __LINE__);
	rcu_nesting--;
	tsan_gp_release();
	urcu_memb_read_unlock();
}

/** Is this thread inside rcu_read_lock()? */
bool kern_rcu_read_lock_held(void)
{
	return rcu_nesting > 0;
}

/** Port of synchronize_rcu(): wait for all pre-existing readers. */
void kern_synchronize_rcu(void)
{
	if (rcu_nesting)
		kern_rcu_lockdep_fail("synchronize_rcu() inside rcu_read_lock()",
				      __FILE__, __LINE__);
	rcu_ensure_registered();
	urcu_memb_synchronize_rcu();
	tsan_gp_acquire();
}
/* [/book:urcu_wrappers] */

/* Runs in liburcu's call_rcu thread: hand the head back to its owner. */
static void rcu_callback_trampoline(urcu_head_t *uhead)
{
	struct callback_head *head =
		container_of((void *)uhead, struct callback_head, urcu_head);

	/* liburcu registers its worker threads itself */
	rcu_registered = 1;
	tsan_acquire(head);
	tsan_gp_acquire();
	head->func(head);
	/* for rcu_barrier(): the callback's work happens-before its return */
	tsan_gp_release();
}

/** Port of call_rcu(): run @p func after a grace period. */
void kern_call_rcu(struct callback_head *head, rcu_callback_t func)
{
	rcu_ensure_registered();
	head->func = func;
	tsan_release(head);
	urcu_memb_call_rcu((urcu_head_t *)(void *)head->urcu_head,
			   rcu_callback_trampoline);
}

/** Port of rcu_barrier(): wait for every queued callback to finish. */
void kern_rcu_barrier(void)
{
	if (rcu_nesting)
		kern_rcu_lockdep_fail("rcu_barrier() inside rcu_read_lock()",
				      __FILE__, __LINE__);
	rcu_ensure_registered();
	urcu_memb_barrier();
	tsan_gp_acquire();
}
