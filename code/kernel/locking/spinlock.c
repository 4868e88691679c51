/**
 * @file spinlock.c
 * @brief spinlock_t and rwlock_t with a per-thread held-lock stack, the
 *        part of lockdep (kernel/locking/lockdep.c) the port needs.
 *
 * lockdep_is_held() must give a true answer, because the port's
 * rcu_dereference_protected() checks it.  The kernel's lockdep keeps, per
 * task, the list of locks the task holds; the port keeps the same list per
 * thread.  Misuse that would hang or corrupt a real kernel aborts here with
 * the lock's name, in every build.  Lock *order* is checked by
 * ThreadSanitizer, which builds the same kind of graph lockdep does, but
 * over lock instances where lockdep uses lock classes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kern/spinlock.h"

/** How many locks a thread may hold at once (lockdep allows 48). */
#define MAX_HELD_LOCKS 16

enum held_mode { HELD_EXCLUSIVE, HELD_READ };

struct held_lock {
	const void *lock;
	const char *name;
	enum held_mode mode;
};

static __thread struct held_lock held_locks[MAX_HELD_LOCKS];
static __thread int held_depth;
static __thread int bh_disable_count;

static void lock_fail(const char *what, const char *name)
{
	fprintf(stderr, "lockdep: %s: %s\n", what, name ? name : "(unnamed lock)");
	abort();
}

static int held_find(const void *lock)
{
	for (int i = held_depth - 1; i >= 0; i--)
		if (held_locks[i].lock == lock)
			return i;
	return -1;
}

/* [book:held_push] */
/* Record an acquisition; catch self-deadlock before it happens. */
static void held_push(const void *lock, const char *name, enum held_mode mode)
{
	int i = held_find(lock);

	if (i >= 0 && (mode == HELD_EXCLUSIVE || held_locks[i].mode == HELD_EXCLUSIVE))
		lock_fail("recursive locking (this thread already holds it)", name);
	if (held_depth == MAX_HELD_LOCKS)
		lock_fail("too many locks held", name);
	held_locks[held_depth++] = (struct held_lock){ lock, name, mode };
}
/* [/book:held_push] */

static void held_pop(const void *lock, const char *name)
{
	int i = held_find(lock);

	if (i < 0)
		lock_fail("releasing a lock this thread does not hold", name);
	for (; i < held_depth - 1; i++)
		held_locks[i] = held_locks[i + 1];
	held_depth--;
}

/** Does the calling thread hold @p lock in any mode? */
bool lock_is_held(const void *lock)
{
	return held_find(lock) >= 0;
}

/** Does the calling thread hold @p lock exclusively (spin or write)? */
bool lock_is_held_write(const void *lock)
{
	int i = held_find(lock);

	return i >= 0 && held_locks[i].mode == HELD_EXCLUSIVE;
}

/** Number of locks the calling thread holds. */
int lockdep_depth(void)
{
	return held_depth;
}

void __lockdep_assert(bool ok, const char *what, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "lockdep: %s failed at %s:%d\n", what, file, line);
		abort();
	}
}

/** Port of local_bh_disable(): count one more reason to keep softirqs off. */
void local_bh_disable(void)
{
	bh_disable_count++;
}

/** Port of local_bh_enable(). */
void local_bh_enable(void)
{
	if (bh_disable_count <= 0)
		lock_fail("local_bh_enable() without local_bh_disable()", "bh");
	bh_disable_count--;
}

/** Port of in_softirq(): are bottom halves disabled on this thread? */
bool in_softirq(void)
{
	return bh_disable_count > 0;
}

void __spin_lock_init(spinlock_t *lock, const char *name)
{
	pthread_mutex_init(&lock->mutex, NULL);
	lock->name = name;
}

void spin_lock_destroy(spinlock_t *lock)
{
	pthread_mutex_destroy(&lock->mutex);
}

void __rwlock_init(rwlock_t *lock, const char *name)
{
	pthread_rwlock_init(&lock->rwlock, NULL);
	lock->name = name;
}

void rwlock_destroy(rwlock_t *lock)
{
	pthread_rwlock_destroy(&lock->rwlock);
}

/* [book:spin_lock_bh] */
/** Port of spin_lock(). */
void spin_lock(spinlock_t *lock)
{
	held_push(lock, lock->name, HELD_EXCLUSIVE);
	pthread_mutex_lock(&lock->mutex);
}

/** Port of spin_unlock(). */
void spin_unlock(spinlock_t *lock)
{
	held_pop(lock, lock->name);
	pthread_mutex_unlock(&lock->mutex);
}

/** Port of spin_lock_bh(): disable bottom halves, then lock. */
void spin_lock_bh(spinlock_t *lock)
{
	local_bh_disable();
	spin_lock(lock);
}

/** Port of spin_unlock_bh(). */
void spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock(lock);
	local_bh_enable();
}
/* [/book:spin_lock_bh] */

/** Port of read_lock(). */
void read_lock(rwlock_t *lock)
{
	held_push(lock, lock->name, HELD_READ);
	pthread_rwlock_rdlock(&lock->rwlock);
}

/** Port of read_unlock(). */
void read_unlock(rwlock_t *lock)
{
	held_pop(lock, lock->name);
	pthread_rwlock_unlock(&lock->rwlock);
}

/** Port of write_lock(). */
void write_lock(rwlock_t *lock)
{
	held_push(lock, lock->name, HELD_EXCLUSIVE);
	pthread_rwlock_wrlock(&lock->rwlock);
}

/** Port of write_unlock(). */
void write_unlock(rwlock_t *lock)
{
	held_pop(lock, lock->name);
	pthread_rwlock_unlock(&lock->rwlock);
}

/** Port of read_lock_bh(). */
void read_lock_bh(rwlock_t *lock)
{
	local_bh_disable();
	read_lock(lock);
}

/** Port of read_unlock_bh(). */
void read_unlock_bh(rwlock_t *lock)
{
	read_unlock(lock);
	local_bh_enable();
}

/** Port of write_lock_bh(). */
void write_lock_bh(rwlock_t *lock)
{
	local_bh_disable();
	write_lock(lock);
}

/** Port of write_unlock_bh(). */
void write_unlock_bh(rwlock_t *lock)
{
	write_unlock(lock);
	local_bh_enable();
}
