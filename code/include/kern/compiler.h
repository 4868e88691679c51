/**
 * @file compiler.h
 * @brief Annotations and one-time accesses: __rcu, __force, likely(),
 *        READ_ONCE(), WRITE_ONCE(), container_of().
 *
 * Linux: include/linux/compiler_types.h, include/asm-generic/rwonce.h,
 * include/linux/container_of.h.  READ_ONCE()/WRITE_ONCE() are built on the
 * compiler's C11 atomic builtins with relaxed ordering: a single, untorn,
 * not-merged access, which is exactly what the kernel macros promise, and
 * which ThreadSanitizer understands as atomic.
 *
 * @def __rcu
 * Marks a pointer that RCU readers may load at any time.  Under sparse
 * (`__CHECKER__`) it puts the pointer in a separate address space, so that a
 * plain dereference or assignment is reported and only the RCU accessors
 * (which cast with __force) are clean.  For the compiler it is empty.
 * @def __force
 * Tells sparse that a cast across address spaces is intended.
 * @def __must_hold(x)
 * Documents (and, for sparse, declares) that the caller holds lock @p x.
 */
#ifndef KERN_COMPILER_H
#define KERN_COMPILER_H

#include <stddef.h>

#undef __rcu	/* liburcu's headers define an empty one */
#ifdef __CHECKER__
# define __rcu		__attribute__((noderef, address_space(__rcu)))
# define __force	__attribute__((force))
# define __must_hold(x)	__attribute__((context(x, 1, 1)))
#else
# define __rcu
# define __force
# define __must_hold(x)
#endif

/** Branch hint: @p x is expected to be true. */
#define likely(x)	__builtin_expect(!!(x), 1)
/** Branch hint: @p x is expected to be false. */
#define unlikely(x)	__builtin_expect(!!(x), 0)

/* [book:read_once] */
/**
 * Load @p x exactly once, untorn (a relaxed atomic load).
 * Used where another thread may write @p x concurrently.
 */
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)

/** Store @p val to @p x exactly once, untorn (a relaxed atomic store). */
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
/* [/book:read_once] */

/**
 * From a pointer to a member, get the structure that contains it.
 * @param ptr pointer to the member
 * @param type type of the containing structure
 * @param member name of the member in @p type
 */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/** Number of elements of an array (not of a pointer). */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* KERN_COMPILER_H */
