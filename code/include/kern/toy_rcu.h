/**
 * @file toy_rcu.h
 * @brief A toy RCU, about a page long, for the book's chapter on RCU
 *        (code/kernel/rcu/toy.c).  A lesson, not used by the port: the
 *        port's RCU is liburcu behind the kernel's names (kern/rcupdate.h).
 *
 * Readers announce, in a word of their own, which grace period was current
 * when their outermost toy_rcu_read_lock() ran; toy_rcu_read_unlock()
 * clears the word.  toy_synchronize_rcu() starts a new grace period by
 * bumping a global counter, then waits until every registered reader is
 * either outside a critical section or inside one that began after the
 * bump.  Readers that start later are not waited for, so a steady stream
 * of readers cannot starve an updater.
 *
 * A thread must call toy_rcu_register_thread() before its first read-side
 * critical section and toy_rcu_unregister_thread() before it exits.  An
 * updater need not be registered.  The counter is an unsigned long: on a
 * 32-bit machine it would wrap after 2^32 grace periods, which a toy
 * ignores.
 */
#ifndef KERN_TOY_RCU_H
#define KERN_TOY_RCU_H

#include <stdbool.h>

/**
 * @brief One registered reader thread (the toy's rcu_reader).
 *
 * Lives in thread-local storage; the registry links every registered one.
 */
struct toy_rcu_reader {
	/**
	 * 0 outside a read-side critical section; inside, the grace-period
	 * number that was current when the outermost toy_rcu_read_lock() ran.
	 * Written by its thread, read (atomically) by updaters.
	 */
	unsigned long ctr;
	/** next registered reader; the list is under the grace-period lock */
	struct toy_rcu_reader *next;
};

/**
 * Add the calling thread to the readers an updater waits for.
 * @return 0, or -EBUSY if the thread is already registered
 */
int toy_rcu_register_thread(void);

/**
 * Remove the calling thread from the readers.
 * @return 0, -EINVAL if it is not registered, or -EBUSY if it is inside a
 *         read-side critical section
 */
int toy_rcu_unregister_thread(void);

/**
 * Begin a read-side critical section (may nest).  The calling thread must
 * be registered (debug builds abort otherwise).
 */
void toy_rcu_read_lock(void);

/** End a read-side critical section. */
void toy_rcu_read_unlock(void);

/**
 * Is the calling thread inside toy_rcu_read_lock()?  For
 * rcu_dereference_check(p, toy_rcu_read_lock_held()).
 * @return true inside a read-side critical section
 */
bool toy_rcu_read_lock_held(void);

/**
 * Wait for a grace period: return only after every read-side critical
 * section that was running when the call began has ended.  Critical
 * sections that begin during the call are not waited for.  Must not be
 * called inside a read-side critical section (debug builds abort: it would
 * wait for itself).  Updaters are serialized.
 */
void toy_synchronize_rcu(void);

/**
 * The number of the latest grace period started (not necessarily ended).
 * For tests, which use it to know that an updater has begun waiting.
 * @return the toy's grace-period counter
 */
unsigned long toy_rcu_gp_started(void);

#endif /* KERN_TOY_RCU_H */
