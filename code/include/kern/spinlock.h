/**
 * @file spinlock.h
 * @brief spinlock_t and rwlock_t, with lockdep-style ownership tracking
 *        (include/linux/spinlock.h, include/linux/rwlock.h, include/linux/lockdep.h).
 *
 * A kernel spinlock disables preemption, so its holder always runs until it
 * unlocks and spinning is cheap.  A userspace thread can be descheduled while
 * holding a lock, and spinning on it would burn a whole time slice, so the
 * port builds spinlock_t on a pthread mutex and rwlock_t on a pthread rwlock.
 *
 * Each thread keeps a small stack of the locks it holds, as lockdep does, so
 * that lockdep_is_held() gives a real answer.  In every build (NDEBUG or
 * not), taking a lock the thread already holds, releasing a lock it does
 * not hold, or holding too many aborts with a message naming the lock: in
 * the kernel the first two hang or corrupt, so nothing is gained by going on.
 *
 * Lock *order* is not checked here.  Lockdep keeps a graph of lock classes
 * for that; the port leaves it to ThreadSanitizer, whose deadlock detector
 * keeps the same kind of graph over lock instances (chapter "Locks and
 * their order" compares the two).
 *
 * The _bh variants also count "bottom halves disabled" for the thread.
 * Userspace has no softirqs, so nothing can interrupt the holder; the count
 * exists so the code and its checks read as in the kernel, and in_softirq()
 * reports it.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <pthread.h>
#include <stdbool.h>

/** @brief The kernel's spinlock_t, on a pthread mutex. */
typedef struct spinlock {
	pthread_mutex_t mutex;	/**< the lock itself */
	const char *name;	/**< name for messages, as lockdep prints it */
} spinlock_t;

/** @brief The kernel's rwlock_t, on a pthread rwlock. */
typedef struct rwlock {
	pthread_rwlock_t rwlock;	/**< the lock itself */
	const char *name;		/**< name for messages */
} rwlock_t;

/** Define and initialise a spinlock named @p x. */
#define DEFINE_SPINLOCK(x) spinlock_t x = { PTHREAD_MUTEX_INITIALIZER, #x }

/** Initialise a spinlock; its name for messages is the expression. */
#define spin_lock_init(l)	__spin_lock_init((l), #l)
/** Initialise an rwlock; its name for messages is the expression. */
#define rwlock_init(l)		__rwlock_init((l), #l)

void __spin_lock_init(spinlock_t *lock, const char *name);
void __rwlock_init(rwlock_t *lock, const char *name);
void spin_lock_destroy(spinlock_t *lock);
void rwlock_destroy(rwlock_t *lock);

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);

void read_lock(rwlock_t *lock);
void read_unlock(rwlock_t *lock);
void write_lock(rwlock_t *lock);
void write_unlock(rwlock_t *lock);
void read_lock_bh(rwlock_t *lock);
void read_unlock_bh(rwlock_t *lock);
void write_lock_bh(rwlock_t *lock);
void write_unlock_bh(rwlock_t *lock);

void local_bh_disable(void);
void local_bh_enable(void);
bool in_softirq(void);

bool lock_is_held(const void *lock);
bool lock_is_held_write(const void *lock);
int lockdep_depth(void);

/**
 * Does the calling thread hold @p l (either lock type, any mode)?
 * Used as the condition of rcu_dereference_protected().
 */
#define lockdep_is_held(l)	lock_is_held(l)

/** Abort unless the calling thread holds @p l (in every build). */
#define lockdep_assert_held(l) \
	__lockdep_assert(lock_is_held(l), "lockdep_assert_held(" #l ")", __FILE__, __LINE__)

void __lockdep_assert(bool ok, const char *what, const char *file, int line);

#endif /* KERN_SPINLOCK_H */
