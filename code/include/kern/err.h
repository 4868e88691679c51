/**
 * @file err.h
 * @brief Negative errno values, and errors carried inside pointers
 *        (include/linux/err.h, include/linux/errno.h).
 *
 * Kernel functions return 0 or a negative errno; functions that return a
 * pointer encode the errno in the top MAX_ERRNO addresses, which are never
 * valid pointers.  The system-call layer turns a negative errno into -1 +
 * errno.
 */
#ifndef KERN_ERR_H
#define KERN_ERR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

/* [book:enotsupp] */
/**
 * The kernel's internal "operation not supported" (include/linux/errno.h).
 * It is not EOPNOTSUPP (95) and has no userspace name, yet this map returns
 * it to userspace: strerror() prints "Unknown error 524".
 */
#define ENOTSUPP 524
/* [/book:enotsupp] */

/* [book:max_errno] */
/**
 * Highest errno value that ERR_PTR() can carry.  The last MAX_ERRNO
 * addresses, (uintptr_t)-MAX_ERRNO up to (uintptr_t)-1, lie in the top page
 * of the address space, where Linux never places an object.
 */
#define MAX_ERRNO 4095
/* [/book:max_errno] */

/* [exercise:errptr] */
/* [book:errptr] */
/**
 * Encode a negative errno as a pointer.
 * @param error a negative errno, -1 .. -MAX_ERRNO
 * @return a pointer that IS_ERR() recognises and PTR_ERR() decodes
 */
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

/**
 * Decode the errno from a pointer made by ERR_PTR().
 * @param ptr an error pointer (check it with IS_ERR() first)
 * @return the negative errno
 */
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

/**
 * Is @p ptr an encoded errno?
 * @param ptr any pointer
 * @return true exactly for the addresses ERR_PTR(-1) .. ERR_PTR(-MAX_ERRNO)
 */
static inline bool IS_ERR(const void *ptr)
{
	/* one unsigned comparison covers the whole top range */
	return unlikely((uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO);
}
/* [/book:errptr] */

/**
 * Is @p ptr NULL or an encoded errno?
 * @param ptr any pointer
 * @return true for NULL and for ERR_PTR() values
 */
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR(ptr);
}

/**
 * Pass an error pointer on as a pointer of another type.
 * @param ptr an error pointer (const is dropped)
 * @return the same address, as a plain void pointer
 */
static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}

/**
 * The errno inside @p ptr, or 0 if it is not an error pointer.
 * @param ptr a pointer, possibly an error pointer
 * @return the negative errno, or 0 (also for NULL)
 */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	if (IS_ERR(ptr))
		return PTR_ERR(ptr);
	return 0;
}
/* [/exercise:errptr] */

/**
 * True if @p x, seen as an unsigned address, is an encoded errno.  The
 * kernel defines IS_ERR() with this macro; the port does the reverse, so
 * that the comparison lives in a function (the exercise of the chapter
 * "A kernel in userspace").
 */
#define IS_ERR_VALUE(x) IS_ERR((const void *)(uintptr_t)(x))

#endif /* KERN_ERR_H */
