/*
 * Solution to exercise "errptr": carry an errno inside a pointer: the ERR_PTR family
 * Chapter: A kernel in userspace.
 *
 * These are the functions exactly as they stand in code/include/kern/err.h
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

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
