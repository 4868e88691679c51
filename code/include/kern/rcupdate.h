/**
 * @file rcupdate.h
 * @brief The kernel's RCU API (include/linux/rcupdate.h) on top of liburcu.
 *
 * Read-side critical sections, grace periods and deferred callbacks are
 * liburcu's "memb" flavour (kernel/rcu/update.c in the port wraps it).  The
 * pointer accessors are C11 atomics: rcu_dereference() is a consume load
 * (compilers implement it as acquire), rcu_assign_pointer() a release store,
 * the same orderings liburcu's and the kernel's macros provide, in a form
 * ThreadSanitizer can see.
 *
 * Threads need not register with liburcu by hand: the first RCU call in a
 * thread registers it, and it is unregistered when it exits.
 *
 * @def rcu_dereference(p)
 * Load RCU pointer @p p inside rcu_read_lock(); the result may be
 * dereferenced until rcu_read_unlock().
 * @def rcu_dereference_check(p, c)
 * rcu_dereference() that is also legal where condition @p c holds (a lock);
 * in debug builds it aborts if neither @p c nor an RCU read lock holds.
 * @def rcu_dereference_protected(p, c)
 * Load @p p where its writers are excluded by condition @p c (the update-side
 * lock is held): no ordering needed, but @p c is checked in debug builds.
 * @def rcu_access_pointer(p)
 * Load the value of @p p only to test or compare it, never to dereference it.
 * @def rcu_assign_pointer(p, v)
 * Publish @p v in RCU pointer @p p: everything written to *v before is
 * visible to a reader that sees the new pointer (release store).
 * @def RCU_INIT_POINTER(p, v)
 * Store @p v without ordering: for NULL, or for a pointer readers cannot
 * reach yet.
 * @def rcu_head
 * The kernel's name for a callback_head (include/linux/types.h does this too).
 */
#ifndef KERN_RCUPDATE_H
#define KERN_RCUPDATE_H

#include <stdbool.h>
#include <stdlib.h>

#include "compiler.h"

/**
 * @brief A deferred call: what call_rcu() queues (include/linux/types.h).
 *
 * Embed it in the object to be freed; the callback gets it back and uses
 * container_of() to find the object.
 */
struct callback_head {
	/** room for liburcu's own queue node, which does the queueing */
	_Alignas(8) unsigned char urcu_head[16];
	/** function to call after a grace period */
	void (*func)(struct callback_head *head);
};

#define rcu_head callback_head

/** Type of a call_rcu() callback. */
typedef void (*rcu_callback_t)(struct callback_head *head);

void kern_rcu_read_lock(void);
void kern_rcu_read_unlock(void);
void kern_synchronize_rcu(void);
void kern_call_rcu(struct callback_head *head, rcu_callback_t func);
void kern_rcu_barrier(void);
bool kern_rcu_read_lock_held(void);
void kern_rcu_lockdep_fail(const char *what, const char *file, int line);

/** Begin an RCU read-side critical section (may nest). */
static inline void rcu_read_lock(void)
{
	kern_rcu_read_lock();
}

/** End an RCU read-side critical section. */
static inline void rcu_read_unlock(void)
{
	kern_rcu_read_unlock();
}

/**
 * Wait until every RCU read-side critical section that began before this
 * call has ended.  Must not be called inside one (debug builds abort).
 */
static inline void synchronize_rcu(void)
{
	kern_synchronize_rcu();
}

/**
 * Call @p func(@p head) after a grace period, from liburcu's call_rcu
 * thread (the kernel runs it from softirq context).
 * @param head the callback_head embedded in the object
 * @param func the callback
 */
static inline void call_rcu(struct callback_head *head, rcu_callback_t func)
{
	kern_call_rcu(head, func);
}

/** Wait until every callback queued by call_rcu() so far has run. */
static inline void rcu_barrier(void)
{
	kern_rcu_barrier();
}

/**
 * Is the calling thread inside rcu_read_lock()?
 * @return true inside a read-side critical section
 */
static inline bool rcu_read_lock_held(void)
{
	return kern_rcu_read_lock_held();
}

#ifdef NDEBUG
# define RCU_LOCKDEP_CHECK(c, what) ((void)0)
#else
# define RCU_LOCKDEP_CHECK(c, what) \
	((c) ? (void)0 : kern_rcu_lockdep_fail(what, __FILE__, __LINE__))
#endif

/* [book:rcu_accessors] */
/* The pointer itself, as a plain lvalue, with the address space cast away. */
#define __rcu_lvalue(p)	(*(__typeof__(*(p)) __force **)&(p))

#define rcu_dereference_check(p, c) ({ \
	RCU_LOCKDEP_CHECK((c) || rcu_read_lock_held(), \
			  "rcu_dereference_check() without protection"); \
	__atomic_load_n(&__rcu_lvalue(p), __ATOMIC_CONSUME); \
})

#define rcu_dereference(p)	rcu_dereference_check(p, 0)

#define rcu_dereference_protected(p, c) ({ \
	RCU_LOCKDEP_CHECK(c, "rcu_dereference_protected() without the lock"); \
	__rcu_lvalue(p); \
})

#define rcu_access_pointer(p) \
	__atomic_load_n(&__rcu_lvalue(p), __ATOMIC_RELAXED)

#define rcu_assign_pointer(p, v) \
	__atomic_store_n(&__rcu_lvalue(p), (v), __ATOMIC_RELEASE)

#define RCU_INIT_POINTER(p, v) \
	__atomic_store_n(&__rcu_lvalue(p), (v), __ATOMIC_RELAXED)
/* [/book:rcu_accessors] */

#endif /* KERN_RCUPDATE_H */
