/**
 * @file err.h
 * @brief Negative errno values, and errors carried inside pointers
 *        (include/linux/err.h, include/linux/errno.h).
 *
 * Kernel functions return 0 or a negative errno; functions that return a
 * pointer encode the errno in the top 4095 addresses, which are never valid
 * pointers.  The system-call layer turns a negative errno into -1 + errno.
 */
#ifndef KERN_ERR_H
#define KERN_ERR_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

/**
 * The kernel's internal "operation not supported" (include/linux/errno.h).
 * It is not EOPNOTSUPP (95) and has no userspace name, yet this map returns
 * it to userspace: strerror() prints "Unknown error 524".
 */
#define ENOTSUPP 524

/** Highest errno value that ERR_PTR() can carry. */
#define MAX_ERRNO 4095

/** True if @p x, seen as an unsigned address, is an encoded errno. */
#define IS_ERR_VALUE(x) unlikely((uintptr_t)(void *)(x) >= (uintptr_t)-MAX_ERRNO)

/**
 * Encode a negative errno as a pointer.
 * @param error a negative errno, -1 .. -MAX_ERRNO
 * @return a pointer that IS_ERR() recognises
 */
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

/**
 * Decode the errno from a pointer made by ERR_PTR().
 * @param ptr an error pointer
 * @return the negative errno
 */
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

/**
 * Is @p ptr an encoded errno?
 * @param ptr any pointer
 * @return true for ERR_PTR() values
 */
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((uintptr_t)ptr);
}

/**
 * Is @p ptr NULL or an encoded errno?
 * @param ptr any pointer
 * @return true for NULL and for ERR_PTR() values
 */
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((uintptr_t)ptr);
}

#endif /* KERN_ERR_H */
