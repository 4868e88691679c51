/**
 * @file refcount.h
 * @brief refcount_t (include/linux/refcount.h): a counter that refuses to
 *        wrap or to be revived from zero.
 */
#ifndef KERN_REFCOUNT_H
#define KERN_REFCOUNT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/** @brief A reference count. */
typedef struct {
	int refs;	/**< accessed only with atomic builtins */
} refcount_t;

/** Static initialiser for a count of @p n. */
#define REFCOUNT_INIT(n)	{ .refs = (n) }

/**
 * Set the count (only while no one else can see the object).
 * @param r the count
 * @param n the value
 */
static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs, n, __ATOMIC_RELAXED);
}

/**
 * Read the count (a snapshot, for messages and tests).
 * @param r the count
 * @return its value
 */
static inline int refcount_read(const refcount_t *r)
{
	return __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
}

/**
 * Take a reference; the caller must already hold one.
 * @param r the count
 */
static inline void refcount_inc(refcount_t *r)
{
	int old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);

	if (old <= 0) {
		fprintf(stderr, "refcount_t: increment on %d (use after free?)\n", old);
		abort();
	}
}

/**
 * Drop a reference.
 * @param r the count
 * @return true if it was the last one: the caller frees the object
 */
static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_ACQ_REL);

	if (old <= 0) {
		fprintf(stderr, "refcount_t: decrement on %d (double put?)\n", old);
		abort();
	}
	return old == 1;
}

#endif /* KERN_REFCOUNT_H */
